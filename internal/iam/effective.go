package iam

import (
	"context"

	"github.com/rolecall/rolecall/internal/store"
)

// The methods here give the policy engine and authorization what they need
// about a principal: every identity policy document that applies to it,
// and its permissions boundary.

// PolicyDocument is one policy that applies to a principal.
type PolicyDocument struct {
	Inline     bool   // inline (PolicyName set) or managed (PolicyArn, VersionId set)
	Owner      string // ARN of the role, user or group the policy belongs to or is attached to
	PolicyName string
	PolicyArn  string
	VersionId  string // the default version, for a managed policy
	Document   string
}

// PrincipalPolicies are the policies that apply to a principal. A user's
// include those of its groups.
type PrincipalPolicies struct {
	// ID is the entity's unique id (AROA..., AIDA...): a role or user
	// deleted and created again under its name has a new one.
	ID                  string
	ARN                 string // the entity's, with its path and name as stored
	Tags                []Tag  // the role's or user's (aws:PrincipalTag/KEY)
	Identity            []PolicyDocument
	PermissionsBoundary *PolicyDocument
	// AccountGrants are permissions IAM gives a user on the account's
	// behalf, beside its own policies: the password policy's
	// AllowUsersToChangePassword (passwordgrant.go).
	AccountGrants []PolicyDocument
}

// RolePolicies returns a role's inline and attached policies and its
// boundary.
func (s *Service) RolePolicies(ctx context.Context, account, roleName string) (*PrincipalPolicies, error) {
	out := &PrincipalPolicies{}
	err := s.view(ctx, account, func(tx store.Tx) error {
		r, err := loadRole(tx, account, roleName)
		if err != nil {
			return err
		}
		out.ID, out.Tags = r.RoleId, r.Tags
		owner := iamArn(account, "role", r.Path, r.RoleName)
		out.ARN = owner
		if err := collect(tx, account, owner, rolePrincipal(account, r), out); err != nil {
			return err
		}
		out.PermissionsBoundary, err = boundaryDocument(tx, account, owner, r.PermissionsBoundary)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// UserPolicies returns a user's inline and attached policies, those of its
// groups, and its boundary.
func (s *Service) UserPolicies(ctx context.Context, account, userName string) (*PrincipalPolicies, error) {
	out := &PrincipalPolicies{}
	err := s.view(ctx, account, func(tx store.Tx) error {
		u, err := loadUser(tx, account, userName)
		if err != nil {
			return err
		}
		out.ID, out.Tags = u.UserId, u.Tags
		owner := iamArn(account, "user", u.Path, u.UserName)
		out.ARN = owner
		if err := collect(tx, account, owner, userPrincipal(account, u), out); err != nil {
			return err
		}
		for _, name := range u.Groups {
			g, err := loadGroup(tx, account, name)
			if err != nil {
				return err
			}
			if err := collect(tx, account, iamArn(account, "group", g.Path, g.GroupName), groupPrincipal(account, g), out); err != nil {
				return err
			}
		}
		out.PermissionsBoundary, err = boundaryDocument(tx, account, owner, u.PermissionsBoundary)
		if err != nil {
			return err
		}
		out.AccountGrants, err = accountGrants(tx, account, owner)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// GroupPolicies returns a group's inline and attached policies.
func (s *Service) GroupPolicies(ctx context.Context, account, groupName string) (*PrincipalPolicies, error) {
	out := &PrincipalPolicies{}
	err := s.view(ctx, account, func(tx store.Tx) error {
		g, err := loadGroup(tx, account, groupName)
		if err != nil {
			return err
		}
		out.ARN = iamArn(account, "group", g.Path, g.GroupName)
		return collect(tx, account, out.ARN, groupPrincipal(account, g), out)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func collect(tx store.Tx, account, owner string, p *principal, out *PrincipalPolicies) error {
	for _, ip := range *p.inline {
		out.Identity = append(out.Identity, PolicyDocument{Inline: true, Owner: owner, PolicyName: ip.Name, Document: ip.Document})
	}
	for _, a := range *p.attached {
		d, err := managedDocument(tx, account, owner, a.Arn)
		if err != nil {
			return err
		}
		if d != nil {
			out.Identity = append(out.Identity, *d)
		}
	}
	return nil
}

func boundaryDocument(tx store.Tx, account, owner, policyArn string) (*PolicyDocument, error) {
	if policyArn == "" {
		return nil, nil
	}
	return managedDocument(tx, account, owner, policyArn)
}

// managedDocument returns the default version of a managed policy; nil if
// the policy is gone (it cannot be while attached, but a reader must not
// fail a request over it).
func managedDocument(tx store.Tx, account, owner, policyArn string) (*PolicyDocument, error) {
	pa, ok, err := parsePolicyARN(policyArn)
	if err != nil {
		return nil, nil
	}
	versions, def, found, err := policyVersions(tx, account, pa, ok)
	if err != nil || !found {
		return nil, err
	}
	for _, v := range versions {
		if v.VersionId == def {
			return &PolicyDocument{Owner: owner, PolicyName: pa.name, PolicyArn: policyArn, VersionId: def, Document: v.Document}, nil
		}
	}
	return nil, nil
}

package iam

import (
	"context"
	"strings"
	"time"

	"github.com/rolecall/rolecall/internal/arn"
	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/policy"
	"github.com/rolecall/rolecall/internal/store"
)

// CreateRoleInput is CreateRole's request. MaxSessionDuration 0 means the
// default, 3600 seconds.
type CreateRoleInput struct {
	Path, RoleName, AssumeRolePolicyDocument, Description, PermissionsBoundary string
	MaxSessionDuration                                                         int32
	Tags                                                                       []Tag
}

// serviceRolePathPrefix is reserved for service-linked roles.
const serviceRolePathPrefix = "/aws-service-role/"

func loadRole(tx store.Tx, account, name string) (*roleRecord, error) {
	var r roleRecord
	ok, err := getJSON(tx, bucketRoles, entityKey(account, name), &r)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errNoSuchRole(name)
	}
	return &r, nil
}

func saveRole(tx store.Tx, account string, r *roleRecord) error {
	return putJSON(tx, bucketRoles, entityKey(account, r.RoleName), r)
}

// roleWritable is the one place that decides whether a role may be changed
// or deleted by the caller; action is the IAM operation ("DeleteRole",
// "PutRolePolicy", ...). Every role-changing operation asks it before
// changing anything. A service-linked role is modifiable only by its
// service: of IAM's operations only its description may change (IAM user
// guide, "Using service-linked roles"; the service itself goes through
// slr.go, not through here).
func roleWritable(r *roleRecord, action string) error {
	if isServiceLinked(r) && action != "UpdateRoleDescription" {
		return errProtectedRole(r.RoleName)
	}
	return nil
}

// checkTrustPolicy validates a role's trust policy: the document itself,
// its size, and that the roles and users of this account it names as AWS
// principals exist.
func checkTrustPolicy(tx store.Tx, account, doc string, parsed *policy.Document) error {
	if policySize(doc) > QuotaTrustPolicySize {
		return errTrustPolicySize
	}
	return checkTrustPrincipals(tx, account, parsed)
}

// checkTrustPrincipals rejects "AWS" principals naming a role or user of
// this account that does not exist, as IAM does.
func checkTrustPrincipals(tx store.Tx, account string, d *policy.Document) error {
	if d == nil {
		return nil
	}
	for _, v := range d.AWSPrincipals() {
		ok, err := principalExists(tx, account, v)
		if err != nil {
			return err
		}
		if !ok {
			return policy.InvalidPrincipal(policy.InvalidPrincipalAWS, v)
		}
	}
	return nil
}

// principalExists says whether an AWS principal value is acceptable: ARNs
// of this account's roles and users must name existing ones; anything else
// (account ids, root ARNs, unique ids, other accounts) is accepted.
func principalExists(tx store.Tx, account, v string) (bool, error) {
	a, err := arn.Parse(v)
	if err != nil || a.Service != "iam" || a.Account != account {
		return true, nil
	}
	kind, rest, _ := strings.Cut(a.Resource, "/")
	if kind != "role" && kind != "user" || rest == "" {
		return true, nil
	}
	i := strings.LastIndexByte(rest, '/') // -1 for a role or user at "/"
	path, name := "/"+rest[:i+1], rest[i+1:]
	if kind == "role" {
		var r roleRecord
		ok, err := getJSON(tx, bucketRoles, entityKey(account, name), &r)
		return ok && r.Path == path, err
	}
	var u userRecord
	ok, err := getJSON(tx, bucketUsers, entityKey(account, name), &u)
	return ok && u.Path == path, err
}

// CreateRole creates a role. The path /aws-service-role/ is kept for
// service-linked roles.
func (s *Service) CreateRole(ctx context.Context, account string, in CreateRoleInput) (*Role, error) {
	if err := checkName("roleName", in.RoleName, maxRoleName); err != nil {
		return nil, err
	}
	path, err := cleanPath("path", in.Path)
	if err != nil {
		return nil, err
	}
	if strings.HasPrefix(path, serviceRolePathPrefix) {
		return nil, errServiceRolePath
	}
	if err := checkDescription("description", in.Description); err != nil {
		return nil, err
	}
	msd := in.MaxSessionDuration
	if msd == 0 {
		msd = DefaultMaxSessionDuration
	}
	if err := checkMaxSessionDuration(msd); err != nil {
		return nil, err
	}
	if err := roleTags.check(in.Tags); err != nil {
		return nil, err
	}
	trust, err := policy.Parse(in.AssumeRolePolicyDocument, policy.Trust)
	if err != nil {
		return nil, err
	}
	r := &roleRecord{
		Path: path, RoleName: in.RoleName, RoleId: s.gen.ID("AROA"), CreateDate: s.now(),
		AssumeRolePolicyDocument: in.AssumeRolePolicyDocument,
		Description:              in.Description,
		MaxSessionDuration:       msd,
		Tags:                     in.Tags,
	}
	err = s.update(ctx, account, func(tx store.Tx) error {
		if err := checkTrustPolicy(tx, account, in.AssumeRolePolicyDocument, trust); err != nil {
			return err
		}
		if in.PermissionsBoundary != "" {
			if err := checkBoundary(tx, account, in.PermissionsBoundary); err != nil {
				return err
			}
		}
		rec := *r // fn may run again: start from the same record each time
		return insertRole(tx, account, &rec, in.PermissionsBoundary)
	})
	if err != nil {
		return nil, err
	}
	r.PermissionsBoundary = in.PermissionsBoundary
	return r.role(account, viewCreate), nil
}

// insertRole stores a new role after the checks every role creation shares:
// a unique name (regardless of case) and the account's role quota.
func insertRole(tx store.Tx, account string, r *roleRecord, boundary string) error {
	key := entityKey(account, r.RoleName)
	if _, ok := tx.Get(bucketRoles, key); ok {
		return errRoleExists(r.RoleName)
	}
	n, err := entityCount(tx, account, bucketRoles)
	if err != nil {
		return err
	}
	if n >= QuotaRolesPerAccount {
		return errQuota("RolesPerAccount", QuotaRolesPerAccount)
	}
	if err := setBoundary(tx, account, kindRoleBoundary, r.RoleName, r.RoleId, r.Path, &r.PermissionsBoundary, boundary); err != nil {
		return err
	}
	if err := countEntity(tx, account, bucketRoles, 1); err != nil {
		return err
	}
	return putJSON(tx, bucketRoles, key, r)
}

// GetRole returns a role with everything AWS shows about it.
func (s *Service) GetRole(ctx context.Context, account, roleName string) (*Role, error) {
	var out *Role
	err := s.view(ctx, account, func(tx store.Tx) error {
		r, err := loadRole(tx, account, roleName)
		if err != nil {
			return err
		}
		out = r.role(account, viewGet)
		return nil
	})
	return out, err
}

// RoleByARN returns the role an ARN names, in whichever account the ARN
// says (STS assumes roles across accounts). The ARN's path must be the
// role's.
func (s *Service) RoleByARN(ctx context.Context, roleArn string) (*Role, error) {
	a, err := arn.Parse(roleArn)
	if err != nil || a.Service != "iam" || !strings.HasPrefix(a.Resource, "role/") || a.Account == "" {
		return nil, awserr.ValidationError("%s is invalid", roleArn)
	}
	rest := a.Resource[len("role"):]
	i := strings.LastIndexByte(rest, '/')
	path, name := rest[:i+1], rest[i+1:]
	var out *Role
	err = s.view(ctx, a.Account, func(tx store.Tx) error {
		r, err := loadRole(tx, a.Account, name)
		if err != nil {
			return err
		}
		if r.Path != path || r.RoleName != name {
			return errNoSuchRole(name)
		}
		out = r.role(a.Account, viewGet)
		return nil
	})
	return out, err
}

// ListRoles lists the account's roles by name, those under pathPrefix only
// if it is given.
func (s *Service) ListRoles(ctx context.Context, account, pathPrefix string, pg Page) ([]Role, string, error) {
	var out []Role
	var next string
	err := s.view(ctx, account, func(tx store.Tx) error {
		var err error
		out, next, err = scanPage(tx, bucketRoles, account+"/", pg, func(_ string, v []byte) (Role, bool, error) {
			var r roleRecord
			if err := unmarshal(v, &r); err != nil {
				return Role{}, false, err
			}
			if !strings.HasPrefix(r.Path, pathPrefix) {
				return Role{}, false, nil
			}
			return *r.role(account, viewList), true, nil
		})
		return err
	})
	return out, next, err
}

// modifyRole loads a role, asks roleWritable, applies fn and saves.
func (s *Service) modifyRole(ctx context.Context, account, roleName, action string, fn func(tx store.Tx, r *roleRecord) error) error {
	return s.update(ctx, account, func(tx store.Tx) error {
		r, err := loadRole(tx, account, roleName)
		if err != nil {
			return err
		}
		if err := roleWritable(r, action); err != nil {
			return err
		}
		if err := fn(tx, r); err != nil {
			return err
		}
		return saveRole(tx, account, r)
	})
}

// UpdateRole changes a role's description and maximum session duration;
// empty and zero leave them as they are.
func (s *Service) UpdateRole(ctx context.Context, account, roleName, description string, maxSessionDuration int32) error {
	if err := checkDescription("description", description); err != nil {
		return err
	}
	if maxSessionDuration != 0 {
		if err := checkMaxSessionDuration(maxSessionDuration); err != nil {
			return err
		}
	}
	action := "UpdateRole"
	if maxSessionDuration == 0 {
		action = "UpdateRoleDescription" // the description alone: allowed where UpdateRoleDescription is
	}
	return s.modifyRole(ctx, account, roleName, action, func(_ store.Tx, r *roleRecord) error {
		if description != "" {
			r.Description = description
		}
		if maxSessionDuration != 0 {
			r.MaxSessionDuration = maxSessionDuration
		}
		return nil
	})
}

// UpdateRoleDescription sets a role's description and returns the role.
func (s *Service) UpdateRoleDescription(ctx context.Context, account, roleName, description string) (*Role, error) {
	if err := checkDescription("description", description); err != nil {
		return nil, err
	}
	var out *Role
	err := s.modifyRole(ctx, account, roleName, "UpdateRoleDescription", func(_ store.Tx, r *roleRecord) error {
		r.Description = description
		out = r.role(account, viewDescribed)
		return nil
	})
	return out, err
}

// UpdateAssumeRolePolicy replaces a role's trust policy.
func (s *Service) UpdateAssumeRolePolicy(ctx context.Context, account, roleName, document string) error {
	trust, err := policy.Parse(document, policy.Trust)
	if err != nil {
		return err
	}
	return s.modifyRole(ctx, account, roleName, "UpdateAssumeRolePolicy", func(tx store.Tx, r *roleRecord) error {
		if err := checkTrustPolicy(tx, account, document, trust); err != nil {
			return err
		}
		r.AssumeRolePolicyDocument = document
		return nil
	})
}

// DeleteRole deletes a role that has no inline or attached policies and is
// in no instance profile.
func (s *Service) DeleteRole(ctx context.Context, account, roleName string) error {
	return s.update(ctx, account, func(tx store.Tx) error {
		r, err := loadRole(tx, account, roleName)
		if err != nil {
			return err
		}
		if err := roleWritable(r, "DeleteRole"); err != nil {
			return err
		}
		return deleteRole(tx, account, r)
	})
}

// deleteRole removes a role that may be deleted: the DeleteConflict rules
// and the bookkeeping every role deletion shares.
func deleteRole(tx store.Tx, account string, r *roleRecord) error {
	switch {
	case len(r.Inline) > 0:
		return errDeleteConflictInline
	case len(r.Attached) > 0:
		return errDeleteConflictAttached
	case len(r.InstanceProfiles) > 0:
		return errDeleteConflictProfile
	}
	if err := setBoundary(tx, account, kindRoleBoundary, r.RoleName, r.RoleId, r.Path, &r.PermissionsBoundary, ""); err != nil {
		return err
	}
	if err := countEntity(tx, account, bucketRoles, -1); err != nil {
		return err
	}
	return tx.Delete(bucketRoles, entityKey(account, r.RoleName))
}

// TagRole adds or replaces tags on a role.
func (s *Service) TagRole(ctx context.Context, account, roleName string, tags []Tag) error {
	if err := roleTags.check(tags); err != nil {
		return err
	}
	return s.update(ctx, account, func(tx store.Tx) error {
		r, err := loadRole(tx, account, roleName)
		if err != nil {
			return err
		}
		if r.Tags, err = roleTags.merge(r.Tags, tags); err != nil {
			return err
		}
		return saveRole(tx, account, r)
	})
}

// UntagRole removes tags from a role; keys it does not have are ignored.
func (s *Service) UntagRole(ctx context.Context, account, roleName string, keys []string) error {
	return s.update(ctx, account, func(tx store.Tx) error {
		r, err := loadRole(tx, account, roleName)
		if err != nil {
			return err
		}
		r.Tags = roleTags.remove(r.Tags, keys)
		return saveRole(tx, account, r)
	})
}

// ListRoleTags lists a role's tags.
func (s *Service) ListRoleTags(ctx context.Context, account, roleName string, pg Page) ([]Tag, string, error) {
	var out []Tag
	var next string
	err := s.view(ctx, account, func(tx store.Tx) error {
		r, err := loadRole(tx, account, roleName)
		if err != nil {
			return err
		}
		out, next, err = pageSlice(r.Tags, pg)
		return err
	})
	return out, next, err
}

// PutRolePermissionsBoundary sets the managed policy that bounds a role.
func (s *Service) PutRolePermissionsBoundary(ctx context.Context, account, roleName, policyArn string) error {
	return s.modifyRole(ctx, account, roleName, "PutRolePermissionsBoundary", func(tx store.Tx, r *roleRecord) error {
		if err := checkBoundary(tx, account, policyArn); err != nil {
			return err
		}
		return setBoundary(tx, account, kindRoleBoundary, r.RoleName, r.RoleId, r.Path, &r.PermissionsBoundary, policyArn)
	})
}

// DeleteRolePermissionsBoundary removes a role's permissions boundary.
func (s *Service) DeleteRolePermissionsBoundary(ctx context.Context, account, roleName string) error {
	return s.modifyRole(ctx, account, roleName, "DeleteRolePermissionsBoundary", func(tx store.Tx, r *roleRecord) error {
		return setBoundary(tx, account, kindRoleBoundary, r.RoleName, r.RoleId, r.Path, &r.PermissionsBoundary, "")
	})
}

// PutRolePolicy adds or replaces an inline policy of a role.
func (s *Service) PutRolePolicy(ctx context.Context, account, roleName, policyName, document string) error {
	if err := checkName("policyName", policyName, maxPolicyName); err != nil {
		return err
	}
	if _, err := parseIdentity(document); err != nil {
		return err
	}
	return s.update(ctx, account, func(tx store.Tx) error {
		r, err := loadRole(tx, account, roleName)
		if err != nil {
			return err
		}
		if err := roleWritable(r, "PutRolePolicy"); err != nil {
			return err
		}
		return putInline(tx, rolePrincipal(account, r), policyName, document)
	})
}

// GetRolePolicy returns an inline policy's document.
func (s *Service) GetRolePolicy(ctx context.Context, account, roleName, policyName string) (string, error) {
	var doc string
	err := s.view(ctx, account, func(tx store.Tx) error {
		r, err := loadRole(tx, account, roleName)
		if err != nil {
			return err
		}
		doc, err = getInline(rolePrincipal(account, r), policyName)
		return err
	})
	return doc, err
}

// ListRolePolicies lists the names of a role's inline policies.
func (s *Service) ListRolePolicies(ctx context.Context, account, roleName string, pg Page) ([]string, string, error) {
	var out []string
	var next string
	err := s.view(ctx, account, func(tx store.Tx) error {
		r, err := loadRole(tx, account, roleName)
		if err != nil {
			return err
		}
		out, next, err = pageSlice(inlineNames(rolePrincipal(account, r)), pg)
		return err
	})
	return out, next, err
}

// DeleteRolePolicy deletes an inline policy of a role.
func (s *Service) DeleteRolePolicy(ctx context.Context, account, roleName, policyName string) error {
	return s.update(ctx, account, func(tx store.Tx) error {
		r, err := loadRole(tx, account, roleName)
		if err != nil {
			return err
		}
		if err := roleWritable(r, "DeleteRolePolicy"); err != nil {
			return err
		}
		return deleteInline(tx, rolePrincipal(account, r), policyName)
	})
}

// AttachRolePolicy attaches a managed policy to a role.
func (s *Service) AttachRolePolicy(ctx context.Context, account, roleName, policyArn string) error {
	pa, ok, err := parsePolicyARN(policyArn)
	if err != nil {
		return err
	}
	return s.update(ctx, account, func(tx store.Tx) error {
		r, err := loadRole(tx, account, roleName)
		if err != nil {
			return err
		}
		if err := roleWritable(r, "AttachRolePolicy"); err != nil {
			return err
		}
		return attachPolicy(tx, account, rolePrincipal(account, r), pa, ok)
	})
}

// DetachRolePolicy detaches a managed policy from a role.
func (s *Service) DetachRolePolicy(ctx context.Context, account, roleName, policyArn string) error {
	if _, _, err := parsePolicyARN(policyArn); err != nil {
		return err
	}
	return s.update(ctx, account, func(tx store.Tx) error {
		r, err := loadRole(tx, account, roleName)
		if err != nil {
			return err
		}
		if err := roleWritable(r, "DetachRolePolicy"); err != nil {
			return err
		}
		return detachPolicy(tx, account, rolePrincipal(account, r), policyArn)
	})
}

// ListAttachedRolePolicies lists the managed policies attached to a role.
func (s *Service) ListAttachedRolePolicies(ctx context.Context, account, roleName, pathPrefix string, pg Page) ([]AttachedPolicy, string, error) {
	var out []AttachedPolicy
	var next string
	err := s.view(ctx, account, func(tx store.Tx) error {
		r, err := loadRole(tx, account, roleName)
		if err != nil {
			return err
		}
		out, next, err = listAttached(rolePrincipal(account, r), pathPrefix, pg)
		return err
	})
	return out, next, err
}

// RecordRoleUsed notes that a role was assumed at a time in a region, for
// GetRole's RoleLastUsed.
func (s *Service) RecordRoleUsed(ctx context.Context, account, roleName, region string, at time.Time) error {
	return s.update(ctx, account, func(tx store.Tx) error {
		r, err := loadRole(tx, account, roleName)
		if err != nil {
			return err
		}
		r.LastUsed = &lastUsed{Date: at.UTC().Truncate(time.Second), Region: region}
		return saveRole(tx, account, r)
	})
}

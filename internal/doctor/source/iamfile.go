package source

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/rolecall/rolecall/internal/catalog/managed"
	"github.com/rolecall/rolecall/internal/doctor"
	"github.com/rolecall/rolecall/internal/statefile"
)

// IAMExport is `aws iam get-account-authorization-details` output: every
// user, group, role and managed policy of an account with its documents,
// made against AWS or rolecall alike, whole or in pieces (see add). Its
// shape is internal/statefile's, which reads the same exports for `rolecall
// serve --init`.
type IAMExport struct {
	statefile.AuthorizationDetails
}

type (
	userDetail    = statefile.UserDetail
	roleDetail    = statefile.RoleDetail
	inlinePolicy  = statefile.InlinePolicy
	attached      = statefile.AttachedPolicy
	boundary      = statefile.Boundary
	groupDetail   = statefile.GroupDetail
	managedDetail = statefile.ManagedPolicyDetail
)

// add merges one export document into x: a whole export, one of several
// pieces (the API's pages, one file per --filter, the AWS CLI's
// --max-items pieces), or the same entities again (each is kept once, by
// ARN).
func (x *IAMExport) add(b []byte) error {
	var y struct {
		IAMExport
		// NextToken is the AWS CLI's token for the next --max-items piece.
		NextToken string `json:"NextToken"`
	}
	if err := json.Unmarshal(b, &y); err != nil {
		return err
	}
	if err := statefile.CheckCLIPiece(y.NextToken); err != nil {
		return err
	}
	x.UserDetailList = appendNew(x.UserDetailList, y.UserDetailList, func(u userDetail) string { return u.Arn })
	x.GroupDetailList = appendNew(x.GroupDetailList, y.GroupDetailList, func(g groupDetail) string { return g.Arn })
	x.RoleDetailList = appendNew(x.RoleDetailList, y.RoleDetailList, func(r roleDetail) string { return r.Arn })
	x.Policies = appendNew(x.Policies, y.Policies, func(p managedDetail) string { return p.Arn })
	return nil
}

// appendNew appends the items of more whose key list does not hold yet.
func appendNew[T any](list, more []T, key func(T) string) []T {
	seen := make(map[string]bool, len(list))
	for _, it := range list {
		seen[key(it)] = true
	}
	for _, it := range more {
		if k := key(it); k == "" || !seen[k] {
			seen[k] = true
			list = append(list, it)
		}
	}
	return list
}

// managedPolicy resolves a managed policy: from the export, or (an AWS
// managed policy the export leaves out) from rolecall's catalog of AWS
// managed policies.
func (x *IAMExport) managedPolicy(arn string) (doctor.PolicyDoc, error) {
	for _, p := range x.Policies {
		if p.Arn != arn {
			continue
		}
		for _, v := range p.PolicyVersionList {
			if v.IsDefaultVersion || v.VersionId == p.DefaultVersionId {
				doc, err := v.Document.Text()
				if err != nil {
					return doctor.PolicyDoc{}, fmt.Errorf("policy %s: %v", arn, err)
				}
				return doctor.PolicyDoc{ID: arn, Name: p.PolicyName, Document: doc}, nil
			}
		}
	}
	if i := strings.Index(arn, ":iam::aws:policy/"); i >= 0 {
		if p, ok := managed.Lookup("arn:aws" + arn[strings.Index(arn[4:], ":")+4:]); ok {
			for _, v := range p.Versions {
				if v.IsDefault {
					return doctor.PolicyDoc{ID: arn, Name: p.Name, Document: v.Document}, nil
				}
			}
		}
	}
	return doctor.PolicyDoc{}, fmt.Errorf("managed policy %s is attached but not in the export", arn)
}

func (x *IAMExport) policies(owner string, inline []inlinePolicy, att []attached) ([]doctor.PolicyDoc, error) {
	var out []doctor.PolicyDoc
	for _, p := range inline {
		doc, err := p.PolicyDocument.Text()
		if err != nil {
			return nil, fmt.Errorf("inline policy %s of %s: %v", p.PolicyName, owner, err)
		}
		out = append(out, doctor.PolicyDoc{ID: owner + "/" + p.PolicyName, Name: p.PolicyName, Inline: true, Document: doc})
	}
	for _, a := range att {
		d, err := x.managedPolicy(a.PolicyArn)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

func (x *IAMExport) boundary(b *boundary) (*doctor.PolicyDoc, error) {
	if b == nil || b.PermissionsBoundaryArn == "" {
		return nil, nil
	}
	d, err := x.managedPolicy(b.PermissionsBoundaryArn)
	if err != nil {
		return nil, err
	}
	return &d, nil
}

func (x *IAMExport) rolePrincipal(r *roleDetail) (*doctor.Principal, error) {
	trust, err := r.AssumeRolePolicyDocument.Text()
	if err != nil {
		return nil, fmt.Errorf("trust policy of %s: %v", r.RoleName, err)
	}
	pols, err := x.policies(r.RoleName, r.RolePolicyList, r.AttachedManagedPolicies)
	if err != nil {
		return nil, err
	}
	b, err := x.boundary(r.PermissionsBoundary)
	if err != nil {
		return nil, err
	}
	return &doctor.Principal{Kind: doctor.KindRole, Name: r.RoleName, ARN: r.Arn, Path: r.Path, Policies: pols, Boundary: b, Trust: trust}, nil
}

func (x *IAMExport) userPrincipal(u *userDetail) (*doctor.Principal, error) {
	pols, err := x.policies(u.UserName, u.UserPolicyList, u.AttachedManagedPolicies)
	if err != nil {
		return nil, err
	}
	for _, g := range u.GroupList {
		for i := range x.GroupDetailList {
			gd := &x.GroupDetailList[i]
			if gd.GroupName != g {
				continue
			}
			gp, err := x.policies(g, gd.GroupPolicyList, gd.AttachedManagedPolicies)
			if err != nil {
				return nil, err
			}
			pols = append(pols, gp...)
		}
	}
	b, err := x.boundary(u.PermissionsBoundary)
	if err != nil {
		return nil, err
	}
	return &doctor.Principal{Kind: doctor.KindUser, Name: u.UserName, ARN: u.Arn, Path: u.Path, Policies: pols, Boundary: b}, nil
}

// Role implements doctor.RoleReader.
func (x *IAMExport) Role(_ context.Context, name string) (*doctor.Principal, error) {
	for i := range x.RoleDetailList {
		// IAM role names are unique case-insensitively.
		if strings.EqualFold(x.RoleDetailList[i].RoleName, name) {
			return x.rolePrincipal(&x.RoleDetailList[i])
		}
	}
	return nil, doctor.ErrNotFound
}

// InstanceProfile implements doctor.RoleReader.
func (x *IAMExport) InstanceProfile(_ context.Context, name string) (*doctor.InstanceProfile, error) {
	var ip *doctor.InstanceProfile
	for _, r := range x.RoleDetailList {
		for _, p := range r.InstanceProfileList {
			if strings.EqualFold(p.InstanceProfileName, name) {
				if ip == nil {
					ip = &doctor.InstanceProfile{Name: p.InstanceProfileName, ARN: p.Arn}
				}
				ip.Roles = append(ip.Roles, r.RoleName)
			}
		}
	}
	if ip == nil {
		// An export lists instance profiles only under their roles: an
		// empty profile is indistinguishable from a missing one.
		return nil, doctor.ErrNotFound
	}
	return ip, nil
}

// Principal implements doctor.RoleReader.
func (x *IAMExport) Principal(ctx context.Context, arn string) (*doctor.Principal, error) {
	for i := range x.UserDetailList {
		if x.UserDetailList[i].Arn == arn {
			return x.userPrincipal(&x.UserDetailList[i])
		}
	}
	for i := range x.RoleDetailList {
		if x.RoleDetailList[i].Arn == arn {
			return x.rolePrincipal(&x.RoleDetailList[i])
		}
	}
	return nil, doctor.ErrNotFound
}

// Principals implements doctor.RoleReader.
func (x *IAMExport) Principals(context.Context) ([]*doctor.Principal, error) {
	var out []*doctor.Principal
	for i := range x.UserDetailList {
		p, err := x.userPrincipal(&x.UserDetailList[i])
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	for i := range x.RoleDetailList {
		p, err := x.rolePrincipal(&x.RoleDetailList[i])
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

package source

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"

	"github.com/rolecall/rolecall/internal/catalog/managed"
	"github.com/rolecall/rolecall/internal/doctor"
)

// IAMExport is `aws iam get-account-authorization-details` output: every
// user, group, role and managed policy of an account with its documents.
// Policy documents may be JSON objects (as the AWS CLI prints them) or
// URL-encoded strings (as the API sends them).
type IAMExport struct {
	UserDetailList  []userDetail    `json:"UserDetailList"`
	GroupDetailList []groupDetail   `json:"GroupDetailList"`
	RoleDetailList  []roleDetail    `json:"RoleDetailList"`
	Policies        []managedDetail `json:"Policies"`
}

type inlinePolicy struct {
	PolicyName     string          `json:"PolicyName"`
	PolicyDocument json.RawMessage `json:"PolicyDocument"`
}

type attached struct {
	PolicyName string `json:"PolicyName"`
	PolicyArn  string `json:"PolicyArn"`
}

type boundary struct {
	PermissionsBoundaryArn string `json:"PermissionsBoundaryArn"`
}

type userDetail struct {
	Path                    string         `json:"Path"`
	UserName                string         `json:"UserName"`
	Arn                     string         `json:"Arn"`
	UserPolicyList          []inlinePolicy `json:"UserPolicyList"`
	GroupList               []string       `json:"GroupList"`
	AttachedManagedPolicies []attached     `json:"AttachedManagedPolicies"`
	PermissionsBoundary     *boundary      `json:"PermissionsBoundary"`
}

type groupDetail struct {
	GroupName               string         `json:"GroupName"`
	Arn                     string         `json:"Arn"`
	GroupPolicyList         []inlinePolicy `json:"GroupPolicyList"`
	AttachedManagedPolicies []attached     `json:"AttachedManagedPolicies"`
}

type roleDetail struct {
	Path                     string          `json:"Path"`
	RoleName                 string          `json:"RoleName"`
	Arn                      string          `json:"Arn"`
	AssumeRolePolicyDocument json.RawMessage `json:"AssumeRolePolicyDocument"`
	InstanceProfileList      []struct {
		InstanceProfileName string `json:"InstanceProfileName"`
		Arn                 string `json:"Arn"`
	} `json:"InstanceProfileList"`
	RolePolicyList          []inlinePolicy `json:"RolePolicyList"`
	AttachedManagedPolicies []attached     `json:"AttachedManagedPolicies"`
	PermissionsBoundary     *boundary      `json:"PermissionsBoundary"`
}

type managedDetail struct {
	PolicyName        string `json:"PolicyName"`
	Arn               string `json:"Arn"`
	DefaultVersionId  string `json:"DefaultVersionId"`
	PolicyVersionList []struct {
		Document         json.RawMessage `json:"Document"`
		VersionId        string          `json:"VersionId"`
		IsDefaultVersion bool            `json:"IsDefaultVersion"`
	} `json:"PolicyVersionList"`
}

func (x *IAMExport) merge(y *IAMExport) {
	x.UserDetailList = append(x.UserDetailList, y.UserDetailList...)
	x.GroupDetailList = append(x.GroupDetailList, y.GroupDetailList...)
	x.RoleDetailList = append(x.RoleDetailList, y.RoleDetailList...)
	x.Policies = append(x.Policies, y.Policies...)
}

// documentText turns a policy document as exported into its JSON text.
func documentText(raw json.RawMessage) (string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return "", nil
	}
	if raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", err
		}
		if t := strings.TrimSpace(s); strings.HasPrefix(t, "%7B") || strings.HasPrefix(t, "%7b") {
			return url.QueryUnescape(s)
		}
		return s, nil
	}
	return string(raw), nil
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
				doc, err := documentText(v.Document)
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
		doc, err := documentText(p.PolicyDocument)
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
	trust, err := documentText(r.AssumeRolePolicyDocument)
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

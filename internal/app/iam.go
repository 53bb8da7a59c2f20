package app

import (
	"context"
	"time"

	"github.com/rolecall/rolecall/internal/auth"
	"github.com/rolecall/rolecall/internal/authz"
	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/iam"
	"github.com/rolecall/rolecall/internal/resolve"
	"github.com/rolecall/rolecall/internal/sts"
)

// What IAM gives the others: the authorizer its principals' policies
// (directory), STS its roles (stsRoles), authentication its access keys
// (accessKeys).

// directory is IAM as the authorizer reads it (authz.Directory).
type directory struct{ iam *iam.Service }

func (d directory) Entity(ctx context.Context, account, kind, name string) (*authz.Entity, error) {
	var pp *iam.PrincipalPolicies
	var err error
	switch kind {
	case "user":
		pp, err = d.iam.UserPolicies(ctx, account, name)
	case "role":
		pp, err = d.iam.RolePolicies(ctx, account, name)
	default:
		return nil, nil
	}
	if awserr.Code(err) == "NoSuchEntity" {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	e := &authz.Entity{ID: pp.ID}
	if len(pp.Tags) > 0 {
		e.Tags = make(map[string]string, len(pp.Tags))
		for _, t := range pp.Tags {
			e.Tags[t.Key] = t.Value
		}
	}
	for _, doc := range pp.Identity {
		source := doc.PolicyArn
		if doc.Inline {
			source = doc.Owner + "#" + doc.PolicyName
		}
		e.Identity = append(e.Identity, authz.Document{Source: source, Text: doc.Document})
	}
	for _, g := range pp.AccountGrants {
		e.Identity = append(e.Identity, authz.Document{Source: g.PolicyName, Text: g.Document})
	}
	if b := pp.PermissionsBoundary; b != nil {
		e.Boundary = &authz.Document{Source: b.PolicyArn, Text: b.Document}
	}
	return e, nil
}

// ManagedPolicy is the default version of a managed policy; a policy that
// does not exist, or an ARN that names none, is ok=false.
func (d directory) ManagedPolicy(ctx context.Context, account, policyArn string) (string, bool, error) {
	pol, err := d.iam.GetPolicy(ctx, account, policyArn)
	if awserr.IsClient(err) {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	v, err := d.iam.GetPolicyVersion(ctx, account, policyArn, pol.DefaultVersionId)
	if awserr.IsClient(err) {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	return v.Document, true, nil
}

func (d directory) RecordAccess(ctx context.Context, account, principalARN, service, action, region string, at time.Time) error {
	return d.iam.RecordServiceAccess(ctx, account, principalARN, service, action, region, at)
}

// stsRoles is IAM as STS reads it (sts.Roles).
type stsRoles struct{ res resolve.IAM }

func (r stsRoles) Trust(ctx context.Context, callerAccount, roleArn string) (authz.Target, *sts.Role, error) {
	t, role, err := r.res.Trust(ctx, callerAccount, roleArn)
	if err != nil || role == nil {
		return t, nil, err
	}
	out := &sts.Role{Arn: role.Arn, RoleName: role.RoleName, RoleId: role.RoleId}
	if role.MaxSessionDuration != nil {
		out.MaxSessionDuration = time.Duration(*role.MaxSessionDuration) * time.Second
	}
	return t, out, nil
}

func (r stsRoles) PolicyExists(ctx context.Context, account, policyArn string) (bool, error) {
	_, err := r.res.Svc.GetPolicy(ctx, account, policyArn)
	if awserr.IsClient(err) {
		return false, nil
	}
	return err == nil, err
}

func (r stsRoles) RecordRoleUsed(ctx context.Context, account, roleName, region string, at time.Time) error {
	return r.res.Svc.RecordRoleUsed(ctx, account, roleName, region, at)
}

// accessKeys is IAM as authentication reads it (auth.AccessKeys).
type accessKeys struct{ iam *iam.Service }

func (k accessKeys) AccessKey(ctx context.Context, id string) (*auth.AccessKey, error) {
	key, err := k.iam.LookupAccessKey(ctx, id)
	if awserr.Code(err) == "NoSuchEntity" {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &auth.AccessKey{Account: key.Account, AccessKeyID: key.AccessKeyId, SecretAccessKey: key.SecretAccessKey,
		Active: key.Status == iam.StatusActive, UserName: key.UserName, UserID: key.UserId, ARN: key.Arn}, nil
}

func (k accessKeys) RecordAccessKeyUsed(ctx context.Context, id, service, region string, at time.Time) error {
	return k.iam.RecordAccessKeyUsed(ctx, id, service, region, at)
}

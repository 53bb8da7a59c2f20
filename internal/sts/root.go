package sts

import (
	"context"

	"github.com/rolecall/rolecall/internal/arn"
	"github.com/rolecall/rolecall/internal/authz"
	"github.com/rolecall/rolecall/internal/principal"
)

// AssumeRootInput is AssumeRoot's request.
type AssumeRootInput struct {
	TargetPrincipal string // a member account's ID, or its root ARN
	TaskPolicyArn   string
	DurationSeconds *int32
}

// AssumeRoot is "short term credentials you can use to perform privileged
// tasks on a member account in your organization. You must use credentials
// from an Organizations management account or a delegated administrator
// account for IAM to call AssumeRoot. You cannot use root user credentials
// to make this call" (STS API reference, AssumeRoot). rolecall's accounts
// belong to no organization, so no account is a member account of the
// caller's: AWS refuses. The caller's own policies are asked first
// (sts:AssumeRoot on the target's root user, with sts:TaskPolicyArn), so
// that a caller without the permission hears the authorizer's reason;
// one with it hears STS's AccessDenied for the target (unverified wording:
// no public record shows AWS's answer outside an organization).
func (s *Service) AssumeRoot(ctx context.Context, caller *principal.Principal, region string, in AssumeRootInput) error {
	target := "arn:aws:iam::" + rootTarget(in.TargetPrincipal) + ":root"
	if err := federatedRefused(caller, "sts:AssumeRoot", target); err != nil {
		return err
	}
	var keys authz.Keys
	keys.Set("sts:TaskPolicyArn", in.TaskPolicyArn)
	// The target is decided as the caller's own account's: outside an
	// organization no resource-based policy could let the caller in, and
	// the identity side is what there is to explain.
	if err := s.decide(ctx, caller, region, authz.Target{ARN: target, Type: "root-user"}, keys, "sts:AssumeRoot"); err != nil {
		return err
	}
	return errNotAuthorized(caller.ARN, "sts:AssumeRoot", target)
}

// rootTarget is the account a TargetPrincipal names: an account ID as it
// is, the account of an ARN.
func rootTarget(p string) string {
	if a, err := arn.Parse(p); err == nil && a.Account != "" {
		return a.Account
	}
	return p
}

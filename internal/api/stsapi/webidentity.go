package stsapi

import (
	"context"

	"github.com/rolecall/rolecall/internal/api"
	"github.com/rolecall/rolecall/internal/sts"
)

// assumeRoleWithWebIdentityOp is AssumeRoleWithWebIdentity, served
// unsigned as AWS serves it: the token is the caller's credential, and
// the operation decides on the role's trust policy itself.
func (h *handler) assumeRoleWithWebIdentityOp() *api.Operation {
	return api.Op("AssumeRoleWithWebIdentity", h.assumeRoleWithWebIdentity, nil).
		InOperation("sts:AssumeRoleWithWebIdentity is decided on the role's trust policy for the token's provider, which only the operation finds (sts.Service.AssumeRoleWithWebIdentity)").
		Unsigned()
}

type assumeRoleWithWebIdentityInput struct {
	RoleArn, RoleSessionName, WebIdentityToken, ProviderId string
	PolicyArns                                             []policyDescriptor
	Policy                                                 string
	DurationSeconds                                        *int32
}

func (h *handler) assumeRoleWithWebIdentity(ctx context.Context, c *api.Call, in *assumeRoleWithWebIdentityInput) (*sts.AssumeRoleWithWebIdentityOutput, error) {
	return h.svc.AssumeRoleWithWebIdentity(ctx, c.Region, sts.AssumeRoleWithWebIdentityInput{
		RoleArn: in.RoleArn, RoleSessionName: in.RoleSessionName, WebIdentityToken: in.WebIdentityToken, ProviderId: in.ProviderId,
		PolicyArns: policyArns(in.PolicyArns), Policy: in.Policy, DurationSeconds: in.DurationSeconds,
	})
}

package stsapi

import (
	"context"

	"github.com/rolecall/rolecall/internal/api"
	"github.com/rolecall/rolecall/internal/sts"
)

// assumeRoleWithSAML binds sts.Service.AssumeRoleWithSAML: unsigned, as on
// AWS ("Calling AssumeRoleWithSAML does not require the use of AWS
// security credentials", STS API reference); the caller, if it signed, is
// not who asks.
func (h *handler) assumeRoleWithSAMLOp() *api.Operation {
	return api.Op("AssumeRoleWithSAML", h.assumeRoleWithSAML, nil).
		InOperation("sts:AssumeRoleWithSAML is decided on the role's trust policy for the SAML provider the response proves (sts.Service.AssumeRoleWithSAML)").
		Unsigned()
}

type assumeRoleWithSAMLInput struct {
	RoleArn, PrincipalArn, SAMLAssertion string
	PolicyArns                           []policyDescriptor
	Policy                               string
	DurationSeconds                      *int32
}

func (h *handler) assumeRoleWithSAML(ctx context.Context, c *api.Call, in *assumeRoleWithSAMLInput) (*sts.AssumeRoleWithSAMLOutput, error) {
	return h.svc.AssumeRoleWithSAML(ctx, c.Region, sts.AssumeRoleWithSAMLInput{
		RoleArn: in.RoleArn, PrincipalArn: in.PrincipalArn, SAMLAssertion: in.SAMLAssertion,
		PolicyArns: policyArns(in.PolicyArns), Policy: in.Policy, DurationSeconds: in.DurationSeconds,
	})
}

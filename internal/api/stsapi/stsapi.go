// Package stsapi binds the STS domain (internal/sts) to AWS's STS
// operations. Input and output field names are the STS model's member
// names (see internal/api); the codec has checked the model's constraints
// (session name pattern and length, duration ranges, tag counts) before a
// handler runs, so handlers only translate.
package stsapi

import (
	"context"

	"github.com/rolecall/rolecall/internal/api"
	"github.com/rolecall/rolecall/internal/principal"
	"github.com/rolecall/rolecall/internal/sts"
)

type handler struct{ svc *sts.Service }

// New returns the STS operations rolecall implements.
func New(svc *sts.Service) *api.Service {
	return api.NewService("sts", (&handler{svc: svc}).bindings()...)
}

func (h *handler) bindings() []*api.Operation {
	return append([]*api.Operation{
		api.Op("GetCallerIdentity", h.getCallerIdentity, nil).
			NotRequired("No permissions are required to perform this operation (STS API reference, GetCallerIdentity)"),
		api.Op("GetSessionToken", h.getSessionToken, nil).
			NotRequired("No permissions are required for a user to get a session token (IAM User Guide, Permissions for GetSessionToken)"),
		api.Op("AssumeRole", h.assumeRole, nil).
			InOperation("sts:AssumeRole is decided on the role's trust policy, which only the operation finds (sts.Service.AssumeRole)"),
		h.assumeRoleWithWebIdentityOp(),
		h.assumeRoleWithSAMLOp(),
	}, h.extraBindings()...)
}

func (h *handler) getCallerIdentity(ctx context.Context, c *api.Call, _ *struct{}) (*sts.CallerIdentity, error) {
	return h.svc.GetCallerIdentity(ctx, c.Caller())
}

// The domain's input has the model's member names.
type getSessionTokenInput = sts.GetSessionTokenInput

type credentialsOutput struct{ Credentials *sts.Credentials }

func (h *handler) getSessionToken(ctx context.Context, c *api.Call, in *getSessionTokenInput) (*credentialsOutput, error) {
	cr, err := h.svc.GetSessionToken(ctx, c.Caller(), *in)
	if err != nil {
		return nil, err
	}
	return &credentialsOutput{Credentials: cr}, nil
}

type policyDescriptor struct{ Arn string }

func policyArns(ds []policyDescriptor) []string {
	var arns []string
	for _, p := range ds {
		arns = append(arns, p.Arn)
	}
	return arns
}

type assumeRoleInput struct {
	RoleArn, RoleSessionName string
	PolicyArns               []policyDescriptor
	Policy                   string
	DurationSeconds          *int32
	Tags                     []principal.Tag
	TransitiveTagKeys        []string
	ExternalId               string
	SerialNumber, TokenCode  string
	SourceIdentity           string
}

func (h *handler) assumeRole(ctx context.Context, c *api.Call, in *assumeRoleInput) (*sts.AssumeRoleOutput, error) {
	return h.svc.AssumeRole(ctx, c.Caller(), c.Region, sts.AssumeRoleInput{
		RoleArn: in.RoleArn, RoleSessionName: in.RoleSessionName, PolicyArns: policyArns(in.PolicyArns), Policy: in.Policy,
		DurationSeconds: in.DurationSeconds, Tags: in.Tags, TransitiveTagKeys: in.TransitiveTagKeys,
		ExternalId: in.ExternalId, SerialNumber: in.SerialNumber, TokenCode: in.TokenCode, SourceIdentity: in.SourceIdentity,
	})
}

package iamapi

import (
	"context"

	"github.com/rolecall/rolecall/internal/api"
	"github.com/rolecall/rolecall/internal/iam"
)

// The IAM policy simulator (internal/iam/simulate.go).

type simulateInput struct {
	PolicyInputList                    []string
	PermissionsBoundaryPolicyInputList []string
	ActionNames                        []string
	ResourceArns                       []string
	ResourcePolicy                     string
	ResourceOwner                      string
	CallerArn                          string
	ContextEntries                     []iam.ContextEntry
	ResourceHandlingOption             string
	paging
}

func (in *simulateInput) domain() iam.SimulateInput {
	return iam.SimulateInput{
		PolicyInputList:                    in.PolicyInputList,
		PermissionsBoundaryPolicyInputList: in.PermissionsBoundaryPolicyInputList,
		ActionNames:                        in.ActionNames,
		ResourceArns:                       in.ResourceArns,
		ResourcePolicy:                     in.ResourcePolicy,
		ResourceOwner:                      in.ResourceOwner,
		CallerArn:                          in.CallerArn,
		ContextEntries:                     in.ContextEntries,
		ResourceHandlingOption:             in.ResourceHandlingOption,
	}
}

type simulatePrincipalPolicyInput struct {
	PolicySourceArn string
	simulateInput
}

type simulatePolicyOutput struct {
	EvaluationResults []iam.EvaluationResult
	truncation
}

func (h *handler) simulateCustomPolicy(ctx context.Context, c *api.Call, in *simulateInput) (*simulatePolicyOutput, error) {
	results, next, err := h.svc.SimulateCustomPolicy(ctx, c.Account, in.domain(), in.page())
	if err != nil {
		return nil, err
	}
	return &simulatePolicyOutput{EvaluationResults: nonNil(results), truncation: truncated(next)}, nil
}

func (h *handler) simulatePrincipalPolicy(ctx context.Context, c *api.Call, in *simulatePrincipalPolicyInput) (*simulatePolicyOutput, error) {
	d := in.domain()
	d.PolicySourceArn = in.PolicySourceArn
	results, next, err := h.svc.SimulatePrincipalPolicy(ctx, c.Account, d, in.page())
	if err != nil {
		return nil, err
	}
	return &simulatePolicyOutput{EvaluationResults: nonNil(results), truncation: truncated(next)}, nil
}

type contextKeysCustomInput struct{ PolicyInputList []string }

type contextKeysPrincipalInput struct {
	PolicySourceArn string
	PolicyInputList []string
}

type contextKeysOutput struct{ ContextKeyNames []string }

func (h *handler) getContextKeysForCustomPolicy(ctx context.Context, c *api.Call, in *contextKeysCustomInput) (*contextKeysOutput, error) {
	keys, err := h.svc.GetContextKeysForCustomPolicy(ctx, c.Account, in.PolicyInputList)
	if err != nil {
		return nil, err
	}
	return &contextKeysOutput{ContextKeyNames: nonNil(keys)}, nil
}

func (h *handler) getContextKeysForPrincipalPolicy(ctx context.Context, c *api.Call, in *contextKeysPrincipalInput) (*contextKeysOutput, error) {
	keys, err := h.svc.GetContextKeysForPrincipalPolicy(ctx, c.Account, in.PolicySourceArn, in.PolicyInputList)
	if err != nil {
		return nil, err
	}
	return &contextKeysOutput{ContextKeyNames: nonNil(keys)}, nil
}

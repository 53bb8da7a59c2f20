package iamapi

import (
	"context"

	"github.com/rolecall/rolecall/internal/api"
	"github.com/rolecall/rolecall/internal/iam"
)

type accountSummaryOutput struct{ SummaryMap map[string]int32 }

func (h *handler) getAccountSummary(ctx context.Context, c *api.Call, _ *none) (*accountSummaryOutput, error) {
	m, err := h.svc.GetAccountSummary(ctx, c.Account)
	if err != nil {
		return nil, err
	}
	return &accountSummaryOutput{SummaryMap: m}, nil
}

type getAccountAuthorizationDetailsInput struct {
	Filter []string
	paging
}

type getAccountAuthorizationDetailsOutput struct {
	UserDetailList  []iam.UserDetail
	GroupDetailList []iam.GroupDetail
	RoleDetailList  []iam.RoleDetail
	Policies        []iam.ManagedPolicyDetail
	truncation
}

func (h *handler) getAccountAuthorizationDetails(ctx context.Context, c *api.Call, in *getAccountAuthorizationDetailsInput) (*getAccountAuthorizationDetailsOutput, error) {
	d, next, err := h.svc.GetAccountAuthorizationDetails(ctx, c.Account, in.Filter, in.page())
	if err != nil {
		return nil, err
	}
	return &getAccountAuthorizationDetailsOutput{
		UserDetailList: d.UserDetailList, GroupDetailList: d.GroupDetailList, RoleDetailList: d.RoleDetailList, Policies: d.Policies,
		truncation: truncated(next),
	}, nil
}

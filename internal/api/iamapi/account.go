package iamapi

import (
	"context"

	"github.com/rolecall/rolecall/internal/api"
)

type accountSummaryOutput struct{ SummaryMap map[string]int32 }

func (h *handler) getAccountSummary(ctx context.Context, c *api.Call, _ *none) (*accountSummaryOutput, error) {
	m, err := h.svc.GetAccountSummary(ctx, c.Account)
	if err != nil {
		return nil, err
	}
	return &accountSummaryOutput{SummaryMap: m}, nil
}

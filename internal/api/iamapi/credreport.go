package iamapi

import (
	"context"
	"time"

	"github.com/rolecall/rolecall/internal/api"
)

// The credential report (iam/credreport.go); neither call has a resource
// type ("*").

type generateCredentialReportOutput struct{ State, Description string }

func (h *handler) generateCredentialReport(ctx context.Context, c *api.Call, _ *none) (*generateCredentialReportOutput, error) {
	state, desc, err := h.svc.GenerateCredentialReport(ctx, c.Account)
	if err != nil {
		return nil, err
	}
	return &generateCredentialReportOutput{State: state, Description: desc}, nil
}

type getCredentialReportOutput struct {
	Content       []byte
	ReportFormat  string
	GeneratedTime time.Time
}

func (h *handler) getCredentialReport(ctx context.Context, c *api.Call, _ *none) (*getCredentialReportOutput, error) {
	content, generated, err := h.svc.GetCredentialReport(ctx, c.Account)
	if err != nil {
		return nil, err
	}
	return &getCredentialReportOutput{Content: content, ReportFormat: "text/csv", GeneratedTime: generated}, nil
}

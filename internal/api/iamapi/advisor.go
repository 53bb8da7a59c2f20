package iamapi

import (
	"context"
	"time"

	"github.com/rolecall/rolecall/internal/api"
	"github.com/rolecall/rolecall/internal/iam"
)

// Access Advisor (internal/iam/advisor.go). Reports belong to the caller
// that generated them, so the caller's ARN goes with every call.

type generateServiceLastAccessedDetailsInput struct {
	Arn, Granularity string
}

type generateServiceLastAccessedDetailsOutput struct{ JobId string }

func (h *handler) generateServiceLastAccessedDetails(ctx context.Context, c *api.Call, in *generateServiceLastAccessedDetailsInput) (*generateServiceLastAccessedDetailsOutput, error) {
	id, err := h.svc.GenerateServiceLastAccessedDetails(ctx, c.Account, c.PrincipalARN(), in.Arn, in.Granularity)
	if err != nil {
		return nil, err
	}
	return &generateServiceLastAccessedDetailsOutput{JobId: id}, nil
}

type getServiceLastAccessedDetailsInput struct {
	JobId string
	paging
}

// jobStatus is the job part of both answers; JobCompletionDate is absent
// while the job is IN_PROGRESS.
type jobStatus struct {
	JobStatus         string
	JobCreationDate   time.Time
	JobCompletionDate *time.Time
}

func statusOf(st iam.AdvisorJobStatus) jobStatus {
	return jobStatus{JobStatus: st.JobStatus, JobCreationDate: st.JobCreationDate, JobCompletionDate: st.JobCompletionDate}
}

type getServiceLastAccessedDetailsOutput struct {
	jobStatus
	JobType              string
	ServicesLastAccessed []iam.ServiceLastAccessed
	truncation
}

func (h *handler) getServiceLastAccessedDetails(ctx context.Context, c *api.Call, in *getServiceLastAccessedDetailsInput) (*getServiceLastAccessedDetailsOutput, error) {
	rep, next, err := h.svc.GetServiceLastAccessedDetails(ctx, c.Account, c.PrincipalARN(), in.JobId, in.page())
	if err != nil {
		return nil, err
	}
	return &getServiceLastAccessedDetailsOutput{
		jobStatus:            statusOf(rep.AdvisorJobStatus),
		JobType:              rep.JobType,
		ServicesLastAccessed: nonNil(rep.ServicesLastAccessed),
		truncation:           truncated(next),
	}, nil
}

type getServiceLastAccessedDetailsWithEntitiesInput struct {
	JobId, ServiceNamespace string
	paging
}

type getServiceLastAccessedDetailsWithEntitiesOutput struct {
	jobStatus
	EntityDetailsList []iam.EntityDetails
	truncation
}

func (h *handler) getServiceLastAccessedDetailsWithEntities(ctx context.Context, c *api.Call, in *getServiceLastAccessedDetailsWithEntitiesInput) (*getServiceLastAccessedDetailsWithEntitiesOutput, error) {
	rep, next, err := h.svc.GetServiceLastAccessedDetailsWithEntities(ctx, c.Account, c.PrincipalARN(), in.JobId, in.ServiceNamespace, in.page())
	if err != nil {
		return nil, err
	}
	return &getServiceLastAccessedDetailsWithEntitiesOutput{
		jobStatus:         statusOf(rep.AdvisorJobStatus),
		EntityDetailsList: nonNil(rep.EntityDetailsList),
		truncation:        truncated(next),
	}, nil
}

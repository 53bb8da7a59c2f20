package iamapi

import (
	"context"

	"github.com/rolecall/rolecall/internal/api"
	"github.com/rolecall/rolecall/internal/iam"
)

type createServiceLinkedRoleInput struct {
	AWSServiceName, Description, CustomSuffix string
}

func (h *handler) createServiceLinkedRole(ctx context.Context, c *api.Call, in *createServiceLinkedRoleInput) (*roleOutput, error) {
	r, err := h.svc.CreateServiceLinkedRole(ctx, c.Account, iam.CreateServiceLinkedRoleInput(*in))
	if err != nil {
		return nil, err
	}
	return &roleOutput{Role: r}, nil
}

type deleteServiceLinkedRoleOutput struct{ DeletionTaskId string }

func (h *handler) deleteServiceLinkedRole(ctx context.Context, c *api.Call, in *roleNameInput) (*deleteServiceLinkedRoleOutput, error) {
	id, err := h.svc.DeleteServiceLinkedRole(ctx, c.Account, in.RoleName)
	if err != nil {
		return nil, err
	}
	return &deleteServiceLinkedRoleOutput{DeletionTaskId: id}, nil
}

type deletionStatusInput struct{ DeletionTaskId string }

type deletionStatusOutput struct {
	Status string
	Reason *deletionFailure
}

// deletionFailure is the model's DeletionTaskFailureReasonType.
type deletionFailure struct {
	Reason        string
	RoleUsageList []iam.Usage
}

func (h *handler) getServiceLinkedRoleDeletionStatus(ctx context.Context, c *api.Call, in *deletionStatusInput) (*deletionStatusOutput, error) {
	st, err := h.svc.GetServiceLinkedRoleDeletionStatus(ctx, c.Account, in.DeletionTaskId)
	if err != nil {
		return nil, err
	}
	out := &deletionStatusOutput{Status: st.Status}
	if st.Reason != nil {
		out.Reason = &deletionFailure{Reason: st.Reason.Reason, RoleUsageList: nonNil(st.Reason.RoleUsageList)}
	}
	return out, nil
}

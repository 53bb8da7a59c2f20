package iamapi

import (
	"context"
	"encoding/json"
	"strconv"

	"github.com/rolecall/rolecall/internal/api"
	"github.com/rolecall/rolecall/internal/authz"
	"github.com/rolecall/rolecall/internal/iam"
)

// extraBindings are IAM's account settings, ListPoliciesGrantingServiceAccess,
// delegation requests, outbound web identity federation and the
// Organizations calls.
func (h *handler) extraBindings() []*api.Operation {
	type dr = delegationRequestIDInput
	return []*api.Operation{
		// Account settings with no resource type ("*").
		api.Op("SetSecurityTokenServicePreferences", h.setSecurityTokenServicePreferences, nil),
		api.Op("EnableOutboundWebIdentityFederation", h.enableOutboundWebIdentityFederation, nil),
		api.Op("DisableOutboundWebIdentityFederation", h.disableOutboundWebIdentityFederation, nil),
		api.Op("GetOutboundWebIdentityFederationInfo", h.getOutboundWebIdentityFederationInfo, nil),

		// The entity whose policies are listed.
		api.Op("ListPoliciesGrantingServiceAccess", h.listPoliciesGrantingServiceAccess, on(h.res.EntityARN, func(in *listPoliciesGrantingServiceAccessInput) string { return in.Arn })),

		// Delegation requests, on the request (delegation.go).
		api.Op("CreateDelegationRequest", h.createDelegationRequest, acts(func(_ context.Context, c *api.Call, _ *createDelegationRequestInput) (authz.Target, error) {
			return authz.Target{ARN: iam.DelegationRequestARN(c.Account, "*"), Type: "delegation-request"}, nil
		})),
		api.Op("GetDelegationRequest", h.getDelegationRequest, acts(delegation(h, func(in *getDelegationRequestInput) string { return in.DelegationRequestId }))),
		api.Op("ListDelegationRequests", h.listDelegationRequests, acts(func(context.Context, *api.Call, *listDelegationRequestsInput) (authz.Target, error) {
			return authz.Any(), nil
		})),
		api.Op("AssociateDelegationRequest", h.associateDelegationRequest, acts(delegation(h, func(in *dr) string { return in.DelegationRequestId }))),
		api.Op("UpdateDelegationRequest", h.updateDelegationRequest, acts(delegation(h, func(in *delegationNotesInput) string { return in.DelegationRequestId }))),
		api.Op("AcceptDelegationRequest", h.acceptDelegationRequest, acts(delegation(h, func(in *dr) string { return in.DelegationRequestId }))),
		api.Op("RejectDelegationRequest", h.rejectDelegationRequest, acts(delegation(h, func(in *delegationNotesInput) string { return in.DelegationRequestId }))),
		api.Op("SendDelegationToken", h.sendDelegationToken, acts(delegation(h, func(in *dr) string { return in.DelegationRequestId }))),
		api.Op("GetHumanReadableSummary", h.getHumanReadableSummary, acts(func(ctx context.Context, c *api.Call, in *getHumanReadableSummaryInput) (authz.Target, error) {
			id, ok := iam.DelegationRequestID(in.EntityArn)
			if !ok {
				// No entity it summarizes: the operation answers InvalidInput.
				return authz.Target{ARN: in.EntityArn}, nil
			}
			return delegation(h, func(*getHumanReadableSummaryInput) string { return id })(ctx, c, in)
		})),

		// Organizations: every account is outside one (organizations.go).
		api.Op("EnableOrganizationsRootCredentialsManagement", h.organizationsFeatures, nil),
		api.Op("DisableOrganizationsRootCredentialsManagement", h.organizationsFeatures, nil),
		api.Op("EnableOrganizationsRootSessions", h.organizationsFeatures, nil),
		api.Op("DisableOrganizationsRootSessions", h.organizationsFeatures, nil),
		api.Op("ListOrganizationsFeatures", h.organizationsFeatures, nil),
		api.Op("GenerateOrganizationsAccessReport", h.generateOrganizationsAccessReport, acts(func(_ context.Context, c *api.Call, in *generateOrganizationsAccessReportInput) (authz.Target, error) {
			return authz.Target{ARN: "arn:aws:iam::" + c.Account + ":access-report/" + in.EntityPath, Type: "access-report"}, nil
		})),
		api.Op("GetOrganizationsAccessReport", h.getOrganizationsAccessReport, nil),
	}
}

type setSecurityTokenServicePreferencesInput struct{ GlobalEndpointTokenVersion string }

func (h *handler) setSecurityTokenServicePreferences(ctx context.Context, c *api.Call, in *setSecurityTokenServicePreferencesInput) (*none, error) {
	return nil, h.svc.SetSecurityTokenServicePreferences(ctx, c.Account, in.GlobalEndpointTokenVersion)
}

type issuerOutput struct{ IssuerIdentifier string }

func (h *handler) enableOutboundWebIdentityFederation(ctx context.Context, c *api.Call, _ *none) (*issuerOutput, error) {
	issuer, err := h.svc.EnableOutboundWebIdentityFederation(ctx, c.Account)
	if err != nil {
		return nil, err
	}
	return &issuerOutput{IssuerIdentifier: issuer}, nil
}

func (h *handler) disableOutboundWebIdentityFederation(ctx context.Context, c *api.Call, _ *none) (*none, error) {
	return nil, h.svc.DisableOutboundWebIdentityFederation(ctx, c.Account)
}

func (h *handler) getOutboundWebIdentityFederationInfo(ctx context.Context, c *api.Call, _ *none) (*iam.OutboundFederationInfo, error) {
	return h.svc.GetOutboundWebIdentityFederationInfo(ctx, c.Account)
}

type listPoliciesGrantingServiceAccessInput struct {
	Marker            string
	Arn               string
	ServiceNamespaces []string
}

type listPoliciesGrantingServiceAccessOutput struct {
	PoliciesGrantingServiceAccess []iam.PoliciesGrantingService
	truncation
}

// listPoliciesGrantingServiceAccess answers every namespace asked (at most
// 200, the model's bound) in one page.
func (h *handler) listPoliciesGrantingServiceAccess(ctx context.Context, c *api.Call, in *listPoliciesGrantingServiceAccessInput) (*listPoliciesGrantingServiceAccessOutput, error) {
	out, err := h.svc.ListPoliciesGrantingServiceAccess(ctx, c.Account, in.Arn, in.ServiceNamespaces)
	if err != nil {
		return nil, err
	}
	return &listPoliciesGrantingServiceAccessOutput{PoliciesGrantingServiceAccess: nonNil(out)}, nil
}

// delegation resolves a delegation request for the authorizer: the
// request's ARN in the caller's account, its owner as
// iam:DelegationRequestOwner, and the owner's default permissions ("Once
// the delegation request is fully owned, the owner of the request gets a
// default permission to get that delegation request", IAM API reference,
// GetDelegationRequest; "that owner gets a default permission to update
// the delegation request", UpdateDelegationRequest) as a resource-based
// policy that names the owner. A request the caller's account cannot see
// is authorized on its ARN alone, and the operation answers NoSuchEntity.
func delegation[In any](h *handler, id func(*In) string) func(ctx context.Context, c *api.Call, in *In) (authz.Target, error) {
	return func(ctx context.Context, c *api.Call, in *In) (authz.Target, error) {
		rid := id(in)
		t := authz.Target{ARN: iam.DelegationRequestARN(c.Account, rid), Type: "delegation-request"}
		owner, ok, err := h.svc.DelegationTarget(ctx, c.Account, rid)
		if err != nil || !ok || owner == "" {
			return t, err
		}
		t.Keys.Set("iam:DelegationRequestOwner", owner)
		doc, err := json.Marshal(map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{
			"Sid": "OwnerDefaultPermissions", "Effect": "Allow", "Principal": map[string]any{"AWS": owner},
			"Action": []string{"iam:GetDelegationRequest", "iam:UpdateDelegationRequest", "iam:GetHumanReadableSummary"}, "Resource": "*",
		}}})
		if err != nil {
			return t, err
		}
		t.Policy = &authz.ResourcePolicy{Source: t.ARN, Document: string(doc)}
		return t, nil
	}
}

type delegationRequestIDInput struct{ DelegationRequestId string }

type delegationNotesInput struct{ DelegationRequestId, Notes string }

// createDelegationRequestInput is IAM's, whose field names are the
// model's, with its condition keys.
type createDelegationRequestInput struct {
	iam.CreateDelegationRequestInput
}

// keys are CreateDelegationRequest's condition keys (Service Authorization
// Reference): iam:DelegationDuration, iam:NotificationChannel,
// iam:TemplateArn.
func (in *createDelegationRequestInput) keys(k *authz.Keys) {
	k.Set("iam:DelegationDuration", strconv.Itoa(int(in.SessionDuration)))
	k.Set("iam:NotificationChannel", in.NotificationChannel)
	if in.Permissions.PolicyTemplateArn != "" {
		k.Set("iam:TemplateArn", in.Permissions.PolicyTemplateArn)
	}
}

type createDelegationRequestOutput struct {
	ConsoleDeepLink     string
	DelegationRequestId string
}

// consoleDeepLink is where AWS's console shows a request: rolecall's is
// AWS's IAM console address with the request's id (the page's path is
// unverified; rolecall's own console has no delegation page).
func consoleDeepLink(id string) string {
	return "https://console.aws.amazon.com/iam/home#/delegation-requests/" + id
}

func (h *handler) createDelegationRequest(ctx context.Context, c *api.Call, in *createDelegationRequestInput) (*createDelegationRequestOutput, error) {
	id, err := h.svc.CreateDelegationRequest(ctx, c.Caller(), in.CreateDelegationRequestInput)
	if err != nil {
		return nil, err
	}
	return &createDelegationRequestOutput{ConsoleDeepLink: consoleDeepLink(id), DelegationRequestId: id}, nil
}

type getDelegationRequestInput struct {
	DelegationRequestId       string
	DelegationPermissionCheck bool
}

type getDelegationRequestOutput struct {
	DelegationRequest     *iam.DelegationRequest
	PermissionCheckStatus string
	PermissionCheckResult string
}

func (h *handler) getDelegationRequest(ctx context.Context, c *api.Call, in *getDelegationRequestInput) (*getDelegationRequestOutput, error) {
	r, status, result, err := h.svc.GetDelegationRequest(ctx, c.Account, in.DelegationRequestId, in.DelegationPermissionCheck)
	if err != nil {
		return nil, err
	}
	return &getDelegationRequestOutput{DelegationRequest: r, PermissionCheckStatus: status, PermissionCheckResult: result}, nil
}

type listDelegationRequestsInput struct {
	OwnerId string
	paging
}

func (in *listDelegationRequestsInput) keys(k *authz.Keys) {
	k.Set("iam:DelegationRequestOwner", in.OwnerId)
}

// listDelegationRequestsOutput: the model spells this answer's flag
// isTruncated.
type listDelegationRequestsOutput struct {
	DelegationRequests []iam.DelegationRequest
	Marker             string
	IsTruncated        bool
}

func (h *handler) listDelegationRequests(ctx context.Context, c *api.Call, in *listDelegationRequestsInput) (*listDelegationRequestsOutput, error) {
	list, next, err := h.svc.ListDelegationRequests(ctx, c.Account, in.OwnerId, in.page())
	if err != nil {
		return nil, err
	}
	return &listDelegationRequestsOutput{DelegationRequests: nonNil(list), Marker: next, IsTruncated: next != ""}, nil
}

func (h *handler) associateDelegationRequest(ctx context.Context, c *api.Call, in *delegationRequestIDInput) (*none, error) {
	return nil, h.svc.AssociateDelegationRequest(ctx, c.Caller(), in.DelegationRequestId)
}

func (h *handler) updateDelegationRequest(ctx context.Context, c *api.Call, in *delegationNotesInput) (*none, error) {
	return nil, h.svc.UpdateDelegationRequest(ctx, c.Caller(), in.DelegationRequestId, in.Notes)
}

func (h *handler) acceptDelegationRequest(ctx context.Context, c *api.Call, in *delegationRequestIDInput) (*none, error) {
	return nil, h.svc.AcceptDelegationRequest(ctx, c.Caller(), in.DelegationRequestId)
}

func (h *handler) rejectDelegationRequest(ctx context.Context, c *api.Call, in *delegationNotesInput) (*none, error) {
	return nil, h.svc.RejectDelegationRequest(ctx, c.Caller(), in.DelegationRequestId, in.Notes)
}

func (h *handler) sendDelegationToken(ctx context.Context, c *api.Call, in *delegationRequestIDInput) (*none, error) {
	return nil, h.svc.SendDelegationToken(ctx, c.Caller(), in.DelegationRequestId)
}

type getHumanReadableSummaryInput struct{ EntityArn, Locale string }

func (h *handler) getHumanReadableSummary(ctx context.Context, c *api.Call, in *getHumanReadableSummaryInput) (*iam.HumanReadableSummary, error) {
	return h.svc.GetHumanReadableSummary(ctx, c.Account, in.EntityArn, in.Locale)
}

// organizationsFeatures answers the centralized root access calls, which
// need an organization (organizations.go).
func (h *handler) organizationsFeatures(ctx context.Context, c *api.Call, _ *none) (*none, error) {
	return nil, h.svc.Organizations(ctx, c.Account)
}

type generateOrganizationsAccessReportInput struct{ EntityPath, OrganizationsPolicyId string }

func (in *generateOrganizationsAccessReportInput) keys(k *authz.Keys) {
	k.Set("iam:OrganizationsPolicyId", in.OrganizationsPolicyId)
}

func (h *handler) generateOrganizationsAccessReport(ctx context.Context, c *api.Call, _ *generateOrganizationsAccessReportInput) (*none, error) {
	return nil, h.svc.Organizations(ctx, c.Account)
}

type getOrganizationsAccessReportInput struct {
	JobId   string
	SortKey string
	paging
}

func (h *handler) getOrganizationsAccessReport(ctx context.Context, c *api.Call, in *getOrganizationsAccessReportInput) (*none, error) {
	return nil, h.svc.GetOrganizationsAccessReport(ctx, c.Account, in.JobId)
}

package app

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/rolecall/rolecall/internal/arn"
	"github.com/rolecall/rolecall/internal/iam"
	"github.com/rolecall/rolecall/internal/principal"
	"github.com/rolecall/rolecall/internal/statefile"
)

// Delegation requests are replayed through IAM's operations, each as the
// identity that made the step: CreateDelegationRequest as the requestor
// (with the request's ID and creation date), then, as of its last
// update, AssociateDelegationRequest and UpdateDelegationRequest as its
// owner, AcceptDelegationRequest as the identity that accepted it, and
// SendDelegationToken or RejectDelegationRequest as its owner. A request
// is filed under the account that owns it, or, owned by no one, that
// made it: the import never approves for another account.

// tokenPrefix begins the secret of an exchange token, after "ID."
// (iam.Service.SendDelegationToken).
const tokenPrefix = ".rcdt-"

// exportDelegations adds the account's delegation requests to x, their
// exchange tokens with secrets.
func exportDelegations(reqs []iam.DelegationRequestState, secrets bool, x *statefile.IAM) {
	for _, r := range reqs {
		d := statefile.DelegationRequest{DelegationRequestId: r.DelegationRequestId, OwnerAccountId: r.OwnerAccountId, Description: r.Description,
			RequestMessage: r.RequestMessage, PermissionPolicy: r.PermissionPolicy, RolePermissionRestrictionArns: r.RolePermissionRestrictionArns,
			OwnerId: r.OwnerId, ApproverId: r.ApproverId, State: r.State, ExpirationTime: r.ExpirationTime, RequestorId: r.RequestorId,
			RequestorName: r.RequestorName, CreateDate: *r.CreateDate, SessionDuration: r.SessionDuration, RedirectUrl: r.RedirectUrl,
			Notes: r.Notes, RejectionReason: r.RejectionReason, OnlySendByOwner: r.OnlySendByOwner, UpdatedTime: r.UpdatedTime,
			RequestorWorkflowId: r.RequestorWorkflowId, NotificationChannel: r.NotificationChannel}
		if p := r.Permissions; p != nil {
			d.Permissions = &statefile.DelegationPermission{PolicyTemplateArn: p.PolicyTemplateArn}
			for _, q := range p.Parameters {
				d.Permissions.Parameters = append(d.Permissions.Parameters, statefile.PolicyParameter(q))
			}
		}
		if r.Approver != nil {
			d.Approver, _ = json.Marshal(r.Approver)
		}
		if secrets {
			d.ExchangeToken = r.Token
		}
		x.DelegationRequests = append(x.DelegationRequests, d)
	}
}

func (im *importer) delegations(account string, a *statefile.Account) error {
	for _, d := range iamOf(a).DelegationRequests {
		if err := im.delegation(account, d); err != nil {
			return failed("delegation request", d.DelegationRequestId, err)
		}
	}
	return nil
}

// arnPrincipal is the identity an ARN names, as far as a delegation
// request's owner steps read it (its account and ARN).
func arnPrincipal(s string) (*principal.Principal, error) {
	a, err := arn.Parse(s)
	if err != nil || !arn.IsAccountID(a.Account) {
		return nil, fmt.Errorf("%q is no ARN of an account's identity", s)
	}
	p := &principal.Principal{Kind: principal.User, Account: a.Account, ARN: s, Name: a.Resource[strings.LastIndexByte(a.Resource, '/')+1:]}
	switch {
	case a.Resource == "root":
		return principal.RootUser(a.Account), nil
	case a.Service == "sts" && strings.HasPrefix(a.Resource, "assumed-role/"):
		p.Kind = principal.AssumedRole
	case a.Service != "iam" || !strings.HasPrefix(a.Resource, "user/"):
		return nil, fmt.Errorf("%q is no ARN of an account's root, user or role session", s)
	}
	return p, nil
}

func (im *importer) delegation(account string, d statefile.DelegationRequest) error {
	owned := d.OwnerId != ""
	switch {
	case owned && d.OwnerAccountId != account:
		return fmt.Errorf("owned by account %s: a request is filed under the account that owns it", d.OwnerAccountId)
	case !owned && d.RequestorId != account:
		return fmt.Errorf("made by account %s and owned by no one: such a request is filed under the account that made it", d.RequestorId)
	case !arn.IsAccountID(d.RequestorId):
		return fmt.Errorf("RequestorId %q is no account ID", d.RequestorId)
	case d.State == iam.DelegationExpired:
		return errors.New("State EXPIRED: the file holds the state IAM keeps (EXPIRED follows from ExpirationTime)")
	case len(d.RolePermissionRestrictionArns) > 0:
		return errors.New("RolePermissionRestrictionArns: rolecall restricts no role's permissions for a request")
	case d.Permissions == nil:
		return errors.New("no Permissions")
	}
	requestor := principal.RootUser(d.RequestorId)
	if d.RequestorName != d.RequestorId {
		requestor = &principal.Principal{Kind: principal.User, Account: d.RequestorId, Name: d.RequestorName}
	}
	in := iam.CreateDelegationRequestInput{OwnerAccountId: d.OwnerAccountId, Description: d.Description, RequestMessage: d.RequestMessage,
		RequestorWorkflowId: d.RequestorWorkflowId, RedirectUrl: d.RedirectUrl, NotificationChannel: d.NotificationChannel,
		SessionDuration: d.SessionDuration, OnlySendByOwner: d.OnlySendByOwner,
		Permissions: iam.DelegationPermission{PolicyTemplateArn: d.Permissions.PolicyTemplateArn}}
	for _, q := range d.Permissions.Parameters {
		in.Permissions.Parameters = append(in.Permissions.Parameters, iam.PolicyParameter(q))
	}
	im.sc.at("", d.CreateDate)
	im.sc.uuids = []string{d.DelegationRequestId}
	id, err := im.iam.CreateDelegationRequest(im.ctx, requestor, in)
	if err != nil {
		return err
	}
	if id != d.DelegationRequestId {
		return fmt.Errorf("IAM made it as %s", id)
	}
	var updated time.Time
	if d.UpdatedTime != nil {
		updated = *d.UpdatedTime
	}
	if err := im.delegationSteps(account, d, updated); err != nil {
		return err
	}
	got, _, _, err := im.iam.GetDelegationRequest(im.ctx, account, id, false)
	if err != nil {
		return err
	}
	switch {
	case got.PermissionPolicy != d.PermissionPolicy:
		return fmt.Errorf("its policy template %s renders %s now, and the file's permission policy is %s", d.Permissions.PolicyTemplateArn, got.PermissionPolicy, d.PermissionPolicy)
	case !sameTime(got.ExpirationTime, d.ExpirationTime) || got.ApproverId != d.ApproverId:
		return fmt.Errorf("state %s replayed expires at %v, approved by %q; the file says %v, %q", d.State, got.ExpirationTime, got.ApproverId, d.ExpirationTime, d.ApproverId)
	}
	return nil
}

func sameTime(a, b *time.Time) bool {
	return a == nil && b == nil || a != nil && b != nil && a.Equal(*b)
}

// delegationSteps takes a made request to its state, each step as of
// the request's last update.
func (im *importer) delegationSteps(account string, d statefile.DelegationRequest, at time.Time) error {
	if d.OwnerId == "" {
		if d.State != iam.DelegationUnassigned {
			return fmt.Errorf("State %s without an owner (OwnerId)", d.State)
		}
		return nil
	}
	owner, err := arnPrincipal(d.OwnerId)
	if err != nil {
		return fmt.Errorf("OwnerId: %w", err)
	}
	step := func(fn func() error) error {
		im.sc.at("", at)
		return fn()
	}
	id := d.DelegationRequestId
	if err := step(func() error { return im.iam.AssociateDelegationRequest(im.ctx, owner, id) }); err != nil {
		return err
	}
	if d.Notes != "" || d.State == iam.DelegationPendingApproval {
		if err := step(func() error { return im.iam.UpdateDelegationRequest(im.ctx, owner, id, d.Notes) }); err != nil {
			return err
		}
	}
	if d.ApproverId != "" {
		approver, err := im.approver(account, d)
		if err != nil {
			return err
		}
		if err := step(func() error { return im.iam.AcceptDelegationRequest(im.ctx, approver, id) }); err != nil {
			return err
		}
	}
	switch d.State {
	case iam.DelegationRejected:
		return step(func() error { return im.iam.RejectDelegationRequest(im.ctx, owner, id, d.RejectionReason) })
	case iam.DelegationFinalized:
		if d.ExchangeToken != "" {
			secret, ok := strings.CutPrefix(d.ExchangeToken, id+tokenPrefix)
			if !ok {
				return fmt.Errorf("ExchangeToken is not %s%s...", id, tokenPrefix)
			}
			im.sc.secret = secret
		}
		err := step(func() error { return im.iam.SendDelegationToken(im.ctx, owner, id) })
		im.sc.secret = ""
		return err
	}
	return nil
}

// approver is the identity that accepted a request: as the file keeps it
// (Approver) while the request is accepted or finalized, which must be
// its ApproverId of the owner account; a rejected request keeps only its
// ARN.
func (im *importer) approver(account string, d statefile.DelegationRequest) (*principal.Principal, error) {
	if len(d.Approver) == 0 {
		if d.State != iam.DelegationRejected {
			return nil, fmt.Errorf("State %s approved by %s, without the identity that approved (Approver)", d.State, d.ApproverId)
		}
		return arnPrincipal(d.ApproverId)
	}
	var p principal.Principal
	if err := json.Unmarshal(d.Approver, &p); err != nil {
		return nil, fmt.Errorf("Approver: %v", err)
	}
	if p.ARN != d.ApproverId || p.Account != account {
		return nil, fmt.Errorf("Approver is %s of account %s, not %s of the owner account %s", p.ARN, p.Account, d.ApproverId, account)
	}
	return &p, nil
}

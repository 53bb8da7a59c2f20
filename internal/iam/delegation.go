package iam

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/rolecall/rolecall/internal/arn"
	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/policy"
	pr "github.com/rolecall/rolecall/internal/principal"
	"github.com/rolecall/rolecall/internal/store"
)

// Delegation requests (IAM temporary delegation,
// https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies-temporary-delegation.html):
// a partner's account asks a customer's account for temporary, limited
// access; the customer takes the request (AssociateDelegationRequest),
// may add notes (UpdateDelegationRequest), approves or rejects it, and
// releases an exchange token (SendDelegationToken) that the partner
// trades for credentials of the approving identity, limited to the
// request's permission policy (STS GetDelegatedAccessToken). The life
// cycle, as the IAM API reference describes it:
//
//	UNASSIGNED --Associate--> ASSIGNED --Update--> PENDING_APPROVAL
//	ASSIGNED, PENDING_APPROVAL --Accept--> ACCEPTED --SendDelegationToken--> FINALIZED
//	ASSIGNED, PENDING_APPROVAL, ACCEPTED --Reject--> REJECTED
//	any --its ExpirationTime passes--> EXPIRED
//
// rolecall's stand-ins, where AWS relies on what an emulator lacks:
//   - A policy template is registered with AWS by the partner; in rolecall
//     PolicyTemplateArn names a managed policy (the requestor's own, or
//     AWS's) whose default version is the template, with @{name}
//     parameters ("Policy templates",
//     https://docs.aws.amazon.com/IAM/latest/UserGuide/temporary-delegation-policy-templates.html).
//   - The exchange token goes to the request's SNS topic on AWS; rolecall
//     has no SNS and keeps it for the partner's side to read
//     (DelegationToken).
//   - Until it is finalized a request expires 7 days after it was
//     created or rejected ("Rejected requests expire after 7 days", IAM API
//     reference, RejectDelegationRequest; the other deadline is
//     unverified). A finalized request expires when its session does.
//
// The requests are kept by ID alone: the partner's account and the
// customer's both name them.
const bucketDelegations = "iam-delegation-requests"

// Delegation request states (the model's stateType).
const (
	DelegationUnassigned      = "UNASSIGNED"
	DelegationAssigned        = "ASSIGNED"
	DelegationPendingApproval = "PENDING_APPROVAL"
	DelegationAccepted        = "ACCEPTED"
	DelegationRejected        = "REJECTED"
	DelegationFinalized       = "FINALIZED"
	DelegationExpired         = "EXPIRED"
)

// Delegation durations: "The maximum duration for delegated access is 12
// hours. However, root users can only approve delegation requests with a
// duration of 4 hours or less" (IAM User Guide, IAM temporary
// delegation); the model bounds SessionDuration to 300..43200 seconds.
const (
	DelegationPendingLifetime = 7 * 24 * time.Hour
	MaxRootDelegationDuration = 4 * time.Hour
	// MaxDelegationPolicySize: "The final rendered policy has a maximum
	// size limit of 2048 characters" (Policy templates).
	MaxDelegationPolicySize = 2048
)

// PolicyParameter is one parameter of a policy template.
type PolicyParameter struct {
	Name   string
	Values []string
	Type   string // "string" or "stringList"
}

// DelegationPermission is what a request delegates: a policy template and
// its parameters.
type DelegationPermission struct {
	PolicyTemplateArn string
	Parameters        []PolicyParameter
}

// DelegationRequest is a delegation request as IAM answers it; field names
// are the model's.
type DelegationRequest struct {
	DelegationRequestId           string
	OwnerAccountId                string
	Description                   string
	RequestMessage                string
	Permissions                   *DelegationPermission
	PermissionPolicy              string
	RolePermissionRestrictionArns []string
	OwnerId                       string
	ApproverId                    string
	State                         string
	ExpirationTime                *time.Time
	RequestorId                   string
	RequestorName                 string
	CreateDate                    *time.Time
	SessionDuration               int32
	RedirectUrl                   string
	Notes                         string
	RejectionReason               string
	OnlySendByOwner               bool
	UpdatedTime                   *time.Time
}

// delegationRecord is a request as IAM keeps it.
type delegationRecord struct {
	DelegationRequest
	RequestorWorkflowId string
	NotificationChannel string
	// Approver is the identity that accepted, as it was then: the
	// delegated session acts as it (GetDelegatedAccessToken).
	Approver *pr.Principal `json:",omitempty"`
	// Token is the exchange token, SentAt when it was released.
	Token  string    `json:",omitempty"`
	SentAt time.Time `json:",omitzero"`
}

// CreateDelegationRequestInput is CreateDelegationRequest's request.
type CreateDelegationRequestInput struct {
	OwnerAccountId      string
	Description         string
	Permissions         DelegationPermission
	RequestMessage      string
	RequestorWorkflowId string
	RedirectUrl         string
	NotificationChannel string
	SessionDuration     int32
	OnlySendByOwner     bool
}

// DelegationRequestARN is a request's ARN in account: the Service
// Authorization Reference's delegation-request resource,
// arn:aws:iam::ACCOUNT:delegation-request/ID.
func DelegationRequestARN(account, id string) string {
	return "arn:aws:iam::" + account + ":delegation-request/" + id
}

// CreateDelegationRequest files a request from caller's account (the
// requestor) and answers its id.
func (s *Service) CreateDelegationRequest(ctx context.Context, caller *pr.Principal, in CreateDelegationRequestInput) (string, error) {
	account := caller.Account
	if in.Permissions.PolicyTemplateArn == "" {
		return "", errDelegationNoTemplate()
	}
	if in.OwnerAccountId == account {
		return "", errDelegationOwnAccount()
	}
	now := s.now()
	id := s.gen.UUID()
	err := s.update(ctx, account, func(tx store.Tx) error {
		var clash bool
		err := eachDelegation(tx, func(r *delegationRecord) bool {
			clash = r.RequestorId == account && r.RequestorWorkflowId == in.RequestorWorkflowId
			return !clash
		})
		if err != nil {
			return err
		}
		if clash {
			return errDelegationWorkflowExists(in.RequestorWorkflowId)
		}
		// A new ID is never one in use; an imported one (a state file's)
		// must not replace another account's request.
		if _, taken := tx.Get(bucketDelegations, id); taken {
			return errDelegationExists(id)
		}
		doc, err := delegationPolicy(tx, account, in.Permissions)
		if err != nil {
			return err
		}
		exp := now.Add(DelegationPendingLifetime)
		r := &delegationRecord{
			DelegationRequest: DelegationRequest{
				DelegationRequestId: id, OwnerAccountId: in.OwnerAccountId, Description: in.Description, RequestMessage: in.RequestMessage,
				Permissions: &in.Permissions, PermissionPolicy: doc, State: DelegationUnassigned, ExpirationTime: &exp,
				RequestorId: account, RequestorName: requestorName(caller), CreateDate: &now, SessionDuration: in.SessionDuration,
				RedirectUrl: in.RedirectUrl, OnlySendByOwner: in.OnlySendByOwner, UpdatedTime: &now,
			},
			RequestorWorkflowId: in.RequestorWorkflowId, NotificationChannel: in.NotificationChannel,
		}
		return putJSON(tx, bucketDelegations, id, r)
	})
	if err != nil {
		return "", err
	}
	return id, nil
}

// requestorName is the model's RequestorName ("A friendly name of the
// requestor", at most 30 characters): the creating user's or role's
// name, the account ID for root.
func requestorName(p *pr.Principal) string {
	n := p.Name
	if n == "" {
		n = p.Account
	}
	if len(n) > 30 {
		n = n[:30]
	}
	return n
}

// delegationPolicy renders the request's permission policy from its
// template: each @{name} is replaced by its parameter's value (a
// stringList's values, where its placeholder is a whole JSON string,
// become a JSON array of them); the result must be a valid identity
// policy of at most MaxDelegationPolicySize characters.
func delegationPolicy(tx store.Tx, account string, perm DelegationPermission) (string, error) {
	d, err := managedDocument(tx, account, "", perm.PolicyTemplateArn)
	if err != nil {
		return "", err
	}
	if d == nil {
		return "", errDelegationNoSuchTemplate(perm.PolicyTemplateArn)
	}
	doc := d.Document
	for _, p := range perm.Parameters {
		ph := "@{" + p.Name + "}"
		if p.Type == "stringList" {
			b, _ := json.Marshal(p.Values)
			doc = strings.ReplaceAll(doc, `"`+ph+`"`, string(b))
		}
		if len(p.Values) > 0 {
			v, _ := json.Marshal(p.Values[0])
			doc = strings.ReplaceAll(doc, ph, strings.Trim(string(v), `"`))
		}
	}
	if i := strings.Index(doc, "@{"); i >= 0 {
		name, _, _ := strings.Cut(doc[i+2:], "}")
		return "", errDelegationParameter(name)
	}
	if len(doc) > MaxDelegationPolicySize {
		return "", errDelegationPolicySize(len(doc))
	}
	if _, err := policy.Parse(doc, policy.Identity); err != nil {
		return "", awserr.InvalidInput("The policy template %s does not render a valid policy: %s", perm.PolicyTemplateArn, awserr.As(err).Message)
	}
	return doc, nil
}

// eachDelegation calls fn on every request until it answers false.
func eachDelegation(tx store.Tx, fn func(r *delegationRecord) bool) error {
	var derr error
	err := tx.Scan(bucketDelegations, "", "", func(_ string, v []byte) bool {
		var r delegationRecord
		if derr = unmarshal(v, &r); derr != nil {
			return false
		}
		return fn(&r)
	})
	if err == nil {
		err = derr
	}
	return err
}

// visible says whether a caller of account may see r at all: its
// requestor's account, any account while it has no owner account, its
// owner account. "If a delegation request has no owner or owner account,
// GetDelegationRequest for that delegation request can be called by any
// account. If the owner account is assigned but there is no owner id,
// only identities within that owner account can call" (IAM API
// reference, GetDelegationRequest). Which identities of the owner account
// may is the authorizer's to decide (DelegationTarget).
func (r *delegationRecord) visible(account string) bool {
	return r.RequestorId == account || r.OwnerAccountId == "" || r.OwnerAccountId == account
}

// state is r's state at now: EXPIRED once its ExpirationTime has passed.
func (r *delegationRecord) state(now time.Time) string {
	if r.ExpirationTime != nil && !now.Before(*r.ExpirationTime) {
		return DelegationExpired
	}
	return r.State
}

func (r *delegationRecord) answer(now time.Time) *DelegationRequest {
	out := r.DelegationRequest
	out.State = r.state(now)
	return &out
}

// loadDelegation reads request id for a caller of account: NoSuchEntity
// when there is none, or it is not visible there.
func loadDelegation(tx store.Tx, account, id string) (*delegationRecord, error) {
	var r delegationRecord
	ok, err := getJSON(tx, bucketDelegations, id, &r)
	if err != nil {
		return nil, err
	}
	if !ok || !r.visible(account) {
		return nil, errNoSuchDelegation(id)
	}
	return &r, nil
}

// DelegationTarget is what the authorizer needs of request id for a
// caller of account: its owner (iam:DelegationRequestOwner) and whether
// there is one to see. ok is false when the caller's account cannot see
// it; the operation then answers NoSuchEntity.
func (s *Service) DelegationTarget(ctx context.Context, account, id string) (owner string, ok bool, err error) {
	err = s.view(ctx, account, func(tx store.Tx) error {
		r, err := loadDelegation(tx, account, id)
		if isNoSuchEntity(err) {
			return nil
		}
		if err != nil {
			return err
		}
		owner, ok = r.OwnerId, true
		return nil
	})
	return owner, ok, err
}

// GetDelegationRequest answers request id. permissionCheck asks IAM to
// check whether caller's permissions cover the request's: rolecall
// answers COMPLETE and UNSURE, the result AWS gives "for cases when the
// caller has permissions with conditions", rather than guess (a check
// that evaluates the caller's policies against the permission policy is
// left to do).
func (s *Service) GetDelegationRequest(ctx context.Context, account, id string, permissionCheck bool) (req *DelegationRequest, checkStatus, checkResult string, err error) {
	err = s.view(ctx, account, func(tx store.Tx) error {
		r, err := loadDelegation(tx, account, id)
		if err != nil {
			return err
		}
		req = r.answer(s.now())
		return nil
	})
	if err == nil && permissionCheck {
		checkStatus, checkResult = "COMPLETE", "UNSURE"
	}
	return req, checkStatus, checkResult, err
}

// ListDelegationRequests lists the requests owned in account (those with
// an owner: "If a delegation request has no owner, even if it is assigned
// to a specific account, it will not be part of the ListDelegationRequests
// output for that account"), by owner when ownerID is set, in creation
// order.
func (s *Service) ListDelegationRequests(ctx context.Context, account, ownerID string, page Page) ([]DelegationRequest, string, error) {
	var all []DelegationRequest
	err := s.view(ctx, account, func(tx store.Tx) error {
		now := s.now()
		return eachDelegation(tx, func(r *delegationRecord) bool {
			if r.OwnerAccountId == account && r.OwnerId != "" && (ownerID == "" || r.OwnerId == ownerID) {
				all = append(all, *r.answer(now))
			}
			return true
		})
	})
	if err != nil {
		return nil, "", err
	}
	sort.SliceStable(all, func(i, j int) bool {
		a, b := all[i], all[j]
		if !a.CreateDate.Equal(*b.CreateDate) {
			return a.CreateDate.Before(*b.CreateDate)
		}
		return a.DelegationRequestId < b.DelegationRequestId
	})
	return pageSlice(all, page)
}

// changeDelegation runs fn on request id for caller, in one transaction,
// and saves what it changed; fn sees the request's current state.
func (s *Service) changeDelegation(ctx context.Context, caller *pr.Principal, id string, fn func(r *delegationRecord, state string, now time.Time) error) error {
	now := s.now()
	return s.update(ctx, caller.Account, func(tx store.Tx) error {
		r, err := loadDelegation(tx, caller.Account, id)
		if err != nil {
			return err
		}
		if err := fn(r, r.state(now), now); err != nil {
			return err
		}
		r.UpdatedTime = &now
		return putJSON(tx, bucketDelegations, id, r)
	})
}

// AssociateDelegationRequest makes caller the request's owner (OwnerId,
// its ARN) and its account the owner account.
func (s *Service) AssociateDelegationRequest(ctx context.Context, caller *pr.Principal, id string) error {
	return s.changeDelegation(ctx, caller, id, func(r *delegationRecord, state string, _ time.Time) error {
		if r.RequestorId == caller.Account && r.OwnerAccountId != caller.Account {
			return errDelegationOwnAccount()
		}
		if state != DelegationUnassigned {
			return errDelegationState(id, state, "associated")
		}
		r.OwnerId, r.OwnerAccountId, r.State = caller.ARN, caller.Account, DelegationAssigned
		return nil
	})
}

// UpdateDelegationRequest adds notes; "When the delegation request is
// updated, it reaches the PENDING_APPROVAL state".
func (s *Service) UpdateDelegationRequest(ctx context.Context, caller *pr.Principal, id, notes string) error {
	return s.changeDelegation(ctx, caller, id, func(r *delegationRecord, state string, _ time.Time) error {
		if err := ownedBy(r, caller); err != nil {
			return err
		}
		if state != DelegationAssigned && state != DelegationPendingApproval {
			return errDelegationState(id, state, "updated")
		}
		r.Notes, r.State = notes, DelegationPendingApproval
		return nil
	})
}

// AcceptDelegationRequest approves the request: "At the time of
// acceptance, IAM records the details and the state of the identity that
// called this API. This is the identity that gets mapped to the delegated
// credential."
func (s *Service) AcceptDelegationRequest(ctx context.Context, caller *pr.Principal, id string) error {
	return s.changeDelegation(ctx, caller, id, func(r *delegationRecord, state string, _ time.Time) error {
		if err := ownedBy(r, caller); err != nil {
			return err
		}
		if state != DelegationAssigned && state != DelegationPendingApproval {
			return errDelegationState(id, state, "accepted")
		}
		if caller.Kind == pr.Root && time.Duration(r.SessionDuration)*time.Second > MaxRootDelegationDuration {
			return errDelegationRootDuration()
		}
		// The identity, not the credentials it signed with: the partner's
		// session has its own, and no MFA of the approver's.
		approver := *caller
		approver.AccessKeyID, approver.Temporary, approver.Expiration, approver.IssuedAt = "", false, time.Time{}, time.Time{}
		approver.MFAAuthTime = time.Time{}
		r.Approver, r.ApproverId, r.State = &approver, caller.ARN, DelegationAccepted
		return nil
	})
}

// RejectDelegationRequest rejects it, with notes as the reason: "Once a
// request is rejected, it cannot be accepted or updated later. Rejected
// requests expire after 7 days."
func (s *Service) RejectDelegationRequest(ctx context.Context, caller *pr.Principal, id, notes string) error {
	return s.changeDelegation(ctx, caller, id, func(r *delegationRecord, state string, now time.Time) error {
		if err := ownedBy(r, caller); err != nil {
			return err
		}
		switch state {
		case DelegationAssigned, DelegationPendingApproval, DelegationAccepted:
		default:
			return errDelegationState(id, state, "rejected")
		}
		exp := now.Add(DelegationPendingLifetime)
		r.RejectionReason, r.State, r.ExpirationTime, r.Approver = notes, DelegationRejected, &exp, nil
		return nil
	})
}

// SendDelegationToken releases the exchange token of an accepted request:
// the request is FINALIZED, and the delegated session's time starts ("The
// active time window for the session starts when the customer calls the
// SendDelegationToken API").
func (s *Service) SendDelegationToken(ctx context.Context, caller *pr.Principal, id string) error {
	token := "rcdt-" + s.gen.Secret(64)
	return s.changeDelegation(ctx, caller, id, func(r *delegationRecord, state string, now time.Time) error {
		if err := ownedBy(r, caller); err != nil {
			return err
		}
		if state != DelegationAccepted {
			return errDelegationState(id, state, "sent")
		}
		if r.OnlySendByOwner && caller.ARN != r.OwnerId {
			return errDelegationOnlyOwner(id)
		}
		exp := now.Add(time.Duration(r.SessionDuration) * time.Second)
		r.Token, r.SentAt, r.State, r.ExpirationTime = id+"."+token, now, DelegationFinalized, &exp
		return nil
	})
}

// ownedBy: only the owner account acts on a request after it is
// associated (the requestor's account only sees it).
func ownedBy(r *delegationRecord, caller *pr.Principal) error {
	if r.OwnerAccountId != caller.Account || r.OwnerId == "" {
		if r.OwnerAccountId == caller.Account {
			return errDelegationState(r.DelegationRequestId, DelegationUnassigned, "changed before it is associated")
		}
		return errNoSuchDelegation(r.DelegationRequestId)
	}
	return nil
}

// DelegationToken is the exchange token released for request id, for
// the requestor's side: AWS publishes it to the request's SNS topic,
// which rolecall does not have. Only the requestor's account reads it
// (another account's caller is answered as if there were no such
// request); before it is released, the request's state says why there is
// none.
func (s *Service) DelegationToken(ctx context.Context, account, id string) (string, error) {
	var tok string
	err := s.view(ctx, account, func(tx store.Tx) error {
		var r delegationRecord
		ok, err := getJSON(tx, bucketDelegations, id, &r)
		switch {
		case err != nil:
			return err
		case !ok || r.RequestorId != account:
			return errNoSuchDelegation(id)
		case r.Token == "":
			return errDelegationNoToken(id, r.state(s.now()))
		}
		tok = r.Token
		return nil
	})
	return tok, err
}

// DelegatedSession is what an exchange token trades for.
type DelegatedSession struct {
	Approver         pr.Principal
	PermissionPolicy string
	Expiration       time.Time
}

// RedeemDelegationToken is the session token stands for, for a caller of
// account (the requestor's); ok is false for a token IAM did not release
// to that account, and expired is set when its session is over.
func (s *Service) RedeemDelegationToken(ctx context.Context, account, token string) (sess *DelegatedSession, expired bool, err error) {
	id, _, _ := strings.Cut(token, ".")
	err = s.view(ctx, account, func(tx store.Tx) error {
		var r delegationRecord
		ok, err := getJSON(tx, bucketDelegations, id, &r)
		if err != nil || !ok || r.Token == "" || r.Approver == nil || r.RequestorId != account ||
			subtle.ConstantTimeCompare([]byte(r.Token), []byte(token)) != 1 {
			return err
		}
		if r.state(s.now()) != DelegationFinalized {
			expired = true
			return nil
		}
		sess = &DelegatedSession{Approver: *r.Approver, PermissionPolicy: r.PermissionPolicy, Expiration: *r.ExpirationTime}
		return nil
	})
	return sess, expired, err
}

// HumanReadableSummary is GetHumanReadableSummary's answer.
type HumanReadableSummary struct {
	SummaryContent, Locale, SummaryState string
}

// GetHumanReadableSummary summarizes an entity: "At this time, the only
// supported entity type is delegation-request", visible as
// GetDelegationRequest makes it ("These rules are identical to
// GetDelegationRequest API behavior"). AWS's summary is written by a
// language model; rolecall's is a fixed English rendering of the request
// and its permission policy, whatever the locale asked.
func (s *Service) GetHumanReadableSummary(ctx context.Context, account, entityArn, locale string) (*HumanReadableSummary, error) {
	id, ok := DelegationRequestID(entityArn)
	if !ok {
		return nil, errSummaryEntity(entityArn)
	}
	req, _, _, err := s.GetDelegationRequest(ctx, account, id, false)
	if err != nil {
		return nil, err
	}
	if locale == "" {
		locale = "en"
	}
	return &HumanReadableSummary{SummaryContent: summarize(req), Locale: locale, SummaryState: "AVAILABLE"}, nil
}

// DelegationRequestID is the id of a delegation-request ARN.
func DelegationRequestID(s string) (string, bool) {
	a, err := arn.Parse(s)
	if err != nil || a.Service != "iam" {
		return "", false
	}
	id, ok := strings.CutPrefix(a.Resource, "delegation-request/")
	if !ok || id == "" {
		return "", false
	}
	return id, true
}

// summarize words a request: who asks, for how long, and each statement
// of its permission policy.
func summarize(r *DelegationRequest) string {
	var b strings.Builder
	b.WriteString("Account " + r.RequestorId + " requests temporary access for " + strconv.Itoa(int(r.SessionDuration)/60) + " minutes")
	if r.Description != "" {
		b.WriteString(": " + r.Description)
	}
	b.WriteString(".")
	d, err := policy.Parse(r.PermissionPolicy, policy.Identity)
	if err != nil {
		return b.String()
	}
	for _, st := range d.Statements {
		verb := "It allows"
		if st.Effect == "Deny" {
			verb = "It denies"
		}
		acts, res := st.Action, st.Resource
		if len(st.NotAction) > 0 {
			acts = []string{"every action except " + strings.Join(st.NotAction, ", ")}
		}
		if len(st.NotResource) > 0 {
			res = []string{"every resource except " + strings.Join(st.NotResource, ", ")}
		}
		b.WriteString(" " + verb + " " + strings.Join(acts, ", ") + " on " + strings.Join(res, ", "))
		if len(st.Condition) > 0 {
			b.WriteString(", under conditions")
		}
		b.WriteString(".")
	}
	return b.String()
}

// Delegation errors. The codes are the model's for each operation; the
// texts are rolecall's, worded as IAM's others (no public record shows
// AWS's).

func errNoSuchDelegation(id string) error {
	return awserr.NoSuchEntity("The delegation request with ID %s cannot be found.", id)
}

// errDelegationNoToken: the token is asked of rolecall's endpoint, which
// AWS does not have, before SendDelegationToken released it.
func errDelegationNoToken(id, state string) error {
	return awserr.InvalidInput("The delegation request %s is %s: no exchange token has been sent for it (SendDelegationToken).", id, state)
}

func errDelegationState(id, state, done string) error {
	return awserr.InvalidInput("The delegation request %s is %s and cannot be %s.", id, state, done)
}

// errDelegationExists: rolecall's wording, as errDelegationWorkflowExists.
func errDelegationExists(id string) error {
	return awserr.EntityAlreadyExists("A delegation request with ID %s already exists.", id)
}

func errDelegationWorkflowExists(workflow string) error {
	return awserr.EntityAlreadyExists("A delegation request with requestor workflow ID %s already exists.", workflow)
}

func errDelegationNoTemplate() error {
	return awserr.InvalidInput("A delegation request needs a policy template: specify Permissions.PolicyTemplateArn.")
}

func errDelegationNoSuchTemplate(arn string) error {
	return awserr.InvalidInput("The policy template %s does not exist.", arn)
}

func errDelegationParameter(name string) error {
	return awserr.InvalidInput("The policy template's parameter %s has no value.", name)
}

func errDelegationPolicySize(n int) error {
	return awserr.LimitExceeded("The rendered permission policy has %d characters; the limit is %d.", n, MaxDelegationPolicySize)
}

func errDelegationOwnAccount() error {
	return awserr.InvalidInput("A delegation request cannot be delegated to the account that requests it.")
}

func errDelegationRootDuration() error {
	return awserr.InvalidInput("The root user can approve only delegation requests with a session duration of 4 hours or less.")
}

func errDelegationOnlyOwner(id string) error {
	return awserr.InvalidInput("Only the owner of delegation request %s can send its delegation token.", id)
}

func errSummaryEntity(s string) error {
	return awserr.InvalidInput("ARN %s is not valid: the only supported entity type is delegation-request.", s)
}

// DelegationRequestState is a delegation request as a state file carries
// it: what IAM answers (State as IAM keeps it: EXPIRED follows from
// ExpirationTime), with what IAM keeps beside: the creation's workflow
// ID and notification channel, the identity that accepted it, and the
// exchange token released.
type DelegationRequestState struct {
	DelegationRequest
	RequestorWorkflowId, NotificationChannel string
	Approver                                 *pr.Principal
	Token                                    string
}

// DelegationRequestStates are the requests a state file of account holds,
// in creation order: those it owns (associated to one of its identities),
// and those it made that no one owns yet. Each request is so in one
// account's part: an owner account's approval is never in another's.
func (s *Service) DelegationRequestStates(ctx context.Context, account string) ([]DelegationRequestState, error) {
	var out []DelegationRequestState
	err := s.view(ctx, account, func(tx store.Tx) error {
		return eachDelegation(tx, func(r *delegationRecord) bool {
			if r.OwnerId != "" && r.OwnerAccountId == account || r.OwnerId == "" && r.RequestorId == account {
				out = append(out, DelegationRequestState{DelegationRequest: r.DelegationRequest, RequestorWorkflowId: r.RequestorWorkflowId,
					NotificationChannel: r.NotificationChannel, Approver: r.Approver, Token: r.Token})
			}
			return true
		})
	})
	sort.SliceStable(out, func(i, j int) bool {
		return out[i].CreateDate.Before(*out[j].CreateDate) || out[i].CreateDate.Equal(*out[j].CreateDate) && out[i].DelegationRequestId < out[j].DelegationRequestId
	})
	return out, err
}

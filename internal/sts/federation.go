package sts

import (
	"context"
	"time"

	"github.com/rolecall/rolecall/internal/policy"

	"github.com/rolecall/rolecall/internal/authz"
	"github.com/rolecall/rolecall/internal/principal"
)

// GetFederationToken durations (STS API reference, GetFederationToken):
// 900 to 129,600 seconds (the model bounds the request), 43,200 by
// default; "Temporary credentials obtained by using the root user
// credentials have a maximum duration of 3,600 seconds", and a longer
// request "defaults to one hour".
const (
	DefaultFederationDuration = 12 * time.Hour
	MaxRootFederationDuration = time.Hour
)

// GetFederationTokenInput is GetFederationToken's request; field names are
// the model's.
type GetFederationTokenInput struct {
	Name            string
	Policy          string
	PolicyArns      []string
	DurationSeconds *int32
	Tags            []principal.Tag
}

// FederatedUser names a federated user session.
type FederatedUser struct {
	FederatedUserId, Arn string
}

// GetFederationTokenOutput is GetFederationToken's answer.
type GetFederationTokenOutput struct {
	Credentials   *Credentials
	FederatedUser *FederatedUser
	// PackedPolicySize is always present: AWS answers 0 for a request
	// without session policies or tags (recorded, test_get_federation_token).
	PackedPolicySize *int32
}

// FederatedUserARN is a federated user's ARN,
// arn:aws:sts::ACCOUNT:federated-user/NAME, and FederatedUserID its id,
// ACCOUNT:NAME (STS API reference, FederatedUser).
func FederatedUserARN(account, name string) string {
	return "arn:aws:sts::" + account + ":federated-user/" + name
}

func FederatedUserID(account, name string) string { return account + ":" + name }

// GetFederationToken gives an IAM user (or, as AWS allows but does not
// recommend, the root user) the credentials of a federated user session.
// Its permissions are the intersection of the caller's own and the session
// policies passed: none passed, none granted (the authorizer applies both,
// internal/authz). The caller needs sts:GetFederationToken on the federated
// user, and sts:TagSession to pass tags; session credentials cannot ask.
func (s *Service) GetFederationToken(ctx context.Context, caller *principal.Principal, region string, in GetFederationTokenInput) (*GetFederationTokenOutput, error) {
	if caller.Temporary || (caller.Kind != principal.User && caller.Kind != principal.Root) {
		return nil, errFederationSessionCredentials()
	}
	if len(in.PolicyArns) > MaxSessionPolicyARNs {
		return nil, errTooManyPolicyArns()
	}
	tags, _, err := sessionTags(caller, in.Tags, nil, false)
	if err != nil {
		return nil, err
	}
	if err := checkSessionPolicy(in.Policy); err != nil {
		return nil, err
	}
	account := caller.Account
	arn := FederatedUserARN(account, in.Name)
	var keys authz.Keys
	for _, t := range in.Tags {
		keys.Tag(t.Key, t.Value)
	}
	target := authz.Target{ARN: arn, Type: "federated-user"}
	if err := s.decide(ctx, caller, region, target, keys, "sts:GetFederationToken"); err != nil {
		return nil, err
	}
	if len(in.Tags) > 0 {
		if err := s.decide(ctx, caller, region, authz.Any(), keys, "sts:TagSession"); err != nil {
			return nil, err
		}
	}
	// "The policies must exist in the same account as the IAM user that
	// is requesting federated access" (GetFederationToken, PolicyArns).
	// PackedPolicySize is answered even without session policies.
	packed, err := s.sessionPolicies(ctx, account, in.Policy, in.PolicyArns, tags, true)
	if err != nil {
		return nil, err
	}

	d := DefaultFederationDuration
	if in.DurationSeconds != nil {
		d = time.Duration(*in.DurationSeconds) * time.Second
	}
	if caller.Kind == principal.Root && d > MaxRootFederationDuration {
		d = MaxRootFederationDuration
	}
	p := principal.Principal{
		Kind:    principal.FederatedUser,
		Account: account,
		ARN:     arn,
		UserID:  FederatedUserID(account, in.Name),
		// Name is the IAM user whose policies the session is limited to;
		// "" for root's.
		Name:        caller.Name,
		SessionName: in.Name,
		Issuer:      caller.ARN,
		SessionTags: tags, SessionPolicy: in.Policy, SessionPolicyARNs: in.PolicyArns,
	}
	if caller.Kind == principal.User {
		p.IssuerID = caller.UserID
	}
	creds, err := s.issue(ctx, p, d)
	if err != nil {
		return nil, err
	}
	return &GetFederationTokenOutput{
		Credentials:      creds,
		FederatedUser:    &FederatedUser{FederatedUserId: p.UserID, Arn: p.ARN},
		PackedPolicySize: packed,
	}, nil
}

// federatedRefused is what a federated user session gets from STS
// operations other than GetCallerIdentity: "You cannot call any STS
// operations except GetCallerIdentity" (STS API reference,
// GetFederationToken). AWS's wording of the refusal is unverified; rolecall
// answers STS's AccessDenied text for the action.
func federatedRefused(caller *principal.Principal, action, resource string) error {
	if caller.Kind != principal.FederatedUser {
		return nil
	}
	return errNotAuthorized(caller.ARN, action, resource)
}

// checkSessionPolicy validates an inline session policy ("" is none).
func checkSessionPolicy(doc string) error {
	if doc == "" {
		return nil
	}
	_, err := policy.Parse(doc, policy.Identity)
	return err
}

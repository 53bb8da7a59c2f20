package sts

import (
	"context"
	"strings"
	"time"

	"github.com/rolecall/rolecall/internal/arn"
	"github.com/rolecall/rolecall/internal/authz"
	"github.com/rolecall/rolecall/internal/leniency"
	"github.com/rolecall/rolecall/internal/principal"
)

// Session durations AWS applies (STS API reference, AssumeRole and
// GetSessionToken).
const (
	DefaultRoleSessionDuration = time.Hour
	// MaxChainedSessionDuration caps sessions assumed with role-session
	// credentials (role chaining).
	MaxChainedSessionDuration = time.Hour
	MaxSessionPolicyARNs      = 10
)

// AssumeRoleInput is AssumeRole's request; field names are the model's.
type AssumeRoleInput struct {
	RoleArn, RoleSessionName string
	PolicyArns               []string
	Policy                   string
	DurationSeconds          *int32
	Tags                     []principal.Tag
	TransitiveTagKeys        []string
	ExternalId               string
	SerialNumber, TokenCode  string
	SourceIdentity           string
}

// AssumedRoleUser names a role session.
type AssumedRoleUser struct {
	AssumedRoleId, Arn string
}

// AssumeRoleOutput is AssumeRole's answer.
type AssumeRoleOutput struct {
	Credentials      *Credentials
	AssumedRoleUser  *AssumedRoleUser
	PackedPolicySize *int32 // set when session policies or tags were passed
	SourceIdentity   string
}

// AssumeRole gives caller a session of the role in.RoleArn, acting in
// region, if the authorizer allows sts:AssumeRole on it: the role's trust
// policy, as the resource policy, must allow, and so must the caller's own
// policies (IAM User Guide, "Policy evaluation logic"); sts:TagSession too
// when session tags are passed, sts:SetSourceIdentity when a source
// identity is.
func (s *Service) AssumeRole(ctx context.Context, caller *principal.Principal, region string, in AssumeRoleInput) (*AssumeRoleOutput, error) {
	if _, err := arn.Parse(in.RoleArn); err != nil {
		return nil, errInvalidARN(in.RoleArn)
	}
	if len(in.PolicyArns) > MaxSessionPolicyARNs {
		return nil, errTooManyPolicyArns()
	}
	if err := federatedRefused(caller, "sts:AssumeRole", in.RoleArn); err != nil {
		return nil, err
	}
	root := caller.Kind == principal.Root
	if root && !s.rootMayAssume {
		return nil, errRootAssume()
	}
	chained := caller.Kind == principal.AssumedRole
	d := DefaultRoleSessionDuration
	if in.DurationSeconds != nil {
		d = time.Duration(*in.DurationSeconds) * time.Second
	}
	if chained && d > MaxChainedSessionDuration {
		return nil, errChainedDuration()
	}
	tags, transitive, err := sessionTags(caller, in.Tags, in.TransitiveTagKeys, chained)
	if err != nil {
		return nil, err
	}
	if err := checkSessionPolicy(in.Policy); err != nil {
		return nil, err
	}
	sourceIdentity := in.SourceIdentity
	if chained && caller.SourceIdentity != "" {
		// A source identity, once set, passes to every chained session.
		sourceIdentity = caller.SourceIdentity
	}

	// A code passed is checked (and spent) whatever the trust policy
	// asks; the request is then MFA-authenticated, and so is the
	// session. A caller's session that was keeps it.
	mfaAt, err := s.mfaAuth(ctx, caller, in.SerialNumber, in.TokenCode)
	if err != nil {
		return nil, err
	}
	asker := caller
	if mfaAt.IsZero() {
		mfaAt = caller.MFAAuthTime
	} else {
		c := *caller
		c.MFAAuthTime = mfaAt
		asker = &c
	}

	target, role, err := s.roles.Trust(ctx, caller.Account, in.RoleArn)
	if err != nil {
		return nil, err
	}
	actions := []string{"sts:AssumeRole"}
	if len(in.Tags) > 0 || len(in.TransitiveTagKeys) > 0 {
		actions = append(actions, "sts:TagSession")
	}
	if in.SourceIdentity != "" {
		actions = append(actions, "sts:SetSourceIdentity")
	}
	if err := s.decide(ctx, asker, region, target, assumeKeys(in), actions...); err != nil {
		return nil, err
	}
	if role == nil {
		// Allowed only because authorization is off or in audit: still no
		// role to assume, and AWS names none.
		return nil, errNotAuthorized(caller.ARN, "sts:AssumeRole", in.RoleArn)
	}
	if role.MaxSessionDuration > 0 && d > role.MaxSessionDuration {
		return nil, errMaxSessionDuration()
	}
	account := roleAccount(role.Arn)
	packed, err := s.sessionPolicies(ctx, account, in.Policy, in.PolicyArns, tags, len(in.Tags) > 0)
	if err != nil {
		return nil, err
	}

	p := sessionPrincipal(account, role, in.RoleSessionName)
	p.SessionTags, p.TransitiveTagKeys = tags, transitive
	p.SessionPolicy, p.SessionPolicyARNs = in.Policy, in.PolicyArns
	p.SourceIdentity, p.Chained, p.AssumedBy = sourceIdentity, chained, caller.ARN
	p.MFAAuthTime = mfaAt
	creds, err := s.issue(ctx, p, d)
	if err != nil {
		return nil, err
	}
	if err := s.roles.RecordRoleUsed(ctx, account, role.RoleName, region, s.now()); err != nil {
		return nil, err
	}
	if root {
		leniency.Note(ctx, "the root user assumed a role")
	}
	return &AssumeRoleOutput{
		Credentials:      creds,
		AssumedRoleUser:  &AssumedRoleUser{AssumedRoleId: p.UserID, Arn: p.ARN},
		PackedPolicySize: packed,
		SourceIdentity:   sourceIdentity,
	}, nil
}

// sessionPolicies checks a new session's managed session policies exist
// in account and that its policies and tags fit: PackedPolicySize, set
// when session policies or (asked) tags were passed.
func (s *Service) sessionPolicies(ctx context.Context, account, inline string, arns []string, tags []principal.Tag, tagsAsked bool) (*int32, error) {
	for _, pa := range arns {
		ok, err := s.roles.PolicyExists(ctx, account, pa)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, errNoSuchSessionPolicy(pa)
		}
	}
	if inline == "" && len(arns) == 0 && !tagsAsked {
		return nil, nil
	}
	pp, tp := packedPercents(inline, arns, tags)
	if pp > 100 {
		return nil, errPackedPolicy(pp)
	}
	if tp > 100 {
		return nil, errPackedTags(tp)
	}
	v := int32(max(pp, tp))
	return &v, nil
}

// assumeKeys are the condition keys of an AssumeRole request (IAM User
// Guide, "Available keys for AWS STS").
func assumeKeys(in AssumeRoleInput) authz.Keys {
	var k authz.Keys
	k.Set("sts:RoleSessionName", in.RoleSessionName)
	if in.ExternalId != "" {
		k.Set("sts:ExternalId", in.ExternalId)
	}
	if in.SourceIdentity != "" {
		k.Set("sts:SourceIdentity", in.SourceIdentity)
	}
	for _, t := range in.Tags {
		k.Tag(t.Key, t.Value)
	}
	k.Set("sts:TransitiveTagKeys", in.TransitiveTagKeys...)
	return k
}

// decide asks the authorizer for each action on target.
func (s *Service) decide(ctx context.Context, p *principal.Principal, region string, target authz.Target, keys authz.Keys, actions ...string) error {
	if s.authz == nil {
		return nil
	}
	for _, action := range actions {
		r := &authz.Request{Principal: p, Action: action, Region: region, Access: authz.Access{Targets: []authz.Target{target}, Keys: keys}}
		if _, err := s.authz.Decide(ctx, r); err != nil {
			return err
		}
	}
	return nil
}

// AssumeRoleAsService is an AWS service principal ("ecs-tasks.amazonaws.com")
// assuming a role inside rolecall for account, in region (recorded as the
// role's RoleLastUsed region), with the keys the service sends
// (aws:SourceAccount, aws:SourceArn): the authorizer decides, and the role's
// trust policy must allow the service. A refusal is AccessDenied naming
// the service; the calling service words its own error (ECS: "ECS was
// unable to assume the role ..."). The session lasts
// DefaultRoleSessionDuration; ask again to renew.
func (s *Service) AssumeRoleAsService(ctx context.Context, servicePrincipal, account, roleARN, sessionName, region string, keys authz.Keys) (*principal.Session, error) {
	caller := principal.AWSService(servicePrincipal)
	if _, err := arn.Parse(roleARN); err != nil {
		return nil, errInvalidARN(roleARN)
	}
	target, role, err := s.roles.Trust(ctx, account, roleARN)
	if err != nil {
		return nil, err
	}
	if err := s.decide(ctx, caller, region, target, keys, "sts:AssumeRole"); err != nil {
		return nil, err
	}
	if role == nil {
		return nil, errNotAuthorized(caller.ARN, "sts:AssumeRole", roleARN)
	}
	account = roleAccount(role.Arn)
	p := sessionPrincipal(account, role, sessionName)
	p.AssumedBy = servicePrincipal
	d := DefaultRoleSessionDuration
	creds, err := s.issue(ctx, p, d)
	if err != nil {
		return nil, err
	}
	if err := s.roles.RecordRoleUsed(ctx, account, role.RoleName, region, s.now()); err != nil {
		return nil, err
	}
	issued := creds.Expiration.Add(-d)
	p.AccessKeyID, p.Temporary, p.Expiration, p.IssuedAt = creds.AccessKeyId, true, creds.Expiration, issued
	return &principal.Session{AccessKeyID: creds.AccessKeyId, SecretAccessKey: creds.SecretAccessKey, SessionToken: creds.SessionToken,
		Expiration: creds.Expiration, IssuedAt: issued, Principal: p}, nil
}

// sessionPrincipal is a new session of role: arn:aws:sts::ACCOUNT:
// assumed-role/NAME/SESSION (no path), user ID ROLEID:SESSION.
func sessionPrincipal(account string, role *Role, session string) principal.Principal {
	return principal.Principal{
		Kind:        principal.AssumedRole,
		Account:     account,
		ARN:         "arn:aws:sts::" + account + ":assumed-role/" + role.RoleName + "/" + session,
		UserID:      role.RoleId + ":" + session,
		Name:        role.RoleName,
		RoleARN:     role.Arn,
		RoleID:      role.RoleId,
		SessionName: session,
	}
}

// sessionTags validates the request's session tags and returns the new
// session's tags and transitive keys: those the calling session passes on
// (role chaining), then the request's.
func sessionTags(caller *principal.Principal, tags []principal.Tag, transitiveKeys []string, chained bool) ([]principal.Tag, []string, error) {
	seen := map[string]bool{}
	for _, t := range tags {
		k := strings.ToLower(t.Key)
		if seen[k] {
			return nil, nil, errDuplicateTagKeys()
		}
		seen[k] = true
	}
	for _, k := range transitiveKeys {
		if !seen[strings.ToLower(k)] {
			return nil, nil, errTransitiveNotInTags()
		}
	}
	var outTags []principal.Tag
	var outKeys []string
	if chained {
		inherited := map[string]bool{}
		for _, k := range caller.TransitiveTagKeys {
			inherited[strings.ToLower(k)] = true
			outKeys = append(outKeys, k)
		}
		for _, t := range caller.SessionTags {
			if inherited[strings.ToLower(t.Key)] {
				if seen[strings.ToLower(t.Key)] {
					return nil, nil, errTransitiveConflict()
				}
				outTags = append(outTags, t)
			}
		}
	}
	outTags = append(outTags, tags...)
	outKeys = append(outKeys, transitiveKeys...)
	return outTags, outKeys, nil
}

func roleAccount(roleArn string) string {
	a, _ := arn.Parse(roleArn)
	return a.Account
}

package sts

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/rolecall/rolecall/internal/arn"
	"github.com/rolecall/rolecall/internal/auth"
	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/iam"
	"github.com/rolecall/rolecall/internal/policy"
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
	Tags                     []auth.Tag
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

// AssumeRole gives caller a session of the role in.RoleArn, if the role's
// trust policy and the caller's own policies allow it as AWS decides
// (policy.Evaluate, with the trust policy as the role's resource-based
// policy), acting in region.
func (s *Service) AssumeRole(ctx context.Context, caller *auth.Principal, region string, in AssumeRoleInput) (*AssumeRoleOutput, error) {
	if _, err := arn.Parse(in.RoleArn); err != nil {
		return nil, errInvalidARN(in.RoleArn)
	}
	if len(in.PolicyArns) > MaxSessionPolicyARNs {
		return nil, errTooManyPolicyArns()
	}
	if caller.Kind == auth.Root {
		return nil, errRootAssume()
	}
	chained := caller.Kind == auth.AssumedRole
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
	if in.Policy != "" {
		if _, err := policy.Parse(in.Policy, policy.Identity); err != nil {
			return nil, err
		}
	}
	sourceIdentity := in.SourceIdentity
	if chained && caller.SourceIdentity != "" {
		// A source identity, once set, passes to every chained session.
		sourceIdentity = caller.SourceIdentity
	}

	role, err := s.iam.RoleByARN(ctx, in.RoleArn)
	if err != nil {
		if isClientError(err) {
			return nil, errNotAuthorized(caller.ARN, "sts:AssumeRole", in.RoleArn)
		}
		return nil, err
	}
	if auth.IsServiceLinkedRole(role.Arn) && caller.Kind != auth.Service {
		// Only the linked service may assume its role; its trust policy
		// names that service alone and cannot be changed.
		return nil, errNotAuthorized(caller.ARN, "sts:AssumeRole", in.RoleArn)
	}
	if err := s.authorize(ctx, caller, role, region, in); err != nil {
		return nil, err
	}
	if role.MaxSessionDuration != nil && d > time.Duration(*role.MaxSessionDuration)*time.Second {
		return nil, errMaxSessionDuration()
	}
	var packed *int32
	if in.Policy != "" || len(in.PolicyArns) > 0 || len(in.Tags) > 0 {
		pp, tp := packedPercents(in.Policy, in.PolicyArns, tags)
		if pp > 100 {
			return nil, errPackedPolicy(pp)
		}
		if tp > 100 {
			return nil, errPackedTags(tp)
		}
		v := int32(max(pp, tp))
		packed = &v
	}

	account := roleAccount(role.Arn)
	p := sessionPrincipal(account, role, in.RoleSessionName)
	p.SessionTags, p.TransitiveTagKeys = tags, transitive
	p.SessionPolicy, p.SessionPolicyARNs = in.Policy, in.PolicyArns
	p.SourceIdentity, p.Chained, p.AssumedBy = sourceIdentity, chained, caller.ARN
	creds, err := s.issue(ctx, p, d)
	if err != nil {
		return nil, err
	}
	if err := s.iam.RecordRoleUsed(ctx, account, role.RoleName, region, s.now()); err != nil {
		return nil, err
	}
	return &AssumeRoleOutput{
		Credentials:      creds,
		AssumedRoleUser:  &AssumedRoleUser{AssumedRoleId: p.UserID, Arn: p.ARN},
		PackedPolicySize: packed,
		SourceIdentity:   sourceIdentity,
	}, nil
}

// AssumeRoleAsService is an AWS service principal ("ecs-tasks.amazonaws.com")
// assuming a role inside rolecall, for a task or an instance, in region
// (recorded as the role's RoleLastUsed region): the role's trust policy
// alone decides. A refusal is AccessDenied naming the service; the calling
// service words its own error (ECS: "ECS was unable to assume the role
// ..."). The session lasts DefaultRoleSessionDuration; ask again to renew.
func (s *Service) AssumeRoleAsService(ctx context.Context, servicePrincipal, roleARN, sessionName, region string) (*auth.Session, error) {
	caller := auth.ServicePrincipal(servicePrincipal)
	if _, err := arn.Parse(roleARN); err != nil {
		return nil, errInvalidARN(roleARN)
	}
	role, err := s.iam.RoleByARN(ctx, roleARN)
	if err != nil {
		if isClientError(err) {
			return nil, errNotAuthorized(caller.ARN, "sts:AssumeRole", roleARN)
		}
		return nil, err
	}
	in := AssumeRoleInput{RoleArn: roleARN, RoleSessionName: sessionName}
	if err := s.authorize(ctx, caller, role, region, in); err != nil {
		return nil, err
	}
	account := roleAccount(role.Arn)
	p := sessionPrincipal(account, role, sessionName)
	p.AssumedBy = servicePrincipal
	d := DefaultRoleSessionDuration
	creds, err := s.issue(ctx, p, d)
	if err != nil {
		return nil, err
	}
	if err := s.iam.RecordRoleUsed(ctx, account, role.RoleName, region, s.now()); err != nil {
		return nil, err
	}
	issued := creds.Expiration.Add(-d)
	p.AccessKeyID, p.Temporary, p.Expiration, p.IssuedAt = creds.AccessKeyId, true, creds.Expiration, issued
	return &auth.Session{AccessKeyID: creds.AccessKeyId, SecretAccessKey: creds.SecretAccessKey, SessionToken: creds.SessionToken,
		Expiration: creds.Expiration, IssuedAt: issued, Principal: p}, nil
}

// sessionPrincipal is a new session of role: arn:aws:sts::ACCOUNT:
// assumed-role/NAME/SESSION (no path), user ID ROLEID:SESSION.
func sessionPrincipal(account string, role *iam.Role, session string) auth.Principal {
	return auth.Principal{
		Kind:        auth.AssumedRole,
		Account:     account,
		ARN:         "arn:aws:sts::" + account + ":assumed-role/" + role.RoleName + "/" + session,
		UserID:      role.RoleId + ":" + session,
		Name:        role.RoleName,
		RoleARN:     role.Arn,
		RoleID:      role.RoleId,
		SessionName: session,
	}
}

// authorize evaluates sts:AssumeRole on role for caller, and sts:TagSession
// when session tags are passed, sts:SetSourceIdentity when a source
// identity is.
func (s *Service) authorize(ctx context.Context, caller *auth.Principal, role *iam.Role, region string, in AssumeRoleInput) error {
	trust, err := s.policies.Compile(policy.TypeResource, role.Arn, role.AssumeRolePolicyDocument, policy.Trust)
	if err != nil {
		return err
	}
	set, err := s.policies.For(ctx, caller)
	if err != nil {
		return err
	}
	set.Resource = trust
	pc, err := s.policies.Caller(ctx, caller)
	if err != nil {
		return err
	}
	c := s.requestContext(pc, region, in)
	if caller.Temporary && !caller.IssuedAt.IsZero() {
		// A revoked session may not chain into another role either.
		c.Set("aws:TokenIssueTime", caller.IssuedAt.UTC().Format(time.RFC3339))
	}
	actions := []string{"sts:AssumeRole"}
	if len(in.Tags) > 0 || len(in.TransitiveTagKeys) > 0 {
		actions = append(actions, "sts:TagSession")
	}
	if in.SourceIdentity != "" {
		actions = append(actions, "sts:SetSourceIdentity")
	}
	for _, action := range actions {
		d := policy.Evaluate(set, &policy.Request{
			Caller: pc, Action: action, Resource: role.Arn, ResourceAccount: roleAccount(role.Arn), Context: c,
		})
		// Unlike other resource-based policies, a trust policy must allow
		// even in the role's own account: identity policies alone cannot
		// assume a role that does not trust the caller (IAM User Guide,
		// "Roles terms and concepts", trust policy; "Policy evaluation
		// logic", role trust policies).
		if !d.Allowed() || !d.Types[policy.TypeResource].Allowed {
			return errNotAuthorized(caller.ARN, action, in.RoleArn)
		}
	}
	return nil
}

// requestContext is what AWS puts in an AssumeRole request's context (IAM
// User Guide, "Available keys for AWS STS").
func (s *Service) requestContext(pc policy.Caller, region string, in AssumeRoleInput) *policy.Context {
	now := s.clock.Now().UTC()
	c := policy.NewContext().AddCaller(pc)
	c.Set("aws:CurrentTime", now.Format(time.RFC3339))
	c.Set("aws:EpochTime", strconv.FormatInt(now.Unix(), 10))
	if region != "" {
		c.Set("aws:RequestedRegion", region)
	}
	c.Set("sts:RoleSessionName", in.RoleSessionName)
	if in.ExternalId != "" {
		c.Set("sts:ExternalId", in.ExternalId)
	}
	if in.SourceIdentity != "" {
		c.Set("sts:SourceIdentity", in.SourceIdentity)
	}
	if len(in.Tags) > 0 {
		keys := make([]string, len(in.Tags))
		for i, t := range in.Tags {
			keys[i] = t.Key
			c.Set("aws:RequestTag/"+t.Key, t.Value)
		}
		c.Set("aws:TagKeys", keys...)
	}
	if len(in.TransitiveTagKeys) > 0 {
		c.Set("sts:TransitiveTagKeys", in.TransitiveTagKeys...)
	}
	return c
}

// sessionTags validates the request's session tags and returns the new
// session's tags and transitive keys: those the calling session passes on
// (role chaining), then the request's.
func sessionTags(caller *auth.Principal, tags []auth.Tag, transitiveKeys []string, chained bool) ([]auth.Tag, []string, error) {
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
	var outTags []auth.Tag
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

// isClientError reports an error the caller caused (no such role, not a
// role ARN), which AssumeRole answers as AccessDenied.
func isClientError(err error) bool {
	var ae *awserr.Error
	return errors.As(err, &ae) && ae.Status >= 400 && ae.Status < 500
}

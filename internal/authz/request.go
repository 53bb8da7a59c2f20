package authz

import (
	"context"
	"strings"

	"github.com/rolecall/rolecall/internal/principal"
)

// Request is one authorization question.
type Request struct {
	Principal *principal.Principal
	// Action is the IAM action: "iam:GetRole", "sts:AssumeRole",
	// "ecs:RunTask".
	Action string
	// Region is the Region the service sees: aws:RequestedRegion. IAM is
	// global and answers from us-east-1 (IAMRegion); "" sets no key.
	Region string
	// Access is what the action acts on and the request's keys.
	Access
	// Via is the service principal that makes the request on the
	// principal's behalf ("ecs.amazonaws.com" creating its service-linked
	// role in CreateCluster): aws:ViaAWSService and aws:CalledVia.
	Via string
	// Known, when set, is Action looked up ahead (LookUp); one looked up
	// for another action is not used.
	Known *KnownAction
	// ProviderKeys are the keys an identity provider's token brings
	// (token.actions.githubusercontent.com:sub): set as they are, though
	// the Service Authorization Reference lists few, since their names
	// are the provider's (IAM User Guide, "Available keys for AWS OIDC
	// federation").
	ProviderKeys Keys
}

// IAMRegion is the Region IAM requests are made in: IAM's endpoint is
// global, served from us-east-1, which aws:RequestedRegion names whatever
// Region the client signed for (IAM User Guide, aws:RequestedRegion: "IAM
// is a global service... the value is us-east-1").
const IAMRegion = "us-east-1"

// Access is what a request acts on, as an operation declares it.
type Access struct {
	// Targets are the resources the action acts on, resolved to what is
	// stored; every one must be allowed. None means "*".
	Targets []Target
	// Keys are the request's own condition keys (aws:RequestTag/KEY,
	// aws:TagKeys, iam:PolicyARN, sts:ExternalId, aws:SourceArn for a
	// service principal...). Service keys the action does not support on
	// a target's resource type are left out, as AWS leaves them out.
	Keys Keys
}

// Acting is the Access of targets with no request keys.
func Acting(targets ...Target) Access { return Access{Targets: targets} }

// Keys are condition keys and their values.
type Keys map[string][]string

// Set sets key to values, replacing what it had; no values is a no-op.
func (k *Keys) Set(key string, values ...string) {
	if len(values) == 0 {
		return
	}
	if *k == nil {
		*k = Keys{}
	}
	(*k)[key] = values
}

// Tag adds a tag the request carries: aws:RequestTag/KEY, and KEY to
// aws:TagKeys (IAM User Guide, "Controlling access during AWS requests").
func (k *Keys) Tag(key, value string) {
	k.Set("aws:RequestTag/"+key, value)
	k.Set("aws:TagKeys", append((*k)["aws:TagKeys"], key)...)
}

// Target is one resource an action acts on, as it is stored.
type Target struct {
	// ARN is the resource's canonical ARN: built from the stored entity
	// (its name as created, its path), or, for a resource that does not
	// exist, the ARN AWS forms from the request. "*" for actions without
	// a resource.
	ARN string
	// Display is how AWS's AccessDenied names the resource: IAM says "role
	// NAME" for its existing entities; "" means the ARN.
	Display string
	// Unnamed: AWS's AccessDenied names no resource ("... is not
	// authorized to perform: ec2:CreateNetworkInterface because ..."), as
	// for actions a service's role makes on "*".
	Unnamed bool
	// Account owns the resource; "" is the caller's own account (and "*").
	// A resource of another account is evaluated cross-account: only its
	// resource-based policy can let the caller in.
	Account string
	// Type is the Service Authorization Reference's resource type ("role",
	// "cluster"); "" for "*". It decides which service keys apply.
	Type string
	// Tags are the resource's tags (aws:ResourceTag/KEY and the service's
	// ResourceTag keys).
	Tags map[string]string
	// Keys are condition keys the resource brings: an IAM role's
	// iam:PermissionsBoundary, an ECS service's ecs:cluster. The request's
	// own Keys win where both name a key.
	Keys Keys
	// Policy is the resource's resource-based policy, nil for none.
	Policy *ResourcePolicy
}

// ResourcePolicy is a resource-based policy.
type ResourcePolicy struct {
	// Source names the policy in records: the role ARN for its trust
	// policy.
	Source string
	// Document is its text. A trust policy names IAM users and roles by
	// their unique IDs (AIDA..., AROA...), as IAM keeps them.
	Document string
	// Trust marks a role's trust policy: unlike other resource-based
	// policies it must allow even in the role's own account (IAM User
	// Guide, "Policy evaluation logic", role trust policies), and STS
	// words its denials without a reason.
	Trust bool
}

// Any is the target of actions that have no resource ("*").
func Any() Target { return Target{ARN: "*"} }

// Trust is a role's trust policy as the target of sts:AssumeRole: a role
// that does not exist (or that the caller cannot see) has none, and
// nothing may assume it.
func Trust(roleARN, account, document string, tags map[string]string) Target {
	t := Target{ARN: roleARN, Account: account, Type: "role", Tags: tags, Policy: &ResourcePolicy{Source: roleARN, Document: document, Trust: true}}
	return t
}

func (t *Target) display() string {
	if t.Unnamed {
		return ""
	}
	if t.Display != "" {
		return t.Display
	}
	return t.ARN
}

// inAccount reports whether t belongs to account (or to nobody: "*").
func (t *Target) inAccount(account string) bool {
	return t.Account == "" || t.Account == account
}

// Outcome is what the caller does with an allowed decision.
type Outcome struct {
	// WouldDeny is, in audit mode, the AccessDenied message AWS would
	// have answered; the request goes on.
	WouldDeny string
}

// service is the prefix of an action ("iam" of "iam:GetRole").
func service(action string) string {
	s, _, _ := strings.Cut(action, ":")
	return s
}

// Decider is the authorizer as those who ask it see it: STS, ECS's role
// decisions, the server. Tests may stand in for it.
type Decider interface {
	Decide(ctx context.Context, r *Request) (Outcome, error)
}

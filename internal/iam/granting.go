package iam

import (
	"context"
	"strings"

	"github.com/rolecall/rolecall/internal/arn"
)

// Policy types and owner entity types of ListPoliciesGrantingServiceAccess.
const (
	PolicyTypeInline  = "INLINE"
	PolicyTypeManaged = "MANAGED"
)

// PolicyGrantingServiceAccess is one policy that grants access to a
// service: a managed policy by name and ARN, an inline one by name and the
// entity it is embedded in.
type PolicyGrantingServiceAccess struct {
	PolicyName, PolicyType, PolicyArn string
	EntityType, EntityName            string
}

// PoliciesGrantingService are the policies that grant access to one
// service namespace.
type PoliciesGrantingService struct {
	ServiceNamespace string
	Policies         []PolicyGrantingServiceAccess
}

// ListPoliciesGrantingServiceAccess lists, for each namespace, the
// permissions policies of the user, group or role entityArn names that
// grant access to that service: "Retrieves a list of policies that the IAM
// identity (user, group, or role) can use to access each specified
// service. ... It only applies permissions policy logic" (IAM API
// reference). A user's include its groups'; permissions boundaries are not
// listed. A policy grants access to a service when it allows one of its
// actions, as Access Advisor reads policies (advisor_allow.go), and the
// actions are the Service Authorization Reference's. Namespaces come back
// in the order asked, each once.
func (s *Service) ListPoliciesGrantingServiceAccess(ctx context.Context, account, entityArn string, namespaces []string) ([]PoliciesGrantingService, error) {
	t, err := parseAdvisorTarget(account, entityArn)
	if err != nil {
		return nil, err
	}
	var pp *PrincipalPolicies
	switch t.kind {
	case "user":
		pp, err = s.UserPolicies(ctx, account, t.name)
	case "group":
		pp, err = s.GroupPolicies(ctx, account, t.name)
	case "role":
		pp, err = s.RolePolicies(ctx, account, t.name)
	default:
		return nil, errAdvisorArn(entityArn)
	}
	if isNoSuchEntity(err) || (err == nil && pp.ARN != entityArn) {
		return nil, t.notFound()
	}
	if err != nil {
		return nil, err
	}
	granted := map[string][]PolicyGrantingServiceAccess{}
	seen := map[string]bool{}
	for _, d := range pp.Identity {
		ns, _ := allowedServices([]string{d.Document})
		g := PolicyGrantingServiceAccess{PolicyName: d.PolicyName, PolicyType: PolicyTypeManaged, PolicyArn: d.PolicyArn}
		if d.Inline {
			g = PolicyGrantingServiceAccess{PolicyName: d.PolicyName, PolicyType: PolicyTypeInline}
			g.EntityType, g.EntityName = ownerEntity(d.Owner)
		}
		for _, n := range ns {
			// A managed policy attached to a user and to its group is
			// one policy.
			k := n + "\x00" + g.PolicyArn + "\x00" + g.EntityType + "\x00" + g.EntityName + "\x00" + g.PolicyName
			if !seen[k] {
				seen[k] = true
				granted[n] = append(granted[n], g)
			}
		}
	}
	var out []PoliciesGrantingService
	listed := map[string]bool{}
	for _, n := range namespaces {
		ln := strings.ToLower(n)
		if listed[ln] {
			continue
		}
		listed[ln] = true
		out = append(out, PoliciesGrantingService{ServiceNamespace: n, Policies: nonNilPolicies(granted[ln])})
	}
	return out, nil
}

func nonNilPolicies(p []PolicyGrantingServiceAccess) []PolicyGrantingServiceAccess {
	if p == nil {
		return []PolicyGrantingServiceAccess{}
	}
	return p
}

// ownerEntity is the entity type (USER, GROUP, ROLE) and name of an
// inline policy's owner ARN.
func ownerEntity(owner string) (string, string) {
	a, _ := arn.Parse(owner)
	kind, rest, _ := strings.Cut(a.Resource, "/")
	return strings.ToUpper(kind), rest[strings.LastIndexByte(rest, '/')+1:]
}

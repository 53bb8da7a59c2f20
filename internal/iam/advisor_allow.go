package iam

import (
	"sort"
	"strings"

	"github.com/rolecall/rolecall/internal/catalog/actions"
	"github.com/rolecall/rolecall/internal/policy"
)

// Which services an entity's identity policies allow, as Access Advisor
// lists them: "the services that the policies allow" (IAM user guide,
// "Refine permissions in AWS using last accessed information"), using
// permissions policy logic only. Boundaries, SCPs, session and resource
// policies are not consulted (API reference,
// GetServiceLastAccessedDetails). The analysis is static, over action
// patterns: an Allow statement allows the actions its Action matches (or,
// for NotAction, every action it does not match), whatever its Resource
// and Condition; a Deny statement takes actions away only when it applies
// to every request for them (Resource "*", no Condition), since any
// narrower Deny leaves the service usable.

// serviceAllow is what the policies allow in one service: all of its
// actions, or those named (lower-case name -> name as the reference spells
// it).
type serviceAllow struct {
	all     bool
	actions map[string]string
}

func (a *serviceAllow) add(name string) {
	if a.actions == nil {
		a.actions = map[string]string{}
	}
	a.actions[strings.ToLower(name)] = name
}

// actionSet is a set of actions grouped by service namespace.
type actionSet map[string]*serviceAllow

func (s actionSet) service(ns string) *serviceAllow {
	a := s[ns]
	if a == nil {
		a = &serviceAllow{}
		s[ns] = a
	}
	return a
}

// addPattern adds the actions an Action pattern ("iam:Get*", "s3:*", "*")
// matches. A whole service ("svc:*") is marked without listing its actions.
func (s actionSet) addPattern(pattern string) {
	svcPat, actPat, ok := strings.Cut(pattern, ":")
	if !ok {
		if pattern != "*" {
			return
		}
		svcPat, actPat = "*", "*"
	}
	if actPat == "*" {
		for _, si := range actions.Services() {
			if matchFold(svcPat, si.Prefix) {
				s.service(si.Prefix).all = true
			}
		}
		return
	}
	for _, a := range actions.MatchActions(pattern) {
		s.service(a.Service).add(a.Name)
	}
}

// complement is every action not in s (a NotAction element's actions).
func (s actionSet) complement() actionSet {
	out := actionSet{}
	for _, si := range actions.Services() {
		ex := s[si.Prefix]
		switch {
		case ex == nil:
			out.service(si.Prefix).all = true
		case ex.all:
		default:
			for _, a := range actions.Actions(si.Prefix) {
				if _, denied := ex.actions[strings.ToLower(a.Name)]; !denied {
					out.service(si.Prefix).add(a.Name)
				}
			}
		}
	}
	return out
}

func (s actionSet) merge(o actionSet) {
	for ns, a := range o {
		dst := s.service(ns)
		if a.all {
			dst.all = true
		}
		for k, v := range a.actions {
			if dst.actions == nil {
				dst.actions = map[string]string{}
			}
			dst.actions[k] = v
		}
	}
}

// names lists the actions of one service that a allows, sorted by name.
func (a *serviceAllow) names(ns string) []string {
	var out []string
	if a.all {
		for _, ai := range actions.Actions(ns) {
			out = append(out, ai.Name)
		}
		return out
	}
	for _, n := range a.actions {
		out = append(out, n)
	}
	sort.Slice(out, func(i, j int) bool { return strings.ToLower(out[i]) < strings.ToLower(out[j]) })
	return out
}

// allowedServices works out what a set of identity policy documents
// allows: the service namespaces, sorted, and what each allows.
// Documents that do not parse are skipped (IAM validated them on write).
func allowedServices(docs []string) ([]string, actionSet) {
	allow, deny := actionSet{}, actionSet{}
	for _, doc := range docs {
		d, err := policy.Parse(doc, policy.Identity)
		if err != nil {
			continue
		}
		for _, st := range d.Statements {
			switch {
			case st.Effect == "Allow" && len(st.NotAction) > 0:
				ex := actionSet{}
				for _, p := range st.NotAction {
					ex.addPattern(p)
				}
				allow.merge(ex.complement())
			case st.Effect == "Allow":
				for _, p := range st.Action {
					allow.addPattern(p)
				}
			case st.Effect == "Deny" && blanketDeny(&st):
				for _, p := range st.Action {
					deny.addPattern(p)
				}
			}
		}
	}
	var out []string
	for ns, a := range allow {
		d := deny[ns]
		switch {
		case d == nil:
		case d.all:
			delete(allow, ns)
			continue
		case len(d.actions) > 0:
			left := &serviceAllow{}
			for _, n := range a.names(ns) {
				if _, denied := d.actions[strings.ToLower(n)]; !denied {
					left.add(n)
				}
			}
			if len(left.actions) == 0 {
				delete(allow, ns)
				continue
			}
			allow[ns] = left
		}
		if !a.all && len(a.actions) == 0 {
			delete(allow, ns)
			continue
		}
		out = append(out, ns)
	}
	sort.Strings(out)
	return out, allow
}

// blanketDeny says whether a Deny statement refuses its actions in every
// request: on every resource and without conditions.
func blanketDeny(st *policy.Statement) bool {
	if len(st.Condition) > 0 || len(st.NotResource) > 0 || len(st.NotAction) > 0 {
		return false
	}
	for _, r := range st.Resource {
		if r == "*" {
			return true
		}
	}
	return false
}

// matchFold matches s against a pattern with '*' (any run) and '?' (any
// one character), ASCII case-insensitively, as IAM matches action names.
func matchFold(p, s string) bool {
	star, mark := -1, 0
	i, j := 0, 0
	for j < len(s) {
		switch {
		case i < len(p) && (p[i] == '?' || lowerByte(p[i]) == lowerByte(s[j])):
			i++
			j++
		case i < len(p) && p[i] == '*':
			star, mark = i, j
			i++
		case star >= 0:
			i = star + 1
			mark++
			j = mark
		default:
			return false
		}
	}
	for i < len(p) && p[i] == '*' {
		i++
	}
	return i == len(p)
}

func lowerByte(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// Access Advisor reports actions only for some services: "action last
// accessed information" is tracked for the management actions of Amazon
// EC2, IAM, AWS Lambda and Amazon S3 (IAM user guide, "IAM Access Analyzer
// policy generation and IAM action last accessed support", which marks
// these four services "Yes"; AWS Security Blog, "Review last accessed
// information to identify unused EC2, IAM, and Lambda permissions", 2023:
// S3 since 2020, EC2, IAM and Lambda since 2023). AWS has added services
// since ("IAM action last accessed information services and actions");
// rolecall tracks these four, and every action of them, since the
// reference does not say which actions AWS counts as management actions.
var trackedServices = map[string]bool{"ec2": true, "iam": true, "lambda": true, "s3": true}

// TrackedService says whether Access Advisor reports action-level
// information for a service namespace.
func TrackedService(namespace string) bool { return trackedServices[strings.ToLower(namespace)] }

// advisorNames are the service names Access Advisor answers where they are
// not the Service Authorization Reference's: the reference qualifies some
// names ("AWS Identity and Access Management (IAM)") and, where several
// services share a prefix, names the prefix after one of them
// (cloudformation after Cloud Control API, ses after Pinpoint Email,
// elasticloadbalancing after ELB v2). The names are AWS's answers:
// botocore's GetServiceLastAccessedDetails example (iam) and a recorded
// GetServiceLastAccessedDetails answer for an AdministratorAccess user kept
// in bridgecrewio/AirIAM's tests (all of these).
var advisorNames = map[string]string{
	"iam":                     "AWS Identity and Access Management",
	"cloudformation":          "AWS CloudFormation",
	"elasticloadbalancing":    "Elastic Load Balancing",
	"application-autoscaling": "Application Auto Scaling",
	"ses":                     "Amazon SES",
	"apigateway":              "Manage - Amazon API Gateway",
	"aws-marketplace":         "AWS Marketplace",
	"kinesisanalytics":        "Amazon Kinesis Analytics",
	"lex":                     "Amazon Lex",
	"greengrass":              "AWS IoT Greengrass",
	"ram":                     "AWS Resource Access Manager",
}

// AdvisorServiceName is the ServiceName Access Advisor gives a namespace.
func AdvisorServiceName(namespace string) string {
	if n, ok := advisorNames[namespace]; ok {
		return n
	}
	if si, ok := actions.Service(namespace); ok {
		return si.Name
	}
	return namespace
}

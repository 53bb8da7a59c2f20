package authz

import (
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/rolecall/rolecall/internal/catalog/actions"
	"github.com/rolecall/rolecall/internal/policy"
	"github.com/rolecall/rolecall/internal/principal"
)

// context is the request context AWS evaluates the question on target t
// with, built here and nowhere else (IAM User Guide, "AWS global condition
// context keys"; the Service Authorization Reference for the service
// keys):
//
//   - the caller: aws:PrincipalArn, aws:PrincipalAccount, aws:PrincipalType,
//     aws:userid, aws:username, aws:PrincipalTag/KEY, aws:SourceIdentity
//     (policy.AddCaller); for a service principal aws:PrincipalServiceName
//     and aws:PrincipalIsAWSService;
//   - the request: aws:CurrentTime, aws:EpochTime, aws:SecureTransport,
//     aws:SourceIp, aws:RequestedRegion, aws:ViaAWSService and
//     aws:CalledVia (a service acting for the caller),
//     aws:MultiFactorAuthPresent and aws:MultiFactorAuthAge (true and the
//     seconds since, for a principal that proved an MFA code; false and
//     absent for other temporary credentials; both absent for long-term
//     keys), aws:TokenIssueTime (temporary credentials),
//     the keys a federated session carries (saml:sub...), and the
//     request's Keys;
//   - the resource: aws:ResourceTag/KEY (and the service's ResourceTag
//     keys) where its resource type supports them, and the target's Keys.
//
// Service keys (iam:..., ecs:..., sts:...) are set only where the
// reference says the action supports them on t's resource type. full
// sets every key; otherwise only those the policies read are set, which
// decides the same and costs a fraction.
func (q *question) context(t *Target, set *policy.PolicySet, full bool) *policy.Context {
	c := policy.NewContext()
	n := &q.pe.need
	if full {
		n = &needAll
	} else if set.Resource != nil {
		n = n.with(set.Resource)
	}
	want := func(k string) bool { return n.all || lookupLower(n.keys, k) }
	set1 := func(k string, v ...string) {
		if want(k) {
			c.Set(k, v...)
		}
	}
	p, meta := q.p, q.meta
	if n.all || n.caller {
		c.AddCaller(q.pe.caller)
	}
	// Values that cost a string are made only for a policy that reads them.
	if want("aws:CurrentTime") {
		c.Set("aws:CurrentTime", q.now.Format(time.RFC3339))
	}
	if want("aws:EpochTime") {
		c.Set("aws:EpochTime", strconv.FormatInt(q.now.Unix(), 10))
	}
	set1("aws:SecureTransport", strconv.FormatBool(meta.Secure))
	if meta.SourceIP != "" && p.Kind != principal.Service {
		// A service's own requests come from AWS, not from the caller's
		// address.
		set1("aws:SourceIp", meta.SourceIP)
	}
	if q.r.Region != "" {
		set1("aws:RequestedRegion", q.r.Region)
	}
	isService := p.Kind == principal.Service
	set1("aws:PrincipalIsAWSService", strconv.FormatBool(isService))
	if q.r.Via != "" {
		set1("aws:ViaAWSService", "true")
		for _, k := range [...]string{"aws:CalledVia", "aws:CalledViaFirst", "aws:CalledViaLast"} {
			set1(k, q.r.Via)
		}
	} else {
		set1("aws:ViaAWSService", "false")
	}
	if !p.MFAAuthTime.IsZero() {
		set1("aws:MultiFactorAuthPresent", "true")
		if want("aws:MultiFactorAuthAge") {
			c.Set("aws:MultiFactorAuthAge", strconv.FormatInt(int64(max(q.now.Sub(p.MFAAuthTime), 0)/time.Second), 10))
		}
	} else if p.Temporary {
		set1("aws:MultiFactorAuthPresent", "false")
	}
	if p.Temporary {
		// "This key is included in the request context only when the
		// principal uses temporary credentials" (IAM User Guide, global
		// condition keys): what "Revoke active sessions" compares.
		if !p.IssuedAt.IsZero() && want("aws:TokenIssueTime") {
			c.Set("aws:TokenIssueTime", p.IssuedAt.UTC().Format(time.RFC3339))
		}
	}
	if len(p.FederationKeys) > 0 {
		for _, k := range slices.Sorted(maps.Keys(p.FederationKeys)) {
			set1(k, p.FederationKeys[k])
		}
	}
	ks := keysFor(q.info, t.Type)
	if len(t.Tags) > 0 && (n.all || n.resourceTags) {
		var prefixes []string
		if ks.has("aws:ResourceTag/${TagKey}") {
			prefixes = append(prefixes, "aws:ResourceTag/")
		}
		svc := service(q.action)
		if ks.has(svc + ":ResourceTag/${TagKey}") {
			prefixes = append(prefixes, svc+":ResourceTag/")
		}
		for _, pre := range prefixes {
			for k, v := range t.Tags {
				c.Set(pre+k, v)
			}
		}
	}
	for _, keys := range [...]Keys{t.Keys, q.r.Keys} {
		for k, v := range keys {
			if !want(k) && !(n.requestTags && isRequestTagKey(k)) {
				continue
			}
			if globalKey(k) || ks.has(k) {
				c.Set(k, v...)
			}
		}
	}
	for k, v := range q.r.ProviderKeys {
		if want(k) {
			c.Set(k, v...)
		}
	}
	return c
}

func isRequestTagKey(k string) bool {
	lk := strings.ToLower(k)
	return strings.HasPrefix(lk, "aws:requesttag/") || lk == "aws:tagkeys"
}

// need is which keys a principal's policies read (Policy.ContextKeys:
// condition keys and policy variables).
type need struct {
	all          bool
	keys         map[string]bool // lower-cased
	caller       bool            // aws:Principal*, aws:userid, aws:username, aws:SourceIdentity
	requestTags  bool            // aws:RequestTag/..., aws:TagKeys
	resourceTags bool            // aws:ResourceTag/..., SERVICE:ResourceTag/...
}

var needAll = need{all: true}

func needOf(ps ...*policy.Policy) need {
	n := need{keys: map[string]bool{}}
	for _, p := range ps {
		n.add(p)
	}
	return n
}

// with is n plus what p reads (a resource-based policy, which differs per
// target).
func (n *need) with(p *policy.Policy) *need {
	m := need{keys: make(map[string]bool, len(n.keys)), caller: n.caller, requestTags: n.requestTags, resourceTags: n.resourceTags}
	for k := range n.keys {
		m.keys[k] = true
	}
	m.add(p)
	return &m
}

func (n *need) add(p *policy.Policy) {
	if p == nil {
		return
	}
	for _, k := range p.ContextKeys() {
		lk := strings.ToLower(k)
		n.keys[lk] = true
		switch {
		case strings.HasPrefix(lk, "aws:principal"), lk == "aws:userid", lk == "aws:username", lk == "aws:sourceidentity":
			n.caller = true
		case isRequestTagKey(lk):
			n.requestTags = true
		case strings.HasPrefix(lk, "aws:resourcetag/"), strings.HasSuffix(strings.SplitN(lk, "/", 2)[0], ":resourcetag"):
			n.resourceTags = true
		}
	}
}

// keySet is the condition keys an action supports on a resource type,
// lower-cased: the action's own, the resource type's in the action's
// table, and the resource type's in the service's resource table.
type keySet map[string]bool

func (k keySet) has(key string) bool { return lookupLower(k, key) }

// lookupLower is m[strings.ToLower(k)]; an ASCII key (every key the
// reference lists) is lowered on the stack, not into a new string, as
// each request asks for a dozen keys.
func lookupLower(m map[string]bool, k string) bool {
	var buf [64]byte
	if len(k) > len(buf) {
		return m[strings.ToLower(k)]
	}
	b := buf[:len(k)]
	for i := 0; i < len(k); i++ {
		c := k[i]
		switch {
		case c >= 0x80: // strings.ToLower's Unicode rules
			return m[strings.ToLower(k)]
		case 'A' <= c && c <= 'Z':
			c += 'a' - 'A'
		}
		b[i] = c
	}
	return m[string(b)]
}

// globalKey reports whether k is a global key, aws:... in any case. No
// rune but ASCII's lowers to "aws:" (strings.ToLower), so the bytes are
// compared as ASCII.
func globalKey(k string) bool {
	return len(k) >= 4 && k[3] == ':' && (k[0]|0x20) == 'a' && (k[1]|0x20) == 'w' && (k[2]|0x20) == 's'
}

// keySets are the reference's, made once per action and resource type
// (keyed by a struct: a lookup makes no string).
var (
	keySetsMu sync.RWMutex
	keySets   = map[keySetID]keySet{}
)

type keySetID struct{ service, action, typ string }

func keysFor(info actions.ActionInfo, typ string) keySet {
	id := keySetID{info.Service, info.Name, typ}
	keySetsMu.RLock()
	ks, ok := keySets[id]
	keySetsMu.RUnlock()
	if ok {
		return ks
	}
	ks = keySet{}
	for _, k := range info.ConditionKeys {
		ks[strings.ToLower(k)] = true
	}
	for _, rt := range info.ResourceTypes {
		if rt.Name != typ {
			continue
		}
		for _, k := range rt.ConditionKeys {
			ks[strings.ToLower(k)] = true
		}
	}
	if typ != "" {
		if rt, ok := actions.ResourceType(info.Service, typ); ok {
			for _, k := range rt.ConditionKeys {
				ks[strings.ToLower(k)] = true
			}
		}
	}
	keySetsMu.Lock()
	keySets[id] = ks
	keySetsMu.Unlock()
	return ks
}

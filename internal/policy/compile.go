package policy

import (
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"github.com/rolecall/rolecall/internal/arn"
)

// PolicyType is the role a policy plays in an evaluation (IAM User Guide,
// "Policies and permissions in AWS Identity and Access Management", policy
// types).
type PolicyType uint8

const (
	// TypeIdentity: managed and inline policies of a user, its groups, or a
	// role.
	TypeIdentity PolicyType = iota
	// TypeResource: a resource-based policy; a role's trust policy is the
	// resource-based policy of the role for sts:AssumeRole and friends.
	TypeResource
	// TypeBoundary: a user's or role's permissions boundary.
	TypeBoundary
	// TypeSession: a session policy passed to AssumeRole*,
	// GetFederationToken.
	TypeSession
	// TypeSCP: an AWS Organizations service control policy.
	TypeSCP
	// TypeRCP: an AWS Organizations resource control policy.
	TypeRCP

	numTypes
)

var typeNames = [numTypes]string{"identity", "resource", "boundary", "session", "scp", "rcp"}

func (t PolicyType) String() string {
	if t < numTypes {
		return typeNames[t]
	}
	return "unknown"
}

// Source identifies a policy in decisions: MatchedStatements'
// SourcePolicyId, and the reason of a denial.
type Source struct {
	// ID is the policy's ARN for managed policies, a name for inline ones,
	// or any identifier the caller chooses ("PolicyInputList.1").
	ID   string
	Type PolicyType
	// Detail is free for the caller (e.g. a SourcePolicyType such as
	// "aws-managed" or "user"); the engine does not read it.
	Detail string
}

// Position is a place in a policy document, as IAM's simulator reports
// statement positions: Line counts from 1; Column is the 1-based column just
// after the statement's '{' (StartPosition) or '}' (EndPosition); in a
// Statement list a statement starts just after the '[' or the previous
// statement's '}' instead (positions_aws_test.go). AWS CLI
// documentation, simulate-custom-policy example 1: the one-line policy
// {"Version":"2012-10-17","Statement":{"Effect":...}} has its statement's
// '{' at column 37 and '}' at column 166, and AWS answers StartPosition
// {1, 38}, EndPosition {1, 167}. Columns count UTF-16 code units, as Java
// does.
type Position struct {
	Line, Column int
}

// StatementRef names one statement of a compiled policy. Decisions point at
// the StatementRef inside the Policy: it is not copied per evaluation.
type StatementRef struct {
	Source *Source
	Index  int    // 0-based position in the Statement list
	Sid    string // "" when the statement has none
	Effect string // "Allow" or "Deny"
	// Start and End are the statement's place in the document text; zero
	// when the policy was compiled from a Document rather than from text.
	Start, End Position
}

// Policy is a compiled policy: parsed statements with lowered action
// patterns indexed by service prefix, precompiled resource and condition
// matchers, ready to evaluate many times. A Policy is immutable and safe for
// concurrent use.
type Policy struct {
	Source Source

	// The service index, inline for the first few services so that finding
	// a request's statements touches no other memory.
	nsvc    int
	svcIDs  [inlineServices]uint32
	svcStmt [inlineServices][]int32
	bySvc   []svcIndex // services past the inline ones
	wild    []int32    // statements with a wildcard service, or NotAction

	stmts []cstmt
	doc   *Document
	keys  []string // context keys the policy references
}

const inlineServices = 6

type svcIndex struct {
	svc   uint32 // interned service prefix (serviceID)
	stmts []int32
}

// Service prefixes are interned process-wide so that a request finds its
// statements in each policy by comparing small integers: one lookup per
// request instead of one string comparison per service per policy. The
// table only grows (there are a few hundred AWS services); it is replaced,
// never mutated, so readers need one atomic load.
var services struct {
	mu  sync.Mutex
	ids atomic.Pointer[map[string]uint32]
}

// internService returns the id of a lowered service prefix, adding it.
func internService(svc string) uint32 {
	if id := serviceID(svc); id != 0 {
		return id
	}
	services.mu.Lock()
	defer services.mu.Unlock()
	old := services.ids.Load()
	if old != nil {
		if id, ok := (*old)[svc]; ok {
			return id
		}
	}
	next := make(map[string]uint32, 1+lenMap(old))
	if old != nil {
		for k, v := range *old {
			next[k] = v
		}
	}
	id := uint32(len(next) + 1)
	next[svc] = id
	services.ids.Store(&next)
	return id
}

func lenMap(m *map[string]uint32) int {
	if m == nil {
		return 0
	}
	return len(*m)
}

// serviceID returns the id of a service prefix in any case; 0 when no
// compiled policy names it.
func serviceID(svc string) uint32 {
	m := services.ids.Load()
	if m == nil {
		return 0
	}
	var buf [64]byte
	if len(svc) <= len(buf) {
		b := buf[:len(svc)]
		for i := 0; i < len(svc); i++ {
			c := svc[i]
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			b[i] = c
		}
		return (*m)[string(b)] // no allocation: the compiler looks up in place
	}
	return (*m)[lowerASCII(svc)]
}

// cstmt is a compiled statement.
type cstmt struct {
	deny      bool
	notAction bool
	// Exact action names are checked by hash first (actionHash of the
	// lowered name), the name confirming; wildcard patterns one by one.
	actHashes   []uint64
	actNames    []string // lowered, parallel to actHashes
	actions     []strPat // the wildcard patterns
	notResource bool
	anyResource bool // neither Resource nor NotResource: trust policies
	resources   []strPat

	principal    bool // has Principal
	notPrincipal bool // has NotPrincipal
	princ        princSet

	conds []cond

	ref StatementRef // last: read only when the statement matches
}

// Compile compiles a parsed document. Documents from Parse always compile;
// a hand-built one fails for an Effect other than "Allow" or "Deny" or an
// unknown condition operator with keys.
func Compile(doc *Document, src Source) (*Policy, error) {
	p := &Policy{Source: src, doc: doc}
	vars := doc.Version == Version2012
	p.stmts = make([]cstmt, len(doc.Statements))
	svcs := map[string][]int32{}
	var order []string
	for i := range doc.Statements {
		s := &doc.Statements[i]
		c := &p.stmts[i]
		c.ref = StatementRef{Source: &p.Source, Index: i, Sid: s.Sid, Effect: s.Effect}
		switch s.Effect {
		case "Allow":
		case "Deny":
			c.deny = true
		default:
			return nil, fmt.Errorf("policy: statement %d: Effect %q", i, s.Effect)
		}
		actions := s.Action
		if s.NotAction != nil {
			c.notAction, actions = true, s.NotAction
		}
		wild := c.notAction
		var own []string
		for _, a := range actions {
			if pat := compilePattern(a, true, true, false); pat.kind == pExact {
				c.actHashes = append(c.actHashes, actionHash(pat.text))
				c.actNames = append(c.actNames, pat.text)
			} else {
				c.actions = append(c.actions, pat)
			}
			svc, _, ok := strings.Cut(lowerASCII(a), ":")
			if !ok || strings.ContainsAny(svc, "*?") {
				wild = true
			} else if !contains(own, svc) {
				own = append(own, svc)
			}
		}
		if wild {
			p.wild = append(p.wild, int32(i))
		} else {
			for _, svc := range own {
				if _, seen := svcs[svc]; !seen {
					order = append(order, svc)
				}
				svcs[svc] = append(svcs[svc], int32(i))
			}
		}
		res := s.Resource
		switch {
		case s.NotResource != nil:
			c.notResource, res = true, s.NotResource
		case s.Resource == nil:
			c.anyResource = true
		}
		for _, r := range res {
			c.resources = append(c.resources, compilePattern(r, true, false, vars))
		}
		if s.Principal != nil {
			c.principal, c.princ = true, compilePrincipal(s.Principal)
		}
		if s.NotPrincipal != nil {
			c.notPrincipal, c.princ = true, compilePrincipal(s.NotPrincipal)
		}
		var err error
		if c.conds, err = compileConditions(s.Condition, vars); err != nil {
			return nil, fmt.Errorf("policy: statement %d: %w", i, err)
		}
	}
	for _, svc := range order {
		id := internService(svc)
		if p.nsvc < inlineServices {
			p.svcIDs[p.nsvc], p.svcStmt[p.nsvc] = id, svcs[svc]
			p.nsvc++
			continue
		}
		p.bySvc = append(p.bySvc, svcIndex{svc: id, stmts: svcs[svc]})
	}
	p.keys = p.collectKeys()
	return p, nil
}

// CompileJSON parses text as IAM does for kind (see Parse; errors are
// MalformedPolicyDocument) and compiles it, recording statement positions.
func CompileJSON(text string, kind Kind, src Source) (*Policy, error) {
	parsed, err := parse(text, kind)
	if err != nil {
		return nil, err
	}
	p, err := Compile(&parsed.doc, src)
	if err != nil {
		return nil, err
	}
	offs := make([]int, 0, 2*len(parsed.stmts))
	for _, in := range parsed.stmts {
		offs = append(offs, in.start, in.end)
	}
	pos := positions(text, offs)
	for i := range p.stmts {
		p.stmts[i].ref.Start, p.stmts[i].ref.End = pos[2*i], pos[2*i+1]
	}
	return p, nil
}

// positions converts increasing byte offsets of braces into positions
// (see Position).
func positions(text string, offs []int) []Position {
	out := make([]Position, len(offs))
	line, col, k := 1, 0, 0 // col: UTF-16 units before the current byte
	for i := 0; i < len(text) && k < len(offs); {
		for k < len(offs) && offs[k] == i {
			out[k] = Position{Line: line, Column: col + 2}
			k++
		}
		r, n := utf8.DecodeRuneInString(text[i:])
		switch {
		case r == '\n':
			line, col = line+1, 0
		case r >= 0x10000:
			col += 2
		default:
			col++
		}
		i += n
	}
	return out
}

// Document returns the parsed document the policy was compiled from.
func (p *Policy) Document() *Document { return p.doc }

// Statements returns references to the policy's statements, in order.
func (p *Policy) Statements() []*StatementRef {
	out := make([]*StatementRef, len(p.stmts))
	for i := range p.stmts {
		out[i] = &p.stmts[i].ref
	}
	return out
}

// ContextKeys lists the condition keys the policy references, in the
// order they first appear, each once (compared case-insensitively, spelt
// as first written): keys of Condition elements and of the policy
// variables in Resource, NotResource and condition values. This is what
// GetContextKeysForCustomPolicy answers for one policy.
func (p *Policy) ContextKeys() []string { return append([]string(nil), p.keys...) }

// ContextKeys merges the context keys of several policies (as
// GetContextKeysForPrincipalPolicy answers for a principal's policies).
func ContextKeys(policies ...*Policy) []string {
	var out []string
	seen := map[string]bool{}
	for _, p := range policies {
		if p == nil {
			continue
		}
		for _, k := range p.keys {
			if lk := strings.ToLower(k); !seen[lk] {
				seen[lk] = true
				out = append(out, k)
			}
		}
	}
	return out
}

func (p *Policy) collectKeys() []string {
	var out []string
	seen := map[string]bool{}
	add := func(k string) {
		if lk := strings.ToLower(k); !seen[lk] {
			seen[lk] = true
			out = append(out, k)
		}
	}
	for i := range p.doc.Statements {
		c := &p.stmts[i]
		for _, r := range c.resources {
			for _, k := range variableKeys(r.parts) {
				add(k)
			}
		}
		// Within a statement, condition keys come in compileConditions'
		// order (operators, then keys, sorted): the parsed Condition is a
		// map and has no order.
		for _, cd := range c.conds {
			add(cd.rawKey)
			for _, sp := range cd.strs {
				for _, k := range variableKeys(sp.parts) {
					add(k)
				}
			}
		}
	}
	return out
}

// actionHash is FNV-1a over the ASCII-lowered bytes of an action name.
func actionHash(a string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(a); i++ {
		c := a[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		h = (h ^ uint64(c)) * 1099511628211
	}
	return h
}

// candIter yields, in statement order, the statements that may apply to an
// action of one service: that service's and the wildcard ones.
type candIter struct{ own, wild []int32 }

func (p *Policy) candidates(svc uint32) candIter {
	it := candIter{wild: p.wild}
	if svc == 0 {
		return it
	}
	for k := 0; k < p.nsvc; k++ {
		if p.svcIDs[k] == svc {
			it.own = p.svcStmt[k]
			return it
		}
	}
	for k := range p.bySvc {
		if p.bySvc[k].svc == svc {
			it.own = p.bySvc[k].stmts
			break
		}
	}
	return it
}

func (it *candIter) next() (int32, bool) {
	var i int32
	switch {
	case len(it.own) == 0 && len(it.wild) == 0:
		return 0, false
	case len(it.wild) == 0 || len(it.own) > 0 && it.own[0] < it.wild[0]:
		i, it.own = it.own[0], it.own[1:]
	default:
		i, it.wild = it.wild[0], it.wild[1:]
	}
	return i, true
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// princSet is a compiled Principal or NotPrincipal element.
type princSet struct {
	any       bool
	accounts  []string // account IDs, from "123456789012" and ":root" ARNs
	arns      []string // user, role, assumed-role and federated-user ARNs
	ids       []string // users' and roles' unique IDs (AIDA..., AROA...)
	services  []string
	federated []string
	canonical []string
}

func compilePrincipal(p *Principal) princSet {
	var ps princSet
	if p.Any {
		ps.any = true
		return ps
	}
	for _, v := range p.ByType[PrincipalAWS] {
		switch {
		case v == "*":
			ps.any = true
		case arn.IsAccountID(v):
			ps.accounts = append(ps.accounts, v)
		case IsUniqueID(v):
			ps.ids = append(ps.ids, v)
		default:
			if acct, ok := rootAccount(v); ok {
				ps.accounts = append(ps.accounts, acct)
			} else {
				ps.arns = append(ps.arns, v)
			}
		}
	}
	for _, v := range p.ByType[PrincipalService] {
		if v == "*" {
			ps.any = true
		}
		ps.services = append(ps.services, v)
	}
	ps.federated = append(ps.federated, p.ByType[PrincipalFederated]...)
	ps.canonical = append(ps.canonical, p.ByType[PrincipalCanonicalUser]...)
	return ps
}

// rootAccount reads arn:PARTITION:iam::ACCOUNT:root.
func rootAccount(v string) (string, bool) {
	rest, ok := strings.CutPrefix(v, "arn:")
	if !ok {
		return "", false
	}
	_, rest, _ = strings.Cut(rest, ":") // partition
	rest, ok = strings.CutPrefix(rest, "iam::")
	if !ok {
		return "", false
	}
	acct, res, ok := strings.Cut(rest, ":")
	if !ok || res != "root" || !arn.IsAccountID(acct) {
		return "", false
	}
	return acct, true
}

// strength says how directly a resource-based policy names the caller,
// which decides what else must allow in the same account (see Evaluate).
type strength uint8

const (
	sNone    strength = iota
	sAccount          // the caller's account: its identity policies must allow too
	sIssuer           // the role (of a role session) or the user (of a federated user)
	sDirect           // the caller itself: its user, session, service; or "*"
)

// match says how the Principal element names c. User and role ARNs compare
// case-insensitively: IAM names are unique regardless of case, and AWS
// keeps principals as unique IDs, not as the text written (IAM User Guide,
// "AWS JSON policy elements: Principal": an ARN naming a specific role
// "transforms to the role's unique principal ID when you save the
// policy").
func (ps *princSet) match(c *Caller) strength {
	if ps.any {
		return sDirect
	}
	switch c.Kind {
	case CallerService:
		if containsFold(ps.services, c.ARN) {
			return sDirect
		}
		return sNone
	case CallerFederated:
		if contains(ps.federated, c.ARN) {
			return sDirect
		}
		return sNone
	case CallerAnonymous:
		return sNone
	}
	s := sNone
	if c.Account != "" && contains(ps.accounts, c.Account) {
		s = sAccount
	}
	if ps.namesIssuer(c) {
		s = sIssuer
	}
	if ps.namesSelf(c) {
		s = sDirect
	}
	return s
}

// namesIssuer: the element names the role of a role session (or the user
// of a federated user), by ARN or by the role's unique ID.
func (ps *princSet) namesIssuer(c *Caller) bool {
	if c.Issuer == "" {
		return false
	}
	if containsFold(ps.arns, c.Issuer) {
		return true
	}
	roleID, _, ok := strings.Cut(c.UserID, ":")
	return ok && c.Kind == CallerRoleSession && contains(ps.ids, roleID)
}

// namesSelf: the element names the caller itself, by ARN or (an IAM user)
// by its unique ID.
func (ps *princSet) namesSelf(c *Caller) bool {
	if c.Kind == CallerRoot {
		return false
	}
	return containsFold(ps.arns, c.ARN) || (c.Kind == CallerUser && contains(ps.ids, c.UserID))
}

// namesAll reports whether a NotPrincipal element names every identity AWS
// checks for c: for a user, the account and the user; for a role session,
// the account, the role and the session (IAM User Guide, "AWS JSON policy
// elements: NotPrincipal": "AWS might validate the account first, then the
// role, and then the assumed-role user", so all three must be listed for
// the session to escape a Deny).
func (ps *princSet) namesAll(c *Caller) bool {
	if ps.any {
		return true
	}
	switch c.Kind {
	case CallerService:
		return containsFold(ps.services, c.ARN)
	case CallerFederated:
		return contains(ps.federated, c.ARN)
	case CallerAnonymous:
		return false
	}
	if c.Account != "" && !contains(ps.accounts, c.Account) {
		return false
	}
	if c.Issuer != "" && !ps.namesIssuer(c) {
		return false
	}
	if c.Kind != CallerRoot && !ps.namesSelf(c) {
		return false
	}
	return true
}

func containsFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}

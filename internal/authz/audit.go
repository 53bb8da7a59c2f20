package authz

import (
	"encoding/json"
	"io"
	"slices"
	"sync"
	"time"
)

// Record is one authorization decision, as the audit log writes it (one
// JSON object per line) and /_rolecall/decisions/REQUEST_ID answers it.
type Record struct {
	Time      time.Time `json:"time"`
	RequestID string    `json:"requestId"`
	// Principal is the caller's ARN; PrincipalType its kind ("root",
	// "user", "assumed-role").
	Principal     string `json:"principal"`
	PrincipalType string `json:"principalType"`
	// Account is the account the decision is for: the principal's, or,
	// for a service acting for an account, that account's.
	Account   string   `json:"account,omitempty"`
	Action    string   `json:"action"` // "iam:CreateRole"
	Region    string   `json:"region,omitempty"`
	Resources []string `json:"resources"` // the ARNs evaluated, "*" for none
	// Decision is "allowed", "explicitDeny" or "implicitDeny" (IAM's
	// EvalDecision).
	Decision string `json:"decision"`
	// Enforced is false when the mode let a denied request through
	// (audit) or when no authorization applies.
	Enforced bool   `json:"enforced"`
	Mode     string `json:"mode"`
	// Reason says why in a sentence: AWS's "because ..." / "with an
	// explicit deny in ..." for denials, what allowed otherwise.
	Reason string `json:"reason"`
	// Message is the AccessDenied text AWS answers (or would have, in
	// audit mode); empty when allowed.
	Message string `json:"message,omitempty"`
	// Denied is the resource the denial is about, when several were
	// evaluated.
	Denied string `json:"deniedResource,omitempty"`
	// Statement is the deciding statement: the Deny, or the Allow that
	// granted.
	Statement *StatementInfo `json:"statement,omitempty"`
	// Matched lists every statement that matched the denied request
	// (denials only), and Missing the condition keys its conditions needed
	// and the request lacked.
	Matched []StatementInfo `json:"matched,omitempty"`
	Missing []string        `json:"missingContextKeys,omitempty"`
	// Policies names each policy type that took part and what it said
	// (denials only).
	Policies []TypeSummary `json:"policyTypes,omitempty"`
	// Context is the request context the decision was made with (denials
	// only; allowed requests keep the log short).
	Context map[string][]string `json:"context,omitempty"`
}

// StatementInfo names a policy statement.
type StatementInfo struct {
	Source string `json:"source"`         // policy ARN, "ROLE-OR-USER-ARN#inline-name", "session-policy"
	Type   string `json:"type"`           // identity, boundary, session, resource
	Sid    string `json:"sid,omitempty"`  // the statement's Sid
	Index  int    `json:"index"`          // its position in the Statement list, from 0
	Effect string `json:"effect"`         // Allow or Deny
	Line   int    `json:"line,omitempty"` // where it starts in the document
}

// TypeSummary is what one policy type said.
type TypeSummary struct {
	Type     string `json:"type"`
	Count    int    `json:"policies"`
	Allowed  bool   `json:"allowed"`
	Denied   bool   `json:"denied"`
	Deciding bool   `json:"deciding,omitempty"`
}

// DefaultRingSize is how many decisions the in-memory ring keeps.
const DefaultRingSize = 4096

// AuditLog keeps decisions: every one in a bounded ring, by request id,
// for explain-denied; and, when it has a writer, every one as a JSON line.
// It is safe for concurrent use.
//
// The ring holds its records as values, each written in place over the
// one it replaces, with room for one resource and the deciding
// statement: recording a decision on one resource allocates nothing, and
// the ring is one object for the collector rather than a ring of live
// records (issue 18). Readers get copies.
type AuditLog struct {
	mu   sync.Mutex
	ring []slot
	next int
	// denied holds, by id, the slot of each request in the ring that was
	// denied: a later decision of the same request is not recorded over
	// one. Other decisions are found by a scan of the ring (Get is rare),
	// which spares every request a map insertion and deletion (issue 18).
	denied map[string]int
	w      io.Writer
	enc    *json.Encoder
	wrErr  error
}

// slot is one decision in the ring: its record, and the room its
// resource and statement take when it has one of each.
type slot struct {
	rec  Record
	used bool
	by   allowedBy // how rec's Reason is worded, when it is read
	one  [1]string
	stmt StatementInfo
}

// set writes r into s, with resources and stmt in place of its own. The
// lists only a denial has are shared: no one changes them once recorded.
// Its resources and statement are copied into the slot: what the caller
// gave may be on its stack.
func (s *slot) set(r *Record, resources []string, stmt *StatementInfo, by allowedBy) {
	s.rec, s.used, s.by = *r, true, by
	s.rec.Resources, s.rec.Statement = nil, nil
	switch {
	case len(resources) == 1:
		s.one[0] = resources[0]
		s.rec.Resources = s.one[:]
	case resources != nil:
		s.rec.Resources = slices.Clone(resources)
	}
	if stmt != nil {
		s.stmt = *stmt
		s.rec.Statement = &s.stmt
	}
}

// get is a copy of s's record that does not share the slot's room.
func (s *slot) get() *Record {
	r := s.rec
	if s.by != reasonAsRecorded {
		r.Reason = allowedReason(s.by, s.rec.Statement)
	}
	r.Resources = slices.Clone(r.Resources)
	if r.Statement != nil {
		st := *r.Statement
		r.Statement = &st
	}
	return &r
}

// NewAuditLog keeps the last size decisions (DefaultRingSize when size <= 0)
// and writes every decision to w when w is not nil.
func NewAuditLog(size int, w io.Writer) *AuditLog {
	if size <= 0 {
		size = DefaultRingSize
	}
	l := &AuditLog{ring: make([]slot, size), denied: map[string]int{}, w: w}
	if w != nil {
		l.enc = json.NewEncoder(w)
	}
	return l
}

// Add records a copy of r (r is not kept). A request that makes several
// decisions (an operation and the iam:PassRole it needs) keeps, under its
// id, the one that decided: the first denial, else the last decision.
func (l *AuditLog) Add(r *Record) { l.add(r, r.Resources, r.Statement, reasonAsRecorded) }

// add records r with resources and stmt in place of its own, which may
// then stay on the caller's stack, its Reason worded as by says.
func (l *AuditLog) add(r *Record, resources []string, stmt *StatementInfo, by allowedBy) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.enc != nil && l.wrErr == nil {
		// A failing log (disk full) must not fail requests; the error is
		// kept for Err. The copy keeps r itself off the heap.
		var line slot
		line.set(r, resources, stmt, by)
		l.wrErr = l.enc.Encode(line.get())
	}
	// With no denial kept (the usual case), the record a new one replaces
	// is not read: it is a whole ring of decisions old, out of every cache.
	if len(l.denied) > 0 {
		if _, ok := l.denied[r.RequestID]; ok && r.RequestID != "" {
			return
		}
		if old := &l.ring[l.next].rec; old.Decision != "allowed" {
			if i, ok := l.denied[old.RequestID]; ok && i == l.next {
				delete(l.denied, old.RequestID)
			}
		}
	}
	l.ring[l.next].set(r, resources, stmt, by)
	if r.RequestID != "" && r.Decision != "allowed" {
		l.denied[r.RequestID] = l.next
	}
	l.next = (l.next + 1) % len(l.ring)
}

// Get returns (a copy of) the decision recorded for a request id: its
// denial, else its latest decision still in the ring.
func (l *AuditLog) Get(requestID string) (*Record, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if requestID == "" {
		return nil, false
	}
	if i, ok := l.denied[requestID]; ok {
		return l.ring[i].get(), true
	}
	for i := 1; i <= len(l.ring); i++ {
		s := &l.ring[(l.next-i+len(l.ring))%len(l.ring)]
		if !s.used {
			break
		}
		if s.rec.RequestID == requestID {
			return s.get(), true
		}
	}
	return nil, false
}

// Recent returns (copies of) up to n decisions, newest first; those of
// account only, when account is not "".
func (l *AuditLog) Recent(n int, account string) []*Record {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []*Record
	for i := 1; i <= len(l.ring) && len(out) < n; i++ {
		s := &l.ring[(l.next-i+len(l.ring))%len(l.ring)]
		if !s.used {
			break
		}
		if account == "" || s.rec.Account == account {
			out = append(out, s.get())
		}
	}
	return out
}

// Err is the first error writing the log, if any.
func (l *AuditLog) Err() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.wrErr
}

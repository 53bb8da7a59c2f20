package authz

import (
	"encoding/json"
	"io"
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
type AuditLog struct {
	mu   sync.Mutex
	ring []*Record
	next int
	// denied holds the requests in the ring that were denied, by id: a
	// later decision of the same request is not recorded over one. Other
	// decisions are found by a scan of the ring (Get is rare), which
	// spares every request a map insertion and deletion (issue 18).
	denied map[string]*Record
	w      io.Writer
	enc    *json.Encoder
	wrErr  error
}

// NewAuditLog keeps the last size decisions (DefaultRingSize when size <= 0)
// and writes every decision to w when w is not nil.
func NewAuditLog(size int, w io.Writer) *AuditLog {
	if size <= 0 {
		size = DefaultRingSize
	}
	l := &AuditLog{ring: make([]*Record, size), denied: map[string]*Record{}, w: w}
	if w != nil {
		l.enc = json.NewEncoder(w)
	}
	return l
}

// Add records r. A request that makes several decisions (an operation and
// the iam:PassRole it needs) keeps, under its id, the one that decided:
// the first denial, else the last decision.
func (l *AuditLog) Add(r *Record) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.enc != nil && l.wrErr == nil {
		// A failing log (disk full) must not fail requests; the error is
		// kept for Err.
		l.wrErr = l.enc.Encode(r)
	}
	// With no denial kept (the usual case), the record a new one replaces
	// is not read: it is a whole ring of decisions old, out of every cache.
	if len(l.denied) > 0 {
		if _, ok := l.denied[r.RequestID]; ok && r.RequestID != "" {
			return
		}
		if old := l.ring[l.next]; old != nil && old.Decision != "allowed" && l.denied[old.RequestID] == old {
			delete(l.denied, old.RequestID)
		}
	}
	l.ring[l.next] = r
	l.next = (l.next + 1) % len(l.ring)
	if r.RequestID != "" && r.Decision != "allowed" {
		l.denied[r.RequestID] = r
	}
}

// Get returns the decision recorded for a request id: its denial, else
// its latest decision still in the ring.
func (l *AuditLog) Get(requestID string) (*Record, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if requestID == "" {
		return nil, false
	}
	if r, ok := l.denied[requestID]; ok {
		return r, true
	}
	for i := 1; i <= len(l.ring); i++ {
		r := l.ring[(l.next-i+len(l.ring))%len(l.ring)]
		if r == nil {
			break
		}
		if r.RequestID == requestID {
			return r, true
		}
	}
	return nil, false
}

// Recent returns up to n decisions, newest first; those of account only,
// when account is not "".
func (l *AuditLog) Recent(n int, account string) []*Record {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []*Record
	for i := 1; i <= len(l.ring) && len(out) < n; i++ {
		r := l.ring[(l.next-i+len(l.ring))%len(l.ring)]
		if r == nil {
			break
		}
		if account == "" || r.Account == account {
			out = append(out, r)
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

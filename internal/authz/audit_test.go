package authz

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestAuditLog(t *testing.T) {
	var buf bytes.Buffer
	l := NewAuditLog(3, &buf)
	rec := func(id, decision string) *Record {
		return &Record{Time: epoch, RequestID: id, Principal: "arn:aws:iam::000000000000:user/u", Action: "iam:GetRole", Decision: decision, Resources: []string{"*"}}
	}
	for _, id := range []string{"a", "b", "c", "d"} {
		l.Add(rec(id, "allowed"))
	}
	if _, ok := l.Get("a"); ok {
		t.Error("a survived the ring")
	}
	for _, id := range []string{"b", "c", "d"} {
		if r, ok := l.Get(id); !ok || r.RequestID != id {
			t.Errorf("Get(%s) = %v, %v", id, r, ok)
		}
	}
	got := l.Recent(10, "")
	if len(got) != 3 || got[0].RequestID != "d" || got[2].RequestID != "b" {
		t.Errorf("Recent: %v", got)
	}
	// A request's denial stands over a later allowed decision (the
	// operation, then the iam:PassRole it made, or the reverse).
	l.Add(rec("e", "implicitDeny"))
	l.Add(rec("e", "allowed"))
	if r, _ := l.Get("e"); r.Decision != "implicitDeny" {
		t.Errorf("e: %s", r.Decision)
	}
	l.Add(rec("f", "allowed"))
	l.Add(rec("f", "explicitDeny"))
	l.Add(rec("f", "implicitDeny"))
	if r, _ := l.Get("f"); r.Decision != "explicitDeny" {
		t.Errorf("f: %s", r.Decision)
	}
	// Every decision is a JSON line.
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 9 {
		t.Fatalf("%d lines:\n%s", len(lines), buf.String())
	}
	var r Record
	if err := json.Unmarshal([]byte(lines[0]), &r); err != nil || r.RequestID != "a" || !r.Time.Equal(epoch) || r.Action != "iam:GetRole" {
		t.Errorf("line 1: %v %+v", err, r)
	}
	if !strings.HasPrefix(lines[0], `{"time":"2025-03-06T12:00:00Z","requestId":"a","principal":"arn:aws:iam::000000000000:user/u",`) {
		t.Errorf("line 1: %s", lines[0])
	}
	if l.Err() != nil {
		t.Error(l.Err())
	}
}

// TestAuditLogConcurrent: decisions are recorded from many requests at
// once (run with -race).
func TestAuditLogConcurrent(t *testing.T) {
	l := NewAuditLog(16, &bytes.Buffer{})
	done := make(chan bool)
	for g := 0; g < 4; g++ {
		go func(g int) {
			for i := 0; i < 100; i++ {
				l.Add(&Record{Time: time.Unix(int64(i), 0), RequestID: string(rune('a'+g)) + time.Duration(i).String(), Decision: "allowed"})
				l.Recent(2, "")
			}
			done <- true
		}(g)
	}
	for g := 0; g < 4; g++ {
		<-done
	}
	if n := len(l.Recent(100, "")); n != 16 {
		t.Errorf("ring holds %d", n)
	}
}

// Get finds a request's latest decision while it is in the ring, its
// denial over any other, and nothing once the ring has moved past it; the
// denials kept by id leave with the ring's records.
func TestAuditLogGet(t *testing.T) {
	l := NewAuditLog(3, nil)
	l.Add(&Record{RequestID: "a", Action: "iam:GetRole", Decision: "allowed"})
	l.Add(&Record{RequestID: "a", Action: "iam:PassRole", Decision: "allowed"})
	if r, ok := l.Get("a"); !ok || r.Action != "iam:PassRole" {
		t.Errorf("Get(a) = %+v, %v; want the latest decision", r, ok)
	}
	l.Add(&Record{Decision: "implicitDeny"}) // no request id (a service acting)
	if r, ok := l.Get(""); ok {
		t.Errorf("Get(\"\") = %+v", r)
	}
	for _, id := range []string{"x", "y", "z", "w"} {
		l.Add(&Record{RequestID: id, Decision: "explicitDeny"})
	}
	if _, ok := l.Get("a"); ok {
		t.Error("a survived the ring")
	}
	if _, ok := l.Get("x"); ok {
		t.Error("x survived the ring")
	}
	if r, ok := l.Get("w"); !ok || r.Decision != "explicitDeny" {
		t.Errorf("Get(w) = %+v, %v", r, ok)
	}
	if len(l.denied) != 3 {
		t.Errorf("%d denials kept by id for a ring of 3", len(l.denied))
	}
}

// The ring keeps records as values, written over in place: what Get and
// Recent answer are copies, which neither a reader's change nor the
// decisions recorded later reach.
func TestAuditLogAnswersCopies(t *testing.T) {
	l := NewAuditLog(1, nil)
	l.Add(&Record{RequestID: "a", Decision: "allowed", Resources: []string{"arn:aws:iam::000000000000:role/a"},
		Statement: &StatementInfo{Source: "p", Sid: "A", Effect: "Allow"}})
	a, _ := l.Get("a")
	recent := l.Recent(1, "")
	a.Resources[0], a.Statement.Sid = "changed", "changed"
	l.Add(&Record{RequestID: "b", Decision: "allowed", Resources: []string{"arn:aws:iam::000000000000:role/b"},
		Statement: &StatementInfo{Source: "q", Sid: "B", Effect: "Allow"}})
	if r := recent[0]; r.RequestID != "a" || r.Resources[0] != "arn:aws:iam::000000000000:role/a" || r.Statement.Sid != "A" {
		t.Errorf("Recent's record changed: %+v %+v", r, r.Statement)
	}
	if b, _ := l.Get("b"); b.Resources[0] != "arn:aws:iam::000000000000:role/b" || b.Statement.Sid != "B" {
		t.Errorf("b: %+v %+v", b, b.Statement)
	}
	l.Add(&Record{RequestID: "c", Decision: "allowed", Resources: []string{"*", "x"}})
	if c, _ := l.Get("c"); c.Statement != nil || len(c.Resources) != 2 {
		t.Errorf("c kept b's statement or lost a resource: %+v", c)
	}
}

// An allowed decision's reason names the statement that allowed, and the
// kind of policy it is in, the same in Get, Recent and the JSON line,
// though the log words it only when it is read.
func TestAllowedReason(t *testing.T) {
	var buf bytes.Buffer
	f := newFixture(t, On)
	f.audit = NewAuditLog(8, &buf)
	f.Authorizer.audit = f.audit
	u := f.user(t, "u", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"*"},{"Sid":"Get","Effect":"Allow","Action":"iam:GetRole","Resource":"*"},{"Effect":"Allow","Action":"iam:ListRoles","Resource":"*"}]}`)
	src := "arn:aws:iam::" + acct + ":user/u#p"
	trust := &ResourcePolicy{Source: "arn:aws:iam::" + acct + ":role/t", Trust: true,
		Document: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + acct + `:user/u"},"Action":"sts:AssumeRole"}]}`}
	for _, c := range []struct {
		action string
		target Target
		want   string
	}{
		{"iam:GetRole", role("a", nil), "allowed by statement 1 (Sid Get) of an identity-based policy " + src},
		{"iam:ListRoles", Any(), "allowed by statement 2 of an identity-based policy " + src},
		{"sts:AssumeRole", Target{ARN: "arn:aws:iam::" + acct + ":role/t", Type: "role", Policy: trust}, "allowed by statement 0 of the resource-based policy " + trust.Source},
	} {
		buf.Reset()
		if _, err := f.decide(u, c.action, c.target); err != nil {
			t.Fatalf("%s: %v", c.action, err)
		}
		r := f.last(t)
		if r.Decision != "allowed" || r.Reason != c.want {
			t.Errorf("%s: Recent: %s, %q\nwant %q", c.action, r.Decision, r.Reason, c.want)
		}
		if g, _ := f.audit.Get(r.RequestID); g.Reason != c.want {
			t.Errorf("%s: Get: %q", c.action, g.Reason)
		}
		var line Record
		if err := json.Unmarshal(buf.Bytes(), &line); err != nil || line.Reason != c.want {
			t.Errorf("%s: JSON line: %v %q", c.action, err, line.Reason)
		}
	}
}

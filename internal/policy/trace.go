package policy

// Tracing: how each statement of a policy met one request, element by
// element, so that an explanation can say why an Allow did not apply ("its
// condition StringEquals iam:PassedToService does not hold: the request
// has ec2.amazonaws.com"). Evaluate answers what decided; Trace answers
// what nearly did. It is for people (rolecall policy eval), not for the
// hot path: it looks at every statement and allocates freely.

// StatementTrace is how one statement met a request.
type StatementTrace struct {
	Ref *StatementRef
	// Action: the Action (or NotAction) element covers the request's
	// action. Resource: likewise for the resource; a statement without
	// Resource or NotResource (a trust policy's) covers every resource.
	Action, Resource bool
	// Principal: the Principal (or NotPrincipal) element names the caller
	// as Evaluate reads it. Statements of identity-based policies, boundaries,
	// session policies, SCPs and RCPs name nobody and apply to the caller:
	// true. A resource-based statement without either names nobody: false.
	Principal bool
	// Conditions, in evaluation order (operators, then keys, sorted).
	Conditions []ConditionTrace
}

// ConditionTrace is one condition key under one operator.
type ConditionTrace struct {
	Operator string   // as written, e.g. "ForAnyValue:StringLikeIfExists"
	Key      string   // as written
	Values   []string // the policy's values, as written
	Present  bool     // the request has the key
	Request  []string // the request's values for the key (nil when absent)
	Held     bool
}

// Applies reports whether the statement applies to the request: every
// element matched and every condition held.
func (s *StatementTrace) Applies() bool {
	if !s.Action || !s.Resource || !s.Principal {
		return false
	}
	for _, c := range s.Conditions {
		if !c.Held {
			return false
		}
	}
	return true
}

// Trace says how each statement of p meets r, in document order. It does
// not apply the NotPrincipal rule for principals with a permissions
// boundary (Evaluate's, which needs the whole policy set).
func (p *Policy) Trace(r *Request) []StatementTrace {
	st := &evalState{r: r, ctx: r.Context}
	if st.ctx == nil {
		st.ctx = NewContext()
	}
	h := actionHash(r.Action)
	resourceType := p.Source.Type == TypeResource
	out := make([]StatementTrace, len(p.stmts))
	for i := range p.stmts {
		s := &p.stmts[i]
		t := StatementTrace{
			Ref:      &s.ref,
			Action:   s.matchAction(r.Action, h),
			Resource: s.matchResource(r.Resource, st),
		}
		switch {
		case s.principal:
			t.Principal = s.princ.match(&r.Caller) != sNone
		case s.notPrincipal:
			t.Principal = !s.princ.namesAll(&r.Caller)
		default:
			t.Principal = !resourceType
		}
		var written map[string]map[string][]string
		if p.doc != nil && i < len(p.doc.Statements) {
			written = p.doc.Statements[i].Condition
		}
		for j := range s.conds {
			c := &s.conds[j]
			vals, present := st.ctx.lookup(c.key)
			t.Conditions = append(t.Conditions, ConditionTrace{
				Operator: c.op,
				Key:      c.rawKey,
				Values:   append([]string(nil), written[c.op][c.rawKey]...),
				Present:  present,
				Request:  append([]string(nil), vals...),
				Held:     c.eval(st.ctx, nil),
			})
		}
		out[i] = t
	}
	return out
}

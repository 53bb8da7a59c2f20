package authz

import (
	"context"
	"net"
	"net/http"
	"sync"
)

// Meta is what the server knows about a request beyond its operation: its
// id, where it came from, over what. It travels in the context, so that
// decisions made inside an operation (iam:PassRole for ECS) carry the same
// request id and keys, and so that their would-be denials in audit mode
// reach the response.
type Meta struct {
	RequestID string
	SourceIP  string // aws:SourceIp
	Secure    bool   // aws:SecureTransport

	mu        sync.Mutex
	wouldDeny []string

	// in is the context WithMeta first made to carry m, kept in m's own
	// allocation: a request's Meta and its context are one (issue 18).
	in metaContext
}

type metaKey struct{}

// metaContext is a context carrying m, as context.WithValue(Context,
// metaKey{}, m) would.
type metaContext struct {
	context.Context
	m *Meta
}

func (c *metaContext) Value(key any) any {
	if _, ok := key.(metaKey); ok {
		return c.m
	}
	return c.Context.Value(key)
}

// WithMeta returns ctx carrying m.
func WithMeta(ctx context.Context, m *Meta) context.Context {
	if m == nil || m.in.m != nil {
		// Carried already: that context must not change under its holder.
		return context.WithValue(ctx, metaKey{}, m)
	}
	m.in = metaContext{Context: ctx, m: m}
	return &m.in
}

// MetaOf reads what the server knows about r: the caller's address and
// whether it came over TLS.
func MetaOf(r *http.Request, requestID string) *Meta {
	ip := r.RemoteAddr
	if host, _, err := net.SplitHostPort(ip); err == nil {
		ip = host
	}
	return &Meta{RequestID: requestID, SourceIP: ip, Secure: r.TLS != nil}
}

func metaFrom(ctx context.Context) *Meta {
	if m, ok := ctx.Value(metaKey{}).(*Meta); ok && m != nil {
		return m
	}
	return &Meta{}
}

func (m *Meta) noteWouldDeny(msg string) {
	m.mu.Lock()
	m.wouldDeny = append(m.wouldDeny, msg)
	m.mu.Unlock()
}

// WouldDeny lists, in audit mode, the AccessDenied messages AWS would have
// answered to this request (the operation's, then any made inside it).
func (m *Meta) WouldDeny() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]string(nil), m.wouldDeny...)
}

package server

import (
	"log/slog"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// Limits bound what one client can hold of the server: a client that
// sends its headers slowly, or a body it never finishes, or that keeps an
// idle connection open, is cut off after a while; and the connections
// held at once are capped, below the process's file descriptor limit, so
// that many such clients cannot lock everyone else out. A keep-alive
// client that sends whole requests is never affected.
//
// The timeouts are kept by one watchdog per listener that looks at every
// connection a few times per shortest timeout, not by net/http's
// per-request deadlines: those re-arm three runtime timers for every
// request, which measured as a tenth of a GetRole's whole cost to the
// server. A connection is cut off up to a quarter of its timeout late.
type Limits struct {
	// ReadHeaderTimeout bounds reading a request's headers: from the
	// connection's opening for its first request, from the request's
	// first byte for the next ones.
	ReadHeaderTimeout time.Duration
	// RequestTimeout bounds the rest of a request: reading its body,
	// making the answer and writing it.
	RequestTimeout time.Duration
	// IdleTimeout closes a keep-alive connection that sends nothing.
	IdleTimeout time.Duration
	// MaxConnections caps the connections open at once; past it a new
	// connection waits to be accepted until another closes. 0: no cap.
	MaxConnections int
}

// DefaultLimits are what `rolecall serve` uses. The largest request (2 MiB,
// maxBody) reads in well under RequestTimeout on any link a developer has;
// 512 connections stay far below the usual 1,024 descriptors.
var DefaultLimits = Limits{
	ReadHeaderTimeout: 10 * time.Second,
	RequestTimeout:    60 * time.Second,
	IdleTimeout:       120 * time.Second,
	MaxConnections:    512,
}

// HTTPServer is an http.Server for h with these limits. It must serve a
// listener from l.Listener, whose connections it tells the watchdog about.
func (l Limits) HTTPServer(h http.Handler) *http.Server {
	return &http.Server{Handler: h, ConnState: trackState}
}

// Listener caps the connections ln hands out at l.MaxConnections, and
// cuts off those past their timeouts until it is closed; log (when not
// nil) says when the cap is first reached, and again at most once a
// minute while it holds.
func (l Limits) Listener(ln net.Listener, log *slog.Logger) net.Listener {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	wl := &limitListener{Listener: ln, limits: l, log: log, conns: map[*limitConn]struct{}{}, epoch: time.Now(), done: make(chan struct{})}
	if l.MaxConnections > 0 {
		wl.slots = make(chan struct{}, l.MaxConnections)
	}
	go wl.watch(watchEvery(l))
	return wl
}

// watchEvery is how often the watchdog looks: a quarter of the shortest
// timeout, between 10 ms and a second.
func watchEvery(l Limits) time.Duration {
	every := time.Second
	for _, d := range []time.Duration{l.ReadHeaderTimeout, l.RequestTimeout, l.IdleTimeout} {
		if d > 0 && d/4 < every {
			every = d / 4
		}
	}
	return max(every, 10*time.Millisecond)
}

type limitListener struct {
	net.Listener
	limits Limits
	slots  chan struct{} // nil: no cap
	log    *slog.Logger

	mu     sync.Mutex
	warned time.Time
	conns  map[*limitConn]struct{}

	epoch time.Time // on the monotonic clock: see clock

	closeOnce sync.Once
	done      chan struct{}
}

func (l *limitListener) Accept() (net.Conn, error) {
	if l.slots != nil {
		select {
		case l.slots <- struct{}{}:
		default:
			l.warn()
			l.slots <- struct{}{}
		}
	}
	c, err := l.Listener.Accept()
	if err != nil {
		l.release()
		return nil, err
	}
	lc := &limitConn{Conn: c, l: l}
	lc.enter(phaseNew)
	l.mu.Lock()
	l.conns[lc] = struct{}{}
	l.mu.Unlock()
	return lc, nil
}

func (l *limitListener) Close() error {
	l.closeOnce.Do(func() { close(l.done) })
	return l.Listener.Close()
}

func (l *limitListener) release() {
	if l.slots != nil {
		<-l.slots
	}
}

func (l *limitListener) warn() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now := time.Now(); now.Sub(l.warned) >= time.Minute {
		l.warned = now
		l.log.Warn("connection limit reached: new connections wait until one closes (slow or idle clients are cut off by the read and idle timeouts)", "max_connections", l.limits.MaxConnections)
	}
}

func (l *limitListener) watch(every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-l.done:
			return
		case <-t.C:
			l.cutOff(l.clock())
		}
	}
}

// clock is the time since the listener was made, on the monotonic clock
// alone: time.Since reads one clock where time.Now reads two, and a
// connection is stamped three times per request (issue 18).
func (l *limitListener) clock() int64 { return int64(time.Since(l.epoch)) }

// cutOff closes the connections past their phase's timeout at now (l.clock).
func (l *limitListener) cutOff(now int64) {
	var late []*limitConn
	l.mu.Lock()
	for c := range l.conns {
		if d := l.timeout(phase(c.phase.Load())); d > 0 && now-c.since.Load() > int64(d) {
			late = append(late, c)
		}
	}
	l.mu.Unlock()
	for _, c := range late {
		c.Close()
	}
}

func (l *limitListener) timeout(p phase) time.Duration {
	switch p {
	case phaseNew, phaseHeader:
		return l.limits.ReadHeaderTimeout
	case phaseIdle:
		return l.limits.IdleTimeout
	case phaseServing:
		return l.limits.RequestTimeout
	}
	return 0 // hijacked: its new owner's business
}

// phase is where a connection is in its requests; since (on the
// connection) is when it got there.
type phase int32

const (
	phaseNew     phase = iota // opened, the first request's headers not yet read
	phaseIdle                 // between requests, nothing of the next one received
	phaseHeader               // the next request's first bytes received, its headers not all
	phaseServing              // headers read: the body, the handler, the answer
	phaseHijacked
)

type limitConn struct {
	net.Conn
	l     *limitListener
	phase atomic.Int32
	since atomic.Int64 // l.clock
	once  sync.Once
}

func (c *limitConn) enter(p phase) {
	c.since.Store(c.l.clock())
	c.phase.Store(int32(p))
}

// Read notes the first bytes of the next request on an idle connection:
// its headers have ReadHeaderTimeout from then, not IdleTimeout.
func (c *limitConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	if n > 0 && phase(c.phase.Load()) == phaseIdle {
		c.since.Store(c.l.clock())
		c.phase.CompareAndSwap(int32(phaseIdle), int32(phaseHeader))
	}
	return n, err
}

func (c *limitConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() {
		c.l.mu.Lock()
		delete(c.l.conns, c)
		c.l.mu.Unlock()
		c.l.release()
	})
	return err
}

// trackState follows net/http's view of a connection: StateActive once a
// request's headers are read, StateIdle once it is answered.
func trackState(nc net.Conn, s http.ConnState) {
	c, ok := nc.(*limitConn)
	if !ok {
		return
	}
	switch s {
	case http.StateActive:
		c.enter(phaseServing)
	case http.StateIdle:
		c.enter(phaseIdle)
	case http.StateHijacked:
		c.enter(phaseHijacked)
	}
}

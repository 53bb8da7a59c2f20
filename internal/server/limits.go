package server

import (
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"
)

// Limits bound what one client can hold of the server: a client that
// sends its headers slowly, or a body it never finishes, or that keeps an
// idle connection open, is cut off after a while; and the connections
// held at once are capped, below the process's file descriptor limit, so
// that many such clients cannot lock everyone else out. A keep-alive
// client that sends whole requests is never affected.
type Limits struct {
	// ReadHeaderTimeout bounds reading a request's headers; ReadTimeout
	// the whole request, body included.
	ReadHeaderTimeout, ReadTimeout time.Duration
	// WriteTimeout bounds writing the answer.
	WriteTimeout time.Duration
	// IdleTimeout closes a keep-alive connection that sends nothing.
	IdleTimeout time.Duration
	// MaxConnections caps the connections open at once; past it a new
	// connection waits to be accepted until another closes. 0: no cap.
	MaxConnections int
}

// DefaultLimits are what `rolecall serve` uses. The largest request (2 MiB,
// maxBody) reads in well under ReadTimeout on any link a developer has; 512
// connections stay far below the usual 1,024 descriptors.
var DefaultLimits = Limits{
	ReadHeaderTimeout: 10 * time.Second,
	ReadTimeout:       30 * time.Second,
	WriteTimeout:      60 * time.Second,
	IdleTimeout:       120 * time.Second,
	MaxConnections:    512,
}

// HTTPServer is an http.Server for h with these limits.
func (l Limits) HTTPServer(h http.Handler) *http.Server {
	return &http.Server{Handler: h, ReadHeaderTimeout: l.ReadHeaderTimeout, ReadTimeout: l.ReadTimeout,
		WriteTimeout: l.WriteTimeout, IdleTimeout: l.IdleTimeout}
}

// Listener caps the connections ln hands out at l.MaxConnections; log
// (when not nil) says so when the cap is first reached, and again at
// most once a minute while it holds.
func (l Limits) Listener(ln net.Listener, log *slog.Logger) net.Listener {
	if l.MaxConnections <= 0 {
		return ln
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &limitListener{Listener: ln, slots: make(chan struct{}, l.MaxConnections), max: l.MaxConnections, log: log}
}

type limitListener struct {
	net.Listener
	slots chan struct{}
	max   int
	log   *slog.Logger

	mu     sync.Mutex
	warned time.Time
}

func (l *limitListener) Accept() (net.Conn, error) {
	select {
	case l.slots <- struct{}{}:
	default:
		l.warn()
		l.slots <- struct{}{}
	}
	c, err := l.Listener.Accept()
	if err != nil {
		<-l.slots
		return nil, err
	}
	return &limitConn{Conn: c, release: func() { <-l.slots }}, nil
}

func (l *limitListener) warn() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now := time.Now(); now.Sub(l.warned) >= time.Minute {
		l.warned = now
		l.log.Warn("connection limit reached: new connections wait until one closes (slow or idle clients are cut off by the read and idle timeouts)", "max_connections", l.max)
	}
}

type limitConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *limitConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}

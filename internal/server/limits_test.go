package server

import (
	"bytes"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a log sink safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// TestSlowClientsCannotHoldTheServer: clients that send headers and one
// byte of a body they announced are cut off by the request timeout, while
// the connection cap makes newcomers wait rather than fail; a normal
// client is served throughout.
func TestSlowClientsCannotHoldTheServer(t *testing.T) {
	limits := Limits{ReadHeaderTimeout: 200 * time.Millisecond, RequestTimeout: 300 * time.Millisecond,
		IdleTimeout: time.Second, MaxConnections: 2}
	var logs syncBuffer
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := limits.HTTPServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, "body not received in time", http.StatusRequestTimeout)
			return
		}
		w.Write(b)
	}))
	go hs.Serve(limits.Listener(ln, slog.New(slog.NewTextHandler(&logs, nil))))
	t.Cleanup(func() { hs.Close() })
	addr := ln.Addr().String()

	// Two slow clients take every connection.
	var slow []net.Conn
	for range 2 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(c, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nA"); err != nil {
			t.Fatal(err)
		}
		slow = append(slow, c)
	}
	// A normal client waits for a slot, then is served.
	resp, err := (&http.Client{Timeout: 30 * time.Second}).Post("http://"+addr+"/", "text/plain", strings.NewReader("hello"))
	if err != nil {
		t.Fatalf("a normal client was not served: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "hello" {
		t.Errorf("answer %q", body)
	}
	// The slow ones were cut off: their connections are closed, their
	// requests never served.
	for i, c := range slow {
		c.SetReadDeadline(time.Now().Add(30 * time.Second))
		b, _ := io.ReadAll(c)
		if bytes.Contains(b, []byte("200 OK")) {
			t.Errorf("slow client %d was answered: %q", i, b)
		}
		c.Close()
	}
	if !strings.Contains(logs.String(), "connection limit reached") || !strings.Contains(logs.String(), "max_connections=2") {
		t.Errorf("no log line for the cap: %q", logs.String())
	}
}

// serveLimited serves an echo handler within limits on a fresh listener.
func serveLimited(t *testing.T, limits Limits) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := limits.HTTPServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(w, r.Body)
	}))
	go hs.Serve(limits.Listener(ln, nil))
	t.Cleanup(func() { hs.Close() })
	return ln.Addr().String()
}

// cutOff reports whether the server closes c within a generous minute,
// and what it answered before that.
func cutOff(t *testing.T, c net.Conn) (bool, string) {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(time.Minute))
	b, err := io.ReadAll(c)
	return err == nil, string(b)
}

// TestEachPhaseHasItsTimeout: a connection that never sends its headers,
// one idle between requests, and one that starts its next request and
// stalls are each cut off by their own timeout; the others are an hour,
// so only the one meant can have fired.
func TestEachPhaseHasItsTimeout(t *testing.T) {
	const request = "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"
	cases := []struct {
		name   string
		limits Limits
		send   []string // the first request whole, the second (if any) partly
		// answers is how many answers are read after the last send: only
		// the first request's, where it was not read before.
		answers int
	}{
		{"headers never finished", Limits{ReadHeaderTimeout: 100 * time.Millisecond, RequestTimeout: time.Hour, IdleTimeout: time.Hour},
			[]string{"POST / HTTP/1.1\r\nHost: x\r\n"}, 0},
		{"idle after an answer", Limits{ReadHeaderTimeout: time.Hour, RequestTimeout: time.Hour, IdleTimeout: 100 * time.Millisecond},
			[]string{request}, 1},
		{"next request's headers stall", Limits{ReadHeaderTimeout: 100 * time.Millisecond, RequestTimeout: time.Hour, IdleTimeout: time.Hour},
			[]string{request, "POST / HTTP/1.1\r\nHo"}, 0},
		{"body never finished", Limits{ReadHeaderTimeout: time.Hour, RequestTimeout: 100 * time.Millisecond, IdleTimeout: time.Hour},
			[]string{"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhe"}, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := net.Dial("tcp", serveLimited(t, tc.limits))
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			for i, s := range tc.send {
				if _, err := io.WriteString(c, s); err != nil {
					t.Fatal(err)
				}
				if i == 0 && len(tc.send) > 1 {
					// The first answer, before the second request begins.
					buf := make([]byte, len("HTTP/1.1 200 OK"))
					if _, err := io.ReadFull(c, buf); err != nil || string(buf) != "HTTP/1.1 200 OK" {
						t.Fatalf("first answer %q, %v", buf, err)
					}
				}
			}
			closed, answer := cutOff(t, c)
			if !closed {
				t.Fatalf("not cut off within a minute; read %q", answer)
			}
			if n := strings.Count(answer, "HTTP/1.1 "); n != tc.answers {
				t.Errorf("%d answers, want %d: %q", n, tc.answers, answer)
			}
		})
	}
}

// TestHTTPServerSetsNoPerRequestDeadlines: the watchdog, not net/http,
// keeps the timeouts.
func TestHTTPServerSetsNoPerRequestDeadlines(t *testing.T) {
	hs := DefaultLimits.HTTPServer(http.NotFoundHandler())
	if hs.ReadHeaderTimeout != 0 || hs.ReadTimeout != 0 || hs.WriteTimeout != 0 || hs.IdleTimeout != 0 || hs.ConnState == nil {
		t.Errorf("server %+v", hs)
	}
}

func TestWatchEvery(t *testing.T) {
	for _, c := range []struct {
		l    Limits
		want time.Duration
	}{
		{DefaultLimits, time.Second},
		{Limits{ReadHeaderTimeout: 200 * time.Millisecond, RequestTimeout: time.Hour}, 50 * time.Millisecond},
		{Limits{IdleTimeout: time.Millisecond}, 10 * time.Millisecond},
		{Limits{}, time.Second},
	} {
		if got := watchEvery(c.l); got != c.want {
			t.Errorf("watchEvery(%+v) = %v, want %v", c.l, got, c.want)
		}
	}
}

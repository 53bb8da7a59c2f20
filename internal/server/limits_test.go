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
// byte of a body they announced are cut off by the read timeout, while
// the connection cap makes newcomers wait rather than fail; a normal
// client is served throughout.
func TestSlowClientsCannotHoldTheServer(t *testing.T) {
	limits := Limits{ReadHeaderTimeout: 200 * time.Millisecond, ReadTimeout: 300 * time.Millisecond,
		WriteTimeout: time.Second, IdleTimeout: time.Second, MaxConnections: 2}
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

package main

// rolecall health: whether a rolecall answers, for container health checks
// (a distroless image has no curl or wget) and scripts that wait for it.

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/rolecall/rolecall/internal/server"
)

func healthUsage(w io.Writer) {
	fmt.Fprint(w, `Usage:
  rolecall health [--endpoint URL] [--timeout D]

Asks rolecall's `+server.HealthPath+` (no credentials needed) and prints what
runs there. Exit status 0 when rolecall answers that it is running, 1 when
nothing answers, or something that is not a running rolecall, 2 for a bad
command line.

`+endpointHelp+`
`)
}

func healthCmd(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("health", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { healthUsage(stderr) }
	endpoint := endpointFlag(fs)
	timeout := fs.Duration("timeout", 2*time.Second, "how long to wait for the answer")
	words, err := parseWords(fs, args)
	if err != nil {
		return 2
	}
	if len(words) != 0 || *timeout <= 0 {
		healthUsage(stderr)
		return 2
	}
	base := endpointURL(*endpoint)
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	h, err := getHealth(ctx, base+server.HealthPath)
	if err != nil {
		fmt.Fprintf(stderr, "rolecall health: %s: %v\n", base, err)
		return 1
	}
	fmt.Fprintf(stdout, "rolecall %s at %s: %s (account %s, auth %s, enforce %s, state %s)\n",
		h.Version, base, h.Status, h.Account, h.Auth, h.Enforce, h.Store)
	return 0
}

// getHealth GETs a health URL; anything but a running rolecall's answer
// is an error.
func getHealth(ctx context.Context, u string) (*server.Health, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("no answer: %v", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return nil, fmt.Errorf("answer cut short: %v", err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("answered %s, not a running rolecall's 200", resp.Status)
	}
	var h server.Health
	if err := json.Unmarshal(body, &h); err != nil {
		return nil, fmt.Errorf("the answer is not rolecall's health JSON: %v", err)
	}
	if h.Status != server.HealthRunning {
		return nil, fmt.Errorf("status %q, not %q", h.Status, server.HealthRunning)
	}
	return &h, nil
}

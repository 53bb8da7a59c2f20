package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"time"
)

// pollEvery is the probe's polling interval, and so its resolution.
const pollEvery = 200 * time.Microsecond

// netDialer gives up fast: while the server starts, dials are refused.
var netDialer = net.Dialer{Timeout: 200 * time.Millisecond}

// probe starts the server command and times, from just before exec:
//   - the first 200 from the health path (if one is given),
//   - the first answered IAM request (a GetRole of a role that does not
//     exist yet: 200 or 404),
//   - the first successful GetRole (after creating the role).
//
// With -starts N it does so N times, stopping all but the last server, and
// reports the median of each: one start of a process is at the mercy of
// whatever else the machine is doing.
//
// The last server is left running; its pid goes to -pidfile so the caller
// can read its memory and stop it. If the probe fails, the server is killed.
func probe(c *client, o options, argv []string) (record, error) {
	out := io.Discard
	if o.logfile != "" {
		f, err := os.Create(o.logfile)
		if err != nil {
			return record{}, err
		}
		defer f.Close()
		out = f
	}
	// Short dials: a refused connection is the common answer while starting.
	c.rt.DialContext = (&netDialer).DialContext
	var recs []record
	for i := range max(o.starts, 1) {
		last := i == max(o.starts, 1)-1
		rec, stop, err := probeOnce(c, o, argv, out)
		if err != nil {
			return record{}, err
		}
		recs = append(recs, rec)
		if !last {
			stop()
		}
	}
	return medianStartup(recs), nil
}

// probeOnce starts the server once; stop kills it and waits for its exit.
func probeOnce(c *client, o options, argv []string, out io.Writer) (rec record, stop func(), err error) {
	getRole, err := c.sign(form("GetRole", "RoleName", probeRoleName))
	if err != nil {
		return record{}, nil, err
	}
	c.rt.CloseIdleConnections() // none may lead to an earlier server
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdout, cmd.Stderr = out, out

	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		return record{}, nil, fmt.Errorf("starting %s: %w", argv[0], err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	kill := func() {
		cmd.Process.Kill()
		<-exited
	}
	defer func() {
		if err != nil {
			kill()
		}
	}()
	if o.pidfile != "" {
		if err := os.WriteFile(o.pidfile, []byte(strconv.Itoa(cmd.Process.Pid)+"\n"), 0o644); err != nil {
			return record{}, nil, err
		}
	}

	deadline := t0.Add(o.probeTimeout)
	poll := func(what string, try func(ctx context.Context) bool) (time.Duration, error) {
		for {
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			ok := try(ctx)
			cancel()
			if ok {
				return time.Since(t0), nil
			}
			select {
			case <-exited:
				return 0, fmt.Errorf("%s exited before %s (see its log)", argv[0], what)
			default:
			}
			if time.Now().After(deadline) {
				return 0, fmt.Errorf("no %s from %s within %s", what, argv[0], o.probeTimeout)
			}
			time.Sleep(pollEvery)
		}
	}

	rec = record{Kind: "startup", Target: o.target, PID: cmd.Process.Pid}
	var buf bytes.Buffer
	if o.health != "" {
		u := *c.url
		u.Path = o.health
		d, err := poll("health answer", func(ctx context.Context) bool {
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
			resp, err := c.rt.RoundTrip(req)
			if err != nil {
				return false
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			return resp.StatusCode == http.StatusOK
		})
		if err != nil {
			return record{}, nil, err
		}
		rec.HealthMS = ms(d)
	}
	d, err := poll("IAM answer", func(ctx context.Context) bool {
		a, err := c.send(ctx, getRole, &buf)
		return err == nil && (a.status == http.StatusOK || a.status == http.StatusNotFound)
	})
	if err != nil {
		return record{}, nil, err
	}
	rec.FirstIAMms = ms(d)
	ctx := context.Background()
	if err := c.ensureRole(ctx, probeRoleName); err != nil {
		return record{}, nil, err
	}
	a, err := c.send(ctx, getRole, &buf)
	if err != nil {
		return record{}, nil, err
	}
	if a.status != http.StatusOK {
		return record{}, nil, fmt.Errorf("GetRole after CreateRole: HTTP %d: %s", a.status, clip(a.body))
	}
	rec.FirstGetRoleMS = ms(time.Since(t0))
	return rec, kill, nil
}

// medianStartup is the last start (its pid is the running server) with the
// median of every start's timings.
func medianStartup(recs []record) record {
	out := recs[len(recs)-1]
	median := func(get func(record) float64) float64 {
		v := make([]float64, len(recs))
		for i, r := range recs {
			v[i] = get(r)
		}
		slices.Sort(v)
		return v[len(v)/2]
	}
	out.HealthMS = median(func(r record) float64 { return r.HealthMS })
	out.FirstIAMms = median(func(r record) float64 { return r.FirstIAMms })
	out.FirstGetRoleMS = median(func(r record) float64 { return r.FirstGetRoleMS })
	out.Starts = len(recs)
	return out
}

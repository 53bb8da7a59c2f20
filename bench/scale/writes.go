package main

import (
	"fmt"
	"io"
	"path/filepath"
	"runtime"
	"sync/atomic"
	"time"

	"github.com/rolecall/rolecall/internal/iam"
	"github.com/rolecall/rolecall/internal/server"
)

// writes measures durable CreateRole/s on a new data directory.
func writes(o options, tmp string, stdout io.Writer) error {
	dir := filepath.Join(tmp, "writes")
	s, _, err := start(o.bin, dir, iamQuery(server.DefaultAccount, "ListRoles", "<ListRolesResult>"))
	if err != nil {
		return err
	}
	defer s.stop()
	c := newClient(s.url)
	// Request n creates a role in account n/1000: no account passes IAM's
	// quota, and many requests in flight act in the same account, as they
	// would in one team's.
	var seq atomic.Int64
	next := func(int) (*signed, error) {
		n := seq.Add(1) - 1
		account := fmt.Sprintf("2%011d", n/iam.QuotaRolesPerAccount)
		name := fmt.Sprintf("w-%d", n)
		return c.sign(iamQuery(account, "CreateRole", "<RoleName>"+name+"</RoleName>", "RoleName", name,
			"AssumeRolePolicyDocument", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}`))
	}
	fmt.Fprintf(stdout, "durable writes: CreateRole against rolecall serve --data-dir (a new directory; every commit fsynced), %s each\n\n", o.duration)
	// What the machine would sustain were its CPUs rolecall's and this
	// client's alone: on a shared machine the measured rate follows what
	// the other work leaves.
	cpus := runtime.NumCPU()
	fmt.Fprintf(stdout, "| in flight | CreateRole/s | p50 | p99 | server CPU per create | client CPU per create | CreateRole/s %d CPUs allow |\n|---|---|---|---|---|---|---|\n", cpus)
	for _, k := range o.inFlight {
		r, err := load(s, c, k, o.duration, next)
		if err != nil {
			return fmt.Errorf("CreateRole, %d in flight: %w", k, err)
		}
		own := r.own / time.Duration(max(r.n, 1))
		fmt.Fprintf(stdout, "| %d | %.0f | %s | %s | %s | %s | %.0f |\n", k, r.rate(), ms(r.pct(50)), ms(r.pct(99)), us(r.perRequest()), us(own),
			float64(cpus)*float64(time.Second)/float64(max(r.perRequest()+own, 1)))
	}
	fmt.Fprintln(stdout)
	return nil
}

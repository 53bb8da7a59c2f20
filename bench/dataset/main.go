// Command dataset builds a large state for rolecall's scale benchmark
// (bench/scale): -accounts accounts of -roles roles each, every role with
// an AWS managed policy and its account's customer managed policy attached,
// written into the data directory -dir through rolecall's own IAM domain
// and store (not the wire), as `rolecall serve --data-dir DIR` then reads
// it. See package bench/scaledata for the names.
//
//	go run ./bench/dataset -dir /tmp/scale -accounts 1000 -roles 1000
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/rolecall/rolecall/bench/scaledata"
	"github.com/rolecall/rolecall/internal/app"
	"github.com/rolecall/rolecall/internal/iam"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("dataset", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("dir", "", "the data directory to write (its state must be new, or one this command wrote)")
	accounts := fs.Int("accounts", 1000, "accounts")
	roles := fs.Int("roles", 1000, "roles in each account (IAM's quota is 1,000)")
	workers := fs.Int("workers", 512, "writes in flight (the store commits them in groups)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *dir == "" || *accounts < 1 || *roles < 0 || *roles > iam.QuotaRolesPerAccount || *workers < 1 {
		fmt.Fprintln(stderr, "dataset: need -dir, -accounts >= 1, 0 <= -roles <= 1000, -workers >= 1")
		return 2
	}
	start := time.Now()
	if err := scaledata.Build(*dir, *accounts, *roles, *workers, stdout); err != nil {
		fmt.Fprintln(stderr, "dataset:", err)
		return 1
	}
	fi, err := os.Stat(filepath.Join(*dir, app.StateFile))
	if err != nil {
		fmt.Fprintln(stderr, "dataset:", err)
		return 1
	}
	fmt.Fprintf(stdout, "%d accounts, %d roles, in %s (%d MiB) in %s\n", *accounts, *accounts**roles,
		filepath.Join(*dir, app.StateFile), fi.Size()>>20, time.Since(start).Round(time.Second))
	return 0
}

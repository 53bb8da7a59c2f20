package main

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/rolecall/rolecall/internal/app"
	"github.com/rolecall/rolecall/internal/store"
)

const stateUsage = `usage: rolecall state export [--account ID] [--data-dir DIR | --endpoint URL] [FILE]
       rolecall state import [--data-dir DIR | --endpoint URL] FILE
       rolecall state check|salvage|repair [--data-dir DIR]

  export   write the state as a state file (docs/state-format.md): IAM (with
           access keys and their secrets), ECS and Application Auto Scaling,
           of every account or --account ID; STS sessions and temporary
           credentials are left out. FILE is written 0600 (default:
           standard output).
  import   import a state file, or an aws iam get-account-authorization-details
           export, in one transaction: into accounts that have no state yet,
           or nothing at all.
           Both read the data directory when no rolecall serves it, or go
           through a running rolecall with --endpoint (signed with the AWS
           credentials of the environment, else "test"/"test": a principal
           exports and imports its own account only, and needs
           rolecall:ExportState / rolecall:ImportState unless it is the
           account's root; only the root gets the secrets of access keys).

  check    say whether the state file is sound, and what is wrong if not
           (exit 0 sound, 1 damaged, 2 it cannot be checked)
  salvage  write every record of a damaged state file that can still be read,
           one JSON line each: {"bucket":...,"key":...,"value":...}
           (exit 1 when some could not be read)
  repair   rebuild the state file from what can be read; the damaged file is
           kept beside it as rolecall.db.damaged-TIME (rolecall must be stopped)
`

// stateCmd is the state in and out, and what a person runs when rolecall
// refuses a damaged state file: the refusal names check, salvage and
// repair.
func stateCmd(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("state", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, stateUsage) }
	dataDir := fs.String("data-dir", defaultDataDir(), "the data directory rolecall serve uses")
	endpoint := fs.String("endpoint", "", "a running rolecall's URL: export and import go through it")
	account := fs.String("account", "", "export this account only")
	words, err := parseWords(fs, args)
	if err != nil {
		return 2
	}
	if len(words) == 0 {
		fs.Usage()
		return 2
	}
	switch words[0] {
	case "export":
		if len(words) > 2 {
			fs.Usage()
			return 2
		}
		return stateExport(*dataDir, *endpoint, *account, words[1:], stdout, stderr)
	case "import":
		if len(words) != 2 || *account != "" {
			fs.Usage()
			return 2
		}
		return stateImport(*dataDir, *endpoint, words[1], stdout, stderr)
	}
	if len(words) != 1 {
		fs.Usage()
		return 2
	}
	path := filepath.Join(*dataDir, app.StateFile)
	if _, err := os.Stat(path); err != nil {
		fmt.Fprintf(stderr, "rolecall: no state file to read: %v\n", err)
		return 2
	}
	switch words[0] {
	case "check":
		return stateCheck(path, stdout, stderr)
	case "salvage":
		return stateSalvage(path, stdout, stderr)
	case "repair":
		return stateRepair(path, stdout, stderr)
	default:
		fmt.Fprintf(stderr, "rolecall: unknown state command %q\n", words[0])
		fs.Usage()
		return 2
	}
}

func stateCheck(path string, stdout, stderr io.Writer) int {
	r, err := store.CheckFile(path)
	if err != nil {
		fmt.Fprintf(stderr, "rolecall: %v\n", err)
		return 2
	}
	if len(r.Problems) == 0 {
		fmt.Fprintf(stdout, "%s: sound\n", path)
		return 0
	}
	fmt.Fprintf(stdout, "%s: damaged\n", path)
	for _, p := range r.Problems {
		fmt.Fprintf(stdout, "  - %s\n", p)
	}
	fmt.Fprintln(stdout, "'rolecall state salvage' writes what can still be read; 'rolecall state repair' rebuilds the file from it.")
	return 1
}

// salvaged is one record of rolecall state salvage. A value that is JSON
// (every record rolecall writes) is written as itself; anything else as
// base64, so that nothing read is lost.
type salvaged struct {
	Bucket      string          `json:"bucket"`
	Key         string          `json:"key"`
	Value       json.RawMessage `json:"value,omitempty"`
	ValueBase64 string          `json:"valueBase64,omitempty"`
}

func stateSalvage(path string, stdout, stderr io.Writer) int {
	enc := json.NewEncoder(stdout)
	n := 0
	skipped, err := store.Salvage(path, func(bucket, key string, value []byte) error {
		r := salvaged{Bucket: bucket, Key: key}
		if json.Valid(value) {
			r.Value = value
		} else {
			r.ValueBase64 = base64.StdEncoding.EncodeToString(value)
		}
		n++
		return enc.Encode(r)
	})
	if err != nil {
		fmt.Fprintf(stderr, "rolecall: %v\n", err)
		return 2
	}
	fmt.Fprintf(stderr, "rolecall: salvaged %d records from %s\n", n, path)
	for _, s := range skipped {
		fmt.Fprintf(stderr, "rolecall: could not read %s\n", s)
	}
	if len(skipped) > 0 {
		return 1
	}
	return 0
}

func stateRepair(path string, stdout, stderr io.Writer) int {
	r, err := store.CheckFile(path)
	if err != nil {
		fmt.Fprintf(stderr, "rolecall: %v\n", err)
		return 2
	}
	if len(r.Problems) == 0 {
		fmt.Fprintf(stdout, "%s is sound: nothing to repair\n", path)
		return 0
	}
	done, err := store.Repair(path, time.Now())
	if errors.Is(err, store.ErrLocked) {
		fmt.Fprintf(stderr, "rolecall: %v\n", err)
		return 2
	}
	if err != nil {
		fmt.Fprintf(stderr, "rolecall: repair failed, %s is unchanged: %v\n", path, err)
		return 1
	}
	fmt.Fprintf(stdout, "%s rebuilt with the %d records that could be read; the damaged file is %s\n", path, done.Kept, done.Damaged)
	for _, s := range done.Skipped {
		fmt.Fprintf(stdout, "  lost: %s\n", s)
	}
	return 0
}

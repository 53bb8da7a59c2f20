package main

// rolecall explain-denied REQUEST_ID: why a request was denied (or would
// have been, under --enforce=audit), asked of the running rolecall, which
// keeps its latest decisions in memory (GET /_rolecall/decisions/ID).

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/rolecall/rolecall/internal/authz"
	"github.com/rolecall/rolecall/internal/server"
)

func explainUsage(w io.Writer) {
	fmt.Fprint(w, `Usage:
  rolecall explain-denied REQUEST_ID [--endpoint URL]   why rolecall denied (or allowed) a request
  rolecall explain-denied --recent N [--endpoint URL]   the latest N decisions, one line each

REQUEST_ID is the request id of the AWS error (the SDKs print it as
"RequestID"; the aws CLI with --debug as x-amzn-RequestId). rolecall keeps the
latest decisions in memory; serve --audit-log FILE keeps every one.

The request is signed with the AWS credentials of the environment
(AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), else as the
default account's root ("test"/"test"): a principal sees its own account's
decisions, and needs rolecall:GetDecisions unless it is the account's root.

`+endpointHelp+`
`)
}

func explainDenied(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("explain-denied", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { explainUsage(stderr) }
	endpoint := endpointFlag(fs)
	recent := fs.Int("recent", 0, "list the latest N decisions instead")
	asJSON := fs.Bool("json", false, "print the decision as JSON")
	words, err := parseWords(fs, args)
	if err != nil {
		return 2
	}
	if (len(words) != 1 && *recent == 0) || (len(words) != 0 && *recent > 0) {
		explainUsage(stderr)
		return 2
	}
	base := endpointURL(*endpoint)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if *recent > 0 {
		var out struct{ Decisions []*authz.Record }
		if err := getJSON(ctx, base+"/_rolecall/decisions?limit="+fmt.Sprint(*recent), &out); err != nil {
			fmt.Fprintf(stderr, "rolecall explain-denied: %v\n", err)
			return 1
		}
		for _, r := range out.Decisions {
			res := strings.Join(r.Resources, ",")
			fmt.Fprintf(stdout, "%s  %s  %-12s  %s  %s  %s\n", r.Time.Format(time.RFC3339), r.RequestID, r.Decision, r.Principal, r.Action, res)
		}
		return 0
	}
	var rec authz.Record
	if err := getJSON(ctx, base+"/_rolecall/decisions/"+url.PathEscape(words[0]), &rec); err != nil {
		fmt.Fprintf(stderr, "rolecall explain-denied: %v\n", err)
		return 1
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.Encode(&rec)
		return 0
	}
	authz.Explain(stdout, &rec)
	return 0
}

// getJSON GETs u, signed for rolecall's decisions (with the
// environment's AWS credentials, as the account's root by default), into
// v; a non-200 answer's "error", or its AWS error, is the error.
func getJSON(ctx context.Context, u string, v any) error {
	resp, err := signedGet(ctx, u, server.DecisionsService, "us-east-1")
	if err != nil {
		return fmt.Errorf("cannot reach rolecall: %v (is it running? see --endpoint)", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Error   string
			Type    string `json:"__type"`
			Message string `json:"message"`
		}
		json.NewDecoder(resp.Body).Decode(&e)
		switch {
		case e.Type != "":
			return fmt.Errorf("%s: %s", e.Type, e.Message)
		case e.Error == "":
			return fmt.Errorf("%s", resp.Status)
		}
		return fmt.Errorf("%s", e.Error)
	}
	return json.NewDecoder(resp.Body).Decode(v)
}

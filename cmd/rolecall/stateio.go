package main

// rolecall state export|import, and serve --init: the state in and out as
// a state file (docs/state-format.md).

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/rolecall/rolecall/internal/app"
	"github.com/rolecall/rolecall/internal/arn"
	"github.com/rolecall/rolecall/internal/server"
	"github.com/rolecall/rolecall/internal/statefile"
)

func stateExport(dataDir, endpoint, account string, out []string, stdout, stderr io.Writer) int {
	if account != "" && !arn.IsAccountID(account) {
		fmt.Fprintf(stderr, "rolecall: --account %q is no account ID (12 digits)\n", account)
		return 2
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	var b []byte
	var err error
	if endpoint != "" {
		b, err = exportEndpoint(ctx, endpointURL(endpoint), account)
	} else {
		b, err = exportDir(ctx, dataDir, account)
	}
	if err != nil {
		fmt.Fprintf(stderr, "rolecall state export: %v\n", err)
		return 1
	}
	if len(out) == 0 || out[0] == "-" {
		stdout.Write(b)
		return 0
	}
	if err := writePrivate(out[0], b); err != nil {
		fmt.Fprintf(stderr, "rolecall state export: %v\n", err)
		return 1
	}
	fmt.Fprintf(stderr, "rolecall: state written to %s (mode 0600: it holds secrets: access keys, password keys, MFA seeds)\n", out[0])
	return 0
}

func exportDir(ctx context.Context, dataDir, account string) ([]byte, error) {
	o := app.ExportOptions{Secrets: true, Version: version, Now: time.Now()}
	if account != "" {
		o.Accounts = []string{account}
	}
	f, err := app.ExportDir(ctx, dataDir, o)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	if err := enc.Encode(f); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// exportEndpoint asks a running rolecall for the signer's account.
func exportEndpoint(ctx context.Context, base, account string) ([]byte, error) {
	resp, err := signedRequest(ctx, http.MethodGet, base+app.StatePath, server.DecisionsService, "us-east-1")
	if err != nil {
		return nil, err
	}
	b, err := stateAnswer(resp)
	if err != nil {
		return nil, err
	}
	if account != "" {
		var f struct{ Accounts map[string]json.RawMessage }
		if json.Unmarshal(b, &f) == nil {
			if _, ok := f.Accounts[account]; !ok && len(f.Accounts) > 0 {
				return nil, fmt.Errorf("the credentials are of another account than %s: through --endpoint, a principal exports its own account", account)
			}
		}
	}
	return b, nil
}

// endpointAnswer reads the answer of one of rolecall's own endpoints, up
// to limit bytes; an error answer is its code and message. what names the
// endpoint, for an answer that is not rolecall's.
func endpointAnswer(resp *http.Response, limit int64, what string) ([]byte, error) {
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, limit))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Type    string `json:"__type"`
			Message string `json:"message"`
			Error   string `json:"error"`
		}
		json.Unmarshal(b, &e)
		switch {
		case e.Type != "":
			return nil, fmt.Errorf("%s: %s", e.Type, e.Message)
		case e.Error != "":
			return nil, fmt.Errorf("%s (is the endpoint a rolecall with %s?)", e.Error, what)
		}
		return nil, fmt.Errorf("%s: %s", resp.Status, strings.TrimSpace(string(b)))
	}
	return b, nil
}

// endpointJSON reads one of rolecall's own endpoints' JSON answer into
// out, as endpointAnswer reads it; an answer that does not decode, or
// that complete (if not nil) finds wanting, is not from such an endpoint
// at base.
func endpointJSON(resp *http.Response, limit int64, what, base string, out any, complete func() bool) error {
	b, err := endpointAnswer(resp, limit, what)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, out); err != nil || (complete != nil && !complete()) {
		return fmt.Errorf("unexpected answer from %s: %s", base, strings.TrimSpace(string(b)))
	}
	return nil
}

// stateAnswer reads the state endpoint's answer.
func stateAnswer(resp *http.Response) ([]byte, error) {
	return endpointAnswer(resp, statefile.MaxSize+1, "the state endpoint")
}

// writePrivate writes b to path, readable by its owner only, whole or
// not at all.
func writePrivate(path string, b []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// readStateFile reads and parses FILE ("-": standard input).
func readStateFile(name string) ([]byte, *statefile.File, statefile.Kind, error) {
	var b []byte
	var err error
	if name == "-" {
		b, err = io.ReadAll(io.LimitReader(os.Stdin, statefile.MaxSize+1))
	} else {
		b, err = os.ReadFile(name)
	}
	if err != nil {
		return nil, nil, 0, err
	}
	f, kind, err := statefile.Parse(b)
	if err != nil {
		return nil, nil, 0, fmt.Errorf("%s: %w", name, err)
	}
	return b, f, kind, nil
}

func stateImport(dataDir, endpoint, name string, stdout, stderr io.Writer) int {
	b, f, kind, err := readStateFile(name)
	if err != nil {
		fmt.Fprintf(stderr, "rolecall state import: %v; nothing was imported\n", err)
		return 1
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	var res app.ImportResult
	if endpoint != "" {
		resp, err := signedRequestBody(ctx, http.MethodPost, endpointURL(endpoint)+app.StatePath, server.DecisionsService, "us-east-1", b)
		if err == nil {
			var ans []byte
			if ans, err = stateAnswer(resp); err == nil {
				err = json.Unmarshal(ans, &res)
			}
		}
		if err != nil {
			fmt.Fprintf(stderr, "rolecall state import: %v\n", err)
			return 1
		}
	} else {
		r, err := app.ImportDir(ctx, dataDir, version, f, app.RefuseExisting)
		if err != nil {
			fmt.Fprintf(stderr, "rolecall state import: %v; nothing was imported\n", err)
			return 1
		}
		res = *r
	}
	fmt.Fprintf(stdout, "imported %s from %s (%s)\n", strings.Join(res.Imported, ", "), name, kind)
	return 0
}

// seed is serve --init FILE: the file's accounts imported before rolecall
// listens; an account that already has state is left as it is, so that a
// restart on the same data directory keeps what was done since.
func seed(srv *app.App, name string, stdout, stderr io.Writer) int {
	_, f, kind, err := readStateFile(name)
	if err != nil {
		fmt.Fprintf(stderr, "rolecall: --init: %v; nothing was imported\n", err)
		return 1
	}
	res, err := srv.ImportState(context.Background(), f, app.SkipExisting)
	if err != nil {
		fmt.Fprintf(stderr, "rolecall: --init %s: %v; nothing was imported\n", name, err)
		return 1
	}
	for _, a := range res.Imported {
		fmt.Fprintf(stdout, "rolecall: --init: account %s seeded from %s (%s)\n", a, name, kind)
	}
	for _, a := range res.Skipped {
		fmt.Fprintf(stdout, "rolecall: --init: account %s already has state; left as it is\n", a)
	}
	return 0
}

package main

// rolecall mfa code SERIAL: the code a virtual MFA device rolecall made
// shows, asked of the running rolecall (GET /_rolecall/mfa/code), for a
// test or script to pass where a person types what an authenticator app
// shows: --token-code for sts get-session-token and assume-role, and with
// --two the two consecutive codes enable-mfa-device and resync-mfa-device
// take.

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"

	"github.com/rolecall/rolecall/internal/app"
	"github.com/rolecall/rolecall/internal/server"
)

func mfaUsage(w io.Writer) {
	fmt.Fprint(w, `Usage:
  rolecall mfa code SERIAL [--two] [--endpoint URL]

Prints the code the virtual MFA device SERIAL (its ARN, as
create-virtual-mfa-device answered it) shows now, computed from its seed
as an authenticator app computes it (RFC 6238). A code is accepted once:
when the current one was used, the next one is printed. With --two, two
consecutive codes on one line, for enable-mfa-device and resync-mfa-device.

  aws sts get-session-token --serial-number "$SERIAL" --token-code "$(rolecall mfa code "$SERIAL")"

The request is signed with $AWS_ACCESS_KEY_ID/$AWS_SECRET_ACCESS_KEY
($AWS_SESSION_TOKEN), else the emulator's root keys test/test: the caller
must be of the device's account, and needs rolecall:GetMFACode on the
device unless it is the account's root.

`+endpointHelp+`
`)
}

func mfaCmd(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("mfa", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { mfaUsage(stderr) }
	endpoint := endpointFlag(fs)
	two := fs.Bool("two", false, "print two consecutive codes")
	words, err := parseWords(fs, args)
	if err != nil {
		return 2
	}
	if len(words) != 2 || words[0] != "code" {
		mfaUsage(stderr)
		return 2
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	codes, err := fetchMFACodes(ctx, endpointURL(*endpoint), words[1], *two)
	if err != nil {
		fmt.Fprintf(stderr, "rolecall mfa code: %v\n", err)
		return 1
	}
	fmt.Fprintln(stdout, strings.Join(codes, " "))
	return 0
}

// fetchMFACodes asks rolecall for the device's codes.
func fetchMFACodes(ctx context.Context, base, serial string, two bool) ([]string, error) {
	q := url.Values{"serial": {serial}}
	if two {
		q.Set("two", "1")
	}
	resp, err := signedGet(ctx, base+app.MFACodePath+"?"+q.Encode(), server.DecisionsService, "us-east-1")
	if err != nil {
		return nil, err
	}
	var out app.MFACodes
	err = endpointJSON(resp, 1<<16, "the MFA code endpoint", base, &out, func() bool { return len(out.Codes) > 0 })
	return out.Codes, err
}

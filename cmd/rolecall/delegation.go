package main

// rolecall delegation token ID: the exchange token SendDelegationToken
// released for a delegation request, asked of the running rolecall (GET
// /_rolecall/delegation/token) by the partner that filed the request. AWS
// publishes it to the partner's SNS topic, which rolecall does not have.

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/url"
	"time"

	"github.com/rolecall/rolecall/internal/app"
	"github.com/rolecall/rolecall/internal/server"
)

func delegationUsage(w io.Writer) {
	fmt.Fprint(w, `Usage:
  rolecall delegation token DELEGATION_REQUEST_ID [--endpoint URL]

Prints the exchange token the customer released with send-delegation-token
for the delegation request, which the partner trades for credentials:

  aws sts get-delegated-access-token --trade-in-token "$(rolecall delegation token "$ID")"

AWS sends the token to the request's notification channel, an SNS topic of
the partner's; rolecall has none, so the partner asks for it here.

The request is signed with $AWS_ACCESS_KEY_ID/$AWS_SECRET_ACCESS_KEY
($AWS_SESSION_TOKEN), else the emulator's root keys test/test: the caller
must be of the account that created the request, and needs
`+app.GetDelegationTokenAction+` on it unless it is the account's root.

`+endpointHelp+`
`)
}

func delegationCmd(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("delegation", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { delegationUsage(stderr) }
	endpoint := endpointFlag(fs)
	words, err := parseWords(fs, args)
	if err != nil {
		return 2
	}
	if len(words) != 2 || words[0] != "token" {
		delegationUsage(stderr)
		return 2
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	token, err := fetchDelegationToken(ctx, endpointURL(*endpoint), words[1])
	if err != nil {
		fmt.Fprintf(stderr, "rolecall delegation token: %v\n", err)
		return 1
	}
	fmt.Fprintln(stdout, token)
	return 0
}

// fetchDelegationToken asks rolecall for the request's exchange token.
func fetchDelegationToken(ctx context.Context, base, id string) (string, error) {
	resp, err := signedGet(ctx, base+app.DelegationTokenPath+"?"+url.Values{"id": {id}}.Encode(), server.DecisionsService, "us-east-1")
	if err != nil {
		return "", err
	}
	var out app.DelegationToken
	err = endpointJSON(resp, 1<<16, "the delegation token endpoint", base, &out, func() bool { return out.Token != "" })
	return out.Token, err
}

package main

// rolecall oidc token: an ID token signed by a running rolecall's OpenID
// Connect issuer, for AssumeRoleWithWebIdentity (AWS_WEB_IDENTITY_TOKEN_FILE);
// and serve's --oidc-addr, where the issuer publishes its keys.

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/rolecall/rolecall/internal/app"
	"github.com/rolecall/rolecall/internal/oidc"
	"github.com/rolecall/rolecall/internal/server"
)

func oidcUsage(w io.Writer) {
	fmt.Fprint(w, `Usage:
  rolecall oidc token --sub SUBJECT [--aud AUDIENCE]... [--claim NAME=VALUE]...
                      [--preset github|eks|gitlab] [--issuer URL] [--lifetime 1h]
                      [--out FILE] [--endpoint URL]

Prints an ID token signed by rolecall's OpenID Connect issuer: exchanged with
AssumeRoleWithWebIdentity (AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN), it
is accepted by that rolecall for the issuer it names, as the real issuer's
would be, when the role's account has an IAM OIDC provider for that issuer.

  --preset github   iss https://token.actions.githubusercontent.com, aud
                    sts.amazonaws.com, and a job's claims (repository, ref,
                    environment, actor...) from --sub repo:OWNER/REPO:ref:REF
  --preset eks      an EKS cluster's issuer (--issuer for your cluster's),
                    aud sts.amazonaws.com, --sub system:serviceaccount:NS:NAME
  --preset gitlab   iss and aud https://gitlab.com, and a job's claims from
                    --sub project_path:GROUP/PROJECT:ref_type:branch:ref:REF
  without a preset  iss is rolecall's issuer (serve --oidc-issuer), aud
                    sts.amazonaws.com

--claim adds a claim last; its VALUE is read as JSON when it is JSON, else as
a string: --claim 'https://aws.amazon.com/tags={"principal_tags":{"team":["ci"]}}'.
--lifetime is how long the token is valid (a negative one: already expired).
--out writes the token to FILE (mode 0600) as a token file holds it; otherwise
it is printed.

The request is signed with $AWS_ACCESS_KEY_ID/$AWS_SECRET_ACCESS_KEY
($AWS_SESSION_TOKEN), else the emulator's root keys test/test, and is
authorized for `+app.SignWebIdentityTokenAction+` (the account's root may).
`+endpointHelp+"\n")
}

// repeated is a flag given any number of times.
type repeated []string

func (r *repeated) String() string     { return strings.Join(*r, ",") }
func (r *repeated) Set(v string) error { *r = append(*r, v); return nil }

func oidcCmd(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("oidc", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { oidcUsage(stderr) }
	endpoint := endpointFlag(fs)
	var req oidc.TokenRequest
	var aud, claims repeated
	fs.StringVar(&req.Subject, "sub", "", "the token's subject")
	fs.Var(&aud, "aud", "an audience (repeatable; default sts.amazonaws.com, or the preset's)")
	fs.Var(&claims, "claim", "a claim `NAME=VALUE` (repeatable)")
	fs.StringVar(&req.Preset, "preset", "", "github, eks or gitlab")
	fs.StringVar(&req.Issuer, "issuer", "", "the token's iss (default the preset's, else rolecall's issuer)")
	lifetime := fs.Duration("lifetime", oidc.DefaultLifetime, "how long the token is valid")
	out := fs.String("out", "", "write the token to `FILE`")
	words, err := parseWords(fs, args)
	if err != nil {
		return 2
	}
	if len(words) != 1 || words[0] != "token" {
		oidcUsage(stderr)
		return 2
	}
	req.Audience, req.Lifetime = aud, oidc.Duration(*lifetime)
	for _, c := range claims {
		name, value, ok := strings.Cut(c, "=")
		if !ok || name == "" {
			fmt.Fprintf(stderr, "rolecall oidc token: --claim %q is not NAME=VALUE\n", c)
			return 2
		}
		if req.Claims == nil {
			req.Claims = map[string]any{}
		}
		var v any
		if json.Unmarshal([]byte(value), &v) != nil {
			v = value
		}
		req.Claims[name] = v
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	token, err := signToken(ctx, endpointURL(*endpoint), req)
	if err != nil {
		fmt.Fprintf(stderr, "rolecall oidc token: %v\n", err)
		return 1
	}
	if *out != "" {
		if err := writePrivate(*out, []byte(token)); err != nil {
			fmt.Fprintf(stderr, "rolecall oidc token: %v\n", err)
			return 1
		}
		return 0
	}
	fmt.Fprintln(stdout, token)
	return 0
}

// signToken asks rolecall's issuer to sign.
func signToken(ctx context.Context, base string, req oidc.TokenRequest) (string, error) {
	body, err := json.Marshal(req)
	if err != nil {
		return "", err
	}
	resp, err := signedRequestBody(ctx, http.MethodPost, base+app.OIDCTokenPath, server.DecisionsService, "us-east-1", body)
	if err != nil {
		return "", err
	}
	var answer struct{ Token string }
	err = endpointJSON(resp, 1<<20, "an OpenID Connect issuer", base, &answer, func() bool { return answer.Token != "" })
	return answer.Token, err
}

// oidcListen listens where serve --oidc-addr says: "off" nowhere; ""
// (the default) on --addr's host, the port after its (any free port when
// --addr's is 0), and then a port that is taken is a warning, not a
// failure: rolecall's STS needs no published keys.
func oidcListen(flagValue, mainFlag string, main net.Addr, stderr io.Writer) (net.Listener, error) {
	if flagValue == "off" {
		return nil, nil
	}
	addr := flagValue
	if addr == "" {
		tcp, ok := main.(*net.TCPAddr)
		if !ok {
			return nil, nil
		}
		// main is bound: its port is never 0, so the flag says whether
		// any port was asked for.
		port := 0
		if _, p, _ := net.SplitHostPort(mainFlag); p != "0" {
			port = tcp.Port + 1
		}
		addr = net.JoinHostPort(tcp.IP.String(), strconv.Itoa(port))
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil && flagValue == "" {
		fmt.Fprintf(stderr, "rolecall: warning: the OpenID Connect issuer's keys are not published: %v (--oidc-addr to choose another address; tokens are verified all the same)\n", err)
		return nil, nil
	}
	return ln, err
}

// defaultOIDCAddrHelp is --oidc-addr's usage.
const defaultOIDCAddrHelp = "address where rolecall's OpenID Connect issuer publishes its discovery document and keys over http (default: --addr's host, the next port; off: nowhere)"

// oidcBanner is serve's line about the issuer.
func oidcBanner(ln net.Listener, issuer string) string {
	if ln == nil {
		return fmt.Sprintf("  oidc:     issuer %s, keys not published\n", issuer)
	}
	return fmt.Sprintf("  oidc:     issuer %s, keys at http://%s%s\n", issuer, ln.Addr(), oidc.JWKSPath)
}

package main

// rolecall saml metadata|assertion: rolecall's own SAML identity provider,
// for trying SAML federation locally: its metadata makes an IAM SAML
// provider, and the responses it signs go to sts assume-role-with-saml.

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/rolecall/rolecall/internal/app"
	"github.com/rolecall/rolecall/internal/saml"
	"github.com/rolecall/rolecall/internal/server"
)

func samlUsage(w io.Writer) {
	fmt.Fprint(w, `Usage:
  rolecall saml metadata [--endpoint URL]
  rolecall saml assertion --provider ARN|NAME --role ARN|NAME --subject NAMEID
                          [--session-name NAME] [--subject-format URI] [--attr NAME=VALUE]...
                          [--recipient URL] [--audience URI] [--valid-for 5m]
                          [--encrypt-to CERT.pem] [--endpoint URL]

metadata prints the metadata document of rolecall's SAML identity provider:
register it as a SAML provider with
  aws iam create-saml-provider --name NAME --saml-metadata-document "$(rolecall saml metadata)"

assertion prints a base64 SAML response that rolecall's identity provider
signed, asserting that SUBJECT may assume the role through the provider
(its Role attribute pairs them), for
  aws sts assume-role-with-saml --role-arn ROLE --principal-arn PROVIDER --saml-assertion "$(rolecall saml assertion ...)"
A name is made an ARN of the caller's account. --attr adds an attribute
(repeat a name for more values): AWS's by their last part
(SessionDuration=900, SourceIdentity=ID, PrincipalTag:KEY=VALUE,
TransitiveTagKeys=KEY), an attribute AWS maps to a saml: condition key by
that key (saml:edupersonaffiliation=staff), any other by its full Name.
--recipient and --audience default to https://signin.aws.amazon.com/saml;
--valid-for (default 5m) may be negative, for a response already expired.
--encrypt-to encrypts the signed assertion (RSA-OAEP, AES-256-GCM) to the
certificate in CERT.pem, as an identity provider encrypts to the service
provider's certificate: the public half of a private key the SAML provider
holds (aws iam update-saml-provider --add-private-key file://KEY.pem).

The assertion request is signed with $AWS_ACCESS_KEY_ID/$AWS_SECRET_ACCESS_KEY
($AWS_SESSION_TOKEN), else the emulator's root keys test/test: the caller
must be allowed rolecall:AssertSAML on the provider (an account's root is,
for its account's providers). The metadata needs no credentials.

`+endpointHelp+`
`)
}

// attrFlag collects --attr NAME=VALUE.
type attrFlag []saml.Attribute

func (a *attrFlag) String() string { return "" }

func (a *attrFlag) Set(v string) error {
	name, value, ok := strings.Cut(v, "=")
	if !ok || name == "" {
		return fmt.Errorf("%q is not NAME=VALUE", v)
	}
	for i := range *a {
		if (*a)[i].Name == name {
			(*a)[i].Values = append((*a)[i].Values, value)
			return nil
		}
	}
	*a = append(*a, saml.Attribute{Name: name, Values: []string{value}})
	return nil
}

func samlCmd(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("saml", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { samlUsage(stderr) }
	endpoint := endpointFlag(fs)
	var in app.SAMLAssertionRequest
	fs.StringVar(&in.Provider, "provider", "", "the SAML provider: its ARN, or its name in the caller's account")
	fs.StringVar(&in.Role, "role", "", "the role the subject may assume: its ARN, or its name (no path) in the caller's account")
	fs.StringVar(&in.Subject, "subject", "", "the subject's NameID (saml:sub)")
	fs.StringVar(&in.SubjectFormat, "subject-format", "", "the NameID's Format (default urn:oasis:names:tc:SAML:2.0:nameid-format:persistent)")
	fs.StringVar(&in.SessionName, "session-name", "", "the RoleSessionName attribute (default the subject)")
	fs.StringVar(&in.Recipient, "recipient", "", "where the response is presented (saml:aud)")
	fs.StringVar(&in.Audience, "audience", "", "the assertion's Audience")
	validFor := fs.Duration("valid-for", 0, "how long the response may be presented (default 5m; negative: expired)")
	encryptTo := fs.String("encrypt-to", "", "a PEM certificate file to encrypt the assertion to")
	var attrs attrFlag
	fs.Var(&attrs, "attr", "an attribute NAME=VALUE (repeatable)")
	words, err := parseWords(fs, args)
	if err != nil {
		return 2
	}
	if len(words) != 1 {
		samlUsage(stderr)
		return 2
	}
	base := endpointURL(*endpoint)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	switch words[0] {
	case "metadata":
		doc, err := samlMetadata(ctx, base)
		if err != nil {
			fmt.Fprintf(stderr, "rolecall saml metadata: %v\n", err)
			return 1
		}
		fmt.Fprint(stdout, doc)
		return 0
	case "assertion":
		if in.Provider == "" || in.Role == "" || in.Subject == "" {
			fmt.Fprintln(stderr, "rolecall saml assertion: --provider, --role and --subject are needed")
			return 2
		}
		in.Attributes = attrs
		if *validFor != 0 {
			in.ValidFor = validFor.String()
		}
		if *encryptTo != "" {
			b, err := os.ReadFile(*encryptTo)
			if err != nil {
				fmt.Fprintf(stderr, "rolecall saml assertion: --encrypt-to: %v\n", err)
				return 2
			}
			in.EncryptTo = string(b)
		}
		out, err := samlAssertion(ctx, base, in)
		if err != nil {
			fmt.Fprintf(stderr, "rolecall saml assertion: %v\n", err)
			return 1
		}
		fmt.Fprintln(stdout, out.SAMLAssertion)
		return 0
	}
	samlUsage(stderr)
	return 2
}

// samlMetadata GETs the identity provider's metadata.
func samlMetadata(ctx context.Context, base string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+app.SAMLMetadataPath, nil)
	if err != nil {
		return "", err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	b, err := endpointAnswer(resp, 1<<20, "an identity provider")
	return string(b), err
}

// samlAssertion asks the identity provider for a signed response, with a
// request signed as the SDKs sign (service "rolecall").
func samlAssertion(ctx context.Context, base string, in app.SAMLAssertionRequest) (*app.SAMLAssertionAnswer, error) {
	body, err := json.Marshal(in)
	if err != nil {
		return nil, err
	}
	resp, err := signedRequestBody(ctx, http.MethodPost, base+app.SAMLAssertPath, server.DecisionsService, "us-east-1", body)
	if err != nil {
		return nil, err
	}
	var out app.SAMLAssertionAnswer
	if err := endpointJSON(resp, 1<<20, "an identity provider", base, &out, nil); err != nil {
		return nil, err
	}
	return &out, nil
}

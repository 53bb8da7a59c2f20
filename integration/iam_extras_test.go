package integration

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/go-jose/go-jose/v4"

	"github.com/rolecall/rolecall/internal/ids"
	"github.com/rolecall/rolecall/rolecalltest"
)

// TestSecurityTokenServicePreferences: the version set is what
// GetAccountSummary reports; the model refuses others.
func TestSecurityTokenServicePreferences(t *testing.T) {
	rc := rolecalltest.RunT(t)
	root := clientsFor(rc.Config, nil)
	version := func() int32 {
		t.Helper()
		return must(root.iam.GetAccountSummary(ctx, nil))(t).SummaryMap[string(iamtypes.SummaryKeyTypeGlobalEndpointTokenVersion)]
	}
	if v := version(); v != 1 {
		t.Errorf("default GlobalEndpointTokenVersion %d, want 1", v)
	}
	must(root.iam.SetSecurityTokenServicePreferences(ctx, &iam.SetSecurityTokenServicePreferencesInput{GlobalEndpointTokenVersion: iamtypes.GlobalEndpointTokenVersionV2Token}))(t)
	if v := version(); v != 2 {
		t.Errorf("after v2Token: %d, want 2", v)
	}
	must(root.iam.SetSecurityTokenServicePreferences(ctx, &iam.SetSecurityTokenServicePreferencesInput{GlobalEndpointTokenVersion: iamtypes.GlobalEndpointTokenVersionV1Token}))(t)
	if v := version(); v != 1 {
		t.Errorf("after v1Token: %d, want 1", v)
	}
	_, err := root.iam.SetSecurityTokenServicePreferences(ctx, &iam.SetSecurityTokenServicePreferencesInput{GlobalEndpointTokenVersion: "v3Token"})
	wantErr(t, err, 400, "ValidationError", "1 validation error detected: Value at 'globalEndpointTokenVersion' failed to satisfy constraint: Member must satisfy enum value set")
	nobody, _ := newUser(t, root, rc.Config, nil, "nobody", "")
	_, err = nobody.iam.SetSecurityTokenServicePreferences(ctx, &iam.SetSecurityTokenServicePreferencesInput{GlobalEndpointTokenVersion: iamtypes.GlobalEndpointTokenVersionV2Token})
	wantErr(t, err, 403, "AccessDenied", "User: arn:aws:iam::"+account+":user/nobody is not authorized to perform: iam:SetSecurityTokenServicePreferences on resource: * because no identity-based policy allows the iam:SetSecurityTokenServicePreferences action")
}

// TestOrganizationsCalls: rolecall's accounts belong to no organization,
// and IAM answers as AWS answers such an account.
func TestOrganizationsCalls(t *testing.T) {
	rc := rolecalltest.RunT(t)
	root := clientsFor(rc.Config, nil)
	const notFound = "The request was rejected because no organization is associated with your account."
	for name, call := range map[string]func() error{
		"ListOrganizationsFeatures": func() error { _, err := root.iam.ListOrganizationsFeatures(ctx, nil); return err },
		"EnableOrganizationsRootCredentialsManagement": func() error {
			_, err := root.iam.EnableOrganizationsRootCredentialsManagement(ctx, nil)
			return err
		},
		"DisableOrganizationsRootCredentialsManagement": func() error {
			_, err := root.iam.DisableOrganizationsRootCredentialsManagement(ctx, nil)
			return err
		},
		"EnableOrganizationsRootSessions":  func() error { _, err := root.iam.EnableOrganizationsRootSessions(ctx, nil); return err },
		"DisableOrganizationsRootSessions": func() error { _, err := root.iam.DisableOrganizationsRootSessions(ctx, nil); return err },
		"GenerateOrganizationsAccessReport": func() error {
			_, err := root.iam.GenerateOrganizationsAccessReport(ctx, &iam.GenerateOrganizationsAccessReportInput{EntityPath: aws.String("o-a1b2c3d4e5/r-f6g7h8i9j0example/123456789012")})
			return err
		},
	} {
		t.Run(name, func(t *testing.T) {
			err := call()
			wantErr(t, err, 400, "OrganizationNotFoundException", notFound)
			// The model lists the exception for all but the report.
			var nf *iamtypes.OrganizationNotFoundException
			if !errors.As(err, &nf) && name != "GenerateOrganizationsAccessReport" {
				t.Errorf("the SDK does not read %v as its OrganizationNotFoundException", err)
			}
		})
	}
	job := "11111111-2222-4333-8444-555555555555"
	_, err := root.iam.GetOrganizationsAccessReport(ctx, &iam.GetOrganizationsAccessReportInput{JobId: aws.String(job)})
	wantErr(t, err, 404, "NoSuchEntity", "The job with ID "+job+" cannot be found.")
	nobody, _ := newUser(t, root, rc.Config, nil, "nobody", "")
	_, err = nobody.iam.ListOrganizationsFeatures(ctx, nil)
	wantErr(t, err, 403, "AccessDenied", "User: arn:aws:iam::"+account+":user/nobody is not authorized to perform: iam:ListOrganizationsFeatures on resource: * because no identity-based policy allows the iam:ListOrganizationsFeatures action")
}

// TestListPoliciesGrantingServiceAccess: a user's own and its groups'
// policies, managed by ARN and inline by their entity, per namespace.
func TestListPoliciesGrantingServiceAccess(t *testing.T) {
	rc := rolecalltest.RunT(t)
	root := clientsFor(rc.Config, nil)
	newUser(t, root, rc.Config, nil, "alice", s3ReadPolicy)
	must(root.iam.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("alice"), PolicyArn: aws.String("arn:aws:iam::aws:policy/AmazonEC2ReadOnlyAccess")}))(t)
	must(root.iam.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("ops")}))(t)
	must(root.iam.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String("ops"), UserName: aws.String("alice")}))(t)
	must(root.iam.PutGroupPolicy(ctx, &iam.PutGroupPolicyInput{GroupName: aws.String("ops"), PolicyName: aws.String("ec2-and-iam"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ec2:Describe*","iam:Get*"],"Resource":"*"}]}`)}))(t)
	must(root.iam.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: aws.String("ops"), PolicyArn: aws.String("arn:aws:iam::aws:policy/AmazonEC2ReadOnlyAccess")}))(t)

	userArn := "arn:aws:iam::" + account + ":user/alice"
	out := must(root.iam.ListPoliciesGrantingServiceAccess(ctx, &iam.ListPoliciesGrantingServiceAccessInput{Arn: aws.String(userArn), ServiceNamespaces: []string{"s3", "ec2", "iam", "dynamodb"}}))(t)
	got := map[string][]string{}
	for _, e := range out.PoliciesGrantingServiceAccess {
		list := []string{}
		for _, p := range e.Policies {
			list = append(list, string(p.PolicyType)+" "+aws.ToString(p.PolicyName)+" "+aws.ToString(p.PolicyArn)+" "+string(p.EntityType)+" "+aws.ToString(p.EntityName))
		}
		got[aws.ToString(e.ServiceNamespace)] = list
	}
	ec2ro := "MANAGED AmazonEC2ReadOnlyAccess arn:aws:iam::aws:policy/AmazonEC2ReadOnlyAccess  "
	want := map[string][]string{
		"s3":       {"INLINE p  USER alice"},
		"ec2":      {ec2ro, "INLINE ec2-and-iam  GROUP ops"},
		"iam":      {"INLINE ec2-and-iam  GROUP ops"},
		"dynamodb": {},
	}
	gotJSON, _ := json.Marshal(got)
	wantJSON, _ := json.Marshal(want)
	if string(gotJSON) != string(wantJSON) || out.IsTruncated || len(out.PoliciesGrantingServiceAccess) != 4 ||
		aws.ToString(out.PoliciesGrantingServiceAccess[0].ServiceNamespace) != "s3" {
		t.Errorf("got %s\nwant %s", gotJSON, wantJSON)
	}
	// The group's own: only its policies.
	g := must(root.iam.ListPoliciesGrantingServiceAccess(ctx, &iam.ListPoliciesGrantingServiceAccessInput{Arn: aws.String("arn:aws:iam::" + account + ":group/ops"), ServiceNamespaces: []string{"s3"}}))(t)
	if len(g.PoliciesGrantingServiceAccess) != 1 || len(g.PoliciesGrantingServiceAccess[0].Policies) != 0 {
		t.Errorf("group ops grants s3: %+v", g.PoliciesGrantingServiceAccess)
	}

	_, err := root.iam.ListPoliciesGrantingServiceAccess(ctx, &iam.ListPoliciesGrantingServiceAccessInput{Arn: aws.String("arn:aws:iam::" + account + ":user/nobody"), ServiceNamespaces: []string{"s3"}})
	wantErr(t, err, 404, "NoSuchEntity", "The user with name nobody cannot be found.")
	_, err = root.iam.ListPoliciesGrantingServiceAccess(ctx, &iam.ListPoliciesGrantingServiceAccessInput{Arn: aws.String("arn:aws:iam::aws:policy/AmazonEC2ReadOnlyAccess"), ServiceNamespaces: []string{"s3"}})
	wantErr(t, err, 400, "InvalidInput", "ARN arn:aws:iam::aws:policy/AmazonEC2ReadOnlyAccess is not valid.")
	bob, _ := newUser(t, root, rc.Config, nil, "bob", "")
	_, err = bob.iam.ListPoliciesGrantingServiceAccess(ctx, &iam.ListPoliciesGrantingServiceAccessInput{Arn: aws.String(userArn), ServiceNamespaces: []string{"s3"}})
	wantErr(t, err, 403, "AccessDenied", "User: arn:aws:iam::"+account+":user/bob is not authorized to perform: iam:ListPoliciesGrantingServiceAccess on resource: "+userArn+" because no identity-based policy allows the iam:ListPoliciesGrantingServiceAccess action")
}

// jwtParts reads a GetWebIdentityToken token as a relying party does
// (internal/oidc, which verifies web identity tokens for STS): its
// signature verified with the issuer's JWKS, its header and claims.
func jwtParts(t *testing.T, tok string, jwks []byte) (header, claims map[string]any) {
	t.Helper()
	// As a relying party verifies: go-jose, the key the header's kid names.
	sig, err := jose.ParseSigned(tok, []jose.SignatureAlgorithm{jose.RS256, jose.ES384})
	if err != nil {
		t.Fatalf("not a signed JWT: %v", err)
	}
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(jwks, &set); err != nil {
		t.Fatal(err)
	}
	keys := set.Key(sig.Signatures[0].Header.KeyID)
	if len(keys) != 1 {
		t.Fatalf("the JWKS %s has no key %q", jwks, sig.Signatures[0].Header.KeyID)
	}
	if _, err := sig.Verify(keys[0].Public()); err != nil {
		t.Fatalf("the %s token does not verify with the JWKS %s: %v", sig.Signatures[0].Header.Algorithm, jwks, err)
	}
	b, err := base64.RawURLEncoding.DecodeString(strings.Split(tok, ".")[0])
	if err == nil {
		err = json.Unmarshal(b, &header)
	}
	if err == nil {
		b, _ = base64.RawURLEncoding.DecodeString(strings.Split(tok, ".")[1])
		err = json.Unmarshal(b, &claims)
	}
	if err != nil {
		t.Fatal(err)
	}
	return header, claims
}

// fetchIssuer is a relying party's first step: the issuer's discovery
// document over HTTP, then the key set at its jwks_uri; status is the
// discovery document's HTTP status (the keys are fetched only on 200).
func fetchIssuer(t *testing.T, issuer string) (status int, jwks []byte) {
	t.Helper()
	get := func(u string) (int, []byte) {
		resp, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, b
	}
	status, b := get(issuer + "/.well-known/openid-configuration")
	if status != http.StatusOK {
		return status, nil
	}
	var doc struct {
		Issuer  string   `json:"issuer"`
		JWKSURI string   `json:"jwks_uri"`
		Algs    []string `json:"id_token_signing_alg_values_supported"`
	}
	if err := json.Unmarshal(b, &doc); err != nil || doc.Issuer != issuer || doc.JWKSURI != issuer+"/.well-known/jwks.json" ||
		strings.Join(doc.Algs, ",") != "RS256,ES384" {
		t.Fatalf("discovery document %s (%v)", b, err)
	}
	status, jwks = get(doc.JWKSURI)
	if status != http.StatusOK {
		t.Fatalf("GET %s: %d", doc.JWKSURI, status)
	}
	return status, jwks
}

// TestOutboundWebIdentityFederation: the account enables the feature and
// gets its issuer, whose discovery document and keys are served over
// HTTP; its principals' tokens are signed with keys its JWKS verifies,
// say who they are, for whom, and for how long; disabled, no token and no
// published issuer.
func TestOutboundWebIdentityFederation(t *testing.T) {
	clock := &ids.FixedClock{T: time.Now().UTC().Truncate(time.Second)}
	rc := rolecalltest.RunT(t, rolecalltest.WithClock(clock))
	root := clientsFor(rc.Config, clock)
	const tokenPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:GetWebIdentityToken","Resource":"*","Condition":{"StringEquals":{"sts:IdentityTokenAudience":"https://api.example.com"}}}]}`
	alice, _ := newUser(t, root, rc.Config, clock, "alice", tokenPolicy)
	in := &sts.GetWebIdentityTokenInput{Audience: []string{"https://api.example.com"}, SigningAlgorithm: aws.String("RS256")}

	_, err := alice.sts.GetWebIdentityToken(ctx, in)
	wantErr(t, err, 403, "OutboundWebIdentityFederationDisabledException", "The outbound web identity federation feature is not enabled for this account. To use this feature, you must first enable it through the AWS Management Console or API.")
	const disabled = "The request failed because outbound identity federation is already disabled for your AWS account. You cannot disable the feature multiple times"
	_, err = root.iam.GetOutboundWebIdentityFederationInfo(ctx, nil)
	wantErr(t, err, 404, "FeatureDisabled", disabled)

	issuer := aws.ToString(must(root.iam.EnableOutboundWebIdentityFederation(ctx, nil))(t).IssuerIdentifier)
	if !strings.HasPrefix(issuer, rc.IssuerEndpoint+"/outbound/") {
		t.Errorf("issuer %s, want one under %s", issuer, rc.IssuerEndpoint)
	}
	_, err = root.iam.EnableOutboundWebIdentityFederation(ctx, nil)
	wantErr(t, err, 409, "FeatureEnabled", "The request failed because outbound identity federation is already enabled for your AWS account. You cannot enable the feature multiple times. To fetch the current configuration (including the unique issuer URL), use the GetOutboundWebIdentityFederationInfo operation.")
	info := must(root.iam.GetOutboundWebIdentityFederationInfo(ctx, nil))(t)
	if aws.ToString(info.IssuerIdentifier) != issuer || !info.JwtVendingEnabled {
		t.Errorf("info %s %v", aws.ToString(info.IssuerIdentifier), info.JwtVendingEnabled)
	}
	_, jwks := fetchIssuer(t, issuer)

	in.Tags = []ststypes.Tag{{Key: aws.String("job"), Value: aws.String("42")}}
	out := must(alice.sts.GetWebIdentityToken(ctx, in))(t)
	if !out.Expiration.Equal(clock.Now().Add(5 * time.Minute)) {
		t.Errorf("expires %v, want in 5 minutes", out.Expiration)
	}
	header, claims := jwtParts(t, aws.ToString(out.WebIdentityToken), jwks)
	ns, _ := claims["https://sts.amazonaws.com/"].(map[string]any)
	if header["typ"] != "JWT" || claims["iss"] != issuer || claims["aud"] != "https://api.example.com" || claims["sub"] != "arn:aws:iam::"+account+":user/alice" ||
		claims["iat"] != float64(clock.Now().Unix()) || claims["exp"] != float64(out.Expiration.Unix()) || claims["jti"] == nil ||
		ns["aws_account"] != account || ns["source_region"] != "us-east-1" || ns["request_tags"].(map[string]any)["job"] != "42" {
		t.Errorf("header %v claims %v", header, claims)
	}
	// A role session: ES384, several audiences, sub its role; the token
	// outlives no session.
	createRole(t, root.iam, "app", func(in *iam.CreateRoleInput) { in.AssumeRolePolicyDocument = aws.String(trustAccount) })
	putRolePolicy(t, root.iam, "app", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:GetWebIdentityToken","Resource":"*"}]}`)
	assumer, _ := newUser(t, root, rc.Config, clock, "assumer", allowAssumeRole)
	sess := must(assumer.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleArn("app")), RoleSessionName: aws.String("s1")}))(t)
	app := sessionClients(rc.Config, clock, sess.Credentials)
	two := must(app.sts.GetWebIdentityToken(ctx, &sts.GetWebIdentityTokenInput{Audience: []string{"a", "b"}, SigningAlgorithm: aws.String("ES384"), DurationSeconds: aws.Int32(3600)}))(t)
	_, claims = jwtParts(t, aws.ToString(two.WebIdentityToken), jwks)
	if claims["sub"] != roleArn("app") || len(claims["aud"].([]any)) != 2 {
		t.Errorf("role session's claims %v", claims)
	}
	clock.Advance(30 * time.Minute)
	_, err = app.sts.GetWebIdentityToken(ctx, &sts.GetWebIdentityTokenInput{Audience: []string{"a"}, SigningAlgorithm: aws.String("ES384"), DurationSeconds: aws.Int32(3600)})
	wantErr(t, err, 403, "SessionDurationEscalationException", "The requested token duration would extend the session beyond its original expiration time.")

	// Refusals: the audience condition, the algorithm, a federated user.
	_, err = alice.sts.GetWebIdentityToken(ctx, &sts.GetWebIdentityTokenInput{Audience: []string{"https://other.example.com"}, SigningAlgorithm: aws.String("RS256")})
	wantErr(t, err, 403, "AccessDenied", "User: arn:aws:iam::"+account+":user/alice is not authorized to perform: sts:GetWebIdentityToken on resource: * because no identity-based policy allows the sts:GetWebIdentityToken action")
	_, err = app.sts.GetWebIdentityToken(ctx, &sts.GetWebIdentityTokenInput{Audience: []string{"a"}, SigningAlgorithm: aws.String("HS256")})
	wantErr(t, err, 400, "ValidationError", "1 validation error detected: Value 'HS256' at 'signingAlgorithm' failed to satisfy constraint: Member must satisfy enum value set: [RS256, ES384]")

	must(root.iam.DisableOutboundWebIdentityFederation(ctx, nil))(t)
	_, err = root.iam.DisableOutboundWebIdentityFederation(ctx, nil)
	wantErr(t, err, 404, "FeatureDisabled", disabled)
	if info := must(root.iam.GetOutboundWebIdentityFederationInfo(ctx, nil))(t); aws.ToString(info.IssuerIdentifier) != issuer || info.JwtVendingEnabled {
		t.Errorf("disabled: %s %v", aws.ToString(info.IssuerIdentifier), info.JwtVendingEnabled)
	}
	// Tokens issued before stay valid, so their keys stay published.
	if status, keys := fetchIssuer(t, issuer); status != http.StatusOK || string(keys) != string(jwks) {
		t.Errorf("a disabled issuer's keys: %d %s, want 200 and %s", status, keys, jwks)
	}
	in.Tags = nil
	_, err = alice.sts.GetWebIdentityToken(ctx, in)
	wantErr(t, err, 403, "OutboundWebIdentityFederationDisabledException", "The outbound web identity federation feature is not enabled for this account. To use this feature, you must first enable it through the AWS Management Console or API.")
	if again := aws.ToString(must(root.iam.EnableOutboundWebIdentityFederation(ctx, nil))(t).IssuerIdentifier); again != issuer {
		t.Errorf("enabled again: issuer %s, was %s", again, issuer)
	}
	if _, again := fetchIssuer(t, issuer); string(again) != string(jwks) {
		t.Errorf("enabled again: keys %s, were %s", again, jwks)
	}
}

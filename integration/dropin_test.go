package integration

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/rolecall/rolecall/rolecalltest"
)

// rolecall as a drop-in for test set-ups written against moto or
// LocalStack: --auth lenient lets the root user assume roles (as the trust
// policy allows, and saying so), --account sets the default account, and
// POST /_rolecall/reset or /moto-api/reset forgets state between tests.

const otherAccount = "111111111111"

// trustRootOf is a trust policy that names an account's root (which lets
// in any principal of the account its own policies allow).
func trustRootOf(principal string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + principal + `"},"Action":"sts:AssumeRole"}]}`
}

// lenientHeader is X-Rolecall-Auth of a response, from a call's result
// metadata.
func lenientHeader(md middleware.Metadata) string {
	if r, ok := awsmiddleware.GetRawResponse(md).(*smithyhttp.Response); ok {
		return r.Header.Get("X-Rolecall-Auth")
	}
	return "(no response)"
}

// errLenientHeader is X-Rolecall-Auth of a failed call's response.
func errLenientHeader(err error) string {
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		return re.Response.Header.Get("X-Rolecall-Auth")
	}
	return "(no response)"
}

func assumeIn(c *sts.Client, roleArn string) (*sts.AssumeRoleOutput, error) {
	return c.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleArn), RoleSessionName: aws.String("s1")})
}

// In lenient mode the root user may assume a role whose trust policy lets
// its account in, its own account's or another's, and the answer says it
// was let through only because of leniency; the trust policy still
// decides: a role that trusts only a service, or another account's role
// that does not trust root's account, is refused as AWS refuses anyone.
func TestLenientRootAssumesRoleAsTrustAllows(t *testing.T) {
	rc := rolecalltest.RunT(t, rolecalltest.WithLenientAuth())
	iamA, iamB := iam.NewFromConfig(rc.Config), iam.NewFromConfig(withCreds(rc.Config, otherAccount, "test", ""))
	root := sts.NewFromConfig(rc.Config)
	createRole(t, iamA, "app", func(in *iam.CreateRoleInput) {
		in.AssumeRolePolicyDocument = aws.String(trustRootOf("arn:aws:iam::" + account + ":root"))
	})
	createRole(t, iamA, "byID", func(in *iam.CreateRoleInput) { in.AssumeRolePolicyDocument = aws.String(trustRootOf(account)) })
	createRole(t, iamA, "tasks")
	createRole(t, iamB, "shared", func(in *iam.CreateRoleInput) { in.AssumeRolePolicyDocument = aws.String(trustRootOf(account)) })
	createRole(t, iamB, "private", func(in *iam.CreateRoleInput) {
		in.AssumeRolePolicyDocument = aws.String(trustRootOf("arn:aws:iam::" + otherAccount + ":root"))
	})

	id := must(root.GetCallerIdentity(ctx, nil))(t)
	if aws.ToString(id.Arn) != "arn:aws:iam::"+account+":root" || lenientHeader(id.ResultMetadata) != "" {
		t.Errorf("a request AWS takes as it is: %s, X-Rolecall-Auth %q", aws.ToString(id.Arn), lenientHeader(id.ResultMetadata))
	}
	for _, c := range []struct{ roleArn, session string }{
		{"arn:aws:iam::" + account + ":role/app", "arn:aws:sts::" + account + ":assumed-role/app/s1"},
		{"arn:aws:iam::" + account + ":role/byID", "arn:aws:sts::" + account + ":assumed-role/byID/s1"},
		{"arn:aws:iam::" + otherAccount + ":role/shared", "arn:aws:sts::" + otherAccount + ":assumed-role/shared/s1"},
	} {
		out, err := assumeIn(root, c.roleArn)
		if err != nil {
			t.Fatalf("root assuming %s: %v", c.roleArn, err)
		}
		if h := lenientHeader(out.ResultMetadata); h != "lenient" {
			t.Errorf("root assuming %s: X-Rolecall-Auth %q, want lenient", c.roleArn, h)
		}
		cr := out.Credentials
		s := sts.NewFromConfig(withCreds(rc.Config, aws.ToString(cr.AccessKeyId), aws.ToString(cr.SecretAccessKey), aws.ToString(cr.SessionToken)))
		id := must(s.GetCallerIdentity(ctx, nil))(t)
		if aws.ToString(id.Arn) != c.session || lenientHeader(id.ResultMetadata) != "" {
			t.Errorf("the session of %s: %s, X-Rolecall-Auth %q", c.roleArn, aws.ToString(id.Arn), lenientHeader(id.ResultMetadata))
		}
	}
	for _, roleArn := range []string{"arn:aws:iam::" + account + ":role/tasks", "arn:aws:iam::" + otherAccount + ":role/private",
		"arn:aws:iam::" + otherAccount + ":role/PRIVATE", "arn:aws:iam::" + otherAccount + ":role/nosuch"} {
		_, err := assumeIn(root, roleArn)
		wantErr(t, err, 403, "AccessDenied", "User: arn:aws:iam::"+account+":root is not authorized to perform: sts:AssumeRole on resource: "+roleArn)
		if h := errLenientHeader(err); h != "" {
			t.Errorf("refused %s: X-Rolecall-Auth %q", roleArn, h)
		}
	}
	// Another account's root (its 12-digit key) is let in by its own
	// role, not by the first account's.
	rootB := sts.NewFromConfig(withCreds(rc.Config, otherAccount, "test", ""))
	must(assumeIn(rootB, "arn:aws:iam::"+otherAccount+":role/private"))(t)
	_, err := assumeIn(rootB, "arn:aws:iam::"+account+":role/app")
	wantErr(t, err, 403, "AccessDenied", "User: arn:aws:iam::"+otherAccount+":root is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::"+account+":role/app")
}

// Strict mode keeps AWS's rule, whatever the trust policy says.
func TestStrictRootMayNotAssumeRoles(t *testing.T) {
	rc := rolecalltest.RunT(t)
	createRole(t, iam.NewFromConfig(rc.Config), "app", func(in *iam.CreateRoleInput) { in.AssumeRolePolicyDocument = aws.String(trustRootOf(account)) })
	_, err := assumeIn(sts.NewFromConfig(rc.Config), "arn:aws:iam::"+account+":role/app")
	wantErr(t, err, 403, "AccessDenied", "Roles may not be assumed by root accounts.")
	if h := errLenientHeader(err); h != "" {
		t.Errorf("strict mode: X-Rolecall-Auth %q", h)
	}
}

// --account and --region: the root keys test/test act in the account
// given, and a request that names no Region (unsigned, lenient) acts in
// the Region given.
func TestDefaultAccountAndRegion(t *testing.T) {
	rc := rolecalltest.RunT(t, rolecalltest.WithAccount("123456789012"), rolecalltest.WithRegion("eu-west-1"), rolecalltest.WithLenientAuth())
	id := must(sts.NewFromConfig(rc.Config).GetCallerIdentity(ctx, nil))(t)
	if aws.ToString(id.Account) != "123456789012" || aws.ToString(id.Arn) != "arn:aws:iam::123456789012:root" || rc.Account != "123456789012" || rc.Config.Region != "eu-west-1" {
		t.Errorf("caller %s %s; server %s %s", aws.ToString(id.Account), aws.ToString(id.Arn), rc.Account, rc.Config.Region)
	}
	role := must(iam.NewFromConfig(rc.Config).CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("app"), AssumeRolePolicyDocument: aws.String(ecsTasksTrust)}))(t).Role
	if aws.ToString(role.Arn) != "arn:aws:iam::123456789012:role/app" {
		t.Errorf("role %s", aws.ToString(role.Arn))
	}
	req := must(http.NewRequestWithContext(ctx, http.MethodPost, rc.Endpoint+"/", strings.NewReader(`{"clusterName":"c"}`)))(t)
	req.Header.Set("X-Amz-Target", "AmazonEC2ContainerServiceV20141113.CreateCluster")
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	resp := must(http.DefaultClient.Do(req))(t)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"clusterArn":"arn:aws:ecs:eu-west-1:123456789012:cluster/c"`) || resp.Header.Get("X-Rolecall-Auth") != "lenient" {
		t.Errorf("unsigned CreateCluster: %d %s %v", resp.StatusCode, body, resp.Header)
	}
	// The cluster is where a client of the default Region finds it.
	cl := must(ecs.NewFromConfig(rc.Config).ListClusters(ctx, &ecs.ListClustersInput{}))(t)
	if len(cl.ClusterArns) != 1 || cl.ClusterArns[0] != "arn:aws:ecs:eu-west-1:123456789012:cluster/c" {
		t.Errorf("clusters %v", cl.ClusterArns)
	}
}

// rolecallRequest sends method path with body to rc, signed for service
// "rolecall" (rolecall's own endpoints) with creds, unsigned when creds
// has no key.
func rolecallRequest(t *testing.T, rc *rolecalltest.Server, method, path, body string, creds aws.Credentials) *http.Response {
	t.Helper()
	req := must(http.NewRequestWithContext(ctx, method, rc.Endpoint+path, strings.NewReader(body)))(t)
	if creds.AccessKeyID != "" {
		if err := v4.NewSigner().SignHTTP(ctx, creds, req, sha(body), "rolecall", "us-east-1", time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	return must(http.DefaultClient.Do(req))(t)
}

// resetReq sends a reset request (see rolecallRequest), and answers the
// status, the X-Rolecall-Auth header and the JSON body.
func resetReq(t *testing.T, rc *rolecalltest.Server, method, path, body string, creds aws.Credentials) (int, string, map[string]string) {
	t.Helper()
	resp := rolecallRequest(t, rc, method, path, body, creds)
	defer resp.Body.Close()
	out := map[string]string{}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatalf("%s %s: %d, not JSON: %v", method, path, resp.StatusCode, err)
	}
	return resp.StatusCode, resp.Header.Get("X-Rolecall-Auth"), out
}

func roleNames(t *testing.T, c *iam.Client) []string {
	t.Helper()
	var names []string
	for _, r := range must(c.ListRoles(ctx, &iam.ListRolesInput{}))(t).Roles {
		names = append(names, aws.ToString(r.RoleName))
	}
	return names
}

// A reset forgets roles, users and their keys, customer managed policies
// and ECS's clusters; the root keys, the default account, AWS managed
// policies and the service-linked role catalog are still there.
func TestResetForgetsState(t *testing.T) {
	rc := rolecalltest.RunT(t, rolecalltest.WithAllowReset())
	c := iam.NewFromConfig(rc.Config)
	createRole(t, c, "app")
	must(c.CreateServiceLinkedRole(ctx, &iam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("ecs.amazonaws.com")}))(t)
	must(c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("p"), PolicyDocument: aws.String(s3ReadPolicy)}))(t)
	must(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("dev")}))(t)
	key := must(c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("dev")}))(t).AccessKey
	must(ecs.NewFromConfig(rc.Config).CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("prod")}))(t)

	if err := rc.Reset(ctx, ""); err != nil {
		t.Fatal(err)
	}
	if names := roleNames(t, c); len(names) != 0 {
		t.Errorf("roles after reset: %v", names)
	}
	if u := must(c.ListUsers(ctx, &iam.ListUsersInput{}))(t).Users; len(u) != 0 {
		t.Errorf("users after reset: %v", u)
	}
	if p := must(c.ListPolicies(ctx, &iam.ListPoliciesInput{Scope: "Local"}))(t).Policies; len(p) != 0 {
		t.Errorf("policies after reset: %v", p)
	}
	if cl := must(ecs.NewFromConfig(rc.Config).ListClusters(ctx, &ecs.ListClustersInput{}))(t).ClusterArns; len(cl) != 0 {
		t.Errorf("clusters after reset: %v", cl)
	}
	_, err := sts.NewFromConfig(withCreds(rc.Config, aws.ToString(key.AccessKeyId), aws.ToString(key.SecretAccessKey), "")).GetCallerIdentity(ctx, nil)
	wantErr(t, err, 403, "InvalidClientTokenId", "The security token included in the request is invalid")

	id := must(sts.NewFromConfig(rc.Config).GetCallerIdentity(ctx, nil))(t)
	if aws.ToString(id.Arn) != "arn:aws:iam::"+account+":root" {
		t.Errorf("root after reset: %s", aws.ToString(id.Arn))
	}
	slr := must(c.CreateServiceLinkedRole(ctx, &iam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("ecs.amazonaws.com")}))(t).Role
	if aws.ToString(slr.Arn) != "arn:aws:iam::"+account+":role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS" {
		t.Errorf("service-linked role after reset: %s", aws.ToString(slr.Arn))
	}
	att := must(c.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String("AWSServiceRoleForECS")}))(t).AttachedPolicies
	if len(att) != 1 || aws.ToString(att[0].PolicyName) != "AmazonECSServiceRolePolicy" {
		t.Errorf("its policies: %v", att)
	}
	createRole(t, c, "app") // the name is free again
}

// One account's reset leaves another's state alone; only an account's own
// principals may reset it, and only the default account's may reset
// every account.
func TestResetOneAccount(t *testing.T) {
	rc := rolecalltest.RunT(t, rolecalltest.WithAllowReset())
	iamA, iamB := iam.NewFromConfig(rc.Config), iam.NewFromConfig(withCreds(rc.Config, otherAccount, "test", ""))
	createRole(t, iamA, "a1")
	createRole(t, iamB, "b1")
	must(iamB.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("dev")}))(t)
	keyB := must(iamB.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("dev")}))(t).AccessKey
	ecsB := ecs.NewFromConfig(withCreds(rc.Config, otherAccount, "test", ""))
	must(ecsB.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("prod")}))(t)
	rootB := aws.Credentials{AccessKeyID: otherAccount, SecretAccessKey: "test"}
	// An account alias is unique across accounts: A's is B's to take once
	// A is reset.
	must(iamA.CreateAccountAlias(ctx, &iam.CreateAccountAliasInput{AccountAlias: aws.String("team")}))(t)
	var ae smithy.APIError
	if _, err := iamB.CreateAccountAlias(ctx, &iam.CreateAccountAliasInput{AccountAlias: aws.String("team")}); !errors.As(err, &ae) || ae.ErrorCode() != "EntityAlreadyExists" {
		t.Fatalf("B taking A's alias: %v", err)
	}

	// Account B's root may reset neither A nor every account.
	for _, path := range []string{"/_rolecall/reset?account=" + account, "/_rolecall/reset", "/moto-api/reset"} {
		resource := "arn:aws:rolecall::" + account + ":state"
		if !strings.Contains(path, "account=") {
			resource = "arn:aws:rolecall:::state"
		}
		status, _, body := resetReq(t, rc, http.MethodPost, path, "", rootB)
		want := "User: arn:aws:iam::" + otherAccount + ":root is not authorized to perform: rolecall:Reset on resource: " + resource +
			" because no resource-based policy allows the rolecall:Reset action"
		if status != 403 || body["__type"] != "AccessDenied" || body["message"] != want {
			t.Errorf("B's root: POST %s: %d %v\nwant %s", path, status, body, want)
		}
	}
	// A user of A needs rolecall:Reset on A's state.
	rootA := clientsFor(rc.Config, nil)
	_, k := newUser(t, rootA, rc.Config, nil, "ops", "")
	ops := aws.Credentials{AccessKeyID: aws.ToString(k.AccessKeyId), SecretAccessKey: aws.ToString(k.SecretAccessKey)}
	status, _, body := resetReq(t, rc, http.MethodPost, "/_rolecall/reset?account="+account, "", ops)
	if want := "User: arn:aws:iam::" + account + ":user/ops is not authorized to perform: rolecall:Reset on resource: arn:aws:rolecall::" + account +
		":state because no identity-based policy allows the rolecall:Reset action"; status != 403 || body["message"] != want {
		t.Errorf("ops without a policy: %d %v\nwant %s", status, body, want)
	}
	if names := roleNames(t, iamA); len(names) != 1 {
		t.Fatalf("a refused reset forgot something: %v", names)
	}
	must(iamA.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("ops"), PolicyName: aws.String("reset"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"rolecall:Reset","Resource":"arn:aws:rolecall::` + account + `:state"}]}`)}))(t)
	status, _, body = resetReq(t, rc, http.MethodPost, "/_rolecall/reset", "", ops)
	if status != 403 || !strings.HasPrefix(body["message"], "User: arn:aws:iam::"+account+":user/ops is not authorized to perform: rolecall:Reset on resource: arn:aws:rolecall:::state") {
		t.Errorf("ops resetting every account: %d %v", status, body)
	}
	status, _, body = resetReq(t, rc, http.MethodPost, "/_rolecall/reset?account="+account, "", ops)
	if status != 200 || body["status"] != "ok" || body["reset"] != "account "+account {
		t.Fatalf("ops resetting A: %d %v", status, body)
	}

	if names := roleNames(t, iamA); len(names) != 0 {
		t.Errorf("A's roles after its reset: %v", names)
	}
	// B's cluster made AWSServiceRoleForECS.
	if names := roleNames(t, iamB); len(names) != 2 || names[0] != "AWSServiceRoleForECS" || names[1] != "b1" {
		t.Errorf("B's roles after A's reset: %v", names)
	}
	id := must(sts.NewFromConfig(withCreds(rc.Config, aws.ToString(keyB.AccessKeyId), aws.ToString(keyB.SecretAccessKey), "")).GetCallerIdentity(ctx, nil))(t)
	if aws.ToString(id.Arn) != "arn:aws:iam::"+otherAccount+":user/dev" {
		t.Errorf("B's user after A's reset: %s", aws.ToString(id.Arn))
	}
	if cl := must(ecsB.ListClusters(ctx, &ecs.ListClustersInput{}))(t).ClusterArns; len(cl) != 1 {
		t.Errorf("B's clusters after A's reset: %v", cl)
	}
	must(iamB.CreateAccountAlias(ctx, &iam.CreateAccountAliasInput{AccountAlias: aws.String("team")}))(t)
	// A's user went with A: its key no longer signs.
	status, _, body = resetReq(t, rc, http.MethodPost, "/_rolecall/reset?account="+account, "", ops)
	if status != 400 || body["__type"] != "UnrecognizedClientException" {
		t.Errorf("ops after A's reset: %d %v", status, body)
	}
	// B resets itself.
	if status, _, body := resetReq(t, rc, http.MethodPost, "/_rolecall/reset?account="+otherAccount, "", rootB); status != 200 {
		t.Fatalf("B resetting B: %d %v", status, body)
	}
	if names := roleNames(t, iamB); len(names) != 0 {
		t.Errorf("B's roles after its reset: %v", names)
	}
}

// Strict mode refuses resets unless started with --allow-reset, before it
// reads anything; with it, an unauthenticated reset, a badly signed one
// and malformed ones are refused, and nothing is forgotten.
func TestResetRefusals(t *testing.T) {
	strict := rolecalltest.RunT(t)
	createRole(t, iam.NewFromConfig(strict.Config), "app")
	for _, path := range []string{"/_rolecall/reset", "/moto-api/reset", "/_rolecall/reset?account=" + account} {
		status, h, body := resetReq(t, strict, http.MethodPost, path, "", rootCreds)
		if status != 403 || body["__type"] != "ResetNotAllowed" || h != "" ||
			body["message"] != "This rolecall refuses resets: it runs with --auth strict. Start it with --allow-reset to let /_rolecall/reset and /moto-api/reset forget its state" {
			t.Errorf("strict: POST %s: %d %v", path, status, body)
		}
	}
	if err := strict.Reset(ctx, ""); err == nil || !strings.Contains(err.Error(), "403 Forbidden") {
		t.Errorf("rolecalltest Reset in strict mode: %v", err)
	}

	rc := rolecalltest.RunT(t, rolecalltest.WithAllowReset())
	createRole(t, iam.NewFromConfig(rc.Config), "app")
	cases := []struct {
		name, method, path, body string
		creds                    aws.Credentials
		status                   int
		code, message            string
	}{
		{"unsigned", http.MethodPost, "/_rolecall/reset", "", aws.Credentials{}, 400, "MissingAuthenticationTokenException", "Missing Authentication Token"},
		{"unsigned, as moto sends it", http.MethodPost, "/moto-api/reset", "", aws.Credentials{}, 400, "MissingAuthenticationTokenException", "Missing Authentication Token"},
		{"wrong secret", http.MethodPost, "/_rolecall/reset", "", aws.Credentials{AccessKeyID: "test", SecretAccessKey: "nope"}, 400, "InvalidSignatureException",
			"The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."},
		{"unknown key", http.MethodPost, "/_rolecall/reset", "", aws.Credentials{AccessKeyID: "AKIAUNKNOWN000000000", SecretAccessKey: "x"}, 400, "UnrecognizedClientException",
			"The security token included in the request is invalid."},
		{"GET", http.MethodGet, "/_rolecall/reset", "", rootCreds, 405, "MethodNotAllowed", "A reset is a POST to /_rolecall/reset (or /moto-api/reset), not a GET"},
		{"a body", http.MethodPost, "/_rolecall/reset", `{"account":"` + account + `"}`, rootCreds, 400, "InvalidParameterValue",
			"A reset takes no body: name one account with ?account=ID, or none to reset every account"},
		{"a misspelt parameter", http.MethodPost, "/_rolecall/reset?acount=" + account, "", rootCreds, 400, "InvalidParameterValue",
			`A reset takes one parameter, account=ID, at most once; "acount" is not one`},
		{"a parameter in another case", http.MethodPost, "/_rolecall/reset?Account=" + account, "", rootCreds, 400, "InvalidParameterValue",
			`A reset takes one parameter, account=ID, at most once; "Account" is not one`},
		// Unsigned: the SDK's signer drops what it cannot encode.
		{"a query that is not URL encoding", http.MethodPost, "/_rolecall/reset?%zz", "", aws.Credentials{}, 400, "InvalidParameterValue",
			`The query string is not valid URL encoding: invalid URL escape "%zz"`},
		{"two accounts", http.MethodPost, "/_rolecall/reset?account=" + account + "&account=" + otherAccount, "", rootCreds, 400, "InvalidParameterValue",
			`A reset takes one parameter, account=ID, at most once; "account" is not one`},
		{"not an account", http.MethodPost, "/_rolecall/reset?" + url.Values{"account": {"0000000000001"}}.Encode(), "", rootCreds, 400, "InvalidParameterValue",
			`Invalid account ID "0000000000001": an account ID is 12 digits`},
		{"no such endpoint", http.MethodPost, "/_rolecall/resets", "", rootCreds, 404, "NotFound", "No such rolecall endpoint: /_rolecall/resets"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, _, body := resetReq(t, rc, c.method, c.path, c.body, c.creds)
			if status != c.status || body["__type"] != c.code || body["message"] != c.message {
				t.Errorf("%d %v\nwant %d %s: %s", status, body, c.status, c.code, c.message)
			}
		})
	}
	if names := roleNames(t, iam.NewFromConfig(rc.Config)); len(names) != 1 {
		t.Errorf("refused resets forgot roles: %v", names)
	}
}

// moto's server-mode suites reset with a plain POST to /moto-api/reset
// (moto/core/models.py: requests.post(f"{endpoint}/moto-api/reset"), no
// body, no signature): in lenient mode it acts as the default account's
// root, resets every account, answers moto's {"status": "ok"}, and says it
// was let through only because of leniency.
func TestMotoResetInLenientMode(t *testing.T) {
	rc := rolecalltest.RunT(t, rolecalltest.WithLenientAuth())
	c := iam.NewFromConfig(rc.Config)
	createRole(t, c, "app")
	createRole(t, iam.NewFromConfig(withCreds(rc.Config, otherAccount, "test", "")), "b")
	resp := must(http.Post(rc.Endpoint+"/moto-api/reset", "", nil))(t)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var out map[string]string
	if err := json.Unmarshal(body, &out); err != nil || resp.StatusCode != 200 || out["status"] != "ok" || resp.Header.Get("X-Rolecall-Auth") != "lenient" {
		t.Fatalf("moto's reset: %d %s %v", resp.StatusCode, body, resp.Header)
	}
	if names := roleNames(t, c); len(names) != 0 {
		t.Errorf("roles after moto's reset: %v", names)
	}
	if names := roleNames(t, iam.NewFromConfig(withCreds(rc.Config, otherAccount, "test", ""))); len(names) != 0 {
		t.Errorf("the other account's roles after moto's reset: %v", names)
	}
	must(c.CreateServiceLinkedRole(ctx, &iam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("ecs.amazonaws.com")}))(t)
	// Signed as AWS signs, with --allow-reset, a reset is nothing lenient.
	rc2 := rolecalltest.RunT(t, rolecalltest.WithLenientAuth(), rolecalltest.WithAllowReset())
	if status, h, body := resetReq(t, rc2, http.MethodPost, "/_rolecall/reset", "", rootCreds); status != 200 || h != "" {
		t.Errorf("a signed reset with --allow-reset: %d %q %v", status, h, body)
	}
}

// A reset stops the metadata services of the instances it forgets and the
// task role credentials of the tasks it forgets; another account's
// instance keeps its own.
func TestResetStopsInstancesAndTaskCredentials(t *testing.T) {
	e := newECSEnv(t, rolecalltest.WithAllowReset())
	ec2Trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	instanceProfile(t, e.iam, "ecsInstanceRole", ec2Trust)
	instanceProfile(t, iam.NewFromConfig(withCreds(e.rc.Config, otherAccount, "test", "")), "ecsInstanceRole", ec2Trust)
	_, a := launchInstance(t, e.rc, "ecsInstanceRole", rootCreds)
	_, b := launchInstance(t, e.rc, "ecsInstanceRole", aws.Credentials{AccessKeyID: otherAccount, SecretAccessKey: "test"})
	mdA, _ := a["MetadataEndpoint"].(string)
	mdB, _ := b["MetadataEndpoint"].(string)
	imdsToken(t, mdA)
	imdsToken(t, mdB)

	must(e.ecs.CreateCluster(ctx, &ecs.CreateClusterInput{}))(t)
	roleArn := e.role(t, "appTaskRole", ecsTasksTrust)
	fargateTaskDef(t, e.ecs, "app", func(in *ecs.RegisterTaskDefinitionInput) { in.TaskRoleArn = aws.String(roleArn) })
	task := must(e.ecs.RunTask(ctx, &ecs.RunTaskInput{TaskDefinition: aws.String("app"), LaunchType: ecstypes.LaunchTypeFargate, NetworkConfiguration: awsvpcNet}))(t).Tasks[0]
	e.clock.Advance(time.Second)
	status, env := taskEnv(t, e, aws.ToString(task.TaskArn), "test", "test", "")
	if status != 200 {
		t.Fatalf("task-env: %d %v", status, env)
	}
	creds := func() (int, string) {
		req := must(http.NewRequestWithContext(ctx, http.MethodGet, e.rc.Endpoint+env["CredentialsPath"], nil))(t)
		req.Header.Set("Authorization", env["AuthorizationToken"])
		resp := must(http.DefaultClient.Do(req))(t)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := creds(); code != 200 {
		t.Fatalf("task credentials: %d %s", code, body)
	}

	if err := e.rc.Reset(ctx, account); err != nil {
		t.Fatal(err)
	}
	if code, body := creds(); code != 400 || body != `{"code":"InvalidIdInRequest","message":"TaskCredentialsRequest: Credentials not found"}`+"\n" {
		t.Errorf("task credentials after the reset: %d %s", code, body)
	}
	if _, _, err := imdsDo(t, mdA, http.MethodPut, "/latest/api/token", "X-aws-ec2-metadata-token-ttl-seconds", "60"); err == nil {
		t.Error("the reset account's instance metadata service still listens")
	}
	imdsToken(t, mdB)
	status, list := ec2Endpoint(t, e.rc, http.MethodGet, "instances?region=us-east-1", rootCreds)
	if insts, _ := list["Instances"].([]any); status != 200 || len(insts) != 0 {
		t.Errorf("instances after the reset: %d %v", status, list)
	}
}

// The state file keeps its header through a reset: rolecall opens it
// again, with what was written after the reset and nothing before.
func TestResetKeepsTheStateFile(t *testing.T) {
	dir := t.TempDir()
	rc, err := rolecalltest.Start(rolecalltest.WithDataDir(dir), rolecalltest.WithAllowReset())
	if err != nil {
		t.Fatal(err)
	}
	c := iam.NewFromConfig(rc.Config)
	createRole(t, c, "before")
	if err := rc.Reset(ctx, ""); err != nil {
		t.Fatal(err)
	}
	createRole(t, c, "after")
	rc.Close()
	rc = rolecalltest.RunT(t, rolecalltest.WithDataDir(dir))
	if names := roleNames(t, iam.NewFromConfig(rc.Config)); len(names) != 1 || names[0] != "after" {
		t.Errorf("roles after a restart: %v", names)
	}
}

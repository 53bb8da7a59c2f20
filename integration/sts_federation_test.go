package integration

import (
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/aws/smithy-go"

	"github.com/rolecall/rolecall/internal/ids"
	"github.com/rolecall/rolecall/rolecalltest"
)

const encodedSeparator = " Encoded authorization failure message: "

// wantUnauthorized asserts EC2's UnauthorizedOperation (403) with the
// AccessDenied text msg and an encoded authorization message after it,
// and returns the encoded message.
func wantUnauthorized(t *testing.T, err error, msg string) string {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("got %v, want UnauthorizedOperation: %s", err, msg)
	}
	wantErr(t, err, 403, "UnauthorizedOperation", ae.ErrorMessage()) // the code and status
	enc, ok := strings.CutPrefix(ae.ErrorMessage(), msg+encodedSeparator)
	if !ok || enc == "" {
		t.Fatalf("message %q\nwant %q, then%sand the encoded message", ae.ErrorMessage(), msg, encodedSeparator)
	}
	return enc
}

// encodedAfter reports whether got (a JSON body's message) is msg, then an
// encoded authorization message.
func encodedAfter(got any, msg string) bool {
	s, _ := got.(string)
	enc, ok := strings.CutPrefix(s, msg+encodedSeparator)
	return ok && enc != ""
}

const (
	allowFederation = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sts:GetFederationToken","ecs:ListClusters","ecs:CreateCluster"],"Resource":"*"}]}`
	// ecsRead is a session policy: listing and describing clusters.
	ecsRead = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ecs:ListClusters","ecs:DescribeClusters"],"Resource":"*"}]}`
)

func federated(cfg aws.Config, c *ststypes.Credentials) (clients, *ecs.Client) {
	fc := withCreds(cfg, *c.AccessKeyId, *c.SecretAccessKey, *c.SessionToken)
	return clientsFor(fc, nil), ecs.NewFromConfig(fc)
}

// TestGetFederationToken: a federated user session of an IAM user is
// limited to the intersection of the user's policies and the session
// policy it was given, and to none without one; it is named
// arn:aws:sts::ACCOUNT:federated-user/NAME, ACCOUNT:NAME.
func TestGetFederationToken(t *testing.T) {
	clock := &ids.FixedClock{T: time.Now().UTC().Truncate(time.Second)}
	rc := rolecalltest.RunT(t, rolecalltest.WithClock(clock))
	root := clientsFor(rc.Config, clock)
	alice, _ := newUser(t, root, rc.Config, clock, "alice", allowFederation)

	out := must(alice.sts.GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("bob"), Policy: aws.String(ecsRead)}))(t)
	if aws.ToString(out.FederatedUser.Arn) != "arn:aws:sts::"+account+":federated-user/bob" || aws.ToString(out.FederatedUser.FederatedUserId) != account+":bob" ||
		!strings.HasPrefix(aws.ToString(out.Credentials.AccessKeyId), "ASIA") || aws.ToInt32(out.PackedPolicySize) <= 0 ||
		!out.Credentials.Expiration.Equal(clock.Now().Add(12*time.Hour)) {
		t.Fatalf("GetFederationToken: %+v %+v %v, expires %v", out.FederatedUser, out.Credentials, aws.ToInt32(out.PackedPolicySize), out.Credentials.Expiration)
	}
	bob, bobECS := federated(rc.Config, out.Credentials)
	id := must(bob.sts.GetCallerIdentity(ctx, nil))(t)
	if aws.ToString(id.Arn) != "arn:aws:sts::"+account+":federated-user/bob" || aws.ToString(id.UserId) != account+":bob" || aws.ToString(id.Account) != account {
		t.Errorf("GetCallerIdentity: %s %s %s", aws.ToString(id.Arn), aws.ToString(id.UserId), aws.ToString(id.Account))
	}
	// Both allow listing; only alice's policy allows creating; only the
	// session policy allows describing.
	must(bobECS.ListClusters(ctx, &ecs.ListClustersInput{}))(t)
	who := "User: arn:aws:sts::" + account + ":federated-user/bob is not authorized to perform: "
	_, err := bobECS.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("c1")})
	wantErr(t, err, 400, "AccessDeniedException", who+"ecs:CreateCluster on resource: arn:aws:ecs:us-east-1:"+account+":cluster/c1 because no session policy allows the ecs:CreateCluster action")
	_, err = bobECS.DescribeClusters(ctx, &ecs.DescribeClustersInput{Clusters: []string{"default"}})
	wantErr(t, err, 400, "AccessDeniedException", who+"ecs:DescribeClusters on resource: arn:aws:ecs:us-east-1:"+account+":cluster/default because no identity-based policy allows the ecs:DescribeClusters action")

	// Without a session policy the session may do nothing; asked by root,
	// it lasts at most an hour.
	none := must(alice.sts.GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("carol")}))(t)
	_, carolECS := federated(rc.Config, none.Credentials)
	_, err = carolECS.ListClusters(ctx, &ecs.ListClustersInput{})
	wantErr(t, err, 400, "AccessDeniedException", "User: arn:aws:sts::"+account+":federated-user/carol is not authorized to perform: ecs:ListClusters on resource: * because no session policy allows the ecs:ListClusters action")
	fromRoot := must(root.sts.GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("ops"), DurationSeconds: aws.Int32(7200), Policy: aws.String(ecsRead)}))(t)
	if !fromRoot.Credentials.Expiration.Equal(clock.Now().Add(time.Hour)) {
		t.Errorf("root's federated user expires %v, want in an hour", fromRoot.Credentials.Expiration)
	}
	_, opsECS := federated(rc.Config, fromRoot.Credentials)
	must(opsECS.ListClusters(ctx, &ecs.ListClustersInput{}))(t)
	_, err = opsECS.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("c2")})
	wantErr(t, err, 400, "AccessDeniedException", "User: arn:aws:sts::"+account+":federated-user/ops is not authorized to perform: ecs:CreateCluster on resource: arn:aws:ecs:us-east-1:"+account+":cluster/c2 because no session policy allows the ecs:CreateCluster action")

	// The session's keys: aws:PrincipalType FederatedUser and aws:userid
	// ACCOUNT:NAME.
	keyed := must(alice.sts.GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("dave"), Policy: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecs:ListClusters","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalType":"FederatedUser","aws:userid":"` + account + `:dave","aws:PrincipalArn":"arn:aws:sts::` + account + `:federated-user/dave"}}}]}`)}))(t)
	_, daveECS := federated(rc.Config, keyed.Credentials)
	must(daveECS.ListClusters(ctx, &ecs.ListClustersInput{}))(t)

	// A federated user calls no IAM and no STS but GetCallerIdentity;
	// session credentials ask for no federated user.
	_, err = bob.iam.ListRoles(ctx, nil)
	wantErr(t, err, 403, "InvalidClientTokenId", msgInvalidToken)
	_, err = bob.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleArn("app")), RoleSessionName: aws.String("s1")})
	wantErr(t, err, 403, "AccessDenied", who+"sts:AssumeRole on resource: "+roleArn("app"))
	_, err = bob.sts.GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("eve")})
	wantErr(t, err, 403, "AccessDenied", "Cannot call GetFederationToken with session credentials")
	tok := must(alice.sts.GetSessionToken(ctx, nil))(t)
	_, err = sessionClients(rc.Config, clock, tok.Credentials).sts.GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("eve")})
	wantErr(t, err, 403, "AccessDenied", "Cannot call GetFederationToken with session credentials")
}

// TestGetFederationTokenRefusals: the permission, the session policies'
// existence and the model's constraints.
func TestGetFederationTokenRefusals(t *testing.T) {
	rc := rolecalltest.RunT(t)
	root := clientsFor(rc.Config, nil)
	nobody, _ := newUser(t, root, rc.Config, nil, "nobody", "")
	alice, _ := newUser(t, root, rc.Config, nil, "alice", allowFederation)
	noTags, _ := newUser(t, root, rc.Config, nil, "notags", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:GetFederationToken","Resource":"arn:aws:sts::*:federated-user/app-*"}]}`)
	cases := []struct {
		name      string
		client    *sts.Client
		in        sts.GetFederationTokenInput
		status    int
		code, msg string
	}{
		{"no permission", nobody.sts, sts.GetFederationTokenInput{Name: aws.String("bob")},
			403, "AccessDenied", "User: arn:aws:iam::" + account + ":user/nobody is not authorized to perform: sts:GetFederationToken on resource: arn:aws:sts::" + account + ":federated-user/bob because no identity-based policy allows the sts:GetFederationToken action"},
		{"tags need sts:TagSession", noTags.sts, sts.GetFederationTokenInput{Name: aws.String("app-1"), Tags: []ststypes.Tag{{Key: aws.String("team"), Value: aws.String("a")}}},
			403, "AccessDenied", "User: arn:aws:iam::" + account + ":user/notags is not authorized to perform: sts:TagSession on resource: * because no identity-based policy allows the sts:TagSession action"},
		{"no such managed session policy", alice.sts, sts.GetFederationTokenInput{Name: aws.String("bob"), PolicyArns: []ststypes.PolicyDescriptorType{{Arn: aws.String("arn:aws:iam::" + account + ":policy/nope")}}},
			404, "NoSuchEntity", "Policy arn:aws:iam::" + account + ":policy/nope does not exist or is not attachable."},
		{"duplicate tag keys", alice.sts, sts.GetFederationTokenInput{Name: aws.String("bob"), Tags: []ststypes.Tag{{Key: aws.String("a"), Value: aws.String("1")}, {Key: aws.String("A"), Value: aws.String("2")}}},
			400, "InvalidParameterValue", "Duplicate tag keys found. Please note that Tag keys are case insensitive."},
		{"name too short", alice.sts, sts.GetFederationTokenInput{Name: aws.String("b")},
			400, "ValidationError", "1 validation error detected: Value 'b' at 'name' failed to satisfy constraint: Member must have length greater than or equal to 2"},
		{"duration too short", alice.sts, sts.GetFederationTokenInput{Name: aws.String("bob"), DurationSeconds: aws.Int32(899)},
			400, "ValidationError", "1 validation error detected: Value '899' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900"},
		{"not JSON", alice.sts, sts.GetFederationTokenInput{Name: aws.String("bob"), Policy: aws.String("{")},
			400, "MalformedPolicyDocument", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := c.client.GetFederationToken(ctx, &c.in)
			if c.msg == "" {
				var ae smithy.APIError
				if !errors.As(err, &ae) || ae.ErrorCode() != c.code {
					t.Fatalf("got %v, want %s", err, c.code)
				}
				return
			}
			wantErr(t, err, c.status, c.code, c.msg)
		})
	}
}

// TestGetFederationTokenRecorded replays AWS's answer to a
// GetFederationToken without session policies (testdata/recorded): the
// FederatedUser's Arn and id, and PackedPolicySize present as 0.
func TestGetFederationTokenRecorded(t *testing.T) {
	raw, err := os.ReadFile("testdata/recorded/sts_get_federation_token.json")
	if err != nil {
		t.Fatal(err)
	}
	var rec struct {
		Response struct {
			FederatedUser    struct{ Arn, FederatedUserId string }
			PackedPolicySize *int32
		}
	}
	if err := json.Unmarshal(raw, &rec); err != nil {
		t.Fatal(err)
	}
	rc := rolecalltest.RunT(t, rolecalltest.WithAccount("111111111111"))
	out := must(sts.NewFromConfig(rc.Config).GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("NAME"), DurationSeconds: aws.Int32(900)}))(t)
	if aws.ToString(out.FederatedUser.Arn) != strings.ReplaceAll(rec.Response.FederatedUser.Arn, "<partition>", "aws") ||
		aws.ToString(out.FederatedUser.FederatedUserId) != rec.Response.FederatedUser.FederatedUserId ||
		out.PackedPolicySize == nil || *out.PackedPolicySize != *rec.Response.PackedPolicySize {
		t.Errorf("got %s %s %v, recorded %+v", aws.ToString(out.FederatedUser.Arn), aws.ToString(out.FederatedUser.FederatedUserId), out.PackedPolicySize, rec.Response)
	}
}

// TestGetAccessKeyInfo: the account of rolecall's own keys, of any key
// AWS issued (decoded from the key id), none for an id that encodes none.
func TestGetAccessKeyInfo(t *testing.T) {
	rc := rolecalltest.RunT(t)
	root := clientsFor(rc.Config, nil)
	otherRoot := clientsFor(withCreds(rc.Config, "222222222222", "test", ""), nil)
	_, k := newUser(t, otherRoot, rc.Config, nil, "dave", "")
	allowed, _ := newUser(t, root, rc.Config, nil, "alice", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:GetAccessKeyInfo","Resource":"*"}]}`)
	nobody, _ := newUser(t, root, rc.Config, nil, "nobody", "")
	session := must(otherRoot.sts.GetSessionToken(ctx, nil))(t).Credentials

	for key, want := range map[string]string{
		aws.ToString(k.AccessKeyId):       "222222222222", // an IAM user's key of another account
		aws.ToString(session.AccessKeyId): "222222222222", // an STS session's
		// AWS's key ids carry their account: the published vectors of
		// decodeKeyAccount's source.
		"ASIAY34FZKBOKMUTVV7A": "609629065308",
		"ASIAQNZGKIQY56JQ7WML": "029608264753",
	} {
		got := must(allowed.sts.GetAccessKeyInfo(ctx, &sts.GetAccessKeyInfoInput{AccessKeyId: aws.String(key)}))(t)
		if aws.ToString(got.Account) != want {
			t.Errorf("%s: account %s, want %s", key, aws.ToString(got.Account), want)
		}
	}
	_, err := allowed.sts.GetAccessKeyInfo(ctx, &sts.GetAccessKeyInfoInput{AccessKeyId: aws.String("AKIA0000000000000000")})
	wantErr(t, err, 403, "InvalidClientTokenId", "The security token included in the request is invalid")
	_, err = nobody.sts.GetAccessKeyInfo(ctx, &sts.GetAccessKeyInfoInput{AccessKeyId: k.AccessKeyId})
	wantErr(t, err, 403, "AccessDenied", "User: arn:aws:iam::"+account+":user/nobody is not authorized to perform: sts:GetAccessKeyInfo on resource: * because no identity-based policy allows the sts:GetAccessKeyInfo action")
	_, err = allowed.sts.GetAccessKeyInfo(ctx, &sts.GetAccessKeyInfoInput{AccessKeyId: aws.String("AKIA-not-an-id")})
	wantErr(t, err, 400, "ValidationError", `2 validation errors detected: Value 'AKIA-not-an-id' at 'accessKeyId' failed to satisfy constraint: Member must have length greater than or equal to 16; Value 'AKIA-not-an-id' at 'accessKeyId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w]*`)
}

// TestDecodeAuthorizationMessage: EC2's denials carry an encoded message
// that STS decodes, for a caller of the same account allowed
// sts:DecodeAuthorizationMessage, into the request's principal, action,
// resource and context; other messages are invalid.
func TestDecodeAuthorizationMessage(t *testing.T) {
	rc := rolecalltest.RunT(t)
	root := clientsFor(rc.Config, nil)
	_, k := newUser(t, root, rc.Config, nil, "viewer", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Sid":"NoDescribe","Action":"ec2:DescribeInstances","Resource":"*"}]}`)
	viewer := ec2.NewFromConfig(withCreds(rc.Config, aws.ToString(k.AccessKeyId), aws.ToString(k.SecretAccessKey), ""))
	_, err := viewer.DescribeInstances(ctx, &ec2.DescribeInstancesInput{})
	enc := wantUnauthorized(t, err, "You are not authorized to perform this operation. User: arn:aws:iam::"+account+
		":user/viewer is not authorized to perform: ec2:DescribeInstances with an explicit deny in an identity-based policy")

	decoder, _ := newUser(t, root, rc.Config, nil, "decoder", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:DecodeAuthorizationMessage","Resource":"*"}]}`)
	msg := aws.ToString(must(decoder.sts.DecodeAuthorizationMessage(ctx, &sts.DecodeAuthorizationMessageInput{EncodedMessage: aws.String(enc)}))(t).DecodedMessage)
	var dm struct {
		Allowed, ExplicitDeny bool
		MatchedStatements     struct {
			Items []struct{ StatementID, Effect string }
		}
		Context struct {
			Principal        struct{ ID, Name, ARN string }
			Action, Resource string
			Conditions       struct {
				Items []struct {
					Key    string
					Values struct{ Items []struct{ Value string } }
				}
			}
		}
	}
	if err := json.Unmarshal([]byte(msg), &dm); err != nil {
		t.Fatalf("decoded message is not JSON: %v\n%s", err, msg)
	}
	user := must(root.iam.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("viewer")}))(t).User
	c := dm.Context
	if dm.Allowed || !dm.ExplicitDeny || len(dm.MatchedStatements.Items) != 1 || dm.MatchedStatements.Items[0].StatementID != "NoDescribe" || dm.MatchedStatements.Items[0].Effect != "DENY" ||
		c.Principal.ARN != "arn:aws:iam::"+account+":user/viewer" || c.Principal.Name != "viewer" || c.Principal.ID != aws.ToString(user.UserId) ||
		c.Action != "ec2:DescribeInstances" || c.Resource != "*" {
		t.Errorf("decoded: %s", msg)
	}
	region := ""
	for _, it := range c.Conditions.Items {
		if it.Key == "aws:RequestedRegion" && len(it.Values.Items) == 1 {
			region = it.Values.Items[0].Value
		}
	}
	if region != "us-east-1" {
		t.Errorf("conditions lack aws:RequestedRegion us-east-1: %s", msg)
	}

	// The permission; another account; a message rolecall never made.
	nobody, _ := newUser(t, root, rc.Config, nil, "nobody", "")
	_, err = nobody.sts.DecodeAuthorizationMessage(ctx, &sts.DecodeAuthorizationMessageInput{EncodedMessage: aws.String(enc)})
	wantErr(t, err, 403, "AccessDenied", "User: arn:aws:iam::"+account+":user/nobody is not authorized to perform: sts:DecodeAuthorizationMessage on resource: * because no identity-based policy allows the sts:DecodeAuthorizationMessage action")
	other := clientsFor(withCreds(rc.Config, "222222222222", "test", ""), nil)
	const invalid = "The encoded authorization message is invalid or has expired."
	_, err = other.sts.DecodeAuthorizationMessage(ctx, &sts.DecodeAuthorizationMessageInput{EncodedMessage: aws.String(enc)})
	wantErr(t, err, 400, "InvalidAuthorizationMessageException", invalid)
	_, err = decoder.sts.DecodeAuthorizationMessage(ctx, &sts.DecodeAuthorizationMessageInput{EncodedMessage: aws.String("dummy-encoded-message")})
	wantErr(t, err, 400, "InvalidAuthorizationMessageException", invalid)
}

// TestAssumeRoot: outside an organization no account is a member account
// to assume root in; a caller without sts:AssumeRoot hears why first.
func TestAssumeRoot(t *testing.T) {
	rc := rolecalltest.RunT(t)
	root := clientsFor(rc.Config, nil)
	admin, _ := newUser(t, root, rc.Config, nil, "admin", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRoot","Resource":"*"}]}`)
	nobody, _ := newUser(t, root, rc.Config, nil, "nobody", "")
	in := &sts.AssumeRootInput{TargetPrincipal: aws.String("222222222222"),
		TaskPolicyArn: &ststypes.PolicyDescriptorType{Arn: aws.String("arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials")}}
	_, err := admin.sts.AssumeRoot(ctx, in)
	wantErr(t, err, 403, "AccessDenied", "User: arn:aws:iam::"+account+":user/admin is not authorized to perform: sts:AssumeRoot on resource: arn:aws:iam::222222222222:root")
	_, err = nobody.sts.AssumeRoot(ctx, in)
	wantErr(t, err, 403, "AccessDenied", "User: arn:aws:iam::"+account+":user/nobody is not authorized to perform: sts:AssumeRoot on resource: arn:aws:iam::222222222222:root because no identity-based policy allows the sts:AssumeRoot action")
	_, err = root.sts.AssumeRoot(ctx, in)
	wantErr(t, err, 403, "AccessDenied", "User: arn:aws:iam::"+account+":root is not authorized to perform: sts:AssumeRoot on resource: arn:aws:iam::222222222222:root")
	in.DurationSeconds = aws.Int32(901)
	_, err = admin.sts.AssumeRoot(ctx, in)
	wantErr(t, err, 400, "ValidationError", "1 validation error detected: Value '901' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 900")
}

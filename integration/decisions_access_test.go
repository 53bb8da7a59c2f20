package integration

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/rolecall/rolecall/rolecalltest"
)

// TestDecisionsNeedAPrincipal: the recorded decisions name principals,
// user ids and request tags; they answer only a signed request, of a
// principal allowed rolecall:GetDecisions (an account's root is), and
// only about its own account.
func TestDecisionsNeedAPrincipal(t *testing.T) {
	rc := rolecalltest.RunT(t)
	root := clientsFor(rc.Config, nil)
	dev, devKey := newUser(t, root, rc.Config, nil, "dev", "")
	_, err := dev.iam.ListRoles(ctx, nil)
	var re *awshttp.ResponseError
	if !errors.As(err, &re) {
		t.Fatalf("ListRoles as dev: %v", err)
	}
	id := re.ServiceRequestID()

	// Unsigned: refused.
	resp := must(http.Get(rc.Endpoint + "/_rolecall/decisions/" + id))(t)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 400 || jsonField(string(body), "__type") != "MissingAuthenticationTokenException" {
		t.Errorf("unsigned: %d %s", resp.StatusCode, body)
	}
	// The user itself, without rolecall:GetDecisions: AccessDenied.
	devCreds := aws.Credentials{AccessKeyID: *devKey.AccessKeyId, SecretAccessKey: *devKey.SecretAccessKey}
	resp = getDecisions(t, rc, "/"+id, devCreds)
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 403 || jsonField(string(body), "__type") != "AccessDenied" ||
		jsonField(string(body), "message") != "User: arn:aws:iam::000000000000:user/dev is not authorized to perform: rolecall:GetDecisions on resource: * because no identity-based policy allows the rolecall:GetDecisions action" {
		t.Errorf("dev: %d %s", resp.StatusCode, body)
	}
	// Another account's root: not its account's decision.
	resp = getDecisions(t, rc, "/"+id, aws.Credentials{AccessKeyID: "111122223333", SecretAccessKey: "test"})
	resp.Body.Close()
	if resp.StatusCode != 404 {
		t.Errorf("another account: %d", resp.StatusCode)
	}
	resp = getDecisions(t, rc, "?limit=50", aws.Credentials{AccessKeyID: "111122223333", SecretAccessKey: "test"})
	var list struct{ Decisions []decisionJSON }
	json.NewDecoder(resp.Body).Decode(&list)
	resp.Body.Close()
	for _, d := range list.Decisions {
		if d.Principal != "arn:aws:iam::111122223333:root" {
			t.Errorf("account 111122223333 sees %s's decision", d.Principal)
		}
	}
	// Granted rolecall:GetDecisions, the user reads it.
	must(root.iam.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("dev"), PolicyName: aws.String("read"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"rolecall:GetDecisions","Resource":"*"}]}`)}))(t)
	resp = getDecisions(t, rc, "/"+id, devCreds)
	var d decisionJSON
	json.NewDecoder(resp.Body).Decode(&d)
	resp.Body.Close()
	if resp.StatusCode != 200 || d.Action != "iam:ListRoles" || d.Decision != "implicitDeny" {
		t.Errorf("dev, allowed: %d %+v", resp.StatusCode, d)
	}
}

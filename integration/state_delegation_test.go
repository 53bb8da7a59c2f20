package integration

import (
	"bytes"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/rolecall/rolecall/internal/ids"
	"github.com/rolecall/rolecall/rolecalltest"
)

// TestStateRoundTripDelegations: a delegation request the account owns
// (taken, noted, accepted by dana and its token sent) is exported with
// its account, the token with it to the root; imported into a fresh
// rolecall (where the partner has its policy template) it answers as it
// did, and the partner trades the same token there for dana's identity.
// A request the partner made and no one took is the partner's, not the
// account's. A file that would approve for another account, or as another
// identity, is refused whole.
func TestStateRoundTripDelegations(t *testing.T) {
	now := time.Now().UTC().Truncate(time.Second)
	clock := &ids.FixedClock{T: now}
	a := rolecalltest.RunT(t, rolecalltest.WithClock(clock))
	root := clientsFor(a.Config, clock)
	template := &iam.CreatePolicyInput{PolicyName: aws.String("monitoring-template"), PolicyDocument: aws.String(delegationTemplate)}
	partnerA := clientsFor(withCreds(a.Config, partner, "test", ""), clock)
	templateArn := aws.ToString(must(partnerA.iam.CreatePolicy(ctx, template))(t).Policy.Arn)
	id := createDelegation(t, partnerA.iam, templateArn, "flow-1", 3600)
	createDelegation(t, partnerA.iam, templateArn, "flow-2", 3600)
	dana, _ := newUser(t, root, a.Config, clock, "dana", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":["iam:AssociateDelegationRequest","iam:AcceptDelegationRequest","iam:SendDelegationToken","ecs:ListClusters"],"Resource":"*"}]}`)
	in := &iam.AssociateDelegationRequestInput{DelegationRequestId: aws.String(id)}
	must(dana.iam.AssociateDelegationRequest(ctx, in))(t)
	clock.Advance(time.Minute)
	must(dana.iam.UpdateDelegationRequest(ctx, &iam.UpdateDelegationRequestInput{DelegationRequestId: aws.String(id), Notes: aws.String("for the web cluster")}))(t)
	must(dana.iam.AcceptDelegationRequest(ctx, &iam.AcceptDelegationRequestInput{DelegationRequestId: aws.String(id)}))(t)
	must(dana.iam.SendDelegationToken(ctx, &iam.SendDelegationTokenInput{DelegationRequestId: aws.String(id)}))(t)
	token := must(a.DelegationToken(ctx, partner, id))(t)

	file := exportState(t, a)
	reqs := jsonPath(t, file, "accounts", account, "iam", "DelegationRequests").([]any)
	if len(reqs) != 1 || walk(reqs, 0, "DelegationRequestId") != id || walk(reqs, 0, "ExchangeToken") != token || walk(reqs, 0, "Approver", "ARN") != "arn:aws:iam::"+account+":user/dana" {
		t.Fatalf("the account's delegation requests: %v", reqs)
	}
	// A principal other than the root exports the request without its
	// token.
	_, k := newUser(t, root, a.Config, clock, "reader", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"rolecall:ExportState","Resource":"*"}]}`)
	status, body := stateRequest(t, a, http.MethodGet, nil, aws.Credentials{AccessKeyID: *k.AccessKeyId, SecretAccessKey: *k.SecretAccessKey})
	if status != 200 || bytes.Contains(body, []byte(token)) || bytes.Contains(body, []byte("ExchangeToken")) || !bytes.Contains(body, []byte(`"DelegationRequestId": "`+id+`"`)) {
		t.Errorf("reader's export: %d\n%s", status, body)
	}
	get := func(c *iam.Client) any {
		t.Helper()
		return must(c.GetDelegationRequest(ctx, &iam.GetDelegationRequestInput{DelegationRequestId: aws.String(id)}))(t).DelegationRequest
	}
	want := get(root.iam)

	// The partner's template is in its account, which the file does not
	// hold: it is made there first, as the partner made it.
	b := rolecalltest.RunT(t, rolecalltest.WithClock(&ids.FixedClock{T: now.Add(2 * time.Minute)}))
	partnerB := clientsFor(withCreds(b.Config, partner, "test", ""), nil)
	must(partnerB.iam.CreatePolicy(ctx, template))(t)
	refused := func(what string, body []byte, message string) {
		t.Helper()
		status, ans := stateRequest(t, b, http.MethodPost, body, rootCreds)
		if status != 400 || jsonField(string(ans), "__type") != "InvalidStateFile" || !strings.Contains(jsonField(string(ans), "message"), message) {
			t.Errorf("%s: %d %s\nwant 400 InvalidStateFile ...%s...", what, status, ans, message)
		}
		if u := must(iam.NewFromConfig(b.Config).ListUsers(ctx, &iam.ListUsersInput{}))(t).Users; len(u) != 0 {
			t.Fatalf("%s: users were imported: %d", what, len(u))
		}
	}
	refused("a request another account owns", edited(t, file, []any{"iam", "DelegationRequests", 0}, "OwnerAccountId", partner),
		`delegation request "`+id+`": owned by account `+partner+`: a request is filed under the account that owns it`)
	refused("another approver", edited(t, file, []any{"iam", "DelegationRequests", 0, "Approver"}, "ARN", "arn:aws:iam::"+account+":root"),
		`Approver is arn:aws:iam::`+account+`:root of account `+account+`, not arn:aws:iam::`+account+`:user/dana of the owner account`)

	if status, body := stateRequest(t, b, http.MethodPost, file, rootCreds); status != 200 {
		t.Fatalf("import: %d %s", status, body)
	}
	if got := get(iam.NewFromConfig(b.Config)); !reflect.DeepEqual(got, want) {
		t.Errorf("after the round trip:\n got %+v\nwant %+v", got, want)
	}
	if got := jsonPath(t, exportState(t, b), "accounts", account, "iam", "DelegationRequests"); !reflect.DeepEqual(got, jsonPath(t, file, "accounts", account, "iam", "DelegationRequests")) {
		t.Errorf("exported after the import:\n%v\nwant %v", got, reqs)
	}
	out := must(partnerB.sts.GetDelegatedAccessToken(ctx, &sts.GetDelegatedAccessTokenInput{TradeInToken: aws.String(token)}))(t)
	if aws.ToString(out.AssumedPrincipal) != "arn:aws:iam::"+account+":user/dana" || !out.Credentials.Expiration.Equal(now.Add(time.Minute+time.Hour)) {
		t.Errorf("the imported token: %s until %v", aws.ToString(out.AssumedPrincipal), out.Credentials.Expiration)
	}
}

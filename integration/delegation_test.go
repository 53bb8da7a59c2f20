package integration

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/rolecall/rolecall/internal/app"
	"github.com/rolecall/rolecall/internal/ids"
	"github.com/rolecall/rolecall/rolecalltest"
)

const partner = "222222222222"

// delegationTemplate is the partner's policy template: a managed policy of
// its account, with a parameter (rolecall's stand-in for a template
// registered with AWS).
const delegationTemplate = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecs:ListClusters","Resource":"*"},{"Effect":"Allow","Action":"ecs:DescribeClusters","Resource":"arn:aws:ecs:us-east-1:` + account + `:cluster/@{cluster}"}]}`

func createDelegation(t *testing.T, c *iam.Client, templateArn, workflow string, seconds int32) string {
	t.Helper()
	out := must(c.CreateDelegationRequest(ctx, &iam.CreateDelegationRequestInput{
		OwnerAccountId: aws.String(account), Description: aws.String("set up monitoring"), RequestorWorkflowId: aws.String(workflow),
		NotificationChannel: aws.String("arn:aws:sns:us-east-1:" + partner + ":delegations"), SessionDuration: aws.Int32(seconds),
		Permissions: &iamtypes.DelegationPermission{PolicyTemplateArn: aws.String(templateArn),
			Parameters: []iamtypes.PolicyParameter{{Name: aws.String("cluster"), Values: []string{"web"}, Type: iamtypes.PolicyParameterTypeEnumString}}},
	}))(t)
	id := aws.ToString(out.DelegationRequestId)
	if len(id) < 16 || aws.ToString(out.ConsoleDeepLink) == "" {
		t.Fatalf("CreateDelegationRequest: %s %s", id, aws.ToString(out.ConsoleDeepLink))
	}
	return id
}

// TestDelegationRequests walks a delegation request's life: a partner
// files it, a customer's user takes it, notes it, accepts it and releases
// its token, and the partner trades the token for credentials of that
// user limited to the request's policy, until the session ends. Each step
// is refused in the wrong state, account or hands.
func TestDelegationRequests(t *testing.T) {
	clock := &ids.FixedClock{T: time.Now().UTC().Truncate(time.Second)}
	rc := rolecalltest.RunT(t, rolecalltest.WithClock(clock))
	root := clientsFor(rc.Config, clock)
	partnerRoot := clientsFor(withCreds(rc.Config, partner, "test", ""), clock)
	templateArn := aws.ToString(must(partnerRoot.iam.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("monitoring-template"), PolicyDocument: aws.String(delegationTemplate)}))(t).Policy.Arn)
	id := createDelegation(t, partnerRoot.iam, templateArn, "flow-1", 3600)
	_, err := partnerRoot.iam.CreateDelegationRequest(ctx, &iam.CreateDelegationRequestInput{Description: aws.String("again"), RequestorWorkflowId: aws.String("flow-1"),
		NotificationChannel: aws.String("arn:aws:sns:us-east-1:" + partner + ":delegations"), SessionDuration: aws.Int32(3600),
		Permissions: &iamtypes.DelegationPermission{PolicyTemplateArn: aws.String(templateArn)}})
	wantErr(t, err, 409, "EntityAlreadyExists", "A delegation request with requestor workflow ID flow-1 already exists.")

	get := func(c *iam.Client) *iamtypes.DelegationRequest {
		t.Helper()
		return must(c.GetDelegationRequest(ctx, &iam.GetDelegationRequestInput{DelegationRequestId: aws.String(id)}))(t).DelegationRequest
	}
	r := get(partnerRoot.iam)
	rendered := strings.ReplaceAll(delegationTemplate, "@{cluster}", "web")
	if r.State != iamtypes.StateTypeUnassigned || aws.ToString(r.RequestorId) != partner || aws.ToString(r.OwnerAccountId) != account ||
		aws.ToString(r.PermissionPolicy) != rendered || aws.ToInt32(r.SessionDuration) != 3600 || r.OwnerId != nil {
		t.Fatalf("new request: %+v", r)
	}

	// The customer's account: dana may take, accept and send, and needs no
	// permission to read or note what she owns; eve may do nothing.
	dana, danaKey := newUser(t, root, rc.Config, clock, "dana", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":["iam:AssociateDelegationRequest","iam:AcceptDelegationRequest","iam:SendDelegationToken","iam:ListDelegationRequests","ecs:ListClusters","ecs:CreateCluster"],"Resource":"*"}]}`)
	eve, _ := newUser(t, root, rc.Config, clock, "eve", "")
	danaArn := "arn:aws:iam::" + account + ":user/dana"
	reqArn := "arn:aws:iam::" + account + ":delegation-request/" + id
	_, err = dana.iam.UpdateDelegationRequest(ctx, &iam.UpdateDelegationRequestInput{DelegationRequestId: aws.String(id), Notes: aws.String("x")})
	wantErr(t, err, 403, "AccessDenied", "User: "+danaArn+" is not authorized to perform: iam:UpdateDelegationRequest on resource: "+reqArn+" because no identity-based policy allows the iam:UpdateDelegationRequest action")
	must(dana.iam.AssociateDelegationRequest(ctx, &iam.AssociateDelegationRequestInput{DelegationRequestId: aws.String(id)}))(t)
	if r := get(dana.iam); r.State != iamtypes.StateTypeAssigned || aws.ToString(r.OwnerId) != danaArn {
		t.Errorf("associated: %s %s", r.State, aws.ToString(r.OwnerId))
	}
	_, err = dana.iam.AssociateDelegationRequest(ctx, &iam.AssociateDelegationRequestInput{DelegationRequestId: aws.String(id)})
	wantErr(t, err, 400, "InvalidInput", "The delegation request "+id+" is ASSIGNED and cannot be associated.")
	_, err = eve.iam.GetDelegationRequest(ctx, &iam.GetDelegationRequestInput{DelegationRequestId: aws.String(id)})
	wantErr(t, err, 403, "AccessDenied", "User: arn:aws:iam::"+account+":user/eve is not authorized to perform: iam:GetDelegationRequest on resource: "+reqArn+" because no identity-based policy allows the iam:GetDelegationRequest action")
	_, err = dana.iam.SendDelegationToken(ctx, &iam.SendDelegationTokenInput{DelegationRequestId: aws.String(id)})
	wantErr(t, err, 400, "InvalidInput", "The delegation request "+id+" is ASSIGNED and cannot be sent.")
	must(dana.iam.UpdateDelegationRequest(ctx, &iam.UpdateDelegationRequestInput{DelegationRequestId: aws.String(id), Notes: aws.String("for the web cluster")}))(t)
	if r := get(dana.iam); r.State != iamtypes.StateTypePendingApproval || aws.ToString(r.Notes) != "for the web cluster" {
		t.Errorf("updated: %s %s", r.State, aws.ToString(r.Notes))
	}
	list := must(dana.iam.ListDelegationRequests(ctx, &iam.ListDelegationRequestsInput{OwnerId: aws.String(danaArn)}))(t)
	if len(list.DelegationRequests) != 1 || aws.ToString(list.DelegationRequests[0].DelegationRequestId) != id || list.IsTruncated {
		t.Errorf("ListDelegationRequests: %+v", list.DelegationRequests)
	}
	sum := must(dana.iam.GetHumanReadableSummary(ctx, &iam.GetHumanReadableSummaryInput{EntityArn: aws.String(reqArn)}))(t)
	if sum.SummaryState != iamtypes.SummaryStateTypeAvailable || aws.ToString(sum.Locale) != "en" ||
		aws.ToString(sum.SummaryContent) != "Account "+partner+" requests temporary access for 60 minutes: set up monitoring. It allows ecs:ListClusters on *. It allows ecs:DescribeClusters on arn:aws:ecs:us-east-1:"+account+":cluster/web." {
		t.Errorf("summary: %s %s %q", sum.SummaryState, aws.ToString(sum.Locale), aws.ToString(sum.SummaryContent))
	}
	_, err = root.iam.GetHumanReadableSummary(ctx, &iam.GetHumanReadableSummaryInput{EntityArn: aws.String("arn:aws:iam::" + account + ":user/dana")})
	wantErr(t, err, 400, "InvalidInput", "ARN arn:aws:iam::"+account+":user/dana is not valid: the only supported entity type is delegation-request.")

	must(dana.iam.AcceptDelegationRequest(ctx, &iam.AcceptDelegationRequestInput{DelegationRequestId: aws.String(id)}))(t)
	if r := get(dana.iam); r.State != iamtypes.StateTypeAccepted || aws.ToString(r.ApproverId) != danaArn {
		t.Errorf("accepted: %s %s", r.State, aws.ToString(r.ApproverId))
	}
	// The partner asks rolecall for the token AWS would publish to its
	// SNS topic (rolecall delegation token): none before it is sent.
	tokenOf := func(key, secret string) (int, string) {
		return rolecallGet(t, rc.Endpoint+app.DelegationTokenPath+"?id="+url.QueryEscape(id), key, secret, clock)
	}
	if status, body := tokenOf(partner, "test"); status != 400 || !strings.Contains(body, "The delegation request "+id+" is ACCEPTED: no exchange token has been sent for it (SendDelegationToken).") {
		t.Errorf("a token before it is sent: %d %s", status, body)
	}
	must(dana.iam.SendDelegationToken(ctx, &iam.SendDelegationTokenInput{DelegationRequestId: aws.String(id)}))(t)
	if r := get(dana.iam); r.State != iamtypes.StateTypeFinalized || !r.ExpirationTime.Equal(clock.Now().Add(time.Hour)) {
		t.Errorf("sent: %s %v", r.State, r.ExpirationTime)
	}
	_, err = root.iam.RejectDelegationRequest(ctx, &iam.RejectDelegationRequestInput{DelegationRequestId: aws.String(id)})
	wantErr(t, err, 400, "InvalidInput", "The delegation request "+id+" is FINALIZED and cannot be rejected.")

	// The partner trades the token for dana's identity, limited to the
	// request's policy.
	status, body := tokenOf(partner, "test")
	var answer app.DelegationToken
	if err := json.Unmarshal([]byte(body), &answer); err != nil || status != 200 || answer.DelegationRequestId != id || answer.Token == "" {
		t.Fatalf("no token: %d %s", status, body)
	}
	token := answer.Token
	if direct, err := rc.DelegationToken(ctx, partner, id); err != nil || direct != token {
		t.Errorf("rolecalltest's DelegationToken: %q %v", direct, err)
	}
	// Only the requestor's account, and in it whom a policy allows
	// rolecall:GetDelegationToken: the customer's account sees no such
	// request, a partner user without the permission is denied.
	if status, body := tokenOf("test", "test"); status != 404 || !strings.Contains(body, "The delegation request with ID "+id+" cannot be found.") {
		t.Errorf("the customer's root: %d %s", status, body)
	}
	_, intern := newUser(t, partnerRoot, withCreds(rc.Config, partner, "test", ""), clock, "intern", "")
	if status, body := tokenOf(aws.ToString(intern.AccessKeyId), aws.ToString(intern.SecretAccessKey)); status != 403 ||
		!strings.Contains(body, "User: arn:aws:iam::"+partner+":user/intern is not authorized to perform: rolecall:GetDelegationToken on resource: arn:aws:iam::"+partner+":delegation-request/"+id) {
		t.Errorf("a partner user without the permission: %d %s", status, body)
	}
	clock.Advance(10 * time.Minute)
	out := must(partnerRoot.sts.GetDelegatedAccessToken(ctx, &sts.GetDelegatedAccessTokenInput{TradeInToken: aws.String(token)}))(t)
	if aws.ToString(out.AssumedPrincipal) != danaArn || !out.Credentials.Expiration.Equal(clock.Now().Add(50*time.Minute)) || aws.ToInt32(out.PackedPolicySize) <= 0 {
		t.Errorf("GetDelegatedAccessToken: %s %v %v", aws.ToString(out.AssumedPrincipal), out.Credentials.Expiration, aws.ToInt32(out.PackedPolicySize))
	}
	dcfg := withCreds(rc.Config, aws.ToString(out.Credentials.AccessKeyId), aws.ToString(out.Credentials.SecretAccessKey), aws.ToString(out.Credentials.SessionToken))
	delegated := ecs.NewFromConfig(dcfg, func(o *ecs.Options) { o.HTTPSignerV4 = clockSigner{clock: clock} })
	must(delegated.ListClusters(ctx, &ecs.ListClustersInput{}))(t)
	_, err = delegated.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("c1")})
	wantErr(t, err, 400, "AccessDeniedException", "User: "+danaArn+" is not authorized to perform: ecs:CreateCluster on resource: arn:aws:ecs:us-east-1:"+account+":cluster/c1 because no session policy allows the ecs:CreateCluster action")
	if who := must(clientsFor(dcfg, clock).sts.GetCallerIdentity(ctx, nil))(t); aws.ToString(who.Arn) != danaArn {
		t.Errorf("the delegated session is %s", aws.ToString(who.Arn))
	}
	// Dana's own keys are unchanged.
	must(clientsFor(withCreds(rc.Config, aws.ToString(danaKey.AccessKeyId), aws.ToString(danaKey.SecretAccessKey), ""), clock).iam.ListDelegationRequests(ctx, nil))(t)

	// Only the requestor's account trades the token, and only while the
	// session lasts.
	const expired = "The trade-in token provided in the request has expired and can no longer be exchanged for credentials. Request a new token and retry the operation."
	_, err = root.sts.GetDelegatedAccessToken(ctx, &sts.GetDelegatedAccessTokenInput{TradeInToken: aws.String(token)})
	wantErr(t, err, 400, "ExpiredTradeInTokenException", expired)
	_, err = partnerRoot.sts.GetDelegatedAccessToken(ctx, &sts.GetDelegatedAccessTokenInput{TradeInToken: aws.String(id + ".forged")})
	wantErr(t, err, 400, "ExpiredTradeInTokenException", expired)
	clock.Advance(50 * time.Minute)
	_, err = partnerRoot.sts.GetDelegatedAccessToken(ctx, &sts.GetDelegatedAccessTokenInput{TradeInToken: aws.String(token)})
	wantErr(t, err, 400, "ExpiredTradeInTokenException", expired)
	if r := get(dana.iam); r.State != iamtypes.StateTypeExpired {
		t.Errorf("after its session: %s", r.State)
	}

	// A second request, rejected; another account never sees it; root
	// approves no more than 4 hours.
	id2 := createDelegation(t, partnerRoot.iam, templateArn, "flow-2", 5*3600)
	other := clientsFor(withCreds(rc.Config, "333333333333", "test", ""), clock)
	_, err = other.iam.GetDelegationRequest(ctx, &iam.GetDelegationRequestInput{DelegationRequestId: aws.String(id2)})
	wantErr(t, err, 404, "NoSuchEntity", "The delegation request with ID "+id2+" cannot be found.")
	_, err = other.iam.AssociateDelegationRequest(ctx, &iam.AssociateDelegationRequestInput{DelegationRequestId: aws.String(id2)})
	wantErr(t, err, 404, "NoSuchEntity", "The delegation request with ID "+id2+" cannot be found.")
	must(root.iam.AssociateDelegationRequest(ctx, &iam.AssociateDelegationRequestInput{DelegationRequestId: aws.String(id2)}))(t)
	_, err = root.iam.AcceptDelegationRequest(ctx, &iam.AcceptDelegationRequestInput{DelegationRequestId: aws.String(id2)})
	wantErr(t, err, 400, "InvalidInput", "The root user can approve only delegation requests with a session duration of 4 hours or less.")
	must(root.iam.RejectDelegationRequest(ctx, &iam.RejectDelegationRequestInput{DelegationRequestId: aws.String(id2), Notes: aws.String("too long")}))(t)
	r = must(root.iam.GetDelegationRequest(ctx, &iam.GetDelegationRequestInput{DelegationRequestId: aws.String(id2), DelegationPermissionCheck: true}))(t).DelegationRequest
	if r.State != iamtypes.StateTypeRejected || aws.ToString(r.RejectionReason) != "too long" || !r.ExpirationTime.Equal(clock.Now().Add(7*24*time.Hour)) {
		t.Errorf("rejected: %s %s %v", r.State, aws.ToString(r.RejectionReason), r.ExpirationTime)
	}
	_, err = root.iam.AcceptDelegationRequest(ctx, &iam.AcceptDelegationRequestInput{DelegationRequestId: aws.String(id2)})
	wantErr(t, err, 400, "InvalidInput", "The delegation request "+id2+" is REJECTED and cannot be accepted.")

	// A template that does not exist, a parameter without a value.
	_, err = partnerRoot.iam.CreateDelegationRequest(ctx, &iam.CreateDelegationRequestInput{Description: aws.String("x"), RequestorWorkflowId: aws.String("flow-3"),
		NotificationChannel: aws.String("arn:aws:sns:us-east-1:" + partner + ":delegations"), SessionDuration: aws.Int32(3600),
		Permissions: &iamtypes.DelegationPermission{PolicyTemplateArn: aws.String("arn:aws:iam::" + partner + ":policy/nope")}})
	wantErr(t, err, 400, "InvalidInput", "The policy template arn:aws:iam::"+partner+":policy/nope does not exist.")
	_, err = partnerRoot.iam.CreateDelegationRequest(ctx, &iam.CreateDelegationRequestInput{Description: aws.String("x"), RequestorWorkflowId: aws.String("flow-4"),
		NotificationChannel: aws.String("arn:aws:sns:us-east-1:" + partner + ":delegations"), SessionDuration: aws.Int32(3600),
		Permissions: &iamtypes.DelegationPermission{PolicyTemplateArn: aws.String(templateArn)}})
	wantErr(t, err, 400, "InvalidInput", "The policy template's parameter cluster has no value.")
	_, err = partnerRoot.iam.CreateDelegationRequest(ctx, &iam.CreateDelegationRequestInput{Description: aws.String("x"), RequestorWorkflowId: aws.String("flow-5"),
		NotificationChannel: aws.String("arn:aws:sns:us-east-1:" + partner + ":delegations"), SessionDuration: aws.Int32(60),
		Permissions: &iamtypes.DelegationPermission{PolicyTemplateArn: aws.String(templateArn)}})
	wantErr(t, err, 400, "ValidationError", "1 validation error detected: Value at 'sessionDuration' failed to satisfy constraint: Member must have value greater than or equal to 300")
}

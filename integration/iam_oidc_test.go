package integration

import (
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/rolecall/rolecall/rolecalltest"
)

// IAM OpenID Connect providers through the Go SDK: the answers' shapes,
// the codec's validation, and the one authorizer on resource type
// oidc-provider.

func TestIAMOIDCProviders(t *testing.T) {
	c := newIAM(t)
	tp := strings.Repeat("a", 40)
	out := must(c.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{Url: aws.String("https://server.example.com"),
		ClientIDList: []string{"my-application-id"}, ThumbprintList: []string{tp}, Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}}))(t)
	arn := aws.ToString(out.OpenIDConnectProviderArn)
	if arn != "arn:aws:iam::000000000000:oidc-provider/server.example.com" || len(out.Tags) != 1 {
		t.Fatalf("create: %s %+v", arn, out.Tags)
	}
	got := must(c.GetOpenIDConnectProvider(ctx, &iam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn)}))(t)
	if aws.ToString(got.Url) != "server.example.com" || !slices.Equal(got.ClientIDList, []string{"my-application-id"}) ||
		!slices.Equal(got.ThumbprintList, []string{tp}) || got.CreateDate == nil || len(got.Tags) != 1 {
		t.Errorf("get: %+v", got)
	}
	// GetAccountSummary's Providers counts OpenID Connect providers as
	// well as SAML ones (as AWS's did in LocalStack's recorded
	// test_get_account_summary_with_resources).
	if n := must(c.GetAccountSummary(ctx, &iam.GetAccountSummaryInput{}))(t).SummaryMap["Providers"]; n != 1 {
		t.Errorf("GetAccountSummary: Providers %d", n)
	}
	list := must(c.ListOpenIDConnectProviders(ctx, &iam.ListOpenIDConnectProvidersInput{}))(t)
	if len(list.OpenIDConnectProviderList) != 1 || aws.ToString(list.OpenIDConnectProviderList[0].Arn) != arn {
		t.Errorf("list: %+v", list.OpenIDConnectProviderList)
	}
	must(c.AddClientIDToOpenIDConnectProvider(ctx, &iam.AddClientIDToOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn), ClientID: aws.String("second")}))(t)
	must(c.RemoveClientIDFromOpenIDConnectProvider(ctx, &iam.RemoveClientIDFromOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn), ClientID: aws.String("my-application-id")}))(t)
	must(c.UpdateOpenIDConnectProviderThumbprint(ctx, &iam.UpdateOpenIDConnectProviderThumbprintInput{OpenIDConnectProviderArn: aws.String(arn), ThumbprintList: []string{strings.Repeat("b", 40)}}))(t)
	must(c.TagOpenIDConnectProvider(ctx, &iam.TagOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn), Tags: []types.Tag{{Key: aws.String("env"), Value: aws.String("prod")}}}))(t)
	must(c.UntagOpenIDConnectProvider(ctx, &iam.UntagOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn), TagKeys: []string{"k"}}))(t)
	tags := must(c.ListOpenIDConnectProviderTags(ctx, &iam.ListOpenIDConnectProviderTagsInput{OpenIDConnectProviderArn: aws.String(arn)}))(t)
	if len(tags.Tags) != 1 || aws.ToString(tags.Tags[0].Key) != "env" || tags.IsTruncated {
		t.Errorf("tags: %+v", tags)
	}
	got = must(c.GetOpenIDConnectProvider(ctx, &iam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn)}))(t)
	if !slices.Equal(got.ClientIDList, []string{"second"}) || !slices.Equal(got.ThumbprintList, []string{strings.Repeat("b", 40)}) {
		t.Errorf("after changes: %+v", got)
	}

	// The model's constraints, as the codec checks them.
	_, err := c.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{Url: aws.String("https://short.example"), ThumbprintList: []string{"abc"}})
	wantErr(t, err, 400, "ValidationError", "1 validation error detected: Value at 'thumbprintList' failed to satisfy constraint: Member must satisfy constraint: [Member must have length less than or equal to 40, Member must have length greater than or equal to 40, Member must not be null]")
	_, err = c.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{Url: aws.String("http://plain.example")})
	wantErr(t, err, 400, "ValidationError", "Invalid Open ID Connect Provider URL")
	_, err = c.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{Url: aws.String("https://server.example.com")})
	wantErr(t, err, 409, "EntityAlreadyExists", "Provider with url https://server.example.com already exists.")

	must(c.DeleteOpenIDConnectProvider(ctx, &iam.DeleteOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn)}))(t)
	_, err = c.GetOpenIDConnectProvider(ctx, &iam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn)})
	wantErr(t, err, 404, "NoSuchEntity", "OpenIDConnect Provider not found for arn "+arn)
}

// TestIAMOIDCProvidersAuthorized: the calls are authorized on the
// provider (resource type oidc-provider) and its tags.
func TestIAMOIDCProvidersAuthorized(t *testing.T) {
	rc := rolecalltest.RunT(t)
	root := clientsFor(rc.Config, nil)
	// Alice may read and change the providers tagged team=ci, and create
	// those she tags so.
	alice, _ := newUser(t, root, rc.Config, nil, "alice", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":["iam:GetOpenIDConnectProvider","iam:AddClientIDToOpenIDConnectProvider"],"Resource":"arn:aws:iam::*:oidc-provider/*",
		 "Condition":{"StringEquals":{"aws:ResourceTag/team":"ci"}}},
		{"Effect":"Allow","Action":["iam:CreateOpenIDConnectProvider","iam:TagOpenIDConnectProvider"],"Resource":"*",
		 "Condition":{"StringEquals":{"aws:RequestTag/team":"ci"}}}]}`)
	ci := must(alice.iam.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{Url: aws.String("https://ci.example"),
		Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("ci")}}}))(t).OpenIDConnectProviderArn
	must(alice.iam.GetOpenIDConnectProvider(ctx, &iam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: ci}))(t)
	must(alice.iam.AddClientIDToOpenIDConnectProvider(ctx, &iam.AddClientIDToOpenIDConnectProviderInput{OpenIDConnectProviderArn: ci, ClientID: aws.String("x")}))(t)

	other := must(root.iam.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{Url: aws.String("https://other.example")}))(t).OpenIDConnectProviderArn
	const user = "arn:aws:iam::000000000000:user/alice"
	_, err := alice.iam.GetOpenIDConnectProvider(ctx, &iam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: other})
	wantErr(t, err, 403, "AccessDenied", denied(user, "iam:GetOpenIDConnectProvider", aws.ToString(other)))
	_, err = alice.iam.DeleteOpenIDConnectProvider(ctx, &iam.DeleteOpenIDConnectProviderInput{OpenIDConnectProviderArn: ci})
	wantErr(t, err, 403, "AccessDenied", denied(user, "iam:DeleteOpenIDConnectProvider", aws.ToString(ci)))
	_, err = alice.iam.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{Url: aws.String("https://untagged.example")})
	wantErr(t, err, 403, "AccessDenied", denied(user, "iam:CreateOpenIDConnectProvider", "arn:aws:iam::000000000000:oidc-provider/untagged.example"))
	_, err = alice.iam.ListOpenIDConnectProviders(ctx, &iam.ListOpenIDConnectProvidersInput{})
	wantErr(t, err, 403, "AccessDenied", denied(user, "iam:ListOpenIDConnectProviders", "*"))
}

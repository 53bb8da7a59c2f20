package iam

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

const ghArn = "arn:aws:iam::000000000000:oidc-provider/token.actions.githubusercontent.com"

func tp(c byte) string { return strings.Repeat(string(c), 40) }

func TestOIDCProviderLifecycle(t *testing.T) {
	f := newFixture(t)
	a, err := f.CreateOpenIDConnectProvider(ctx, acct, CreateOpenIDConnectProviderInput{Url: "https://token.actions.githubusercontent.com",
		ClientIDList: []string{"sts.amazonaws.com", "sts.amazonaws.com"}, ThumbprintList: []string{tp('a')}, Tags: []Tag{{"team", "ci"}}})
	must(t, err)
	if a != ghArn {
		t.Fatalf("ARN %s", a)
	}
	// IAM shows the URL without https://.
	p, err := f.GetOpenIDConnectProvider(ctx, acct, a)
	must(t, err)
	if p.Url != "token.actions.githubusercontent.com" || !slices.Equal(p.ClientIDList, []string{"sts.amazonaws.com"}) ||
		!slices.Equal(p.ThumbprintList, []string{tp('a')}) || !p.CreateDate.Equal(epoch) || len(p.Tags) != 1 {
		t.Errorf("GetOpenIDConnectProvider = %+v", p)
	}

	// Adding a client ID it has, or removing one it lacks, is no error.
	must(t, f.AddClientIDToOpenIDConnectProvider(ctx, acct, a, "sts.amazonaws.com"))
	must(t, f.AddClientIDToOpenIDConnectProvider(ctx, acct, a, "other"))
	must(t, f.RemoveClientIDFromOpenIDConnectProvider(ctx, acct, a, "sts.amazonaws.com"))
	must(t, f.RemoveClientIDFromOpenIDConnectProvider(ctx, acct, a, "never-added"))
	must(t, f.UpdateOpenIDConnectProviderThumbprint(ctx, acct, a, []string{tp('b'), tp('c')}))
	p, _ = f.GetOpenIDConnectProvider(ctx, acct, a)
	if !slices.Equal(p.ClientIDList, []string{"other"}) || !slices.Equal(p.ThumbprintList, []string{tp('b'), tp('c')}) {
		t.Errorf("after changes: %+v", p)
	}

	must(t, f.TagOpenIDConnectProvider(ctx, acct, a, []Tag{{"TEAM", "platform"}, {"env", "prod"}}))
	tags, _, err := f.ListOpenIDConnectProviderTags(ctx, acct, a, Page{})
	must(t, err)
	if !slices.Equal(tags, []Tag{{"TEAM", "platform"}, {"env", "prod"}}) {
		t.Errorf("tags %+v", tags)
	}
	must(t, f.UntagOpenIDConnectProvider(ctx, acct, a, []string{"team", "absent"}))
	tags, _, _ = f.ListOpenIDConnectProviderTags(ctx, acct, a, Page{})
	if !slices.Equal(tags, []Tag{{"env", "prod"}}) {
		t.Errorf("tags after untag %+v", tags)
	}

	// The provider a token names: by its issuer, a trailing slash aside.
	for _, iss := range []string{"https://token.actions.githubusercontent.com", "https://token.actions.githubusercontent.com/"} {
		got, err := f.OIDCProviderForIssuer(ctx, acct, iss)
		must(t, err)
		if got == nil || got.Arn != a || got.Name != "token.actions.githubusercontent.com" || !slices.Equal(got.ClientIDList, []string{"other"}) {
			t.Errorf("OIDCProviderForIssuer(%s) = %+v", iss, got)
		}
	}
	for _, iss := range []string{"http://token.actions.githubusercontent.com", "https://gitlab.com", "token.actions.githubusercontent.com"} {
		if got, err := f.OIDCProviderForIssuer(ctx, acct, iss); err != nil || got != nil {
			t.Errorf("OIDCProviderForIssuer(%s) = %+v, %v", iss, got, err)
		}
	}
	if got, _ := f.OIDCProviderForIssuer(ctx, "111111111111", "https://token.actions.githubusercontent.com"); got != nil {
		t.Errorf("another account's provider: %+v", got)
	}

	_, err = f.CreateOpenIDConnectProvider(ctx, acct, CreateOpenIDConnectProviderInput{Url: "https://token.actions.githubusercontent.com"})
	wantErr(t, err, "EntityAlreadyExists", 409, "Provider with url https://token.actions.githubusercontent.com already exists.")
	list, err := f.ListOpenIDConnectProviders(ctx, acct)
	must(t, err)
	if !slices.Equal(list, []string{a}) {
		t.Errorf("list %v", list)
	}

	// Deleting twice is refused, as AWS refused it (though the API
	// reference calls the operation idempotent).
	must(t, f.DeleteOpenIDConnectProvider(ctx, acct, a))
	wantErr(t, f.DeleteOpenIDConnectProvider(ctx, acct, a), "NoSuchEntity", 404, "OpenId connect Provider "+a+" cannot be found.")
	_, err = f.GetOpenIDConnectProvider(ctx, acct, a)
	wantErr(t, err, "NoSuchEntity", 404, "OpenIDConnect Provider not found for arn "+a)
	if list, _ := f.ListOpenIDConnectProviders(ctx, acct); list == nil || len(list) != 0 {
		t.Errorf("list after delete %#v", list)
	}
}

func TestOIDCProviderErrors(t *testing.T) {
	f := newFixture(t)
	create := func(in CreateOpenIDConnectProviderInput) error {
		_, err := f.CreateOpenIDConnectProvider(ctx, acct, in)
		return err
	}
	for _, u := range []string{"http://example.com", "example.com", "https://", "https://example.com?x=1", "https://example.com#f", "https://user@example.com"} {
		wantErr(t, create(CreateOpenIDConnectProviderInput{Url: u}), "ValidationError", 400, "Invalid Open ID Connect Provider URL")
	}
	wantErr(t, create(CreateOpenIDConnectProviderInput{Url: "https://a.example", ThumbprintList: []string{tp('1'), tp('2'), tp('3'), tp('4'), tp('5'), tp('6')}}),
		"InvalidInput", 400, "Thumbprint list must contain fewer than 5 entries.")
	many := make([]string, 101)
	for i := range many {
		many[i] = fmt.Sprint("client-", i)
	}
	wantErr(t, create(CreateOpenIDConnectProviderInput{Url: "https://a.example", ClientIDList: many}),
		"LimitExceeded", 409, "Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: 100")
	wantErr(t, create(CreateOpenIDConnectProviderInput{Url: "https://a.example", Tags: []Tag{{"k", "1"}, {"K", "2"}}}),
		"InvalidInput", 400, "Duplicate tag keys found. Please note that Tag keys are case insensitive.")

	a, err := f.CreateOpenIDConnectProvider(ctx, acct, CreateOpenIDConnectProviderInput{Url: "https://a.example", ClientIDList: many[:100]})
	must(t, err)
	wantErr(t, f.AddClientIDToOpenIDConnectProvider(ctx, acct, a, "one-more"), "LimitExceeded", 409, "Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: 100")
	wantErr(t, f.UpdateOpenIDConnectProviderThumbprint(ctx, acct, a, many[:6]), "InvalidInput", 400, "Thumbprint list must contain fewer than 5 entries.")

	// Every call on a provider that is not there, or not the account's.
	for _, missing := range []string{"arn:aws:iam::000000000000:oidc-provider/b.example", "arn:aws:iam::111111111111:oidc-provider/a.example",
		"arn:aws:iam::000000000000:role/a.example"} {
		_, err := f.GetOpenIDConnectProvider(ctx, acct, missing)
		wantErr(t, err, "NoSuchEntity", 404, "OpenIDConnect Provider not found for arn "+missing)
		want := func(err error) {
			t.Helper()
			wantErr(t, err, "NoSuchEntity", 404, "OpenIDConnect Provider not found for arn "+missing)
		}
		want(f.AddClientIDToOpenIDConnectProvider(ctx, acct, missing, "x"))
		want(f.RemoveClientIDFromOpenIDConnectProvider(ctx, acct, missing, "x"))
		want(f.UpdateOpenIDConnectProviderThumbprint(ctx, acct, missing, []string{tp('a')}))
		want(f.TagOpenIDConnectProvider(ctx, acct, missing, []Tag{{"k", "v"}}))
		want(f.UntagOpenIDConnectProvider(ctx, acct, missing, []string{"k"}))
		_, _, err = f.ListOpenIDConnectProviderTags(ctx, acct, missing, Page{})
		want(err)
		wantErr(t, f.DeleteOpenIDConnectProvider(ctx, acct, missing), "NoSuchEntity", 404, "OpenId connect Provider "+missing+" cannot be found.")
	}
	_, err = f.GetOpenIDConnectProvider(ctx, acct, "not-an-arn-at-all-really")
	wantErr(t, err, "ValidationError", 400, "ARN not-an-arn-at-all-really is not valid.")

	// The quota of providers per account.
	for i := 1; i < QuotaOIDCProvidersPerAccount; i++ {
		must(t, create(CreateOpenIDConnectProviderInput{Url: fmt.Sprintf("https://p%d.example", i)}))
	}
	wantErr(t, create(CreateOpenIDConnectProviderInput{Url: "https://one-too-many.example"}), "LimitExceeded", 409,
		"Cannot exceed quota for OpenIdConnectProvidersPerAccount: 100")
	must(t, f.DeleteOpenIDConnectProvider(ctx, acct, "arn:aws:iam::000000000000:oidc-provider/p1.example"))
	must(t, create(CreateOpenIDConnectProviderInput{Url: "https://one-too-many.example"}))
}

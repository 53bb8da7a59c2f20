package iam

import "testing"

func TestPageSlice(t *testing.T) {
	items := []int{0, 1, 2, 3, 4}
	got, next, err := pageSlice(items, Page{MaxItems: 2})
	must(t, err)
	if len(got) != 2 || next == "" {
		t.Fatalf("page 1 = %v %q", got, next)
	}
	got, next, err = pageSlice(items, Page{MaxItems: 3, Marker: next})
	must(t, err)
	if len(got) != 3 || got[0] != 2 || next != "" {
		t.Fatalf("page 2 = %v %q", got, next)
	}
	got, _, err = pageSlice([]int(nil), Page{})
	must(t, err)
	if got == nil {
		t.Error("empty page is nil")
	}
	// A marker past the end (the list shrank) gives an empty last page.
	_, next, _ = pageSlice(items, Page{MaxItems: 4})
	got, next, err = pageSlice(items[:2], Page{Marker: next})
	must(t, err)
	if len(got) != 0 || next != "" {
		t.Errorf("past the end = %v %q", got, next)
	}
	for _, bad := range []string{"%%%", encodeMarker('k', "x"), encodeMarker('o', "-1"), encodeMarker('o', "x")} {
		_, _, err := pageSlice(items, Page{Marker: bad})
		wantErr(t, err, "ValidationError", 400, "Invalid Marker.")
	}
	if (Page{MaxItems: 5000}).limit() != 1000 || (Page{}).limit() != 100 {
		t.Error("limits")
	}
}

func FuzzPageMarker(f *testing.F) {
	f.Add(encodeMarker('o', "3"))
	f.Add(encodeMarker('k', "name"))
	f.Add("")
	f.Fuzz(func(t *testing.T, m string) {
		items := []int{1, 2, 3}
		got, _, err := pageSlice(items, Page{Marker: m, MaxItems: 2})
		if err == nil && len(got) > 2 {
			t.Errorf("page of %d", len(got))
		}
	})
}

// One listing's marker is no marker of another (AWS answers Invalid
// Marker; trek10inc/awsets #21).
func TestMarkerBelongsToItsListing(t *testing.T) {
	f := newFixture(t)
	for _, n := range []string{"a", "b"} {
		f.user(t, n)
		f.role(t, n)
		f.group(t, n)
		f.policy(t, n)
	}
	_, users, err := f.ListUsers(ctx, acct, "", Page{MaxItems: 1})
	must(t, err)
	_, roles, err := f.ListRoles(ctx, acct, "", Page{MaxItems: 1})
	must(t, err)
	_, policies, err := f.ListPolicies(ctx, acct, ListPoliciesInput{Scope: "Local"}, Page{MaxItems: 1})
	must(t, err)
	_, tags, err := f.ListUserTags(ctx, acct, "a", Page{})
	must(t, err)
	if users == "" || roles == "" || policies == "" || tags != "" {
		t.Fatalf("markers %q %q %q %q", users, roles, policies, tags)
	}
	for _, tc := range []struct {
		name string
		list func(Page) error
		good string
		bad  []string
	}{
		{"ListUsers", func(pg Page) error { _, _, err := f.ListUsers(ctx, acct, "", pg); return err }, users, []string{roles, policies}},
		{"ListRoles", func(pg Page) error { _, _, err := f.ListRoles(ctx, acct, "", pg); return err }, roles, []string{users, policies}},
		{"ListGroups", func(pg Page) error { _, _, err := f.ListGroups(ctx, acct, "", pg); return err }, "", []string{users, roles, policies}},
		{"ListInstanceProfiles", func(pg Page) error { _, _, err := f.ListInstanceProfiles(ctx, acct, "", pg); return err }, "", []string{users, policies}},
		{"ListPolicies", func(pg Page) error {
			_, _, err := f.ListPolicies(ctx, acct, ListPoliciesInput{Scope: "Local"}, pg)
			return err
		}, policies, []string{users, roles}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.good != "" {
				must(t, tc.list(Page{Marker: tc.good}))
			}
			for _, m := range tc.bad {
				wantErr(t, tc.list(Page{Marker: m}), "ValidationError", 400, "Invalid Marker.")
			}
		})
	}
}

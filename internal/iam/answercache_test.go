package iam

import (
	"context"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/rolecall/rolecall/internal/ids"
	"github.com/rolecall/rolecall/internal/store"
)

// versioned builds the Service on a store that counts writes, as
// internal/app does.
func versioned(c *Config) { c.Store = store.NewVersioned(c.Store) }

// listed is the account's first page of roles by name.
func listed(t *testing.T, s *Service) map[string]Role {
	t.Helper()
	roles, _, err := s.ListRoles(ctx, acct, "", Page{})
	must(t, err)
	out := map[string]Role{}
	for _, r := range roles {
		r.stamp = 0 // which version: compared by what it holds
		out[r.RoleName] = r
	}
	return out
}

// sameAsUncached: what the cached Service lists, and answers to GetRole,
// is what a Service without a cache, reading the same store, does.
func sameAsUncached(t *testing.T, f *fixture) map[string]Role {
	t.Helper()
	fresh := New(Config{Store: f.Service.st, Clock: f.clock})
	got := listed(t, f.Service)
	if want := listed(t, fresh); !reflect.DeepEqual(got, want) {
		t.Fatalf("cached ListRoles\n%+v\nwant, as a fresh read shows\n%+v", got, want)
	}
	for name := range got {
		r, err := f.GetRole(ctx, acct, name)
		must(t, err)
		want, err := fresh.GetRole(ctx, acct, name)
		must(t, err)
		kept, err := f.KeptRole(ctx, acct, name)
		must(t, err)
		k := *kept
		r.stamp, want.stamp, k.stamp = 0, 0, 0
		if !reflect.DeepEqual(r, want) {
			t.Fatalf("cached GetRole\n%+v\nwant, as a fresh read shows\n%+v", r, want)
		}
		if !reflect.DeepEqual(&k, want) {
			t.Fatalf("KeptRole\n%+v\nwant, as a fresh read shows\n%+v", k, want)
		}
	}
	return got
}

// TestKeptRole: a kept answer is never changed in place (a write makes a
// new one, and one held from before still shows what it showed), and a
// test that changes one fails at its next lookup.
func TestKeptRole(t *testing.T) {
	f := newFixture(t, versioned)
	f.role(t, "app")
	before, err := f.KeptRole(ctx, acct, "app")
	must(t, err)
	again, err := f.KeptRole(ctx, acct, "APP")
	must(t, err)
	if again != before {
		t.Fatal("the same role, unchanged, is kept twice")
	}
	must(t, f.UpdateRole(ctx, acct, "app", "the app", 7200))
	after, err := f.KeptRole(ctx, acct, "app")
	must(t, err)
	if after == before || after.Description != "the app" || *after.MaxSessionDuration != 7200 || before.Description != "" || *before.MaxSessionDuration != DefaultMaxSessionDuration {
		t.Fatalf("after UpdateRole: kept %+v, held from before %+v", after, before)
	}
	*after.MaxSessionDuration = 1
	defer func() {
		if msg, _ := recover().(string); !strings.HasPrefix(msg, "iam: a kept answer was changed") {
			t.Fatalf("a changed kept answer: recovered %q", msg)
		}
	}()
	_, _ = f.KeptRole(ctx, acct, "app")
	t.Fatal("a changed kept answer was answered")
}

// TestListRolesShowsEveryWriteAtOnce: each write that changes what ListRoles
// or GetRole shows of a role is in the very next answer, whether or not the
// store counts writes.
func TestListRolesShowsEveryWriteAtOnce(t *testing.T) {
	for name, opts := range map[string][]func(*Config){"memory": nil, "versioned": {versioned}} {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t, opts...)
			f.role(t, "app")
			f.role(t, "other")
			alice := f.user(t, "alice")
			trustAlice := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:user/alice"},"Action":"sts:AssumeRole"}]}`
			_, err := f.CreateRole(ctx, acct, CreateRoleInput{RoleName: "trusting", AssumeRolePolicyDocument: trustAlice})
			must(t, err)
			sameAsUncached(t, f) // fills the cache

			trustLambda := strings.Replace(trustEC2, "ec2", "lambda", 1)
			must(t, f.UpdateAssumeRolePolicy(ctx, acct, "app", trustLambda))
			if got := sameAsUncached(t, f)["app"].AssumeRolePolicyDocument; got != trustLambda {
				t.Fatalf("after UpdateAssumeRolePolicy ListRoles shows %s", got)
			}

			must(t, f.UpdateRole(ctx, acct, "app", "the app", 7200))
			if r := sameAsUncached(t, f)["app"]; r.Description != "the app" || *r.MaxSessionDuration != 7200 {
				t.Fatalf("after UpdateRole ListRoles shows %q, %d", r.Description, *r.MaxSessionDuration)
			}

			// ListRoles shows neither tags nor the boundary (AWS's
			// ListRoles: https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListRoles.html),
			// before or after.
			must(t, f.TagRole(ctx, acct, "app", []Tag{{Key: "team", Value: "a"}}))
			if r := sameAsUncached(t, f)["app"]; r.Tags != nil || r.PermissionsBoundary != nil {
				t.Fatalf("after TagRole ListRoles shows tags %v, boundary %v", r.Tags, r.PermissionsBoundary)
			}

			// A caller that changes what it was given does not change the next answer.
			*sameAsUncached(t, f)["app"].MaxSessionDuration = 1

			// The trusted user renamed: another record, and the trust shows its new ARN.
			must(t, f.UpdateUser(ctx, acct, "alice", "/eng/", "alice2"))
			if got, want := sameAsUncached(t, f)["trusting"].AssumeRolePolicyDocument, strings.Replace(trustAlice, "user/alice", "user/eng/alice2", 1); got != want {
				t.Fatalf("after the trusted user's rename ListRoles shows\n%s\nwant\n%s", got, want)
			}
			// Deleted: the trust shows its unique ID.
			must(t, f.DeleteUser(ctx, acct, "alice2"))
			if got, want := sameAsUncached(t, f)["trusting"].AssumeRolePolicyDocument, strings.Replace(trustAlice, `"arn:aws:iam::000000000000:user/alice"`, `"`+alice.UserId+`"`, 1); got != want {
				t.Fatalf("after the trusted user's deletion ListRoles shows\n%s\nwant\n%s", got, want)
			}

			must(t, f.DeleteRole(ctx, acct, "other"))
			if _, ok := sameAsUncached(t, f)["other"]; ok {
				t.Fatal("ListRoles still shows a deleted role")
			}
			// Created again under the name: the new role, with its new ID.
			again := f.role(t, "other")
			if got := sameAsUncached(t, f)["other"].RoleId; got != again.RoleId {
				t.Fatalf("ListRoles shows role ID %s for the role created again, want %s", got, again.RoleId)
			}
		})
	}
}

// TestListRolesCacheBounded: the cache keeps at most its bound of roles,
// and a page larger than the bound is still listed whole and right.
func TestListRolesCacheBounded(t *testing.T) {
	f := newFixture(t, versioned)
	f.roles.max = 3
	for i := range 10 {
		f.role(t, fmt.Sprintf("r%d", i))
	}
	for range 2 {
		if got := len(sameAsUncached(t, f)); got != 10 {
			t.Fatalf("ListRoles shows %d roles, want 10", got)
		}
		if n := len(f.roles.entries); n > 3 {
			t.Fatalf("the cache holds %d roles, bound 3", n)
		}
	}
}

// TestListRolesConcurrentWrites runs listers beside writers (for -race);
// once the writers are done, ListRoles shows every role's last write.
func TestListRolesConcurrentWrites(t *testing.T) {
	f := newFixture(t, versioned)
	for i := range 4 {
		f.role(t, fmt.Sprintf("r%d", i))
	}
	var writers, listers sync.WaitGroup
	done := make(chan struct{})
	for range 2 {
		listers.Add(1)
		go func() {
			defer listers.Done()
			for {
				select {
				case <-done:
					return
				default:
				}
				if _, _, err := f.ListRoles(ctx, acct, "", Page{}); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	for i := range 4 {
		writers.Add(1)
		go func() {
			defer writers.Done()
			for n := range 50 {
				if err := f.UpdateRole(ctx, acct, fmt.Sprintf("r%d", i), fmt.Sprintf("write %d", n), 0); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	writers.Wait()
	close(done)
	listers.Wait()
	for name, r := range sameAsUncached(t, f) {
		if r.Description != "write 49" {
			t.Errorf("%s: ListRoles shows %q, want its last write", name, r.Description)
		}
	}
}

// sameListsAsUncached: ListUsers and ListInstanceProfiles of the cached
// Service answer what a Service without a cache, reading the same store,
// does.
func sameListsAsUncached(t *testing.T, f *fixture) ([]User, []InstanceProfile) {
	t.Helper()
	fresh := New(Config{Store: f.Service.st, Clock: f.clock})
	users := func(s *Service) []User {
		us, _, err := s.ListUsers(ctx, acct, "", Page{})
		must(t, err)
		for i := range us {
			us[i].stamp = 0
		}
		return us
	}
	profiles := func(s *Service) []InstanceProfile {
		ps, _, err := s.ListInstanceProfiles(ctx, acct, "", Page{})
		must(t, err)
		for i := range ps {
			ps[i].stamp = 0
		}
		return ps
	}
	us, ps := users(f.Service), profiles(f.Service)
	if want := users(fresh); !reflect.DeepEqual(us, want) {
		t.Fatalf("cached ListUsers\n%+v\nwant, as a fresh read shows\n%+v", us, want)
	}
	if want := profiles(fresh); !reflect.DeepEqual(ps, want) {
		t.Fatalf("cached ListInstanceProfiles\n%+v\nwant, as a fresh read shows\n%+v", ps, want)
	}
	return us, ps
}

// TestListUsersAndProfilesShowEveryWriteAtOnce: the users and instance
// profiles kept between lists show each write in the very next list: a
// user moved and renamed, a role added to a profile, that role's trust
// changed (its own record), the role removed.
func TestListUsersAndProfilesShowEveryWriteAtOnce(t *testing.T) {
	for name, opts := range map[string][]func(*Config){"memory": nil, "versioned": {versioned}} {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t, opts...)
			f.user(t, "alice")
			f.role(t, "app")
			_, err := f.CreateInstanceProfile(ctx, acct, "web", "/", nil)
			must(t, err)
			sameListsAsUncached(t, f) // fills the cache

			must(t, f.UpdateUser(ctx, acct, "alice", "/eng/", "alice2"))
			if us, _ := sameListsAsUncached(t, f); len(us) != 1 || us[0].Arn != "arn:aws:iam::"+acct+":user/eng/alice2" {
				t.Fatalf("after UpdateUser ListUsers shows %+v", us)
			}

			must(t, f.AddRoleToInstanceProfile(ctx, acct, "web", "app"))
			if _, ps := sameListsAsUncached(t, f); len(ps) != 1 || len(ps[0].Roles) != 1 || ps[0].Roles[0].AssumeRolePolicyDocument != trustEC2 {
				t.Fatalf("after AddRoleToInstanceProfile ListInstanceProfiles shows %+v", ps)
			}
			trustLambda := strings.Replace(trustEC2, "ec2", "lambda", 1)
			must(t, f.UpdateAssumeRolePolicy(ctx, acct, "app", trustLambda))
			if _, ps := sameListsAsUncached(t, f); ps[0].Roles[0].AssumeRolePolicyDocument != trustLambda {
				t.Fatalf("after the role's UpdateAssumeRolePolicy ListInstanceProfiles shows %+v", ps[0].Roles)
			}
			must(t, f.RemoveRoleFromInstanceProfile(ctx, acct, "web", "app"))
			if _, ps := sameListsAsUncached(t, f); len(ps[0].Roles) != 0 {
				t.Fatalf("after RemoveRoleFromInstanceProfile ListInstanceProfiles shows %+v", ps[0].Roles)
			}
		})
	}
}

// sameDetailsAsUncached: GetAccountAuthorizationDetails of the cached
// Service answers what a Service without a cache, reading the same store,
// does.
func sameDetailsAsUncached(t *testing.T, f *fixture) *AuthorizationDetails {
	t.Helper()
	details := func(s *Service) *AuthorizationDetails {
		d, _, err := s.GetAccountAuthorizationDetails(ctx, acct, nil, Page{MaxItems: 1000})
		must(t, err)
		for i := range d.UserDetailList {
			d.UserDetailList[i].stamp = 0
		}
		for i := range d.GroupDetailList {
			d.GroupDetailList[i].stamp = 0
		}
		for i := range d.RoleDetailList {
			d.RoleDetailList[i].stamp = 0
		}
		for i := range d.Policies {
			d.Policies[i].stamp = 0
		}
		return d
	}
	got := details(f.Service)
	if want := details(New(Config{Store: f.Service.st, Clock: f.clock})); !reflect.DeepEqual(got, want) {
		t.Fatalf("cached GetAccountAuthorizationDetails\n%+v\nwant, as a fresh read shows\n%+v", got, want)
	}
	return got
}

// TestAuthorizationDetailsShowEveryWriteAtOnce: the entities kept between
// GetAccountAuthorizationDetails answers show each write in the very next
// one: policies attached and put, a role put in an instance profile, a
// group renamed (its member's GroupList), a policy's new default version
// and the attachment counts.
func TestAuthorizationDetailsShowEveryWriteAtOnce(t *testing.T) {
	for name, opts := range map[string][]func(*Config){"memory": nil, "versioned": {versioned}} {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t, opts...)
			f.role(t, "app")
			f.user(t, "alice")
			_, err := f.CreateGroup(ctx, acct, "/", "devs")
			must(t, err)
			must(t, f.AddUserToGroup(ctx, acct, "devs", "alice"))
			pol, err := f.CreatePolicy(ctx, acct, CreatePolicyInput{PolicyName: "s3", PolicyDocument: docS3})
			must(t, err)
			_, err = f.CreateInstanceProfile(ctx, acct, "web", "/", nil)
			must(t, err)
			sameDetailsAsUncached(t, f) // fills the cache

			must(t, f.AttachRolePolicy(ctx, acct, "app", ecsTaskExecution))
			must(t, f.AttachRolePolicy(ctx, acct, "app", pol.Arn))
			d := sameDetailsAsUncached(t, f)
			if got := d.RoleDetailList[0].AttachedManagedPolicies; len(got) != 2 {
				t.Fatalf("after AttachRolePolicy the role shows %+v", got)
			}
			if len(d.Policies) != 2 || d.Policies[1].AttachmentCount != 1 {
				t.Fatalf("after AttachRolePolicy the policies are %+v", d.Policies)
			}
			must(t, f.PutRolePolicy(ctx, acct, "app", "ec2", docEC2))
			if got := sameDetailsAsUncached(t, f).RoleDetailList[0].RolePolicyList; len(got) != 1 || got[0].PolicyDocument != docEC2 {
				t.Fatalf("after PutRolePolicy the role shows %+v", got)
			}
			must(t, f.AddRoleToInstanceProfile(ctx, acct, "web", "app"))
			if got := sameDetailsAsUncached(t, f).RoleDetailList[0].InstanceProfileList; len(got) != 1 || got[0].InstanceProfileName != "web" {
				t.Fatalf("after AddRoleToInstanceProfile the role shows %+v", got)
			}
			// Renamed in case only: the member's record, which keeps the name
			// in lower case, is unchanged.
			must(t, f.UpdateGroup(ctx, acct, "devs", "", "DEVS"))
			if got := sameDetailsAsUncached(t, f).UserDetailList[0].GroupList; len(got) != 1 || got[0] != "DEVS" {
				t.Fatalf("after UpdateGroup the user shows groups %v", got)
			}
			must(t, f.UpdateGroup(ctx, acct, "DEVS", "", "Developers"))
			if got := sameDetailsAsUncached(t, f).UserDetailList[0].GroupList; len(got) != 1 || got[0] != "Developers" {
				t.Fatalf("after UpdateGroup the user shows groups %v", got)
			}
			must(t, f.PutGroupPolicy(ctx, acct, "Developers", "ec2", docEC2))
			if got := sameDetailsAsUncached(t, f).GroupDetailList[0].GroupPolicyList; len(got) != 1 {
				t.Fatalf("after PutGroupPolicy the group shows %+v", got)
			}
			_, err = f.CreatePolicyVersion(ctx, acct, pol.Arn, docEC2, true)
			must(t, err)
			for _, p := range sameDetailsAsUncached(t, f).Policies {
				if p.Arn == pol.Arn && (len(p.PolicyVersionList) != 2 || p.DefaultVersionId != "v2") {
					t.Fatalf("after CreatePolicyVersion the policy shows %+v", p)
				}
			}
		})
	}
}

// TestKeptRoleHeld: the kept answer found with no transaction (the store
// holds the bytes it was made from) is the role as stored, and no longer
// answered once the role is deleted, recreated or the store closed; on a
// store that cannot tell (Bolt), KeptRole reads as before.
func TestKeptRoleHeld(t *testing.T) {
	var st *viewCounter
	f := newFixture(t, func(c *Config) {
		st = &viewCounter{Versioned: store.NewVersioned(c.Store)}
		c.Store = st
	})
	first := f.role(t, "app")
	kept, err := f.KeptRole(ctx, acct, "app")
	must(t, err)
	views := st.views.Load()
	again, err := f.KeptRole(ctx, acct, "app")
	must(t, err)
	if again != kept || kept.RoleId != first.RoleId || st.views.Load() != views {
		t.Fatalf("kept %p %s, then %p, in %d transactions", kept, kept.RoleId, again, st.views.Load()-views)
	}
	if _, err := f.KeptRole(ctx, "", "app"); err == nil || err.Error() != "iam: account required" {
		t.Fatalf("no account: %v", err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := f.KeptRole(cancelled, acct, "app"); err != context.Canceled {
		t.Fatalf("cancelled: %v", err)
	}
	must(t, f.DeleteRole(ctx, acct, "app"))
	_, err = f.KeptRole(ctx, acct, "app")
	wantErr(t, err, "NoSuchEntity", 404, "The role with name app cannot be found.")
	second := f.role(t, "app")
	now, err := f.KeptRole(ctx, acct, "app")
	must(t, err)
	if now.RoleId != second.RoleId || now.RoleId == first.RoleId {
		t.Fatalf("recreated: kept %s, want %s", now.RoleId, second.RoleId)
	}
	if again, err := f.KeptRole(ctx, acct, "app"); err != nil || again != now {
		t.Fatalf("recreated, again: %p, %v; want %p", again, err, now)
	}
	must(t, st.Close())
	if r, err := f.KeptRole(ctx, acct, "app"); err != store.ErrClosed {
		t.Fatalf("closed store: %v, %v", r, err)
	}

	b, err := store.OpenBolt(filepath.Join(t.TempDir(), "state.db"), store.BoltOptions{})
	must(t, err)
	defer b.Close()
	fb := &fixture{Service: New(Config{Store: store.NewVersioned(b), Clock: f.clock, IDs: &ids.Sequence{}}), clock: f.clock}
	fb.role(t, "app")
	for range 2 {
		if r, err := fb.KeptRole(ctx, acct, "app"); err != nil || r.RoleName != "app" {
			t.Fatalf("bolt: %v, %v", r, err)
		}
	}
	must(t, fb.DeleteRole(ctx, acct, "app"))
	_, err = fb.KeptRole(ctx, acct, "app")
	wantErr(t, err, "NoSuchEntity", 404, "The role with name app cannot be found.")
}

// viewCounter counts the read transactions made on a Versioned store.
type viewCounter struct {
	*store.Versioned
	views atomic.Int64
}

func (v *viewCounter) View(fn func(store.Tx) error) error {
	v.views.Add(1)
	return v.Versioned.View(fn)
}

// TestAppendEntityKey: the key spelt in a buffer is entityKey's, a name
// outside ASCII's (the Kelvin sign lowers to "k") included.
func TestAppendEntityKey(t *testing.T) {
	for _, name := range []string{"app", "APP", "My-Role_1+=,.@", "", "a/b", "\u212Aey", "rôle", "RÔLE"} {
		if b := appendEntityKey([]byte("x"), acct, name); string(b) != "x"+entityKey(acct, name) {
			t.Errorf("%q: %q, want %q", name, b, "x"+entityKey(acct, name))
		}
	}
}

// TestKeptRoleHeldByName: the kept answer found by its key spelt in a
// buffer is the role the general read finds: any spelling of its name's
// case, never another account's role of the same name, and a name only
// strings.ToLower lowers (the Kelvin sign) as entityKey finds it.
func TestKeptRoleHeldByName(t *testing.T) {
	var st *viewCounter
	f := newFixture(t, func(c *Config) {
		st = &viewCounter{Versioned: store.NewVersioned(c.Store)}
		c.Store = st
	})
	const other = "111122223333"
	f.role(t, "Key")
	mine, err := f.KeptRole(ctx, acct, "key")
	must(t, err)
	_, err = f.CreateRole(ctx, other, CreateRoleInput{RoleName: "key", AssumeRolePolicyDocument: trustEC2})
	must(t, err)
	theirs, err := f.KeptRole(ctx, other, "KEY")
	must(t, err)
	views := st.views.Load()
	for _, name := range []string{"Key", "key", "KEY"} {
		for _, c := range []struct {
			account, id string
		}{{acct, mine.RoleId}, {other, theirs.RoleId}} {
			r, err := f.KeptRole(ctx, c.account, name)
			must(t, err)
			if r.RoleId != c.id || !strings.Contains(r.Arn, c.account) {
				t.Fatalf("%s in %s: %s %s, want %s", name, c.account, r.RoleId, r.Arn, c.id)
			}
		}
	}
	if n := st.views.Load() - views; n != 0 {
		t.Fatalf("held answers read in %d transactions", n)
	}
	r, err := f.KeptRole(ctx, acct, "\u212Aey")
	must(t, err)
	if r.RoleId != mine.RoleId {
		t.Fatalf("Kelvin sign: %s, want %s", r.RoleId, mine.RoleId)
	}
}

// BenchmarkKeptRoleHeld: GetRole's read of a role asked for again and again,
// by as many goroutines as -cpu says (issue 18).
func BenchmarkKeptRoleHeld(b *testing.B) {
	f := newFixture(b, versioned)
	f.role(b, "app")
	if _, err := f.KeptRole(ctx, acct, "app"); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := f.KeptRole(ctx, acct, "app"); err != nil {
				b.Fatal(err)
			}
		}
	})
}

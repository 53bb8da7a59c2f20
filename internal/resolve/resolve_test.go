package resolve

import (
	"context"
	"testing"

	"github.com/rolecall/rolecall/internal/iam"
	"github.com/rolecall/rolecall/internal/ids"
	"github.com/rolecall/rolecall/internal/store"
)

const trust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

// TestStoredEntity: a target is the entity as stored, whatever the
// request's spelling; another account's role is that account's; what is
// kept follows writes.
func TestStoredEntity(t *testing.T) {
	ctx := context.Background()
	vst := store.NewVersioned(store.NewMemory())
	svc := iam.New(iam.Config{Store: vst, Clock: &ids.FixedClock{}, IDs: &ids.Sequence{}})
	r := IAM{Svc: svc, Cache: &Cache{Generation: vst.Generation}}
	if _, err := svc.CreateRole(ctx, "000000000000", iam.CreateRoleInput{RoleName: "Admin", Path: "/ops/", AssumeRolePolicyDocument: trust,
		Tags: []iam.Tag{{Key: "team", Value: "core"}}}); err != nil {
		t.Fatal(err)
	}
	for _, spelled := range []string{"Admin", "admin", "ADMIN"} {
		tg, err := r.Role(ctx, "000000000000", spelled)
		if err != nil || tg.ARN != "arn:aws:iam::000000000000:role/ops/Admin" || tg.Display != "role Admin" || tg.Tags["team"] != "core" || tg.Account != "" {
			t.Errorf("%s: %+v %v", spelled, tg, err)
		}
	}
	// Named by ARN first (no Display), then by name: the kept entity
	// still names it as IAM's AccessDenied does.
	if tg, err := r.EntityARN(ctx, "000000000000", "arn:aws:iam::000000000000:role/ops/Admin"); err != nil || tg.Display != "" || tg.ARN != "arn:aws:iam::000000000000:role/ops/Admin" {
		t.Errorf("by ARN: %+v %v", tg, err)
	}
	if tg, _ := r.Role(ctx, "000000000000", "admin"); tg.Display != "role Admin" {
		t.Errorf("by name after ARN: %+v", tg)
	}
	// The same name in another account is that account's: none there.
	if tg, _ := r.Role(ctx, "111122223333", "Admin"); tg.ARN != "arn:aws:iam::111122223333:role/Admin" || tg.Tags != nil {
		t.Errorf("another account's name: %+v", tg)
	}
	// A boundary's key is the target's own: a caller that adds keys to
	// one target does not change the next.
	if err := svc.PutRolePermissionsBoundary(ctx, "000000000000", "Admin", "arn:aws:iam::aws:policy/ReadOnlyAccess"); err != nil {
		t.Fatal(err)
	}
	first, _ := r.Role(ctx, "000000000000", "Admin")
	first.Keys.Set("iam:PermissionsBoundary", "arn:aws:iam::aws:policy/AdministratorAccess")
	first.Keys.Set("aws:Extra", "x")
	if tg, _ := r.Role(ctx, "000000000000", "Admin"); len(tg.Keys) != 1 || tg.Keys["iam:PermissionsBoundary"][0] != "arn:aws:iam::aws:policy/ReadOnlyAccess" {
		t.Errorf("keys shared between targets: %+v", tg.Keys)
	}
	tg, _ := r.Role(ctx, "000000000000", "nobody")
	if tg.ARN != "arn:aws:iam::000000000000:role/nobody" || tg.Display != "role nobody" {
		t.Errorf("no such role: %+v", tg)
	}
	tg, _ = r.RoleARN(ctx, "111122223333", "arn:aws:iam::000000000000:role/ops/Admin")
	if tg.Account != "000000000000" {
		t.Errorf("another account's role: %+v", tg)
	}
	// Deleted: the cache does not keep it.
	if err := svc.DeleteRole(ctx, "000000000000", "Admin"); err != nil {
		t.Fatal(err)
	}
	if tg, _ := r.Role(ctx, "000000000000", "admin"); tg.ARN != "arn:aws:iam::000000000000:role/admin" || tg.Display != "role admin" || tg.Tags != nil || tg.Keys != nil {
		t.Errorf("after delete: %+v", tg)
	}
	tr, role, err := r.Trust(ctx, "000000000000", "arn:aws:iam::000000000000:role/ops/Admin")
	if err != nil || role != nil || tr.Policy == nil || tr.Policy.Document != "" || !tr.Policy.Trust {
		t.Errorf("trust of a deleted role: %+v %v %v", tr, role, err)
	}
}

// TestKeptEntityFollowsWrites: what the cache keeps of a role is never
// the answer once the role changed: recreated under another path (a new
// ARN) or in another case, retagged, or deleted between two requests; the
// same name in two accounts is two entries.
func TestKeptEntityFollowsWrites(t *testing.T) {
	ctx := context.Background()
	vst := store.NewVersioned(store.NewMemory())
	svc := iam.New(iam.Config{Store: vst, Clock: &ids.FixedClock{}, IDs: &ids.Sequence{}})
	r := IAM{Svc: svc, Cache: &Cache{Generation: vst.Generation}}
	create := func(account, name, path string) {
		t.Helper()
		if _, err := svc.CreateRole(ctx, account, iam.CreateRoleInput{RoleName: name, Path: path, AssumeRolePolicyDocument: trust}); err != nil {
			t.Fatal(err)
		}
	}
	want := func(account, asked, arn, display string, tags map[string]string) {
		t.Helper()
		tg, err := r.Role(ctx, account, asked)
		if err != nil || tg.ARN != arn || tg.Display != display || len(tg.Tags) != len(tags) || tg.Account != "" {
			t.Fatalf("%s in %s: %+v %v; want %s, %s, %v", asked, account, tg, err, arn, display, tags)
		}
		for k, v := range tags {
			if tg.Tags[k] != v {
				t.Fatalf("%s in %s: tags %v, want %v", asked, account, tg.Tags, tags)
			}
		}
	}
	create("000000000000", "App", "/a/")
	create("111122223333", "App", "/b/")
	want("000000000000", "app", "arn:aws:iam::000000000000:role/a/App", "role App", nil)
	want("111122223333", "app", "arn:aws:iam::111122223333:role/b/App", "role App", nil)
	if err := svc.TagRole(ctx, "000000000000", "App", []iam.Tag{{Key: "team", Value: "blue"}}); err != nil {
		t.Fatal(err)
	}
	want("000000000000", "APP", "arn:aws:iam::000000000000:role/a/App", "role App", map[string]string{"team": "blue"})
	want("111122223333", "APP", "arn:aws:iam::111122223333:role/b/App", "role App", nil)
	// Deleted, then recreated spelled otherwise under another path.
	if err := svc.DeleteRole(ctx, "000000000000", "App"); err != nil {
		t.Fatal(err)
	}
	want("000000000000", "App", "arn:aws:iam::000000000000:role/App", "role App", nil)
	create("000000000000", "APP", "/c/")
	want("000000000000", "App", "arn:aws:iam::000000000000:role/c/APP", "role APP", nil)
	want("000000000000", "app", "arn:aws:iam::000000000000:role/c/APP", "role APP", nil)
}

// BenchmarkRoleWarm: a role named as created (mixed case), kept: what
// each GetRole's authorization pays to resolve it.
func BenchmarkRoleWarm(b *testing.B) {
	ctx := context.Background()
	vst := store.NewVersioned(store.NewMemory())
	svc := iam.New(iam.Config{Store: vst, Clock: &ids.FixedClock{}, IDs: &ids.Sequence{}})
	r := IAM{Svc: svc, Cache: &Cache{Generation: vst.Generation}}
	if _, err := svc.CreateRole(ctx, "000000000000", iam.CreateRoleInput{RoleName: "AppRole", AssumeRolePolicyDocument: trust}); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if tg, _ := r.Role(ctx, "000000000000", "AppRole"); tg.Display != "role AppRole" {
			b.Fatal(tg)
		}
	}
}

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
	if tg, _ := r.Role(ctx, "000000000000", "admin"); tg.ARN != "arn:aws:iam::000000000000:role/admin" || tg.Tags != nil {
		t.Errorf("after delete: %+v", tg)
	}
	tr, role, err := r.Trust(ctx, "000000000000", "arn:aws:iam::000000000000:role/ops/Admin")
	if err != nil || role != nil || tr.Policy == nil || tr.Policy.Document != "" || !tr.Policy.Trust {
		t.Errorf("trust of a deleted role: %+v %v %v", tr, role, err)
	}
}

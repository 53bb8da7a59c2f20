package resolve

import (
	"context"
	"testing"

	"github.com/rolecall/rolecall/internal/iam"
	"github.com/rolecall/rolecall/internal/ids"
	"github.com/rolecall/rolecall/internal/store"
)

// An instance profile named by name, in another case, or by its ARN is
// the stored one; an ARN with another path or of another account is none.
func TestInstanceProfileRef(t *testing.T) {
	ctx := context.Background()
	vst := store.NewVersioned(store.NewMemory())
	svc := iam.New(iam.Config{Store: vst, Clock: &ids.FixedClock{}, IDs: &ids.Sequence{}})
	r := IAM{Svc: svc, Cache: &Cache{Generation: vst.Generation}}
	if _, err := svc.CreateInstanceProfile(ctx, "000000000000", "Web", "/app/", nil); err != nil {
		t.Fatal(err)
	}
	const profileARN = "arn:aws:iam::000000000000:instance-profile/app/Web"
	for _, ref := range []string{"Web", "web", profileARN} {
		tg, p, err := r.InstanceProfileRef(ctx, "000000000000", ref)
		if err != nil || p == nil || p.Arn != profileARN || tg.ARN != profileARN || len(p.Roles) != 0 {
			t.Errorf("%s: %+v %+v %v", ref, tg, p, err)
		}
	}
	for _, ref := range []string{"nope", "arn:aws:iam::000000000000:instance-profile/Web", "arn:aws:iam::111122223333:instance-profile/app/Web",
		"arn:aws:iam::000000000000:role/app/Web", "arn:aws:iam::000000000000:instance-profile/", "arn:bad"} {
		if _, p, err := r.InstanceProfileRef(ctx, "000000000000", ref); p != nil || err != nil {
			t.Errorf("%s: found %+v %v", ref, p, err)
		}
	}
	if _, err := svc.CreateRole(ctx, "000000000000", iam.CreateRoleInput{RoleName: "web", AssumeRolePolicyDocument: trust}); err != nil {
		t.Fatal(err)
	}
	if err := svc.AddRoleToInstanceProfile(ctx, "000000000000", "Web", "web"); err != nil {
		t.Fatal(err)
	}
	if _, p, _ := r.InstanceProfileRef(ctx, "000000000000", "Web"); p == nil || len(p.Roles) != 1 || p.Roles[0].Arn != "arn:aws:iam::000000000000:role/web" {
		t.Errorf("the role added is not seen: %+v", p)
	}

	nt := NewInstance("000000000000", "eu-west-1", profileARN)
	if nt.ARN != "arn:aws:ec2:eu-west-1:000000000000:instance/*" || nt.Type != "instance" || nt.Keys["ec2:InstanceProfile"][0] != profileARN {
		t.Errorf("new instance %+v", nt)
	}
}

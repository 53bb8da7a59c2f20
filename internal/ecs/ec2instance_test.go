package ecs

import (
	"context"
	"testing"
	"time"

	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/ecs/types"
	"github.com/rolecall/rolecall/internal/ids"
	"github.com/rolecall/rolecall/internal/principal"
	"github.com/rolecall/rolecall/internal/store"
)

// ec2Roles are fakeRoles with EC2's instances: instance ID -> the role of
// the credentials EC2 delivers to it.
type ec2Roles struct {
	*fakeRoles
	running map[string]string
}

func (r ec2Roles) EC2InstanceRole(_ context.Context, account, id string) (bool, string, string, error) {
	if account != acct {
		return false, "", "", nil
	}
	role, ok := r.running[id]
	return ok, role, "", nil
}

func instanceSession(role, session, assumedBy string) *principal.Principal {
	return &principal.Principal{Kind: principal.AssumedRole, Account: acct, ARN: "arn:aws:sts::" + acct + ":assumed-role/ecsInstanceRole/" + session,
		RoleARN: role, SessionName: session, AssumedBy: assumedBy}
}

// A registration signed with a rolecall instance's role credentials is
// that instance's, and the container instance remembers the role.
func TestRegisterFromInstanceRole(t *testing.T) {
	ctx := context.Background()
	role := "arn:aws:iam::" + acct + ":role/ecsInstanceRole"
	const id = "i-0123456789abcdef0"
	st := store.NewMemory()
	svc := New(Config{Store: st, Clock: &ids.FixedClock{T: time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)}, IDs: &ids.Sequence{},
		Roles: ec2Roles{newFakeRoles(), map[string]string{id: role}}})
	root := Call{Account: acct, Region: "us-east-1"}
	if _, err := svc.CreateCluster(ctx, root, &types.CreateClusterRequest{}); err != nil {
		t.Fatal(err)
	}
	agent := Call{Account: acct, Region: "us-east-1", Principal: instanceSession(role, id, principalEC2)}

	out, err := svc.RegisterContainerInstance(ctx, agent, &types.RegisterContainerInstanceRequest{})
	if err != nil {
		t.Fatal(err)
	}
	ci := out.ContainerInstance
	if ci.Ec2InstanceId != id {
		t.Errorf("EC2 instance %s, want %s", ci.Ec2InstanceId, id)
	}
	if got, err := svc.InstanceRole(ctx, root, ci.ContainerInstanceArn); err != nil || got != role {
		t.Errorf("InstanceRole %q %v", got, err)
	}
	// The same instance again, naming itself: the same container instance.
	again, err := svc.RegisterContainerInstance(ctx, agent, &types.RegisterContainerInstanceRequest{InstanceIdentityDocument: `{"instanceId":"` + id + `"}`})
	if err != nil || again.ContainerInstance.ContainerInstanceArn != ci.ContainerInstanceArn {
		t.Errorf("again: %+v %v", again, err)
	}
	// A document naming another instance.
	_, err = svc.RegisterContainerInstance(ctx, agent, &types.RegisterContainerInstanceRequest{InstanceIdentityDocument: `{"instanceId":"i-0fedcba9876543210"}`})
	if awserr.Code(err) != "ClientException" {
		t.Errorf("another instance's document: %v", err)
	}

	// Not an instance's session: a user named a session after one, a
	// session of another role, an instance that does not run. The
	// document (or a new ID) names the EC2 instance, and the role is
	// still remembered.
	for _, p := range []*principal.Principal{
		instanceSession(role, id, "arn:aws:iam::"+acct+":user/dev"),
		instanceSession("arn:aws:iam::"+acct+":role/other", id, principalEC2),
		instanceSession(role, "i-0aaaaaaaaaaaaaaaa", principalEC2),
	} {
		out, err := svc.RegisterContainerInstance(ctx, Call{Account: acct, Region: "us-east-1", Principal: p},
			&types.RegisterContainerInstanceRequest{InstanceIdentityDocument: `{"instanceId":"i-0bbbbbbbbbbbbbbbb"}`})
		if err != nil || out.ContainerInstance.Ec2InstanceId != "i-0bbbbbbbbbbbbbbbb" {
			t.Errorf("%s by %s: %+v %v", p.SessionName, p.AssumedBy, out, err)
			continue
		}
		if got, _ := svc.InstanceRole(ctx, root, out.ContainerInstance.ContainerInstanceArn); got != p.RoleARN {
			t.Errorf("role %q, want %q", got, p.RoleARN)
		}
	}
	// Root registers: no role.
	out, err = svc.RegisterContainerInstance(ctx, root, &types.RegisterContainerInstanceRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := svc.InstanceRole(ctx, root, out.ContainerInstance.ContainerInstanceArn); got != "" || err != nil {
		t.Errorf("root's registration: role %q %v", got, err)
	}
	for _, ref := range []string{"nope", "arn:aws:ecs:us-east-1:" + acct + ":container-instance/default/ffff", "arn:aws:ecs:us-east-1:111122223333:container-instance/default/x"} {
		if _, err := svc.InstanceRole(ctx, root, ref); awserr.Code(err) != "InvalidParameterException" {
			t.Errorf("%s: %v", ref, err)
		}
	}
}

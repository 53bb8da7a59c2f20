package doctor_test

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/rolecall/rolecall/internal/doctor"
	"github.com/rolecall/rolecall/internal/doctor/source"
)

// doctor indirect knows the Express services' doors: a principal allowed
// ecs:CreateExpressGatewayService and to pass the roles acts with the
// infrastructure role (ECS acts with it) and with the execution role (the
// service's tasks run with it), without registering a task definition.
func TestIndirectExpress(t *testing.T) {
	loaded, err := source.LoadFiles(filepath.Join("testdata", "setups", "express", "iam-ok.json"))
	if err != nil {
		t.Fatal(err)
	}
	// The deployer may create Express services only.
	for _, u := range loaded.IAM.UserDetailList {
		for i := range u.UserPolicyList {
			u.UserPolicyList[i].PolicyDocument = []byte(strings.Replace(string(u.UserPolicyList[i].PolicyDocument), `"ecs:*"`, `"ecs:CreateExpressGatewayService"`, 1))
		}
	}
	s := &doctor.Setup{}
	loaded.Apply(s)
	s.IAM = loaded.IAM
	rep, err := doctor.Indirect(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range rep.Principals {
		for _, path := range p.Paths {
			got = append(got, p.Name+" "+path.Via+" "+path.Role+" "+path.Service+" "+strings.Join(path.With, "+"))
		}
	}
	for _, want := range []string{
		"deployer passes role ecsInfrastructureRoleForExpressServices ecs.amazonaws.com iam:PassRole+ecs:CreateExpressGatewayService",
		"deployer passes role ecsTaskExecutionRole ecs-tasks.amazonaws.com iam:PassRole+ecs:CreateExpressGatewayService",
	} {
		if !slices.Contains(got, want) {
			t.Errorf("indirect lacks %q: %q", want, got)
		}
	}
}

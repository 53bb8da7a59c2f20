package ecs

import (
	"context"
	"testing"

	"github.com/rolecall/rolecall/internal/ecs/types"
	"github.com/rolecall/rolecall/internal/store"
)

// Two launches that placed from the same read (RunTask calls at once)
// cannot both put a task of a distinctInstance group on one instance: the
// rules are checked again as the tasks are stored, and the second is a
// failure with AWS's reason.
func TestPlacementCheckedWhenStored(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.cluster(t, f.c, "default")
	ci, err := f.svc.RegisterContainerInstance(ctx, f.c, &types.RegisterContainerInstanceRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.RegisterTaskDefinition(ctx, f.c, &types.RegisterTaskDefinitionRequest{Family: "web",
		ContainerDefinitions: []types.ContainerDefinition{{Name: "app", Image: "nginx", Memory: ptr(int32(128))}}}); err != nil {
		t.Fatal(err)
	}
	l := &launch{launchType: launchEC2}
	var on *instanceRecord
	if err := f.svc.view(ctx, f.c, func(tx store.Tx) error {
		var err error
		if l.cluster, err = activeCluster(tx, f.c, "default", true); err != nil {
			return err
		}
		if l.def, err = loadTaskDef(tx, f.c, "web"); err != nil {
			return err
		}
		on, err = loadInstance(tx, f.c, "default", ci.ContainerInstance.ContainerInstanceArn)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	r, err := rulesFor(l, []types.PlacementConstraint{{Type: constraintDistinctInstance}})
	if err != nil {
		t.Fatal(err)
	}
	first, err := f.svc.startTasks(ctx, f.c, l, &r, []*instanceRecord{on}, f.clock.Now())
	if err != nil || len(first.Tasks) != 1 || len(first.Failures) != 0 {
		t.Fatalf("first: %+v %v", first, err)
	}
	second, err := f.svc.startTasks(ctx, f.c, l, &r, []*instanceRecord{on}, f.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	want := types.Failure{Arn: on.Instance.ContainerInstanceArn, Reason: reasonDistinct}
	if len(second.Tasks) != 0 || len(second.Failures) != 1 || second.Failures[0] != want {
		t.Fatalf("second: tasks %d, failures %+v", len(second.Tasks), second.Failures)
	}
	listed, err := f.svc.ListTasks(ctx, f.c, &types.ListTasksRequest{})
	if err != nil || len(listed.TaskArns) != 1 || listed.TaskArns[0] != first.Tasks[0].TaskArn {
		t.Fatalf("stored tasks %+v %v", listed, err)
	}
}

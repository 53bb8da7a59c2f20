package ecs

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/rolecall/rolecall/internal/ecs/types"
	"github.com/rolecall/rolecall/internal/ids"
	"github.com/rolecall/rolecall/internal/store"
)

// miRoles are ec2Roles that launch and terminate Managed Instances
// instances: a launched instance runs with its profile's role (the fake's
// profiles hold the role of their name).
type miRoles struct {
	ec2Roles
	launched []ManagedInstance
}

func (r *miRoles) RunManagedInstance(_ context.Context, c Call, in ManagedInstance) (string, error) {
	id := fmt.Sprintf("i-%017x", len(r.launched)+1)
	r.launched = append(r.launched, in)
	r.running[id] = "arn:aws:iam::" + c.Account + ":role/" + in.ProfileArn[len("arn:aws:iam::"+acct+":instance-profile/"):]
	r.log("run " + id)
	return id, nil
}

func (r *miRoles) InstanceCredentials(_ context.Context, _, id string) (string, string, error) {
	return r.running[id], "", nil
}

func (r *miRoles) TerminateManagedInstance(_ context.Context, _ Call, id string) error {
	delete(r.running, id)
	r.log("terminate " + id)
	return nil
}

type miFixture struct {
	svc   *Service
	roles *miRoles
	clock *ids.FixedClock
	c     Call
}

// newMIFixture is a cluster prod with a Managed Instances provider mi,
// changed by mod, and an awsvpc task definition app (256 CPU, 512 MiB).
func newMIFixture(t *testing.T, mod func(*types.CreateManagedInstancesProviderConfiguration)) *miFixture {
	t.Helper()
	ctx := context.Background()
	st := store.NewMemory()
	t.Cleanup(func() { st.Close() })
	clock := &ids.FixedClock{T: time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)}
	roles := &miRoles{ec2Roles: ec2Roles{newFakeRoles(), map[string]string{}}}
	roles.now = clock.Now
	f := &miFixture{roles: roles, clock: clock, c: Call{Account: acct, Region: "us-east-1"},
		svc: New(Config{Store: st, Clock: clock, IDs: &ids.Sequence{}, Roles: roles, Timing: Timing{Provisioning: time.Second, Pending: time.Second, Stopping: time.Second}})}
	for _, r := range []string{"infra", "ecsInstanceRole"} {
		roles.roles["arn:aws:iam::"+acct+":role/"+r] = true
	}
	roles.slrs[PrincipalECS] = true
	if _, err := f.svc.CreateCluster(ctx, f.c, &types.CreateClusterRequest{ClusterName: "prod"}); err != nil {
		t.Fatal(err)
	}
	mi := &types.CreateManagedInstancesProviderConfiguration{InfrastructureRoleArn: "arn:aws:iam::" + acct + ":role/infra",
		InstanceLaunchTemplate: &types.InstanceLaunchTemplate{Ec2InstanceProfileArn: "arn:aws:iam::" + acct + ":instance-profile/ecsInstanceRole"}}
	if mod != nil {
		mod(mi)
	}
	if _, err := f.svc.CreateCapacityProvider(ctx, f.c, &types.CreateCapacityProviderRequest{Name: "mi", Cluster: "prod", ManagedInstancesProvider: mi}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.RegisterTaskDefinition(ctx, f.c, &types.RegisterTaskDefinitionRequest{Family: "app", RequiresCompatibilities: []string{"MANAGED_INSTANCES"},
		NetworkMode: "awsvpc", Cpu: "256", Memory: "512", ContainerDefinitions: []types.ContainerDefinition{{Name: "app", Image: "nginx"}}}); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *miFixture) run(t *testing.T, count int32) []types.Task {
	t.Helper()
	out, err := f.svc.RunTask(context.Background(), f.c, &types.RunTaskRequest{Cluster: "prod", TaskDefinition: "app", NetworkConfiguration: vpc, Count: &count,
		CapacityProviderStrategy: []types.CapacityProviderStrategyItem{{CapacityProvider: "mi"}}})
	if err != nil {
		t.Fatal(err)
	}
	return out.Tasks
}

func (f *miFixture) instances(t *testing.T) map[string]types.ContainerInstance {
	t.Helper()
	ctx := context.Background()
	list, err := f.svc.ListContainerInstances(ctx, f.c, &types.ListContainerInstancesRequest{Cluster: "prod", Status: "ACTIVE"})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]types.ContainerInstance{}
	if len(list.ContainerInstanceArns) == 0 {
		return out
	}
	got, err := f.svc.DescribeContainerInstances(ctx, f.c, &types.DescribeContainerInstancesRequest{Cluster: "prod", ContainerInstances: list.ContainerInstanceArns})
	if err != nil {
		t.Fatal(err)
	}
	for _, ci := range got.ContainerInstances {
		out[ci.ContainerInstanceArn] = ci
	}
	return out
}

func (f *miFixture) stopAll(t *testing.T, tasks []types.Task) {
	t.Helper()
	for _, task := range tasks {
		if _, err := f.svc.StopTask(context.Background(), f.c, &types.StopTaskRequest{Cluster: "prod", Task: task.TaskArn}); err != nil {
			t.Fatal(err)
		}
	}
}

// A provider that names no instance requirements gets an instance per
// task; one that does packs tasks on instances while their CPU and memory
// last.
func TestManagedInstancesPlacement(t *testing.T) {
	f := newMIFixture(t, nil)
	tasks := f.run(t, 2)
	if tasks[0].ContainerInstanceArn == "" || tasks[0].ContainerInstanceArn == tasks[1].ContainerInstanceArn || len(f.roles.launched) != 2 {
		t.Errorf("one task per instance: tasks on %q and %q, %d launched", tasks[0].ContainerInstanceArn, tasks[1].ContainerInstanceArn, len(f.roles.launched))
	}

	f = newMIFixture(t, func(mi *types.CreateManagedInstancesProviderConfiguration) {
		mi.InstanceLaunchTemplate.InstanceRequirements = &types.InstanceRequirementsRequest{
			VCpuCount: &types.VCpuCountRangeRequest{Min: ptr(int32(1))}, MemoryMiB: &types.MemoryMiBRequest{Min: ptr(int32(1024))}}
	})
	tasks = f.run(t, 3) // 1024 CPU: four of 256, but 1024 MiB: two of 512
	if tasks[0].ContainerInstanceArn != tasks[1].ContainerInstanceArn || tasks[2].ContainerInstanceArn == tasks[0].ContainerInstanceArn || len(f.roles.launched) != 2 {
		t.Errorf("packed: tasks on %q %q %q, %d launched", tasks[0].ContainerInstanceArn, tasks[1].ContainerInstanceArn, tasks[2].ContainerInstanceArn, len(f.roles.launched))
	}
	more := f.run(t, 1)
	if more[0].ContainerInstanceArn != tasks[2].ContainerInstanceArn || len(f.roles.launched) != 2 {
		t.Errorf("a later task on %q, %d launched", more[0].ContainerInstanceArn, len(f.roles.launched))
	}
	ci := f.instances(t)[tasks[0].ContainerInstanceArn]
	if ci.CapacityProviderName != "mi" || ci.RegisteredResources[0].IntegerValue != 1024 || ci.RegisteredResources[1].IntegerValue != 1024 || ci.PendingTasksCount != 2 {
		t.Errorf("container instance %+v", ci)
	}
	tags := f.roles.launched[0].Tags
	if tags["AmazonECSManaged"] != "true" || tags["aws:ecs:clusterName"] != "prod" || tags["aws:ecs:capacityProviderName"] != "mi" ||
		tags["aws:ecs:containerInstanceId"] != taskIDOf(tasks[0].ContainerInstanceArn) {
		t.Errorf("launched %+v", f.roles.launched[0])
	}
	// An instance terminated from outside ECS takes no more tasks.
	delete(f.roles.running, "i-00000000000000002")
	if again := f.run(t, 1); again[0].ContainerInstanceArn == tasks[2].ContainerInstanceArn || len(f.roles.launched) != 3 {
		t.Errorf("a task on the terminated instance's %q, %d launched", again[0].ContainerInstanceArn, len(f.roles.launched))
	}
	// EC2 tasks are not placed on Managed Instances instances.
	if _, err := f.svc.RunTask(context.Background(), f.c, &types.RunTaskRequest{Cluster: "prod", TaskDefinition: "app", LaunchType: "EC2", NetworkConfiguration: vpc}); err == nil {
		t.Error("an EC2 task was placed on a Managed Instances instance")
	}
}

// An idle instance goes once idle for the provider's scaleInAfter
// (-1: never), with AWSServiceRoleForECSCompute terminating it as its
// operator.
func TestManagedInstancesScaleIn(t *testing.T) {
	for _, c := range []struct {
		name   string
		after  *int32
		alive  time.Duration // still ACTIVE this long after the tasks stopped
		goneBy time.Duration // gone by then (0: never)
	}{
		{"unset", nil, 0, time.Millisecond},
		{"120s", ptr(int32(120)), 119 * time.Second, 120 * time.Second},
		{"never", ptr(int32(-1)), 24 * time.Hour, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := newMIFixture(t, func(mi *types.CreateManagedInstancesProviderConfiguration) {
				mi.InfrastructureOptimization = &types.InfrastructureOptimization{ScaleInAfter: c.after}
			})
			tasks := f.run(t, 1)
			ciArn := tasks[0].ContainerInstanceArn
			f.clock.Advance(5 * time.Second)
			if len(f.instances(t)) != 1 {
				t.Fatal("no instance while the task runs")
			}
			f.stopAll(t, tasks)
			f.clock.Advance(time.Second) // STOPPED
			start := f.clock.Now()
			if c.alive > 0 {
				f.clock.T = start.Add(c.alive)
				if _, ok := f.instances(t)[ciArn]; !ok || len(f.roles.called("terminate ")) != 0 {
					t.Fatalf("gone after %v", c.alive)
				}
			}
			if c.goneBy == 0 {
				return
			}
			f.clock.T = start.Add(c.goneBy)
			if _, ok := f.instances(t)[ciArn]; ok {
				t.Fatalf("still there after %v", c.goneBy)
			}
			if got := f.roles.called("terminate "); len(got) != 1 {
				t.Errorf("terminated %v", got)
			}
			acts := f.roles.called("act " + PrincipalECSCompute)
			if !slices.Contains(acts, "act "+PrincipalECSCompute+" ec2:TerminateInstances arn:aws:ec2:us-east-1:"+acct+":instance/i-00000000000000001") {
				t.Errorf("AWSServiceRoleForECSCompute did %v", acts)
			}
			// Terminated once, not again.
			f.instances(t)
			if got := f.roles.called("terminate "); len(got) != 1 {
				t.Errorf("terminated %v", got)
			}
		})
	}
}

// Deleting the provider terminates its instances, and then ECS deletes
// AWSServiceRoleForECSCompute (the account's last Managed Instances
// provider); the role's use is its providers'.
func TestManagedInstancesGoWithTheirProvider(t *testing.T) {
	f := newMIFixture(t, func(mi *types.CreateManagedInstancesProviderConfiguration) {
		mi.InfrastructureOptimization = &types.InfrastructureOptimization{ScaleInAfter: ptr(int32(-1))}
	})
	ctx := context.Background()
	tasks := f.run(t, 2)
	f.stopAll(t, tasks)
	f.clock.Advance(time.Minute)
	if usage, _ := f.svc.RoleUsage(ctx, acct, PrincipalECSCompute); len(usage) != 1 || usage[0].Resources[0] != ecsARN(f.c, "capacity-provider/mi") {
		t.Errorf("usage %+v", usage)
	}
	if len(f.instances(t)) != 2 {
		t.Fatal("the instances did not wait (scaleInAfter -1)")
	}
	if _, err := f.svc.DeleteCapacityProvider(ctx, f.c, &types.DeleteCapacityProviderRequest{CapacityProvider: "mi"}); err != nil {
		t.Fatal(err)
	}
	if len(f.instances(t)) != 0 || len(f.roles.running) != 0 {
		t.Errorf("left %v", f.roles.running)
	}
	calls := f.roles.called("")
	last := slices.Index(calls, "delete "+PrincipalECSCompute)
	if last < 0 || slices.IndexFunc(calls, func(s string) bool { return s == "terminate i-00000000000000002" }) > last {
		t.Errorf("calls %v", calls)
	}
	if usage, _ := f.svc.RoleUsage(ctx, acct, PrincipalECSCompute); len(usage) != 0 {
		t.Errorf("usage %+v", usage)
	}
}

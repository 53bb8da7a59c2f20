package integration

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// Container instance attributes (PutAttributes, DeleteAttributes,
// ListAttributes) and the placement that uses them: memberOf constraints
// and ListContainerInstances' filter, in the cluster query language.

// instanceIn registers a container instance of cluster in an
// Availability Zone and answers its ARN.
func (e *ecsEnv) instanceIn(t *testing.T, cluster, ec2ID, zone string) string {
	t.Helper()
	ci := must(e.ecs.RegisterContainerInstance(ctx, &ecs.RegisterContainerInstanceInput{Cluster: aws.String(cluster),
		InstanceIdentityDocument: aws.String(`{"instanceId":"` + ec2ID + `","availabilityZone":"` + zone + `"}`)}))(t).ContainerInstance
	return aws.ToString(ci.ContainerInstanceArn)
}

func idOf(arn string) string { return arn[strings.LastIndexByte(arn, '/')+1:] }

func attr(name, value, target string) ecstypes.Attribute {
	a := ecstypes.Attribute{Name: aws.String(name), TargetId: aws.String(target)}
	if value != "" {
		a.Value = aws.String(value)
	}
	if !strings.HasPrefix(target, "arn:") {
		a.TargetType = ecstypes.TargetTypeContainerInstance
	}
	return a
}

// attrs is a list of attributes as "target-id name=value".
func attrs(as []ecstypes.Attribute) []string {
	var out []string
	for _, a := range as {
		out = append(out, idOf(aws.ToString(a.TargetId))+" "+aws.ToString(a.Name)+"="+aws.ToString(a.Value)+" "+string(a.TargetType))
	}
	return out
}

func TestECSAttributes(t *testing.T) {
	e := newECSEnv(t)
	must(e.ecs.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("prod")}))(t)
	one := e.instanceIn(t, "prod", "i-0000000000000000a", "us-east-1a")
	two := e.instanceIn(t, "prod", "i-0000000000000000b", "us-east-1b")

	put := must(e.ecs.PutAttributes(ctx, &ecs.PutAttributesInput{Cluster: aws.String("prod"), Attributes: []ecstypes.Attribute{
		attr("stack", "prod", idOf(one)), attr("stack", "dev", two), attr("gpu", "", two)}}))(t)
	if len(put.Attributes) != 3 {
		t.Errorf("PutAttributes answered %q", attrs(put.Attributes))
	}
	list := func(in *ecs.ListAttributesInput) []string {
		t.Helper()
		in.Cluster, in.TargetType = aws.String("prod"), ecstypes.TargetTypeContainerInstance
		return attrs(must(e.ecs.ListAttributes(ctx, in))(t).Attributes)
	}
	a, b := idOf(one), idOf(two)
	if got, want := list(&ecs.ListAttributesInput{AttributeName: aws.String("stack")}), sorted(a+" stack=prod container-instance", b+" stack=dev container-instance"); !slices.Equal(got, want) {
		t.Errorf("stack attributes %q, want %q", got, want)
	}
	if got := list(&ecs.ListAttributesInput{AttributeName: aws.String("stack"), AttributeValue: aws.String("prod")}); !slices.Equal(got, []string{a + " stack=prod container-instance"}) {
		t.Errorf("stack=prod %q", got)
	}
	// ECS's own attributes are listed too.
	if got := list(&ecs.ListAttributesInput{AttributeName: aws.String("ecs.availability-zone")}); !slices.Equal(got,
		sorted(a+" ecs.availability-zone=us-east-1a container-instance", b+" ecs.availability-zone=us-east-1b container-instance")) {
		t.Errorf("zones %q", got)
	}
	all := must(e.ecs.ListAttributes(ctx, &ecs.ListAttributesInput{Cluster: aws.String("prod"), TargetType: ecstypes.TargetTypeContainerInstance, MaxResults: aws.Int32(4)}))(t)
	rest := must(e.ecs.ListAttributes(ctx, &ecs.ListAttributesInput{Cluster: aws.String("prod"), TargetType: ecstypes.TargetTypeContainerInstance, NextToken: all.NextToken}))(t)
	if len(all.Attributes) != 4 || all.NextToken == nil || len(rest.Attributes) != 3 || rest.NextToken != nil {
		t.Errorf("pages %q, %q", attrs(all.Attributes), attrs(rest.Attributes))
	}
	ci := must(e.ecs.DescribeContainerInstances(ctx, &ecs.DescribeContainerInstancesInput{Cluster: aws.String("prod"), ContainerInstances: []string{two}}))(t).ContainerInstances[0]
	if !slices.ContainsFunc(ci.Attributes, func(x ecstypes.Attribute) bool { return aws.ToString(x.Name) == "gpu" && x.Value == nil }) {
		t.Errorf("DescribeContainerInstances attributes %+v", ci.Attributes)
	}

	// Replacing and deleting; a name an instance lacks is no error.
	must(e.ecs.PutAttributes(ctx, &ecs.PutAttributesInput{Cluster: aws.String("prod"), Attributes: []ecstypes.Attribute{attr("stack", "qa", two)}}))(t)
	must(e.ecs.DeleteAttributes(ctx, &ecs.DeleteAttributesInput{Cluster: aws.String("prod"), Attributes: []ecstypes.Attribute{attr("stack", "", one), attr("nope", "", one)}}))(t)
	if got := list(&ecs.ListAttributesInput{AttributeName: aws.String("stack")}); !slices.Equal(got, []string{b + " stack=qa container-instance"}) {
		t.Errorf("after replacing and deleting %q", got)
	}

	// AWS's limits.
	var eleven []ecstypes.Attribute
	for i := range 11 {
		eleven = append(eleven, attr("a"+string(rune('a'+i)), "1", one))
	}
	_, err := e.ecs.PutAttributes(ctx, &ecs.PutAttributesInput{Cluster: aws.String("prod"), Attributes: eleven})
	wantErr(t, err, 400, "InvalidParameterException", "attributes can have at most 10 items.")
	must(e.ecs.PutAttributes(ctx, &ecs.PutAttributesInput{Cluster: aws.String("prod"), Attributes: eleven[:10]}))(t)
	_, err = e.ecs.PutAttributes(ctx, &ecs.PutAttributesInput{Cluster: aws.String("prod"), Attributes: eleven[10:]})
	wantErr(t, err, 400, "AttributeLimitExceededException", "You can apply up to 10 custom attributes for each resource.")
	// Replacing one of the ten is no eleventh.
	must(e.ecs.PutAttributes(ctx, &ecs.PutAttributesInput{Cluster: aws.String("prod"), Attributes: []ecstypes.Attribute{attr("aa", "2", one)}}))(t)

	for _, c := range []struct {
		a         ecstypes.Attribute
		code, msg string
	}{
		{ecstypes.Attribute{Name: aws.String("stack"), Value: aws.String("x"), TargetId: aws.String(a)}, "InvalidParameterException",
			"You must specify the target type when you use the short form ID of the target."},
		{ecstypes.Attribute{Name: aws.String("stack"), Value: aws.String("x")}, "InvalidParameterException",
			"You must specify the target type when you use the short form ID of the target."},
		{attr("stack", "x", "0123456789abcdef0123456789abcdef"), "TargetNotFoundException", "The specified target 0123456789abcdef0123456789abcdef wasn't found."},
		{attr("stack", "x", strings.Replace(one, "/prod/", "/other/", 1)), "TargetNotFoundException",
			"The specified target " + strings.Replace(one, "/prod/", "/other/", 1) + " wasn't found."},
		{attr("bad name", "x", one), "InvalidParameterException",
			"The attribute bad name is not valid. Names and values must be 1 to 128 characters of those the Attribute reference allows."},
		{attr("stack", " x", one), "InvalidParameterException",
			"The attribute stack is not valid. Names and values must be 1 to 128 characters of those the Attribute reference allows."},
		{attr(strings.Repeat("n", 129), "x", one), "InvalidParameterException",
			"The attribute " + strings.Repeat("n", 129) + " is not valid. Names and values must be 1 to 128 characters of those the Attribute reference allows."},
	} {
		_, err := e.ecs.PutAttributes(ctx, &ecs.PutAttributesInput{Cluster: aws.String("prod"), Attributes: []ecstypes.Attribute{c.a}})
		wantErr(t, err, 400, c.code, c.msg)
	}
	// A value may hold what names may not: colons, at signs, spaces.
	must(e.ecs.PutAttributes(ctx, &ecs.PutAttributesInput{Cluster: aws.String("prod"), Attributes: []ecstypes.Attribute{attr("owner", "ops@example.com: team a", two)}}))(t)
	_, err = e.ecs.PutAttributes(ctx, &ecs.PutAttributesInput{Cluster: aws.String("nope"), Attributes: []ecstypes.Attribute{attr("stack", "x", one)}})
	wantErr(t, err, 400, "ClusterNotFoundException", "Cluster not found.")
	_, err = e.ecs.ListAttributes(ctx, &ecs.ListAttributesInput{Cluster: aws.String("prod"), TargetType: ecstypes.TargetTypeContainerInstance, AttributeValue: aws.String("x")})
	wantErr(t, err, 400, "InvalidParameterException", "You must also specify an attribute name to use the attributeValue parameter.")

	// PutAttributes acts on the container instances; ecs:cluster names
	// their cluster.
	scoped := userClient(t, e, "scoped", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ecs:PutAttributes","ecs:DeleteAttributes"],
		"Resource":"`+one+`","Condition":{"ArnEquals":{"ecs:cluster":"`+clusterARN("us-east-1", "prod")+`"}}}]}`)
	must(scoped.PutAttributes(ctx, &ecs.PutAttributesInput{Cluster: aws.String("prod"), Attributes: []ecstypes.Attribute{attr("aa", "3", a)}}))(t)
	_, err = scoped.PutAttributes(ctx, &ecs.PutAttributesInput{Cluster: aws.String("prod"), Attributes: []ecstypes.Attribute{attr("aa", "4", a), attr("stack", "prod", b)}})
	wantErr(t, err, 400, "AccessDeniedException", denied(userArn+"scoped", "ecs:PutAttributes", two))
	_, err = scoped.ListAttributes(ctx, &ecs.ListAttributesInput{Cluster: aws.String("prod"), TargetType: ecstypes.TargetTypeContainerInstance})
	wantErr(t, err, 400, "AccessDeniedException", denied(userArn+"scoped", "ecs:ListAttributes", clusterARN("us-east-1", "prod")))
}

func sorted(s ...string) []string { slices.Sort(s); return s }

// memberOf constraints place tasks only on the instances their
// expressions select: RunTask's, the task definition's, a service's.
func TestECSPlacementMemberOf(t *testing.T) {
	e := newECSEnv(t)
	must(e.ecs.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("prod")}))(t)
	one := e.instanceIn(t, "prod", "i-0000000000000000a", "us-east-1a")
	two := e.instanceIn(t, "prod", "i-0000000000000000b", "us-east-1b")
	must(e.ecs.PutAttributes(ctx, &ecs.PutAttributesInput{Cluster: aws.String("prod"), Attributes: []ecstypes.Attribute{
		attr("stack", "prod", one), attr("gpu", "", two)}}))(t)
	e.bridgeTaskDef(t)
	memberOf := func(expr string) []ecstypes.PlacementConstraint {
		return []ecstypes.PlacementConstraint{{Type: ecstypes.PlacementConstraintTypeMemberOf, Expression: aws.String(expr)}}
	}
	on := func(tasks []ecstypes.Task) []string {
		var out []string
		for _, t := range tasks {
			out = append(out, aws.ToString(t.ContainerInstanceArn))
		}
		return out
	}

	run := must(e.ecs.RunTask(ctx, &ecs.RunTaskInput{Cluster: aws.String("prod"), TaskDefinition: aws.String("bridge"), Count: aws.Int32(2),
		PlacementConstraints: memberOf("attribute:stack == prod")}))(t)
	if got := on(run.Tasks); !slices.Equal(got, []string{one, one}) || len(run.Failures) != 0 {
		t.Errorf("stack == prod: tasks on %q, failures %+v", got, run.Failures)
	}
	run = must(e.ecs.RunTask(ctx, &ecs.RunTaskInput{Cluster: aws.String("prod"), TaskDefinition: aws.String("bridge"),
		PlacementConstraints: memberOf("attribute:ecs.availability-zone in [us-east-1b, us-east-1c]")}))(t)
	if got := on(run.Tasks); !slices.Equal(got, []string{two}) {
		t.Errorf("zone: tasks on %q", got)
	}
	run = must(e.ecs.RunTask(ctx, &ecs.RunTaskInput{Cluster: aws.String("prod"), TaskDefinition: aws.String("bridge"),
		PlacementConstraints: memberOf("attribute:stack == qa")}))(t)
	var failed []string
	for _, f := range run.Failures {
		failed = append(failed, aws.ToString(f.Arn)+" "+aws.ToString(f.Reason))
	}
	if want := sorted(one+" MemberOf placement constraint unsatisfied.", two+" MemberOf placement constraint unsatisfied."); len(run.Tasks) != 0 || !slices.Equal(sorted(failed...), want) {
		t.Errorf("unsatisfiable: tasks %d, failures %q", len(run.Tasks), failed)
	}

	// The task definition's constraint, and the request's with it.
	must(e.ecs.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{Family: aws.String("gpu"),
		PlacementConstraints: []ecstypes.TaskDefinitionPlacementConstraint{{Type: ecstypes.TaskDefinitionPlacementConstraintTypeMemberOf, Expression: aws.String("attribute:gpu exists")}},
		ContainerDefinitions: []ecstypes.ContainerDefinition{{Name: aws.String("cuda"), Image: aws.String("cuda"), Memory: aws.Int32(128)}}}))(t)
	run = must(e.ecs.RunTask(ctx, &ecs.RunTaskInput{Cluster: aws.String("prod"), TaskDefinition: aws.String("gpu")}))(t)
	if got := on(run.Tasks); !slices.Equal(got, []string{two}) {
		t.Errorf("gpu: tasks on %q", got)
	}
	run = must(e.ecs.RunTask(ctx, &ecs.RunTaskInput{Cluster: aws.String("prod"), TaskDefinition: aws.String("gpu"), PlacementConstraints: memberOf("attribute:stack == prod")}))(t)
	if len(run.Tasks) != 0 || len(run.Failures) != 2 {
		t.Errorf("gpu on stack prod: %d tasks, failures %+v", len(run.Tasks), run.Failures)
	}

	// Refused expressions.
	_, err := e.ecs.RunTask(ctx, &ecs.RunTaskInput{Cluster: aws.String("prod"), TaskDefinition: aws.String("bridge"), PlacementConstraints: memberOf("attribute:stack ==")})
	wantErr(t, err, 400, "InvalidParameterException", "The expression is not valid in the cluster query language: attribute:stack ==")
	_, err = e.ecs.RunTask(ctx, &ecs.RunTaskInput{Cluster: aws.String("prod"), TaskDefinition: aws.String("bridge"),
		PlacementConstraints: []ecstypes.PlacementConstraint{{Type: ecstypes.PlacementConstraintTypeDistinctInstance, Expression: aws.String("attribute:stack exists")}}})
	wantErr(t, err, 400, "InvalidParameterException", "distinctInstance expression should not be specified.")
	_, err = e.ecs.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{Family: aws.String("bad"),
		PlacementConstraints: []ecstypes.TaskDefinitionPlacementConstraint{{Type: ecstypes.TaskDefinitionPlacementConstraintTypeMemberOf, Expression: aws.String("color = red")}},
		ContainerDefinitions: []ecstypes.ContainerDefinition{{Name: aws.String("web"), Image: aws.String("nginx"), Memory: aws.Int32(128)}}})
	wantErr(t, err, 400, "InvalidParameterException", "The expression is not valid in the cluster query language: color = red")
	// distinctInstance is for services and RunTask, not task definitions:
	// ECS refuses it itself, not as an enum violation.
	_, err = e.ecs.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{Family: aws.String("bad"),
		PlacementConstraints: []ecstypes.TaskDefinitionPlacementConstraint{{Type: "distinctInstance"}},
		ContainerDefinitions: []ecstypes.ContainerDefinition{{Name: aws.String("web"), Image: aws.String("nginx"), Memory: aws.Int32(128)}}})
	wantErr(t, err, 400, "ClientException", "constraint.type 'distinctInstance' is not supported.")

	// A service waits for an instance its constraint selects: AWS's event
	// names the closest one (the least busy; both run two tasks, so the
	// first by ID); once an instance has the attribute, the scheduler's
	// next attempt places the task there.
	closest := min(idOf(one), idOf(two))
	svc := must(e.ecs.CreateService(ctx, &ecs.CreateServiceInput{Cluster: aws.String("prod"), ServiceName: aws.String("web"), TaskDefinition: aws.String("bridge"),
		DesiredCount: aws.Int32(1), PlacementConstraints: memberOf("attribute:tier == web")}))(t).Service
	if svc.RunningCount+svc.PendingCount != 0 || len(svc.Events) == 0 || aws.ToString(svc.Events[0].Message) != "(service web) was unable to place a task because no container instance met all of its requirements. "+
		"The closest matching (container-instance "+closest+") encountered error \"MemberOf placement constraint unsatisfied.\". For more information, see the Troubleshooting section of the Amazon ECS Developer Guide." {
		t.Fatalf("service %d pending, events %+v", svc.PendingCount, svc.Events)
	}
	must(e.ecs.PutAttributes(ctx, &ecs.PutAttributesInput{Cluster: aws.String("prod"), Attributes: []ecstypes.Attribute{attr("tier", "web", two)}}))(t)
	e.clock.Advance(20 * time.Second)
	must(e.ecs.DescribeServices(ctx, &ecs.DescribeServicesInput{Cluster: aws.String("prod"), Services: []string{"web"}}))(t)
	tasks := must(e.ecs.ListTasks(ctx, &ecs.ListTasksInput{Cluster: aws.String("prod"), ServiceName: aws.String("web")}))(t).TaskArns
	got := must(e.ecs.DescribeTasks(ctx, &ecs.DescribeTasksInput{Cluster: aws.String("prod"), Tasks: tasks}))(t).Tasks
	if g := on(got); !slices.Equal(g, []string{two}) {
		t.Errorf("service task on %q", g)
	}

	// ListContainerInstances' filter is the same language.
	filter := func(expr string) []string {
		arns := must(e.ecs.ListContainerInstances(ctx, &ecs.ListContainerInstancesInput{Cluster: aws.String("prod"), Filter: aws.String(expr)}))(t).ContainerInstanceArns
		return sorted(arns...)
	}
	for expr, want := range map[string][]string{
		"attribute:stack == prod":              {one},
		"task:group == service:web":            {two},
		"not(task:group == service:web)":       {one},
		"runningTasksCount > 100":              nil,
		"ec2InstanceId == i-0000000000000000a": {one},
		"attribute:ecs.os-type == linux":       sorted(one, two),
	} {
		if got := filter(expr); !slices.Equal(got, want) {
			t.Errorf("filter %q: %q, want %q", expr, got, want)
		}
	}
	_, err = e.ecs.ListContainerInstances(ctx, &ecs.ListContainerInstancesInput{Cluster: aws.String("prod"), Filter: aws.String("stack == prod")})
	wantErr(t, err, 400, "InvalidParameterException", "The expression is not valid in the cluster query language: stack == prod")
}

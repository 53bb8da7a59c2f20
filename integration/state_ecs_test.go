package integration

import (
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/rolecall/rolecall/rolecalltest"
)

// ecsMoreState makes what the state file's later ECS members carry: an
// EXTERNAL service's two task sets (the second PRIMARY, the first
// tagged), a CODE_DEPLOY service's two, a daemon task definition family of two revisions (the first
// deleted), a daemon on the Managed Instances provider, the account's
// default container insights and a role's own awsvpc trunking.
func ecsMoreState(t *testing.T) *ecsEnv {
	t.Helper()
	e := miEnv(t)
	e.externalService(t, 2)
	e.createTaskSet(t, "app:2", 50, func(in *ecs.CreateTaskSetInput) {
		in.Tags = []ecstypes.Tag{{Key: aws.String("color"), Value: aws.String("blue")}}
		in.ExternalId = aws.String("blue")
	})
	second := e.createTaskSet(t, "app:3", 100)
	must(e.ecs.UpdateServicePrimaryTaskSet(ctx, &ecs.UpdateServicePrimaryTaskSetInput{Cluster: aws.String("default"), Service: aws.String("ext"), PrimaryTaskSet: second.Id}))(t)
	// A CODE_DEPLOY service: its first task set is ECS's, the next
	// CodeDeploy's.
	must(e.ecs.CreateService(ctx, &ecs.CreateServiceInput{ServiceName: aws.String("cd"), TaskDefinition: aws.String("app:2"), DesiredCount: aws.Int32(1),
		LaunchType: ecstypes.LaunchTypeFargate, NetworkConfiguration: awsvpcNet,
		DeploymentController: &ecstypes.DeploymentController{Type: ecstypes.DeploymentControllerTypeCodeDeploy}}))(t)
	e.createTaskSet(t, "app:3", 0, func(in *ecs.CreateTaskSetInput) { in.Service = aws.String("cd") })
	first := e.registerDaemonTaskDef(t, e.ecs, "agent", "busybox:1", "")
	run := e.registerDaemonTaskDef(t, e.ecs, "agent", "busybox:2", "")
	must(e.ecs.DeleteDaemonTaskDefinition(ctx, &ecs.DeleteDaemonTaskDefinitionInput{DaemonTaskDefinition: aws.String(first)}))(t)
	must(e.ecs.CreateDaemon(ctx, &ecs.CreateDaemonInput{DaemonName: aws.String("agent"), ClusterArn: aws.String(daemonARNPrefix + "cluster/prod"),
		DaemonTaskDefinitionArn: aws.String(run), CapacityProviderArns: []string{daemonARNPrefix + "capacity-provider/mi"}, EnableExecuteCommand: true,
		Tags: []ecstypes.Tag{{Key: aws.String("team"), Value: aws.String("ops")}}}))(t)
	must(e.ecs.PutAccountSettingDefault(ctx, &ecs.PutAccountSettingDefaultInput{Name: ecstypes.SettingNameContainerInsights, Value: aws.String("enabled")}))(t)
	must(e.ecs.PutAccountSetting(ctx, &ecs.PutAccountSettingInput{Name: ecstypes.SettingNameAwsvpcTrunking, Value: aws.String("enabled"),
		PrincipalArn: aws.String("arn:aws:iam::" + account + ":role/ecsInfrastructureRole")}))(t)
	return e
}

// TestStateRoundTripECSMore: task sets, daemon task definitions, daemons
// and account settings are exported, imported into a fresh rolecall
// through ECS's operations, and exported from it as they were: IDs,
// ARNs, dates, statuses and tags kept.
func TestStateRoundTripECSMore(t *testing.T) {
	e := ecsMoreState(t)
	file := exportState(t, e.rc)
	region := func(member string) []any {
		return jsonPath(t, file, "accounts", account, "ecs", "us-east-1", member).([]any)
	}
	for member, n := range map[string]int{"taskSets": 4, "daemonTaskDefinitions": 2, "daemons": 1, "accountSettings": 2} {
		if got := len(region(member)); got != n {
			t.Errorf("the file has %d %s, want %d", got, member, n)
		}
	}
	if st := jsonPath(t, file, "accounts", account, "ecs", "us-east-1", "daemonTaskDefinitions", 0, "daemonTaskDefinition", "status"); st != "DELETED" {
		t.Errorf("agent:1 exported as %v", st)
	}

	b := rolecalltest.RunT(t)
	if status, body := stateRequest(t, b, http.MethodPost, file, rootCreds); status != 200 {
		t.Fatalf("import: %d %s", status, body)
	}
	// (The clusters' task counts are what ran: the scheduler of the
	// import has started nothing yet.)
	again := exportState(t, b)
	for _, member := range []string{"services", "taskSets", "daemonTaskDefinitions", "daemons", "accountSettings"} {
		got, want := jsonPath(t, again, "accounts", account, "ecs", "us-east-1", member), region(member)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s exported after the import:\n%v\nwant %v", member, got, want)
		}
	}
	// b answers as a did.
	c := ecs.NewFromConfig(b.Config)
	sets := must(c.DescribeServices(ctx, &ecs.DescribeServicesInput{Services: []string{"ext"}}))(t).Services[0].TaskSets
	if len(sets) != 2 || aws.ToString(sets[1].Status) != "PRIMARY" || aws.ToString(sets[0].ExternalId) != "blue" || !taskSetARN.MatchString(aws.ToString(sets[0].TaskSetArn)) {
		t.Errorf("task sets after the import: %+v", sets)
	}
	daemons := must(c.ListDaemons(ctx, &ecs.ListDaemonsInput{ClusterArn: aws.String(daemonARNPrefix + "cluster/prod")}))(t).DaemonSummariesList
	if len(daemons) != 1 || aws.ToString(daemons[0].DaemonArn) != daemonARNPrefix+"daemon/prod/agent" || daemons[0].Status != "ACTIVE" {
		t.Errorf("daemons after the import: %+v", daemons)
	}
	settings := must(c.ListAccountSettings(ctx, &ecs.ListAccountSettingsInput{Name: ecstypes.SettingNameAwsvpcTrunking,
		PrincipalArn: aws.String("arn:aws:iam::" + account + ":role/ecsInfrastructureRole")}))(t).Settings
	if len(settings) != 1 || aws.ToString(settings[0].Value) != "enabled" {
		t.Errorf("the role's awsvpcTrunking after the import: %+v", settings)
	}
}

// TestStateImportRefusesECSMore: a file whose later ECS members ECS
// would refuse is refused whole, with ECS's text naming the resource, and
// nothing of it is written.
func TestStateImportRefusesECSMore(t *testing.T) {
	e := ecsMoreState(t)
	file := exportState(t, e.rc)
	b := rolecalltest.RunT(t)
	refused := func(what string, body []byte, message string) {
		t.Helper()
		status, ans := stateRequest(t, b, http.MethodPost, body, rootCreds)
		if status != 400 || jsonField(string(ans), "__type") != "InvalidStateFile" || !strings.Contains(jsonField(string(ans), "message"), message) {
			t.Errorf("%s: %d %s\nwant 400 InvalidStateFile ...%s...", what, status, ans, message)
		}
		if cl := must(ecs.NewFromConfig(b.Config).ListClusters(ctx, &ecs.ListClustersInput{}))(t).ClusterArns; len(cl) != 0 {
			t.Fatalf("%s: clusters were imported: %v", what, cl)
		}
	}
	refused("a daemon of a revision the file lacks", edited(t, file, []any{"ecs", "us-east-1", "daemons", 0}, "daemonTaskDefinitionArn", daemonARNPrefix+"daemon-task-definition/agent:9"),
		`account `+account+`: ECS us-east-1: daemon "agent": ClientException: The specified daemon task definition does not exist. Specify a valid family and revision and try again.`)
	refused("a task set being deleted", edited(t, file, []any{"ecs", "us-east-1", "taskSets", 0}, "status", "DRAINING"), `only PRIMARY and ACTIVE task sets are imported`)
	refused("a task set of a service the file lacks", without(t, file, []string{"ecs", "us-east-1", "services"}, "serviceName", "ext"),
		`its service ext is not in the file`)
	refused("a deleted revision a daemon runs", edited(t, file, []any{"ecs", "us-east-1", "daemonTaskDefinitions", 1, "daemonTaskDefinition"}, "status", "DELETED"),
		`status DELETED: deleted, it is DELETE_IN_PROGRESS`)
	if p := jsonPath(t, file, "accounts", account, "ecs", "us-east-1", "accountSettings", 0, "principalArn"); p != "arn:aws:iam::"+account+":role/ecsInfrastructureRole" {
		t.Fatalf("the first setting is %v's", p)
	}
	refused("another account's principal's setting", edited(t, file, []any{"ecs", "us-east-1", "accountSettings", 0}, "principalArn", "arn:aws:iam::111122223333:role/ecsInfrastructureRole"),
		`account setting "awsvpcTrunking of arn:aws:iam::111122223333:role/ecsInfrastructureRole"`)
}

// edited is file with one member of an object of its account's part
// (path from there) set to v.
func edited(t *testing.T, file []byte, path []any, key string, v any) []byte {
	t.Helper()
	var doc map[string]any
	must(0, json.Unmarshal(file, &doc))(t)
	walk(doc, append([]any{"accounts", account}, path...)...).(map[string]any)[key] = v
	return must(json.Marshal(doc))(t)
}

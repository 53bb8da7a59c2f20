package app

import (
	"context"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/rolecall/rolecall/internal/api"
	"github.com/rolecall/rolecall/internal/authz"
	"github.com/rolecall/rolecall/internal/catalog/actions"
	ecstypes "github.com/rolecall/rolecall/internal/ecs/types"
	"github.com/rolecall/rolecall/internal/iam"
	"github.com/rolecall/rolecall/internal/ids"
	"github.com/rolecall/rolecall/internal/principal"
)

// recorder is an authz.Decider that keeps what it is asked.
type recorder struct{ asked []*authz.Request }

func (r *recorder) Decide(_ context.Context, q *authz.Request) (authz.Outcome, error) {
	r.asked = append(r.asked, q)
	return authz.Outcome{}, nil
}

// sampleARNs are inputs' ARN members, filled with an ARN of the kind the
// member names.
var sampleARNs = map[string]string{
	"iam.PolicyArn":                "arn:aws:iam::000000000000:policy/sample",
	"iam.Arn":                      "arn:aws:iam::000000000000:role/sample",
	"iam.PolicySourceArn":          "arn:aws:iam::000000000000:user/sample",
	"ecs.ResourceArn":              "arn:aws:ecs:us-east-1:000000000000:cluster/sample",
	"iam.OpenIDConnectProviderArn": "arn:aws:iam::000000000000:oidc-provider/sample",
	"iam.EntityArn":                "arn:aws:iam::000000000000:delegation-request/sample-request",
}

// fill sets every string of an input to "sample" (ARN members to an ARN),
// every list to one element, every optional member to a value: an input
// that names everything it can.
func fill(service string, v reflect.Value, name string) {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		fill(service, v.Elem(), name)
	case reflect.Struct:
		for i := range v.NumField() {
			if f := v.Type().Field(i); f.IsExported() || f.Anonymous {
				fill(service, v.Field(i), f.Name)
			}
		}
	case reflect.Slice:
		s := reflect.MakeSlice(v.Type(), 1, 1)
		fill(service, s.Index(0), name)
		v.Set(s)
	case reflect.String:
		if a, ok := sampleARNs[service+"."+name]; ok {
			v.SetString(a)
		} else {
			v.SetString("sample")
		}
	}
}

// alsoAsked counts the questions of operations that need further actions
// when their input names everything.
var alsoAsked = map[string]int{"iam:AddRoleToInstanceProfile": 2,
	"ecs:CreateCluster": 2, "ecs:CreateCapacityProvider": 2, "ecs:CreateService": 2, "ecs:RegisterTaskDefinition": 2,
	"ecs:RunTask": 2, "ecs:StartTask": 2, "ecs:RegisterContainerInstance": 2, "ecs:CreateTaskSet": 2,
	"ecs:RegisterDaemonTaskDefinition": 2, "ecs:CreateDaemon": 2, "ecs:CreateExpressGatewayService": 2}

// notInReference are operations the embedded Service Authorization
// Reference does not list yet, with the resource type their siblings act
// on: iam:UpdateDelegationRequest, which the other delegation request
// actions' delegation-request suggests.
var notInReference = map[string]string{"iam:UpdateDelegationRequest": "delegation-request"}

// TestEveryOperationResolvesItsResources: every operation the Service
// Authorization Reference gives a resource type declares what it acts on,
// and, given an input that names everything, resolves targets of the
// reference's types for the action; none silently falls back to "*".
// Operations the authorizer does not see from the server say why.
func TestEveryOperationResolvesItsResources(t *testing.T) {
	a, err := Open(Options{Ephemeral: true, Clock: &ids.FixedClock{}, IDs: &ids.Sequence{}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	decidedInside := map[string]bool{"sts:GetCallerIdentity": true, "sts:GetSessionToken": true, "sts:AssumeRole": true,
		"sts:AssumeRoleWithWebIdentity": true, "sts:AssumeRoleWithSAML": true,
		"sts:GetFederationToken": true, "sts:AssumeRoot": true}
	for _, svc := range a.apis {
		for name, op := range svc.Ops {
			action := svc.Name + ":" + name
			t.Run(action, func(t *testing.T) {
				info, ok := actions.Action(svc.Name, name)
				if !ok && notInReference[action] != "" {
					// Authorized on its resource type's ARN, as its
					// siblings are.
					info = actions.ActionInfo{ResourceTypes: []actions.ActionResourceType{{Name: notInReference[action]}}}
				} else if !ok {
					t.Fatalf("%s is not in the Service Authorization Reference", action)
				}
				if op.Authorization() != api.Resolved {
					if !decidedInside[action] {
						t.Fatalf("%s is not authorized by the server", action)
					}
					return
				}
				if len(info.ResourceTypes) > 0 && !op.Declared() {
					t.Fatalf("%s acts on %v but declares nothing", action, info.ResourceTypes)
				}
				in := op.NewInput()
				fill(svc.Name, reflect.ValueOf(in), "")
				r := &recorder{}
				c := &api.Call{Account: "000000000000", Region: "us-east-1", Principal: principal.RootUser("000000000000")}
				if err := op.Authorize(context.Background(), r, svc.Name, c, in); err != nil {
					t.Fatal(err)
				}
				// Further actions: iam:PassRole; ecs:TagResource for what
				// a create action tags.
				if want := alsoAsked[action]; len(r.asked) != max(want, 1) {
					t.Fatalf("asked %d times", len(r.asked))
				}
				q := r.asked[0]
				if !strings.EqualFold(q.Action, action) || q.Principal == nil {
					t.Errorf("asked %s for %v", q.Action, q.Principal)
				}
				var types []string
				for _, rt := range info.ResourceTypes {
					types = append(types, rt.Name)
				}
				if len(q.Targets) == 0 {
					t.Fatal("no targets")
				}
				for _, tg := range q.Targets {
					if len(types) == 0 {
						if tg.Type != "" {
							t.Errorf("target %s of type %q; the reference has none", tg.ARN, tg.Type)
						}
						continue
					}
					if tg.ARN == "*" || !slices.Contains(types, tg.Type) {
						t.Errorf("target %s of type %q, want one of %v", tg.ARN, tg.Type, types)
					}
				}
			})
		}
	}
}

// set fills an input's members by name, as the codecs do.
func set(in any, fields map[string]any) {
	v := reflect.ValueOf(in).Elem()
	for name, val := range fields {
		f := v.FieldByName(name)
		if !f.IsValid() {
			panic("no member " + name + " in " + v.Type().String())
		}
		if f.Kind() == reflect.Pointer {
			p := reflect.New(f.Type().Elem())
			p.Elem().Set(reflect.ValueOf(val))
			f.Set(p)
			continue
		}
		f.Set(reflect.ValueOf(val))
	}
}

// TestTargets: each operation is authorized on the resource AWS names, as
// stored, with the request's keys.
func TestTargets(t *testing.T) {
	a, _, _ := rolesFixture(t)
	ctx := context.Background()
	mustRole(t, a, "app", tasksTrust)
	ecsARN := "arn:aws:ecs:us-east-1:000000000000:"
	dev := &principal.Principal{Kind: principal.User, Account: DefaultAccount, ARN: "arn:aws:iam::000000000000:user/dev", Name: "dev"}
	cases := []struct {
		service, op string
		fields      map[string]any
		targets     []string // ARN, or "ARN|display"
		keys        map[string]string
	}{
		{"iam", "GetRole", map[string]any{"RoleName": "APP"}, []string{"arn:aws:iam::000000000000:role/app|role app"}, nil},
		{"iam", "GetRole", map[string]any{"RoleName": "missing"}, []string{"arn:aws:iam::000000000000:role/missing|role missing"}, nil},
		{"iam", "CreateRole", map[string]any{"Path": "/x/", "RoleName": "new", "PermissionsBoundary": "arn:aws:iam::aws:policy/ReadOnlyAccess"},
			[]string{"arn:aws:iam::000000000000:role/x/new"}, map[string]string{"iam:PermissionsBoundary": "arn:aws:iam::aws:policy/ReadOnlyAccess"}},
		{"iam", "CreateServiceLinkedRole", map[string]any{"AWSServiceName": "ecs.amazonaws.com"},
			[]string{"arn:aws:iam::000000000000:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS"}, map[string]string{"iam:AWSServiceName": "ecs.amazonaws.com"}},
		{"iam", "ListRoles", map[string]any{"PathPrefix": "/team/"}, []string{"arn:aws:iam::000000000000:role/team/"}, nil},
		{"iam", "ListPolicies", nil, []string{"arn:aws:iam::000000000000:policy/|policy path /"}, nil},
		{"iam", "GetPolicy", map[string]any{"PolicyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"},
			[]string{"arn:aws:iam::aws:policy/ReadOnlyAccess|policy arn:aws:iam::aws:policy/ReadOnlyAccess"}, nil},
		{"iam", "AttachRolePolicy", map[string]any{"RoleName": "app", "PolicyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"},
			[]string{"arn:aws:iam::000000000000:role/app|role app"}, map[string]string{"iam:PolicyARN": "arn:aws:iam::aws:policy/ReadOnlyAccess"}},
		{"iam", "GetUser", nil, []string{"arn:aws:iam::000000000000:user/dev|user dev"}, nil},
		{"iam", "UpdateUser", map[string]any{"UserName": "dev", "NewUserName": "dev2"},
			[]string{"arn:aws:iam::000000000000:user/dev|user dev", "arn:aws:iam::000000000000:user/dev2"}, nil},
		{"iam", "GetAccountSummary", nil, []string{"*"}, nil},
		{"iam", "GetAccountAuthorizationDetails", map[string]any{"Filter": []string{"Role"}}, []string{"*"}, nil},
		{"iam", "GetServiceLinkedRoleDeletionStatus", map[string]any{"DeletionTaskId": "task/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS/6d0e6d5a"},
			[]string{"arn:aws:iam::000000000000:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS"}, nil},
		{"iam", "TagRole", map[string]any{"RoleName": "app", "Tags": []iam.Tag{{Key: "team", Value: "blue"}}},
			[]string{"arn:aws:iam::000000000000:role/app|role app"}, map[string]string{"aws:RequestTag/team": "blue", "aws:TagKeys": "team"}},
		{"ecs", "CreateCluster", map[string]any{"ClusterName": "c1"}, []string{ecsARN + "cluster/c1"}, nil},
		{"ecs", "DescribeClusters", nil, []string{ecsARN + "cluster/default"}, nil},
		{"ecs", "ListClusters", nil, []string{"*"}, nil},
		{"ecs", "StopTask", map[string]any{"Cluster": "c1", "Task": "0123abcd"}, []string{ecsARN + "task/c1/0123abcd"}, map[string]string{"ecs:cluster": ecsARN + "cluster/c1"}},
		{"ecs", "DescribeServices", map[string]any{"Cluster": ecsARN + "cluster/c1", "Services": []string{"web", "api"}},
			[]string{ecsARN + "service/c1/web", ecsARN + "service/c1/api"}, nil},
		{"ecs", "RunTask", map[string]any{"TaskDefinition": "web:3", "Cluster": "prod"}, []string{ecsARN + "task-definition/web:3"},
			map[string]string{"ecs:cluster": ecsARN + "cluster/prod", "ecs:task-definition": ecsARN + "task-definition/web:3", "ecs:enable-execute-command": "false"}},
		{"ecs", "RegisterTaskDefinition", map[string]any{"Family": "web", "Cpu": "256"}, []string{ecsARN + "task-definition/web:1"}, map[string]string{"ecs:task-cpu": "256"}},
		{"ecs", "TagResource", map[string]any{"ResourceArn": ecsARN + "cluster/c1"}, []string{ecsARN + "cluster/c1"}, nil},
		{"ecs", "ListTasks", map[string]any{"Cluster": "c1"}, []string{"*"}, map[string]string{"ecs:cluster": ecsARN + "cluster/c1"}},
		{"ecs", "PutAccountSetting", map[string]any{"Name": "containerInsights", "Value": "enabled"}, []string{"*"}, map[string]string{"ecs:account-setting": "containerInsights"}},
		{"ecs", "PutAttributes", map[string]any{"Cluster": "c1", "Attributes": []ecstypes.Attribute{{Name: "stack", TargetType: "container-instance", TargetId: "0123abcd"},
			{Name: "tier", TargetType: "container-instance", TargetId: "0123abcd"}}}, []string{ecsARN + "container-instance/c1/0123abcd"}, map[string]string{"ecs:cluster": ecsARN + "cluster/c1"}},
		{"ecs", "UpdateTaskProtection", map[string]any{"Cluster": "c1", "Tasks": []string{ecsARN + "task/c1/0123abcd"}, "ProtectionEnabled": true},
			[]string{ecsARN + "task/c1/0123abcd"}, map[string]string{"ecs:cluster": ecsARN + "cluster/c1"}},
		{"ecs", "UpdateContainerInstancesState", map[string]any{"Cluster": "c1", "ContainerInstances": []string{"0123abcd"}, "Status": "DRAINING"},
			[]string{ecsARN + "container-instance/c1/0123abcd"}, map[string]string{"ecs:cluster": ecsARN + "cluster/c1"}},
		{"ecs", "ListServiceDeployments", map[string]any{"Cluster": "c1", "Service": "web"}, []string{ecsARN + "service/c1/web"}, map[string]string{"ecs:cluster": ecsARN + "cluster/c1"}},
		{"ecs", "DescribeServiceDeployments", map[string]any{"ServiceDeploymentArns": []string{ecsARN + "service-deployment/c1/web/NCWGC2ZR-taawPAYrIaU5"}},
			[]string{ecsARN + "service/c1/web", ecsARN + "service-deployment/c1/web/NCWGC2ZR-taawPAYrIaU5"},
			map[string]string{"ecs:cluster": ecsARN + "cluster/c1", "ecs:service": ecsARN + "service/c1/web"}},
		{"ecs", "DescribeServiceRevisions", map[string]any{"ServiceRevisionArns": []string{ecsARN + "service-revision/c1/web/4980306466373577095"}},
			[]string{ecsARN + "service/c1/web", ecsARN + "service-revision/c1/web/4980306466373577095"},
			map[string]string{"ecs:cluster": ecsARN + "cluster/c1", "ecs:service": ecsARN + "service/c1/web"}},
		{"ecs", "CreateTaskSet", map[string]any{"Cluster": "c1", "Service": "web", "TaskDefinition": "web:3"}, []string{ecsARN + "task-set/c1/web/*"},
			map[string]string{"ecs:cluster": ecsARN + "cluster/c1", "ecs:service": ecsARN + "service/c1/web", "ecs:task-definition": ecsARN + "task-definition/web:3"}},
		{"ecs", "UpdateTaskSet", map[string]any{"Cluster": "c1", "Service": ecsARN + "service/c1/web", "TaskSet": "ecs-svc/1234567890123456789"},
			[]string{ecsARN + "task-set/c1/web/ecs-svc/1234567890123456789"}, map[string]string{"ecs:cluster": ecsARN + "cluster/c1", "ecs:service": ecsARN + "service/c1/web"}},
		{"ecs", "UpdateServicePrimaryTaskSet", map[string]any{"Cluster": "c1", "Service": "web", "PrimaryTaskSet": "ecs-svc/1234567890123456789"},
			[]string{ecsARN + "service/c1/web"}, map[string]string{"ecs:cluster": ecsARN + "cluster/c1"}},
		{"ecs", "CreateDaemon", map[string]any{"DaemonName": "agent", "ClusterArn": ecsARN + "cluster/prod", "DaemonTaskDefinitionArn": "agent:2",
			"CapacityProviderArns": []string{"mi"}, "PropagateTags": "DAEMON"}, []string{ecsARN + "daemon/prod/agent"},
			map[string]string{"ecs:cluster": ecsARN + "cluster/prod", "ecs:capacity-provider": ecsARN + "capacity-provider/mi",
				"ecs:daemon-task-definition": ecsARN + "daemon-task-definition/agent:2", "ecs:propagate-tags": "DAEMON", "ecs:enable-execute-command": "false"}},
		{"ecs", "DescribeDaemonDeployments", map[string]any{"DaemonDeploymentArns": []string{ecsARN + "daemon-deployment/prod/agent/0123abcd"}},
			[]string{ecsARN + "daemon/prod/agent", ecsARN + "daemon-deployment/prod/agent/0123abcd"},
			map[string]string{"ecs:cluster": ecsARN + "cluster/prod", "ecs:daemon": ecsARN + "daemon/prod/agent"}},
		{"ecs", "RegisterDaemonTaskDefinition", map[string]any{"Family": "agent", "Memory": "256"}, []string{ecsARN + "daemon-task-definition/agent:1"},
			map[string]string{"ecs:task-memory": "256", "ecs:privileged": "false"}},
		{"ecs", "CreateExpressGatewayService", map[string]any{"ServiceName": "web", "Cpu": "512",
			"NetworkConfiguration": ecstypes.ExpressGatewayServiceNetworkConfiguration{Subnets: []string{"subnet-1"}}}, []string{ecsARN + "service/default/web"},
			map[string]string{"ecs:cluster": ecsARN + "cluster/default", "ecs:subnet": "subnet-1", "ecs:task-cpu": "512"}},
		{"ecs", "CreateExpressGatewayService", map[string]any{"Cluster": "prod"}, []string{ecsARN + "service/prod/*"}, nil},
		{"ecs", "DeleteExpressGatewayService", map[string]any{"ServiceArn": ecsARN + "service/prod/web"}, []string{ecsARN + "service/prod/web"},
			map[string]string{"ecs:cluster": ecsARN + "cluster/prod"}},
		{"ec2", "RunInstances", map[string]any{"ImageId": "ami-12345678", "InstanceType": "t3.small"},
			[]string{"arn:aws:ec2:us-east-1:000000000000:instance/*", "arn:aws:ec2:us-east-1::image/ami-12345678"}, nil},
		{"ec2", "DescribeInstances", nil, []string{"*"}, nil},
		{"ec2", "TerminateInstances", map[string]any{"InstanceIds": []string{"i-12345678"}}, []string{"arn:aws:ec2:us-east-1:000000000000:instance/i-12345678"}, nil},
	}
	ops := map[string]*api.Service{}
	for _, s := range a.apis {
		ops[s.Name] = s
	}
	for _, c := range cases {
		t.Run(c.service+":"+c.op, func(t *testing.T) {
			op := ops[c.service].Ops[c.op]
			in := op.NewInput()
			set(in, c.fields)
			r := &recorder{}
			call := &api.Call{Account: DefaultAccount, Region: "us-east-1", Principal: dev}
			if err := op.Authorize(ctx, r, c.service, call, in); err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, tg := range r.asked[0].Targets {
				s := tg.ARN
				if tg.Display != "" {
					s += "|" + tg.Display
				}
				got = append(got, s)
			}
			if !slices.Equal(got, c.targets) {
				t.Errorf("targets %q, want %q", got, c.targets)
			}
			for k, v := range c.keys {
				if vs := r.asked[0].Keys[k]; len(vs) != 1 || vs[0] != v {
					t.Errorf("key %s = %q, want %q", k, vs, v)
				}
			}
		})
	}
}

package app

import (
	"context"
	"testing"

	"github.com/rolecall/rolecall/internal/appautoscaling"
	"github.com/rolecall/rolecall/internal/ecs"
	"github.com/rolecall/rolecall/internal/iam"
	"github.com/rolecall/rolecall/internal/ids"
	"github.com/rolecall/rolecall/internal/statefile"
	"github.com/rolecall/rolecall/internal/store"
)

const fuzzSeed = `{"format":"rolecall-state","version":1,"accounts":{"123456789012":{
 "iam":{"UserDetailList":[{"Path":"/","UserName":"u","UserId":"AIDAAAAAAAAAAAAAAAAAA","GroupList":["g"]}],
  "GroupDetailList":[{"Path":"/","GroupName":"g"}],
  "RoleDetailList":[{"Path":"/","RoleName":"r","RoleId":"AROAAAAAAAAAAAAAAAAAB",
   "AssumeRolePolicyDocument":"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::123456789012:user/u\"},\"Action\":\"sts:AssumeRole\"}]}",
   "InstanceProfileList":[{"Path":"/","InstanceProfileName":"p"}]},
   {"Path":"/aws-service-role/ecs.amazonaws.com/","RoleName":"AWSServiceRoleForECS"}],
  "Policies":[{"PolicyName":"pol","Arn":"arn:aws:iam::123456789012:policy/pol","Path":"/","DefaultVersionId":"v3",
   "PolicyVersionList":[{"VersionId":"v3","Document":{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}}]}],
  "AccessKeys":[{"UserName":"u","AccessKeyId":"AKIAAAAAAAAAAAAAAAAA","Status":"Inactive","SecretAccessKey":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}]},
 "ecs":{"us-east-1":{"clusters":[{"clusterName":"c","status":"ACTIVE","tags":[{"key":"k","value":"v"}]}],
  "taskDefinitions":[{"taskDefinition":{"taskDefinitionArn":"arn:aws:ecs:us-east-1:123456789012:task-definition/f:1","family":"f","revision":1,"status":"INACTIVE",
   "taskRoleArn":"arn:aws:iam::123456789012:role/r","containerDefinitions":[{"name":"a","image":"b","memory":128}],"registeredAt":1700000000.5},"tags":[]}]}}}}}`

// FuzzImport: whatever a file says, the import does not panic, and one it
// refuses leaves the state as it was: empty.
func FuzzImport(f *testing.F) {
	f.Add([]byte(fuzzSeed))
	f.Add([]byte(`{"format":"rolecall-state","version":1,"accounts":{"123456789012":{"applicationAutoScaling":{"us-east-1":{
 "ScalableTargets":[{"ServiceNamespace":"ecs","ResourceId":"service/c/s","ScalableDimension":"ecs:service:DesiredCount","MinCapacity":1,"MaxCapacity":2,"Tags":{"k":"v"}}],
 "ScalingPolicies":[{"PolicyName":"p","ServiceNamespace":"ecs","ResourceId":"service/c/s","ScalableDimension":"ecs:service:DesiredCount","PolicyType":"TargetTrackingScaling",
  "TargetTrackingScalingPolicyConfiguration":{"TargetValue":50.0,"PredefinedMetricSpecification":{"PredefinedMetricType":"ECSServiceAverageCPUUtilization"}}}],
 "ScheduledActions":[{"ScheduledActionName":"a","ServiceNamespace":"ecs","ResourceId":"service/c/s","ScalableDimension":"ecs:service:DesiredCount",
  "Schedule":"rate(1 hour)","ScalableTargetAction":{"MinCapacity":1},"CreationTime":1700000000}]}}}}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		file, _, err := statefile.Parse(b)
		if err != nil {
			return
		}
		st := store.NewMemory()
		clock := &ids.FixedClock{}
		ctx := context.Background()
		if _, err := importState(ctx, st, file, RefuseExisting, clock, &ids.Sequence{}); err == nil {
			return
		}
		iamSvc := iam.New(iam.Config{Store: st, Clock: clock, IDs: &ids.Sequence{}})
		a, _ := iamSvc.Accounts(ctx)
		e, _ := ecs.New(ecs.Config{Store: st, Clock: clock}).Accounts(ctx)
		s, _ := appautoscaling.New(appautoscaling.Config{Store: st, Clock: clock}).Accounts(ctx)
		if len(a)+len(e)+len(s) > 0 {
			t.Fatalf("a refused import left accounts %v %v %v", a, e, s)
		}
	})
}

// TestImportSeed: the fuzz seed imports whole.
func TestImportSeed(t *testing.T) {
	file, _, err := statefile.Parse([]byte(fuzzSeed))
	if err != nil {
		t.Fatal(err)
	}
	st := store.NewMemory()
	res, err := importState(context.Background(), st, file, RefuseExisting, &ids.FixedClock{}, &ids.Sequence{})
	if err != nil || len(res.Imported) != 1 {
		t.Fatalf("%v %+v", err, res)
	}
	got, err := exportState(context.Background(), iam.New(iam.Config{Store: st, Clock: &ids.FixedClock{}, IDs: &ids.Sequence{}}), ecs.New(ecs.Config{Store: st, Clock: &ids.FixedClock{}}),
		appautoscaling.New(appautoscaling.Config{Store: st, Clock: &ids.FixedClock{}}), ExportOptions{Secrets: true})
	if err != nil {
		t.Fatal(err)
	}
	x := got.Accounts["123456789012"]
	if x == nil || len(x.IAM.RoleDetailList) != 2 || x.IAM.Policies[0].DefaultVersionId != "v3" || len(x.IAM.Policies[0].PolicyVersionList) != 1 ||
		x.IAM.AccessKeys[0].Status != "Inactive" || len(x.ECS["us-east-1"].TaskDefinitions) != 1 || len(x.IAM.InstanceProfiles) != 1 {
		t.Errorf("exported after import: %+v", x)
	}
}

package integration

import (
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// ECS account settings as the ECS API reference and developer guide
// describe them ("Access Amazon ECS features with account settings"): a
// principal's own, else the account default (the root user's), else
// AWS's; and their effects.

const (
	rootPrincipal   = "arn:aws:iam::" + account + ":root"
	allowECS        = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecs:*","Resource":"*"}]}`
	msgInvalidValue = "Invalid setting 'value'"
)

// setting is a Setting as "name=value principal type".
func setting(s ecstypes.Setting) string {
	return string(s.Name) + "=" + aws.ToString(s.Value) + " " + aws.ToString(s.PrincipalArn) + " " + string(s.Type)
}

func settings(ss []ecstypes.Setting) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = setting(s)
	}
	return out
}

// effectiveSetting is c's effective value of one setting.
func effectiveSetting(t *testing.T, c *ecs.Client, name ecstypes.SettingName) string {
	t.Helper()
	out := must(c.ListAccountSettings(ctx, &ecs.ListAccountSettingsInput{Name: name, EffectiveSettings: true}))(t)
	if len(out.Settings) != 1 {
		t.Fatalf("effective %s: %v", name, settings(out.Settings))
	}
	return setting(out.Settings[0])
}

// A new account's effective settings are AWS's defaults, every one named
// by the principal asking, ten a page, by name; none is its own.
func TestECSAccountSettingsDefaults(t *testing.T) {
	e := newECSEnv(t)
	first := must(e.ecs.ListAccountSettings(ctx, &ecs.ListAccountSettingsInput{EffectiveSettings: true}))(t)
	second := must(e.ecs.ListAccountSettings(ctx, &ecs.ListAccountSettingsInput{EffectiveSettings: true, NextToken: first.NextToken}))(t)
	got := append(settings(first.Settings), settings(second.Settings)...)
	var want []string
	for _, s := range []string{"awsvpcTrunking=disabled", "containerInsights=disabled", "containerInstanceLongArnFormat=enabled",
		"defaultLogDriverMode=non-blocking", "dualStackIPv6=enabled", "fargateEventWindows=disabled", "fargateFIPSMode=disabled",
		"fargateTaskRetirementWaitPeriod=7", "guardDutyActivate=disabled", "serviceLongArnFormat=enabled",
		"tagResourceAuthorization=on", "taskLongArnFormat=enabled"} {
		typ := "user"
		if s == "guardDutyActivate=disabled" {
			typ = "aws_managed"
		}
		want = append(want, s+" "+rootPrincipal+" "+typ)
	}
	if len(first.Settings) != 10 || first.NextToken == nil || second.NextToken != nil || !slices.Equal(got, want) {
		t.Errorf("effective settings %q (next %v, %v), want %q", got, first.NextToken, second.NextToken, want)
	}
	page := must(e.ecs.ListAccountSettings(ctx, &ecs.ListAccountSettingsInput{EffectiveSettings: true, MaxResults: 3}))(t)
	if len(page.Settings) != 3 || page.NextToken == nil {
		t.Errorf("maxResults 3: %q", settings(page.Settings))
	}
	own := must(e.ecs.ListAccountSettings(ctx, &ecs.ListAccountSettingsInput{}))(t)
	if own.Settings == nil || len(own.Settings) != 0 {
		t.Errorf("own settings %q", settings(own.Settings))
	}
	on := must(e.ecs.ListAccountSettings(ctx, &ecs.ListAccountSettingsInput{EffectiveSettings: true, Name: ecstypes.SettingNameTagResourceAuthorization, Value: aws.String("on")}))(t)
	off := must(e.ecs.ListAccountSettings(ctx, &ecs.ListAccountSettingsInput{EffectiveSettings: true, Name: ecstypes.SettingNameTagResourceAuthorization, Value: aws.String("off")}))(t)
	if len(on.Settings) != 1 || len(off.Settings) != 0 {
		t.Errorf("filtered by value: %q, %q", settings(on.Settings), settings(off.Settings))
	}
	_, err := e.ecs.ListAccountSettings(ctx, &ecs.ListAccountSettingsInput{Value: aws.String("on")})
	wantErr(t, err, 400, "InvalidParameterException", "You must also specify an account setting name to use the value parameter.")
}

// A principal's own setting wins over the account default, which wins
// over AWS's; deleting its own brings the default back. A role's
// settings are the role's, whichever session sets them. New clusters
// take their creator's containerInsights.
func TestECSAccountSettingsPerPrincipal(t *testing.T) {
	e := newECSEnv(t)
	ops := userClient(t, e, "ops", allowECS)
	dev := userClient(t, e, "dev", allowECS)
	opsArn, devArn := userArn+"ops", userArn+"dev"

	put := must(ops.PutAccountSetting(ctx, &ecs.PutAccountSettingInput{Name: ecstypes.SettingNameContainerInsights, Value: aws.String("enabled")}))(t)
	if got := setting(*put.Setting); got != "containerInsights=enabled "+opsArn+" user" {
		t.Errorf("PutAccountSetting: %s", got)
	}
	def := must(dev.PutAccountSettingDefault(ctx, &ecs.PutAccountSettingDefaultInput{Name: ecstypes.SettingNameContainerInsights, Value: aws.String("enhanced")}))(t)
	if got := setting(*def.Setting); got != "containerInsights=enhanced "+rootPrincipal+" user" {
		t.Errorf("PutAccountSettingDefault: %s", got)
	}
	if got := effectiveSetting(t, ops, ecstypes.SettingNameContainerInsights); got != "containerInsights=enabled "+opsArn+" user" {
		t.Errorf("ops: %s", got)
	}
	if got := effectiveSetting(t, dev, ecstypes.SettingNameContainerInsights); got != "containerInsights=enhanced "+rootPrincipal+" user" {
		t.Errorf("dev: %s", got)
	}
	// Only its own, without effectiveSettings.
	if got := settings(must(ops.ListAccountSettings(ctx, &ecs.ListAccountSettingsInput{}))(t).Settings); !slices.Equal(got, []string{"containerInsights=enabled " + opsArn + " user"}) {
		t.Errorf("ops's own settings %q", got)
	}
	// The root user lists the account default as its own.
	if got := settings(must(e.ecs.ListAccountSettings(ctx, &ecs.ListAccountSettingsInput{}))(t).Settings); !slices.Equal(got, []string{"containerInsights=enhanced " + rootPrincipal + " user"}) {
		t.Errorf("root's own settings %q", got)
	}

	insights := func(c *ecs.Client, name string, settings ...ecstypes.ClusterSetting) string {
		cl := must(c.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String(name), Settings: settings}))(t).Cluster
		if len(cl.Settings) != 1 || cl.Settings[0].Name != ecstypes.ClusterSettingNameContainerInsights {
			t.Fatalf("cluster %s settings %+v", name, cl.Settings)
		}
		return aws.ToString(cl.Settings[0].Value)
	}
	if got := insights(ops, "ops"); got != "enabled" {
		t.Errorf("ops's new cluster: containerInsights %s", got)
	}
	if got := insights(dev, "dev"); got != "enhanced" {
		t.Errorf("dev's new cluster: containerInsights %s", got)
	}
	if got := insights(dev, "quiet", ecstypes.ClusterSetting{Name: ecstypes.ClusterSettingNameContainerInsights, Value: aws.String("disabled")}); got != "disabled" {
		t.Errorf("a cluster created with containerInsights disabled: %s", got)
	}

	del := must(ops.DeleteAccountSetting(ctx, &ecs.DeleteAccountSettingInput{Name: ecstypes.SettingNameContainerInsights}))(t)
	if got := setting(*del.Setting); got != "containerInsights=enabled "+opsArn+" user" {
		t.Errorf("DeleteAccountSetting: %s", got)
	}
	if got := effectiveSetting(t, ops, ecstypes.SettingNameContainerInsights); got != "containerInsights=enhanced "+rootPrincipal+" user" {
		t.Errorf("ops after delete: %s", got)
	}

	// principalArn: the root user may name any principal; others only
	// themselves.
	_, err := ops.PutAccountSetting(ctx, &ecs.PutAccountSettingInput{Name: ecstypes.SettingNameAwsvpcTrunking, Value: aws.String("enabled"), PrincipalArn: aws.String(devArn)})
	wantErr(t, err, 400, "ClientException", "You must be the root user, or the principal, to specify principalArn.")
	_, err = ops.ListAccountSettings(ctx, &ecs.ListAccountSettingsInput{PrincipalArn: aws.String(rootPrincipal)})
	wantErr(t, err, 400, "ClientException", "You must be the root user, or the principal, to specify principalArn.")
	must(ops.PutAccountSetting(ctx, &ecs.PutAccountSettingInput{Name: ecstypes.SettingNameAwsvpcTrunking, Value: aws.String("enabled"), PrincipalArn: aws.String(opsArn)}))(t)
	must(e.ecs.PutAccountSetting(ctx, &ecs.PutAccountSettingInput{Name: ecstypes.SettingNameAwsvpcTrunking, Value: aws.String("enabled"), PrincipalArn: aws.String(devArn)}))(t)
	if got := effectiveSetting(t, dev, ecstypes.SettingNameAwsvpcTrunking); got != "awsvpcTrunking=enabled "+devArn+" user" {
		t.Errorf("dev's setting the root user put: %s", got)
	}
	listed := must(e.ecs.ListAccountSettings(ctx, &ecs.ListAccountSettingsInput{PrincipalArn: aws.String(devArn)}))(t).Settings
	if got := settings(listed); !slices.Equal(got, []string{"awsvpcTrunking=enabled " + devArn + " user"}) {
		t.Errorf("dev's settings as the root user lists them: %q", got)
	}
	_, err = e.ecs.PutAccountSetting(ctx, &ecs.PutAccountSettingInput{Name: ecstypes.SettingNameAwsvpcTrunking, Value: aws.String("enabled"), PrincipalArn: aws.String("arn:aws:iam::111111111111:user/x")})
	wantErr(t, err, 400, "InvalidParameterException", "principalArn must be the ARN of a user, a role or the root user of the account.")

	// A role session's settings are its role's.
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + account + `:root"},"Action":"sts:AssumeRole"}]}`
	deployer := e.role(t, "deployer", trust)
	putRolePolicy(t, e.iam, "deployer", allowECS)
	caller, _ := newUser(t, clientsFor(e.rc.Config, nil), e.rc.Config, nil, "caller",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`)
	creds := must(caller.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(deployer), RoleSessionName: aws.String("ci")}))(t).Credentials
	session := ecs.NewFromConfig(withCreds(e.rc.Config, aws.ToString(creds.AccessKeyId), aws.ToString(creds.SecretAccessKey), aws.ToString(creds.SessionToken)))
	put = must(session.PutAccountSetting(ctx, &ecs.PutAccountSettingInput{Name: ecstypes.SettingNameContainerInsights, Value: aws.String("disabled")}))(t)
	if got := setting(*put.Setting); got != "containerInsights=disabled "+deployer+" user" {
		t.Errorf("a role session's setting: %s", got)
	}
	if got := setting(must(e.ecs.ListAccountSettings(ctx, &ecs.ListAccountSettingsInput{PrincipalArn: aws.String(deployer)}))(t).Settings[0]); got != "containerInsights=disabled "+deployer+" user" {
		t.Errorf("the role's settings: %s", got)
	}
}

// Values each setting takes, and those AWS no longer lets anyone set.
func TestECSAccountSettingsValues(t *testing.T) {
	e := newECSEnv(t)
	ops := userClient(t, e, "ops", allowECS)
	for _, c := range []struct {
		name      ecstypes.SettingName
		value     string
		code, msg string
	}{
		{ecstypes.SettingNameServiceLongArnFormat, "disabled", "InvalidParameterException", "You can no longer disable Long Arn settings"},
		{ecstypes.SettingNameTaskLongArnFormat, "disabled", "InvalidParameterException", "You can no longer disable Long Arn settings"},
		{ecstypes.SettingNameContainerInstanceLongArnFormat, "ENABLED", "InvalidParameterException", msgInvalidValue},
		{ecstypes.SettingNameTagResourceAuthorization, "enabled", "InvalidParameterException", msgInvalidValue},
		{ecstypes.SettingNameTagResourceAuthorization, "off", "InvalidParameterException", "You can no longer disable tagResourceAuthorization settings"},
		{ecstypes.SettingNameContainerInsights, "on", "InvalidParameterException", msgInvalidValue},
		{ecstypes.SettingNameFargateTaskRetirementWaitPeriod, "3", "InvalidParameterException", msgInvalidValue},
		{ecstypes.SettingNameDefaultLogDriverMode, "async", "InvalidParameterException", msgInvalidValue},
		{ecstypes.SettingNameGuardDutyActivate, "enabled", "InvalidParameterException", "The guardDutyActivate account setting is managed by AWS and cannot be changed."},
	} {
		_, err := ops.PutAccountSettingDefault(ctx, &ecs.PutAccountSettingDefaultInput{Name: c.name, Value: aws.String(c.value)})
		wantErr(t, err, 400, c.code, c.msg)
		_, err = ops.PutAccountSetting(ctx, &ecs.PutAccountSettingInput{Name: c.name, Value: aws.String(c.value)})
		wantErr(t, err, 400, c.code, c.msg)
	}
	// Only the root user sets the Fargate retirement wait for itself; the
	// default anyone allowed may.
	_, err := ops.PutAccountSetting(ctx, &ecs.PutAccountSettingInput{Name: ecstypes.SettingNameFargateTaskRetirementWaitPeriod, Value: aws.String("14")})
	wantErr(t, err, 400, "ClientException", "You must use the root user to set fargateTaskRetirementWaitPeriod.")
	must(e.ecs.PutAccountSetting(ctx, &ecs.PutAccountSettingInput{Name: ecstypes.SettingNameFargateTaskRetirementWaitPeriod, Value: aws.String("14")}))(t)
	must(ops.PutAccountSettingDefault(ctx, &ecs.PutAccountSettingDefaultInput{Name: ecstypes.SettingNameFargateTaskRetirementWaitPeriod, Value: aws.String("0")}))(t)
	_, err = ops.DeleteAccountSetting(ctx, &ecs.DeleteAccountSettingInput{Name: ecstypes.SettingNameGuardDutyActivate})
	wantErr(t, err, 400, "InvalidParameterException", "The guardDutyActivate account setting is managed by AWS and cannot be changed.")

	// What is still valid: enabling, and dualStackIPv6, which the API
	// accepts though botocore's model does not list it.
	for _, s := range [][2]string{{"serviceLongArnFormat", "enabled"}, {"tagResourceAuthorization", "on"}, {"dualStackIPv6", "disabled"},
		{"defaultLogDriverMode", "blocking"}, {"fargateFIPSMode", "enabled"}, {"fargateEventWindows", "enabled"}} {
		out := must(ops.PutAccountSettingDefault(ctx, &ecs.PutAccountSettingDefaultInput{Name: ecstypes.SettingName(s[0]), Value: aws.String(s[1])}))(t)
		if got := setting(*out.Setting); got != s[0]+"="+s[1]+" "+rootPrincipal+" user" {
			t.Errorf("PutAccountSettingDefault %s: %s", s[0], got)
		}
	}
	_, err = ops.PutAccountSetting(ctx, &ecs.PutAccountSettingInput{Name: "nope", Value: aws.String("enabled")})
	wantErr(t, err, 400, "InvalidParameterException", "1 validation error detected: Value 'nope' at 'name' failed to satisfy constraint: Member must satisfy enum value set: "+
		"[serviceLongArnFormat, taskLongArnFormat, containerInstanceLongArnFormat, awsvpcTrunking, containerInsights, fargateFIPSMode, tagResourceAuthorization, "+
		"fargateTaskRetirementWaitPeriod, guardDutyActivate, defaultLogDriverMode, fargateEventWindows, dualStackIPv6]")
}

// The settings actions are authorized with ecs:account-setting, the
// setting changed.
func TestECSAccountSettingsAuthorization(t *testing.T) {
	e := newECSEnv(t)
	insights := userClient(t, e, "insights", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",
		"Action":["ecs:PutAccountSetting","ecs:PutAccountSettingDefault","ecs:DeleteAccountSetting"],"Resource":"*",
		"Condition":{"StringEquals":{"ecs:account-setting":"containerInsights"}}}]}`)
	must(insights.PutAccountSettingDefault(ctx, &ecs.PutAccountSettingDefaultInput{Name: ecstypes.SettingNameContainerInsights, Value: aws.String("enabled")}))(t)
	_, err := insights.PutAccountSettingDefault(ctx, &ecs.PutAccountSettingDefaultInput{Name: ecstypes.SettingNameAwsvpcTrunking, Value: aws.String("enabled")})
	wantErr(t, err, 400, "AccessDeniedException", denied(userArn+"insights", "ecs:PutAccountSettingDefault", "*"))
	_, err = insights.DeleteAccountSetting(ctx, &ecs.DeleteAccountSettingInput{Name: ecstypes.SettingNameAwsvpcTrunking})
	wantErr(t, err, 400, "AccessDeniedException", denied(userArn+"insights", "ecs:DeleteAccountSetting", "*"))
	_, err = insights.ListAccountSettings(ctx, &ecs.ListAccountSettingsInput{})
	wantErr(t, err, 400, "AccessDeniedException", denied(userArn+"insights", "ecs:ListAccountSettings", "*"))
}

// tagResourceAuthorization, on for every account: creating with tags also
// needs ecs:TagResource on what is created, with ecs:CreateAction; without
// tags it does not.
func TestECSTagOnCreateNeedsTagResource(t *testing.T) {
	e := newECSEnv(t)
	must(e.ecs.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("prod")}))(t)
	must(e.ecs.RegisterContainerInstance(ctx, &ecs.RegisterContainerInstanceInput{Cluster: aws.String("prod")}))(t)
	e.bridgeTaskDef(t)
	team := []ecstypes.Tag{{Key: aws.String("team"), Value: aws.String("blue")}}
	const clusterPolicy = `{"Effect":"Allow","Action":["ecs:CreateCluster","ecs:RegisterTaskDefinition","ecs:RunTask","ecs:CreateService","ecs:DescribeServices"],"Resource":"*"}`
	creator := userClient(t, e, "creator", `{"Version":"2012-10-17","Statement":[`+clusterPolicy+`]}`)
	ecsARN := "arn:aws:ecs:us-east-1:" + account + ":"
	who := userArn + "creator"

	must(creator.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("untagged")}))(t)
	_, err := creator.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("blue"), Tags: team})
	wantErr(t, err, 400, "AccessDeniedException", denied(who, "ecs:TagResource", ecsARN+"cluster/blue"))
	_, err = creator.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{Family: aws.String("bridge"), Tags: team,
		ContainerDefinitions: []ecstypes.ContainerDefinition{{Name: aws.String("web"), Image: aws.String("nginx"), Memory: aws.Int32(128)}}})
	wantErr(t, err, 400, "AccessDeniedException", denied(who, "ecs:TagResource", ecsARN+"task-definition/bridge:2"))
	_, err = creator.RunTask(ctx, &ecs.RunTaskInput{Cluster: aws.String("prod"), TaskDefinition: aws.String("bridge"), Tags: team})
	wantErr(t, err, 400, "AccessDeniedException", denied(who, "ecs:TagResource", ecsARN+"task/prod/*"))
	_, err = creator.CreateService(ctx, &ecs.CreateServiceInput{Cluster: aws.String("prod"), ServiceName: aws.String("web"),
		TaskDefinition: aws.String("bridge"), DesiredCount: aws.Int32(0), Tags: team})
	wantErr(t, err, 400, "AccessDeniedException", denied(who, "ecs:TagResource", ecsARN+"service/prod/web"))
	if out := must(e.ecs.DescribeClusters(ctx, &ecs.DescribeClustersInput{Clusters: []string{"blue"}}))(t); len(out.Failures) != 1 {
		t.Errorf("the denied cluster was created: %+v", out.Clusters)
	}

	// The developer guide's policy: ecs:TagResource only while creating.
	tagger := userClient(t, e, "tagger", `{"Version":"2012-10-17","Statement":[`+clusterPolicy+`,
		{"Effect":"Allow","Action":"ecs:TagResource","Resource":"*","Condition":{"StringEquals":{"ecs:CreateAction":["CreateCluster","RunTask"]}}}]}`)
	cl := must(tagger.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("blue"), Tags: team}))(t).Cluster
	if len(cl.Tags) != 1 || aws.ToString(cl.Tags[0].Value) != "blue" {
		t.Errorf("tags %+v", cl.Tags)
	}
	run := must(tagger.RunTask(ctx, &ecs.RunTaskInput{Cluster: aws.String("prod"), TaskDefinition: aws.String("bridge"), Tags: team}))(t)
	if len(run.Tasks) != 1 {
		t.Errorf("RunTask %+v", run)
	}
	_, err = tagger.CreateService(ctx, &ecs.CreateServiceInput{Cluster: aws.String("prod"), ServiceName: aws.String("web"),
		TaskDefinition: aws.String("bridge"), DesiredCount: aws.Int32(0), Tags: team})
	wantErr(t, err, 400, "AccessDeniedException", denied(userArn+"tagger", "ecs:TagResource", ecsARN+"service/prod/web"))
	// Tagging an existing resource is not creating it.
	_, err = tagger.TagResource(ctx, &ecs.TagResourceInput{ResourceArn: cl.ClusterArn, Tags: team})
	wantErr(t, err, 400, "AccessDeniedException", denied(userArn+"tagger", "ecs:TagResource", aws.ToString(cl.ClusterArn)))
}

// The agent registers a container instance with tags with its instance
// role, which AmazonEC2ContainerServiceforEC2Role lets tag on
// RegisterContainerInstance.
func TestECSAgentTagsItsInstance(t *testing.T) {
	e := newECSEnv(t)
	must(e.ecs.CreateCluster(ctx, &ecs.CreateClusterInput{}))(t)
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + account + `:root"},"Action":"sts:AssumeRole"}]}`
	instanceRole := e.role(t, "ecsInstanceRole", trust)
	putRolePolicy(t, e.iam, "ecsInstanceRole", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecs:RegisterContainerInstance","Resource":"*"}]}`)
	ec2, _ := newUser(t, clientsFor(e.rc.Config, nil), e.rc.Config, nil, "ec2",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`)
	creds := must(ec2.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(instanceRole), RoleSessionName: aws.String("i-0abc1234567890def")}))(t).Credentials
	agent := ecs.NewFromConfig(withCreds(e.rc.Config, aws.ToString(creds.AccessKeyId), aws.ToString(creds.SecretAccessKey), aws.ToString(creds.SessionToken)))
	in := &ecs.RegisterContainerInstanceInput{Tags: []ecstypes.Tag{{Key: aws.String("fleet"), Value: aws.String("a")}}}
	_, err := agent.RegisterContainerInstance(ctx, in)
	wantErr(t, err, 400, "AccessDeniedException", "User: arn:aws:sts::"+account+":assumed-role/ecsInstanceRole/i-0abc1234567890def is not authorized to perform: "+
		"ecs:TagResource on resource: arn:aws:ecs:us-east-1:"+account+":container-instance/default/* because no identity-based policy allows the ecs:TagResource action")
	must(e.iam.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String("ecsInstanceRole"), PolicyName: aws.String("p")}))(t)
	must(e.iam.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("ecsInstanceRole"),
		PolicyArn: aws.String("arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role")}))(t)
	ci := must(agent.RegisterContainerInstance(ctx, in))(t).ContainerInstance
	if len(ci.Tags) != 1 || aws.ToString(ci.Tags[0].Key) != "fleet" {
		t.Errorf("container instance tags %+v", ci.Tags)
	}
}

package integration

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	aas "github.com/aws/aws-sdk-go-v2/service/applicationautoscaling"
	aastypes "github.com/aws/aws-sdk-go-v2/service/applicationautoscaling/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/rolecall/rolecall/internal/ids"
	"github.com/rolecall/rolecall/rolecalltest"
)

// stateRequest calls rolecall's state endpoint, signed with creds.
func stateRequest(t *testing.T, rc *rolecalltest.Server, method string, body []byte, creds aws.Credentials) (int, []byte) {
	t.Helper()
	req := must(http.NewRequestWithContext(ctx, method, rc.Endpoint+"/_rolecall/state", bytes.NewReader(body)))(t)
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, sha(string(body)), "rolecall", "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	resp := must(http.DefaultClient.Do(req))(t)
	defer resp.Body.Close()
	return resp.StatusCode, must(io.ReadAll(resp.Body))(t)
}

func exportState(t *testing.T, rc *rolecalltest.Server) []byte {
	t.Helper()
	status, body := stateRequest(t, rc, http.MethodGet, nil, rootCreds)
	if status != 200 {
		t.Fatalf("export: %d %s", status, body)
	}
	return body
}

const userTrustTemplate = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:user/USER"},"Action":"sts:AssumeRole"}]}`

// seeded is what seedState made that a test signs or computes codes with.
type seeded struct {
	keyID, secret string // dev's access key
	mfaSeed       string // dev's MFA device's
}

// seedState makes a bit of everything a state file carries, the way
// clients make it; now is the server's clock (dev's MFA device is
// enabled with the codes it shows then).
func seedState(t *testing.T, rc *rolecalltest.Server, now time.Time) seeded {
	t.Helper()
	c := iam.NewFromConfig(rc.Config)
	// A customer managed policy with versions v1, v3 (default) and v4:
	// v2 was deleted.
	pol := must(c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("read"), Path: aws.String("/app/"),
		Description: aws.String("reads"), PolicyDocument: aws.String(s3ReadPolicy),
		Tags: []iamtypes.Tag{{Key: aws.String("team"), Value: aws.String("a")}}}))(t).Policy
	for i, doc := range []string{
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}]}`,
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":"*"}]}`,
		`{ "Version": "2012-10-17", "Statement": [ { "Effect": "Allow", "Action": "sqs:*", "Resource": "*" } ] }`,
	} {
		must(c.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: pol.Arn, PolicyDocument: aws.String(doc), SetAsDefault: i == 1}))(t)
	}
	must(c.DeletePolicyVersion(ctx, &iam.DeletePolicyVersionInput{PolicyArn: pol.Arn, VersionId: aws.String("v2")}))(t)

	// A user with a key, in a group; a user deleted after a role's trust
	// policy named it.
	must(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("dev"), Tags: []iamtypes.Tag{{Key: aws.String("k"), Value: aws.String("v")}}}))(t)
	k := must(c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("dev")}))(t).AccessKey
	must(c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("dev"), PolicyName: aws.String("assume"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`)}))(t)
	must(c.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("devs")}))(t)
	must(c.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: aws.String("devs"), PolicyArn: pol.Arn}))(t)
	must(c.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String("devs"), UserName: aws.String("dev")}))(t)
	must(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("gone")}))(t)
	// The account's alias and password policy; dev's console password,
	// changed once.
	must(c.CreateAccountAlias(ctx, &iam.CreateAccountAliasInput{AccountAlias: aws.String("example-dev")}))(t)
	must(c.UpdateAccountPasswordPolicy(ctx, &iam.UpdateAccountPasswordPolicyInput{MinimumPasswordLength: aws.Int32(10), RequireNumbers: true,
		AllowUsersToChangePassword: true, MaxPasswordAge: aws.Int32(90), PasswordReusePrevention: aws.Int32(3)}))(t)
	must(c.CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{UserName: aws.String("dev"), Password: aws.String("first-pass-1")}))(t)
	must(c.UpdateLoginProfile(ctx, &iam.UpdateLoginProfileInput{UserName: aws.String("dev"), Password: aws.String(devPassword), PasswordResetRequired: aws.Bool(true)}))(t)

	// Roles: one the user may assume, one that trusted the deleted user,
	// one for ECS tasks with every kind of policy.
	must(c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("deploy"), AssumeRolePolicyDocument: aws.String(strings.ReplaceAll(userTrustTemplate, "USER", "dev")),
		MaxSessionDuration: aws.Int32(7200), Description: aws.String("deploys")}))(t)
	must(c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("old"), AssumeRolePolicyDocument: aws.String(strings.ReplaceAll(userTrustTemplate, "USER", "gone"))}))(t)
	must(c.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("gone")}))(t)
	must(c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("task"), Path: aws.String("/ecs/"), AssumeRolePolicyDocument: aws.String(ecsTasksTrust),
		PermissionsBoundary: pol.Arn, Tags: []iamtypes.Tag{{Key: aws.String("app"), Value: aws.String("web")}}}))(t)
	must(c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("task"), PolicyName: aws.String("inline"), PolicyDocument: aws.String(s3ReadPolicy)}))(t)
	must(c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("task"), PolicyArn: aws.String("arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy")}))(t)
	must(c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("task"), PolicyArn: pol.Arn}))(t)
	must(c.CreateInstanceProfile(ctx, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String("web")}))(t)
	must(c.AddRoleToInstanceProfile(ctx, &iam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("web"), RoleName: aws.String("task")}))(t)
	must(c.CreateInstanceProfile(ctx, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String("empty"), Path: aws.String("/p/")}))(t)
	must(c.CreateServiceLinkedRole(ctx, &iam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("ecs.amazonaws.com")}))(t)

	// ECS: a cluster, a task definition family of two revisions, the
	// first deregistered.
	e := ecs.NewFromConfig(rc.Config)
	must(e.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("web"), Tags: []ecstypes.Tag{{Key: aws.String("env"), Value: aws.String("dev")}},
		Settings: []ecstypes.ClusterSetting{{Name: ecstypes.ClusterSettingNameContainerInsights, Value: aws.String("enabled")}}}))(t)
	for _, image := range []string{"nginx:1", "nginx:2"} {
		must(e.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{Family: aws.String("web"),
			TaskRoleArn: aws.String("arn:aws:iam::000000000000:role/ecs/task"), NetworkMode: ecstypes.NetworkModeAwsvpc,
			RequiresCompatibilities: []ecstypes.Compatibility{ecstypes.CompatibilityFargate}, Cpu: aws.String("256"), Memory: aws.String("512"),
			ContainerDefinitions: []ecstypes.ContainerDefinition{{Name: aws.String("web"), Image: aws.String(image),
				PortMappings: []ecstypes.PortMapping{{ContainerPort: aws.Int32(80)}}}},
			Tags: []ecstypes.Tag{{Key: aws.String("rev"), Value: aws.String(image)}}}))(t)
	}
	must(e.DeregisterTaskDefinition(ctx, &ecs.DeregisterTaskDefinitionInput{TaskDefinition: aws.String("web:1")}))(t)

	// A capacity provider of the cluster's, its default strategy, and two
	// services: one running a task on Fargate, one on the default
	// strategy with none.
	must(e.CreateCapacityProvider(ctx, &ecs.CreateCapacityProviderInput{Name: aws.String("asg"),
		AutoScalingGroupProvider: &ecstypes.AutoScalingGroupProvider{AutoScalingGroupArn: aws.String("arn:aws:autoscaling:us-east-1:000000000000:autoScalingGroup:5b5a3f4e-1f0e-4c57-9d5e-0a1b2c3d4e5f:autoScalingGroupName/web")},
		Tags:                     []ecstypes.Tag{{Key: aws.String("env"), Value: aws.String("dev")}}}))(t)
	must(e.PutClusterCapacityProviders(ctx, &ecs.PutClusterCapacityProvidersInput{Cluster: aws.String("web"), CapacityProviders: []string{"FARGATE", "asg"},
		DefaultCapacityProviderStrategy: []ecstypes.CapacityProviderStrategyItem{{CapacityProvider: aws.String("FARGATE"), Weight: 1}}}))(t)
	network := &ecstypes.NetworkConfiguration{AwsvpcConfiguration: &ecstypes.AwsVpcConfiguration{Subnets: []string{"subnet-0123456789abcdef0"}}}
	must(e.CreateService(ctx, &ecs.CreateServiceInput{Cluster: aws.String("web"), ServiceName: aws.String("api"), TaskDefinition: aws.String("web:2"),
		DesiredCount: aws.Int32(1), LaunchType: ecstypes.LaunchTypeFargate, NetworkConfiguration: network, EnableExecuteCommand: true,
		Tags: []ecstypes.Tag{{Key: aws.String("svc"), Value: aws.String("api")}}}))(t)
	must(e.CreateService(ctx, &ecs.CreateServiceInput{Cluster: aws.String("web"), ServiceName: aws.String("idle"), TaskDefinition: aws.String("web:2"),
		DesiredCount: aws.Int32(0), NetworkConfiguration: network}))(t)

	// Application Auto Scaling of api (which makes its service-linked
	// role): a tagged target, a target tracking policy, a scheduled
	// action.
	s := aas.NewFromConfig(rc.Config)
	in := registerIn("service/web/api", 1, 3)
	in.Tags = map[string]string{"team": "a"}
	must(s.RegisterScalableTarget(ctx, in))(t)
	must(s.PutScalingPolicy(ctx, &aas.PutScalingPolicyInput{PolicyName: aws.String("cpu"), ServiceNamespace: aastypes.ServiceNamespaceEcs,
		ResourceId: aws.String("service/web/api"), ScalableDimension: ecsDesired, PolicyType: aastypes.PolicyTypeTargetTrackingScaling,
		TargetTrackingScalingPolicyConfiguration: &aastypes.TargetTrackingScalingPolicyConfiguration{TargetValue: aws.Float64(75),
			PredefinedMetricSpecification: &aastypes.PredefinedMetricSpecification{PredefinedMetricType: aastypes.MetricTypeECSServiceAverageCPUUtilization},
			ScaleInCooldown:               aws.Int32(60), ScaleOutCooldown: aws.Int32(30)}}))(t)
	must(s.PutScheduledAction(ctx, &aas.PutScheduledActionInput{ScheduledActionName: aws.String("mornings"), ServiceNamespace: aastypes.ServiceNamespaceEcs,
		ResourceId: aws.String("service/web/api"), ScalableDimension: ecsDesired, Schedule: aws.String("cron(0 9 ? * MON-FRI *)"), Timezone: aws.String("Europe/Paris"),
		StartTime:            aws.Time(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)),
		ScalableTargetAction: &aastypes.ScalableTargetAction{MinCapacity: aws.Int32(2), MaxCapacity: aws.Int32(5)}}))(t)

	// Identity providers: GitHub's, trusted by the role ci; rolecall's own
	// SAML identity provider, with a private key its assertions must be
	// encrypted to. A server certificate with its chain.
	must(c.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{Url: aws.String("https://token.actions.githubusercontent.com"),
		ClientIDList: []string{"sts.amazonaws.com"}, ThumbprintList: []string{"6938fd4d98bab03faadb97b34396831e3780aea1"},
		Tags: []iamtypes.Tag{{Key: aws.String("ci"), Value: aws.String("github")}}}))(t)
	must(c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("ci"), AssumeRolePolicyDocument: aws.String(githubTrust)}))(t)
	must(c.CreateSAMLProvider(ctx, &iam.CreateSAMLProviderInput{Name: aws.String("rolecall"), SAMLMetadataDocument: aws.String(must(rc.SAMLMetadata(ctx))(t)),
		AddPrivateKey: aws.String(privateKeyPEM(t)), AssertionEncryptionMode: iamtypes.AssertionEncryptionModeTypeRequired,
		Tags: []iamtypes.Tag{{Key: aws.String("idp"), Value: aws.String("rolecall")}}}))(t)
	must(c.UploadServerCertificate(ctx, &iam.UploadServerCertificateInput{ServerCertificateName: aws.String("web"), Path: aws.String("/cloudfront/"),
		CertificateBody: aws.String(cred(t, "server.pem")), PrivateKey: aws.String(cred(t, "server.key")), CertificateChain: aws.String(cred(t, "chain.pem")),
		Tags: []iamtypes.Tag{{Key: aws.String("team"), Value: aws.String("edge")}}}))(t)

	// dev's MFA device, enabled, and a spare one; dev's SSH public keys
	// (one Inactive, one in PEM), signing certificate and
	// service-specific credentials (an API key that expires, Inactive).
	d := createMFADevice(t, c, "dev")
	must(c.EnableMFADevice(ctx, &iam.EnableMFADeviceInput{UserName: aws.String("dev"), SerialNumber: aws.String(d.serial),
		AuthenticationCode1: aws.String(totpAt(t, d.seed, now.Add(-30*time.Second))), AuthenticationCode2: aws.String(totpAt(t, d.seed, now))}))(t)
	must(c.CreateVirtualMFADevice(ctx, &iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("spare"), Path: aws.String("/spares/"),
		Tags: []iamtypes.Tag{{Key: aws.String("shelf"), Value: aws.String("2")}}}))(t)
	must(c.UploadSSHPublicKey(ctx, &iam.UploadSSHPublicKeyInput{UserName: aws.String("dev"), SSHPublicKeyBody: aws.String(cred(t, "rsa1.pem"))}))(t)
	ssh := must(c.UploadSSHPublicKey(ctx, &iam.UploadSSHPublicKeyInput{UserName: aws.String("dev"), SSHPublicKeyBody: aws.String(cred(t, "rsa2.pub"))}))(t).SSHPublicKey
	must(c.UpdateSSHPublicKey(ctx, &iam.UpdateSSHPublicKeyInput{UserName: aws.String("dev"), SSHPublicKeyId: ssh.SSHPublicKeyId, Status: iamtypes.StatusTypeInactive}))(t)
	must(c.UploadSigningCertificate(ctx, &iam.UploadSigningCertificateInput{UserName: aws.String("dev"), CertificateBody: aws.String(cred(t, "signing1.pem"))}))(t)
	must(c.CreateServiceSpecificCredential(ctx, &iam.CreateServiceSpecificCredentialInput{UserName: aws.String("dev"), ServiceName: aws.String("codecommit.amazonaws.com")}))(t)
	key := must(c.CreateServiceSpecificCredential(ctx, &iam.CreateServiceSpecificCredentialInput{UserName: aws.String("dev"), ServiceName: aws.String("bedrock.amazonaws.com"),
		CredentialAgeDays: aws.Int32(30)}))(t).ServiceSpecificCredential
	must(c.UpdateServiceSpecificCredential(ctx, &iam.UpdateServiceSpecificCredentialInput{UserName: aws.String("dev"),
		ServiceSpecificCredentialId: key.ServiceSpecificCredentialId, Status: iamtypes.StatusTypeInactive}))(t)
	return seeded{keyID: *k.AccessKeyId, secret: *k.SecretAccessKey, mfaSeed: d.seed}
}

// devPassword is the console password seedState gives dev.
const devPassword = "second-pass-2"

// serviceConfig is a service as DescribeServices shows it, without what
// runs (counts, deployments, events), which a state file does not carry.
func serviceConfig(s ecstypes.Service) ecstypes.Service {
	s.RunningCount, s.PendingCount, s.Deployments, s.Events = 0, 0, nil, nil
	s.CurrentServiceDeployment, s.CurrentServiceRevisions = nil, nil
	return s
}

// answers are what a set of reads answers, to compare two servers by.
func answers(t *testing.T, rc *rolecalltest.Server) map[string]any {
	t.Helper()
	c := iam.NewFromConfig(rc.Config)
	e := ecs.NewFromConfig(rc.Config)
	out := map[string]any{}
	gaad := must(c.GetAccountAuthorizationDetails(ctx, &iam.GetAccountAuthorizationDetailsInput{}))(t)
	out["gaad"] = []any{gaad.UserDetailList, gaad.GroupDetailList, gaad.RoleDetailList, gaad.Policies}
	// A file does not carry RoleLastUsed, nor what runs in a cluster.
	for i := range gaad.RoleDetailList {
		gaad.RoleDetailList[i].RoleLastUsed = nil
	}
	for _, r := range []string{"deploy", "old", "task", "AWSServiceRoleForECS", slrAAS} {
		role := must(c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(r)}))(t).Role
		role.RoleLastUsed = nil
		out["role "+r] = role
	}
	arn := "arn:aws:iam::000000000000:policy/app/read"
	out["policy"] = must(c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: &arn}))(t).Policy
	out["versions"] = must(c.ListPolicyVersions(ctx, &iam.ListPolicyVersionsInput{PolicyArn: &arn}))(t).Versions
	out["policy tags"] = must(c.ListPolicyTags(ctx, &iam.ListPolicyTagsInput{PolicyArn: &arn}))(t).Tags
	out["profiles"] = must(c.ListInstanceProfiles(ctx, &iam.ListInstanceProfilesInput{}))(t).InstanceProfiles
	out["keys"] = must(c.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String("dev")}))(t).AccessKeyMetadata
	out["user"] = must(c.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("dev")}))(t).User
	out["login profile"] = must(c.GetLoginProfile(ctx, &iam.GetLoginProfileInput{UserName: aws.String("dev")}))(t).LoginProfile
	out["password policy"] = must(c.GetAccountPasswordPolicy(ctx, &iam.GetAccountPasswordPolicyInput{}))(t).PasswordPolicy
	out["aliases"] = must(c.ListAccountAliases(ctx, &iam.ListAccountAliasesInput{}))(t).AccountAliases
	out["summary"] = must(c.GetAccountSummary(ctx, &iam.GetAccountSummaryInput{}))(t).SummaryMap
	out["oidc providers"] = must(c.ListOpenIDConnectProviders(ctx, &iam.ListOpenIDConnectProvidersInput{}))(t).OpenIDConnectProviderList
	oidc := must(c.GetOpenIDConnectProvider(ctx, &iam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(githubProvider)}))(t)
	out["oidc provider"] = []any{oidc.Url, oidc.ClientIDList, oidc.ThumbprintList, oidc.CreateDate, oidc.Tags}
	out["saml providers"] = must(c.ListSAMLProviders(ctx, &iam.ListSAMLProvidersInput{}))(t).SAMLProviderList
	saml := must(c.GetSAMLProvider(ctx, &iam.GetSAMLProviderInput{SAMLProviderArn: aws.String(samlProviderArn)}))(t)
	out["saml provider"] = []any{saml.SAMLProviderUUID, saml.SAMLMetadataDocument, saml.CreateDate, saml.ValidUntil, saml.AssertionEncryptionMode,
		saml.PrivateKeyList, saml.Tags}
	out["server certificates"] = must(c.ListServerCertificates(ctx, &iam.ListServerCertificatesInput{}))(t).ServerCertificateMetadataList
	out["server certificate"] = must(c.GetServerCertificate(ctx, &iam.GetServerCertificateInput{ServerCertificateName: aws.String("web")}))(t).ServerCertificate
	out["virtual MFA devices"] = must(c.ListVirtualMFADevices(ctx, &iam.ListVirtualMFADevicesInput{}))(t).VirtualMFADevices
	out["MFA devices"] = must(c.ListMFADevices(ctx, &iam.ListMFADevicesInput{UserName: aws.String("dev")}))(t).MFADevices
	out["MFA device tags"] = must(c.ListMFADeviceTags(ctx, &iam.ListMFADeviceTagsInput{SerialNumber: aws.String("arn:aws:iam::000000000000:mfa/spares/spare")}))(t).Tags
	sshKeys := must(c.ListSSHPublicKeys(ctx, &iam.ListSSHPublicKeysInput{UserName: aws.String("dev")}))(t).SSHPublicKeys
	out["ssh keys"] = sshKeys
	for _, k := range sshKeys {
		for _, enc := range []iamtypes.EncodingType{iamtypes.EncodingTypeSsh, iamtypes.EncodingTypePem} {
			out["ssh key "+*k.SSHPublicKeyId+" "+string(enc)] = must(c.GetSSHPublicKey(ctx, &iam.GetSSHPublicKeyInput{UserName: aws.String("dev"),
				SSHPublicKeyId: k.SSHPublicKeyId, Encoding: enc}))(t).SSHPublicKey
		}
	}
	out["signing certificates"] = must(c.ListSigningCertificates(ctx, &iam.ListSigningCertificatesInput{UserName: aws.String("dev")}))(t).Certificates
	out["service credentials"] = must(c.ListServiceSpecificCredentials(ctx, &iam.ListServiceSpecificCredentialsInput{UserName: aws.String("dev")}))(t).ServiceSpecificCredentials
	clusters := must(e.DescribeClusters(ctx, &ecs.DescribeClustersInput{Clusters: []string{"web"},
		Include: []ecstypes.ClusterField{ecstypes.ClusterFieldSettings, ecstypes.ClusterFieldTags, ecstypes.ClusterFieldConfigurations}}))(t).Clusters
	for i := range clusters {
		clusters[i].PendingTasksCount, clusters[i].RunningTasksCount = 0, 0
	}
	out["clusters"] = clusters
	out["providers"] = must(e.DescribeCapacityProviders(ctx, &ecs.DescribeCapacityProvidersInput{Include: []ecstypes.CapacityProviderField{ecstypes.CapacityProviderFieldTags}}))(t).CapacityProviders
	out["service list"] = must(e.ListServices(ctx, &ecs.ListServicesInput{Cluster: aws.String("web")}))(t).ServiceArns
	var svcs []ecstypes.Service
	for _, s := range must(e.DescribeServices(ctx, &ecs.DescribeServicesInput{Cluster: aws.String("web"), Services: []string{"api", "idle"},
		Include: []ecstypes.ServiceField{ecstypes.ServiceFieldTags}}))(t).Services {
		svcs = append(svcs, serviceConfig(s))
	}
	out["services"] = svcs
	for _, td := range []string{"web:1", "web:2"} {
		d := must(e.DescribeTaskDefinition(ctx, &ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String(td), Include: []ecstypes.TaskDefinitionField{ecstypes.TaskDefinitionFieldTags}}))(t)
		out["taskdef "+td] = []any{d.TaskDefinition, d.Tags}
	}
	s := aas.NewFromConfig(rc.Config)
	targets := describeTargets(t, s)
	out["scalable targets"] = targets
	if len(targets) == 1 {
		out["target tags"] = must(s.ListTagsForResource(ctx, &aas.ListTagsForResourceInput{ResourceARN: targets[0].ScalableTargetARN}))(t).Tags
	}
	out["scaling policies"] = must(s.DescribeScalingPolicies(ctx, &aas.DescribeScalingPoliciesInput{ServiceNamespace: aastypes.ServiceNamespaceEcs}))(t).ScalingPolicies
	out["scheduled actions"] = must(s.DescribeScheduledActions(ctx, &aas.DescribeScheduledActionsInput{ServiceNamespace: aastypes.ServiceNamespaceEcs}))(t).ScheduledActions
	return out
}

// TestStateRoundTrip: a state exported from one rolecall and imported
// into a fresh one answers the same reads, keeps its IDs, dates and trust
// (the imported user's key assumes the role; the role that trusted a
// deleted user still shows its unique ID and trusts no one), and the
// service-linked role stays protected.
func TestStateRoundTrip(t *testing.T) {
	// Two clocks four minutes apart (ECS allows signatures 5 minutes off): the dates kept
	// are the first server's.
	now := time.Now().UTC().Truncate(time.Second)
	a := rolecalltest.RunT(t, rolecalltest.WithClock(&ids.FixedClock{T: now.Add(-2 * time.Minute)}))
	seed := seedState(t, a, now.Add(-2*time.Minute))
	keyID, secret := seed.keyID, seed.secret
	file := exportState(t, a)
	want := answers(t, a)

	b := rolecalltest.RunT(t, rolecalltest.WithClock(&ids.FixedClock{T: now.Add(2 * time.Minute)}))
	status, body := stateRequest(t, b, http.MethodPost, file, rootCreds)
	if status != 200 {
		t.Fatalf("import: %d %s", status, body)
	}
	got := answers(t, b)
	for k := range want {
		if !reflect.DeepEqual(got[k], want[k]) {
			g, _ := json.Marshal(got[k])
			w, _ := json.Marshal(want[k])
			t.Errorf("%s differs after the round trip:\n got %s\nwant %s", k, g, w)
		}
	}
	if again := exportState(t, b); !bytes.Equal(stripExportedAt(again), stripExportedAt(file)) {
		t.Errorf("export of the import differs:\n%s\n%s", again, file)
	}

	// The imported service's scheduler started its task once the service
	// was read, with the roles as they are now.
	tasks := must(ecs.NewFromConfig(b.Config).ListTasks(ctx, &ecs.ListTasksInput{Cluster: aws.String("web"), ServiceName: aws.String("api")}))(t).TaskArns
	if len(tasks) != 1 {
		t.Errorf("the imported service api runs %d tasks, want 1", len(tasks))
	}

	// The user's key, secret and all, assumes the role its trust names.
	dev := sts.NewFromConfig(withCreds(b.Config, keyID, secret, ""))
	must(dev.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::000000000000:role/deploy"), RoleSessionName: aws.String("session")}))(t)
	_, err := dev.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::000000000000:role/old"), RoleSessionName: aws.String("session")})
	wantErr(t, err, 403, "AccessDenied", "User: arn:aws:iam::000000000000:user/dev is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::000000000000:role/old")
	// dev's password is the one it had: it changes it with it, and the
	// history came along (the password before may not come back).
	devIAM := iam.NewFromConfig(withCreds(b.Config, keyID, secret, ""))
	_, err = devIAM.ChangePassword(ctx, &iam.ChangePasswordInput{OldPassword: aws.String("first-pass-1"), NewPassword: aws.String("third-pass-3")})
	wantErr(t, err, 403, "AccessDenied", "The old password is incorrect.")
	_, err = devIAM.ChangePassword(ctx, &iam.ChangePasswordInput{OldPassword: aws.String(devPassword), NewPassword: aws.String("first-pass-1")})
	wantErr(t, err, 400, "PasswordPolicyViolation", "Password does not conform to the account password policy.")
	must(devIAM.ChangePassword(ctx, &iam.ChangePasswordInput{OldPassword: aws.String(devPassword), NewPassword: aws.String("third-pass-3")}))(t)

	// dev's MFA device checks the codes of its seed: a wrong one is
	// refused, the one it shows now on b's clock is accepted.
	mfa := func(code string) error {
		_, err := dev.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::000000000000:role/deploy"), RoleSessionName: aws.String("mfa"),
			SerialNumber: aws.String("arn:aws:iam::000000000000:mfa/dev"), TokenCode: aws.String(code)})
		return err
	}
	bNow := now.Add(2 * time.Minute)
	wantErr(t, mfa(wrongCode(t, seed.mfaSeed, bNow)), 403, "AccessDenied", msgMFAInvalidCode)
	if err := mfa(totpAt(t, seed.mfaSeed, bNow)); err != nil {
		t.Errorf("the imported device's code: %v", err)
	}
	// The GitHub provider takes a token b's issuer signs: b verifies its
	// own issuer's tokens, whatever key a signed with.
	must(sts.NewFromConfig(b.Config).AssumeRoleWithWebIdentity(ctx, &sts.AssumeRoleWithWebIdentityInput{RoleArn: aws.String("arn:aws:iam::000000000000:role/ci"),
		RoleSessionName: aws.String("gha"), WebIdentityToken: aws.String(token(t, b, rolecalltest.TokenRequest{Preset: "github", Subject: mainBranch}))}))(t)

	// A user made again under the deleted one's name is not trusted.
	c := iam.NewFromConfig(b.Config)
	must(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("gone")}))(t)
	if doc := decoded(t, must(c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("old")}))(t).Role.AssumeRolePolicyDocument); !strings.Contains(doc, `"AWS":"AIDA`) {
		t.Errorf("old's trust policy after import: %s", doc)
	}
	_, err = c.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("AWSServiceRoleForECS")})
	wantErr(t, err, 400, "UnmodifiableEntity", "Cannot perform the operation on the protected role 'AWSServiceRoleForECS' - this role is only modifiable by AWS")
}

func stripExportedAt(b []byte) []byte {
	var m map[string]any
	json.Unmarshal(b, &m)
	delete(m, "exportedAt")
	out, _ := json.Marshal(m)
	return out
}

// TestStateImportRefusals: a file that cannot be imported changes
// nothing, and says why: another account than the signer's, a principal
// not allowed rolecall:ImportState, a version this rolecall does not read,
// a policy IAM would refuse (with IAM's text), a service or scalable
// target without what it needs (with ECS's and Application Auto Scaling's
// texts), an ID another account's user has, an account that has state
// already.
func TestStateImportRefusals(t *testing.T) {
	a := rolecalltest.RunT(t)
	seedState(t, a, time.Now())
	file := exportState(t, a)
	devID := jsonPath(t, file, "accounts", "000000000000", "iam", "UserDetailList", 0, "UserId").(string)

	b := rolecalltest.RunT(t)
	c := iam.NewFromConfig(b.Config)
	nothing := func(what string) {
		t.Helper()
		if r := must(c.ListRoles(ctx, &iam.ListRolesInput{}))(t).Roles; len(r) != 0 {
			t.Fatalf("%s: roles were imported: %d", what, len(r))
		}
		other := iam.NewFromConfig(withCreds(b.Config, "111122223333", "test", ""))
		if r := must(other.ListRoles(ctx, &iam.ListRolesInput{}))(t).Roles; len(r) != 0 && what != "another account's ID" {
			t.Fatalf("%s: roles were imported into 111122223333: %d", what, len(r))
		}
		if got := describeTargets(t, aas.NewFromConfig(b.Config)); len(got) != 0 {
			t.Fatalf("%s: scalable targets were imported: %d", what, len(got))
		}
	}
	refused := func(what string, body []byte, creds aws.Credentials, status int, code, message string) {
		t.Helper()
		got, ans := stateRequest(t, b, http.MethodPost, body, creds)
		if got != status || jsonField(string(ans), "__type") != code || !strings.Contains(jsonField(string(ans), "message"), message) {
			t.Errorf("%s: %d %s\nwant %d %s: ...%s...", what, got, ans, status, code, message)
		}
		nothing(what)
	}

	// The root of another account cannot write this account's file, nor
	// this account's entities under its own account's name.
	other := aws.Credentials{AccessKeyID: "111122223333", SecretAccessKey: "test"}
	refused("another account", file, other, 403, "AccessDenied",
		"The file holds account 000000000000, and arn:aws:iam::111122223333:root may import into its own account (111122223333) only: nothing was imported.")
	moved := bytes.ReplaceAll(file, []byte(`"000000000000": {`), []byte(`"111122223333": {`))
	refused("ARNs of another account", moved, other, 400, "InvalidStateFile",
		`user "dev" of account 111122223333 has the ARN arn:aws:iam::000000000000:user/dev; in account 111122223333 at path / it is arn:aws:iam::111122223333:user/dev: the file cannot name one account and write into another`)

	// A user of the account without rolecall:ImportState.
	root := clientsFor(b.Config, nil)
	_, k := newUser(t, root, b.Config, nil, "ops", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:*","Resource":"*"}]}`)
	got, ans := stateRequest(t, b, http.MethodPost, file, aws.Credentials{AccessKeyID: *k.AccessKeyId, SecretAccessKey: *k.SecretAccessKey})
	if got != 403 || jsonField(string(ans), "message") != "User: arn:aws:iam::000000000000:user/ops is not authorized to perform: rolecall:ImportState on resource: * because no identity-based policy allows the rolecall:ImportState action" {
		t.Errorf("ops: %d %s", got, ans)
	}
	must(c.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: aws.String("ops"), AccessKeyId: k.AccessKeyId}))(t)
	must(c.DeleteUserPolicy(ctx, &iam.DeleteUserPolicyInput{UserName: aws.String("ops"), PolicyName: aws.String("p")}))(t)
	must(c.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("ops")}))(t)

	refused("version 2", bytes.Replace(file, []byte(`"version": 1`), []byte(`"version": 2`), 1), rootCreds, 400, "InvalidStateFile",
		"unknown state file version: the file is in version 2 of the state format, and this rolecall reads version 1: upgrade rolecall to read it")
	refused("unknown member", bytes.Replace(file, []byte(`"UserName": "dev",`), []byte(`"UserName": "dev", "Admin": true,`), 1), rootCreds, 400, "InvalidStateFile",
		`json: unknown field "Admin"`)
	refused("cut short", file[:len(file)/2], rootCreds, 400, "InvalidStateFile", "not JSON")
	// The last role's inline policy is one IAM refuses: nothing of the
	// roles before it stays.
	bad := bytes.Replace(file, []byte(`"PolicyName": "inline",
                "PolicyDocument": "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\"}]}"`),
		[]byte(`"PolicyName": "inline", "PolicyDocument": "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\"}]}"`), 1)
	if bytes.Equal(bad, file) {
		t.Fatal("the file has no inline policy to spoil")
	}
	_, err := c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("nobody"), PolicyName: aws.String("x"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject"}]}`)})
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("PutRolePolicy: %v", err)
	}
	iamText := ae.ErrorCode() + ": " + ae.ErrorMessage()
	refused("bad policy", bad, rootCreds, 400, "InvalidStateFile", `account 000000000000: role "task": inline policy "inline": `+iamText)

	// Services without the service-linked role ECS acts through: ECS's
	// own refusal, naming the service. A scalable target without
	// Application Auto Scaling's, or of a service the file does not hold:
	// Application Auto Scaling's, naming the target.
	refused("no AWSServiceRoleForECS", without(t, file, []string{"iam", "RoleDetailList"}, "RoleName", "AWSServiceRoleForECS"), rootCreds, 400, "InvalidStateFile",
		`account 000000000000: ECS us-east-1: service "api": InvalidParameterException: Unable to assume the service linked role. Please verify that the ECS service linked role exists.`)
	refused("no "+slrAAS, without(t, file, []string{"iam", "RoleDetailList"}, "RoleName", slrAAS), rootCreds, 400, "InvalidStateFile",
		`account 000000000000: Application Auto Scaling us-east-1: scalable target "service/web/api": ValidationException: Unable to assume IAM role: `+slrAASARN)
	refused("no service api", without(t, file, []string{"ecs", "us-east-1", "services"}, "serviceName", "api"), rootCreds, 400, "InvalidStateFile",
		`account 000000000000: Application Auto Scaling us-east-1: scalable target "service/web/api": ValidationException: ECS service doesn't exist: service/web/api`)

	// A SAML provider that requires encrypted assertions, without its
	// private key (as a principal other than the root exports it): IAM's
	// refusal, naming the provider.
	var doc map[string]any
	must(0, json.Unmarshal(file, &doc))(t)
	provider := jsonPath(t, file, "accounts", "000000000000", "iam", "SAMLProviders", 0).(map[string]any)
	delete(provider, "PrivateKeyList")
	doc["accounts"].(map[string]any)["000000000000"].(map[string]any)["iam"].(map[string]any)["SAMLProviders"] = []any{provider}
	refused("SAML provider without its key", must(json.Marshal(doc))(t), rootCreds, 400, "InvalidStateFile",
		`account 000000000000: SAML provider "`+samlProviderArn+`": InvalidInput: Unable to set assertion encryption mode to Required because no private key is provided.`)

	// A user of another account has the ID the file gives one.
	o := iam.NewFromConfig(withCreds(b.Config, "111122223333", "test", ""))
	taken := must(o.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("victim")}))(t).User.UserId
	refused("another account's ID", bytes.ReplaceAll(file, []byte(devID), []byte(*taken)), rootCreds, 400, "InvalidStateFile",
		`account 000000000000: user "dev": the unique ID `+*taken+` is taken`)

	// An account that has state: refused, as it is.
	must(c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("mine"), AssumeRolePolicyDocument: aws.String(ecsTasksTrust)}))(t)
	got, ans = stateRequest(t, b, http.MethodPost, file, rootCreds)
	if got != 409 || jsonField(string(ans), "__type") != "AccountHasState" {
		t.Errorf("into an account with state: %d %s", got, ans)
	}
	if r := must(c.ListRoles(ctx, &iam.ListRolesInput{}))(t).Roles; len(r) != 1 {
		t.Errorf("into an account with state: %d roles", len(r))
	}
}

// without is a state file without the entries of the list at path (under
// account 000000000000) whose key is value.
func without(t *testing.T, file []byte, path []string, key, value string) []byte {
	t.Helper()
	var doc map[string]any
	must(0, json.Unmarshal(file, &doc))(t)
	x := doc["accounts"].(map[string]any)["000000000000"].(map[string]any)
	for _, p := range path[:len(path)-1] {
		x = x[p].(map[string]any)
	}
	list := path[len(path)-1]
	var kept []any
	for _, e := range x[list].([]any) {
		if e.(map[string]any)[key] != value {
			kept = append(kept, e)
		}
	}
	if len(kept) == len(x[list].([]any)) {
		t.Fatalf("the file has no %s %s in %v", key, value, path)
	}
	x[list] = kept
	return must(json.Marshal(doc))(t)
}

// TestStateExportSecrets: the endpoint exports the signer's account
// only, and the secrets of its access keys to the root alone.
func TestStateExportSecrets(t *testing.T) {
	a := rolecalltest.RunT(t)
	seedState(t, a, time.Now())
	root := clientsFor(a.Config, nil)
	_, k := newUser(t, root, a.Config, nil, "reader", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"rolecall:ExportState","Resource":"*"}]}`)
	status, body := stateRequest(t, a, http.MethodGet, nil, aws.Credentials{AccessKeyID: *k.AccessKeyId, SecretAccessKey: *k.SecretAccessKey})
	for _, secret := range []string{"SecretAccessKey", "pbkdf2", "Base32StringSeed", "PRIVATE KEY", "ServicePassword", "ServiceCredentialSecret"} {
		if bytes.Contains(body, []byte(secret)) {
			t.Errorf("reader's export holds %s:\n%s", secret, body)
		}
	}
	// What holds no secret is there: the users, their SSH keys and
	// service-specific credentials, the providers (without the SAML
	// provider's private key).
	for _, public := range []string{`"UserName": "dev"`, `"SSHPublicKeys"`, `"ServiceSpecificCredentials"`, `"SAMLProviders"`, `"OpenIDConnectProviders"`, `"ServerCertificates"`} {
		if status != 200 || !bytes.Contains(body, []byte(public)) {
			t.Errorf("reader: %d, no %s:\n%s", status, public, body)
		}
	}
	full := exportState(t, a)
	for _, secret := range []string{*k.SecretAccessKey, `"Password": "$pbkdf2-sha256$i=`, `"Base32StringSeed": "`, `"PrivateKey": "-----BEGIN RSA PRIVATE KEY-----`} {
		if !bytes.Contains(full, []byte(secret)) {
			t.Errorf("root: no %s", secret)
		}
	}
	// A service-specific credential's password is IAM's to show once:
	// no export holds it.
	if bytes.Contains(full, []byte("ServicePassword")) || bytes.Contains(full, []byte("ServiceCredentialSecret")) {
		t.Errorf("root's export holds a service-specific credential's secret")
	}
	status, body = stateRequest(t, a, http.MethodGet, nil, aws.Credentials{AccessKeyID: "111122223333", SecretAccessKey: "test"})
	if status != 200 || bytes.Contains(body, []byte("000000000000")) {
		t.Errorf("another account: %d\n%s", status, body)
	}
}

// jsonPath reads a member of a JSON document by keys and indexes.
func jsonPath(t *testing.T, b []byte, path ...any) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	return walk(v, path...)
}

// walk reads a member of a decoded JSON document by keys and indexes.
func walk(v any, path ...any) any {
	for _, p := range path {
		switch p := p.(type) {
		case string:
			v = v.(map[string]any)[p]
		case int:
			v = v.([]any)[p]
		}
	}
	return v
}

// TestStateRoundTripManagedInstances: a Managed Instances capacity
// provider is imported into its cluster, with its infrastructure role and
// instance profile, and the imported one launches instances as it did.
func TestStateRoundTripManagedInstances(t *testing.T) {
	e := miEnv(t)
	file := exportState(t, e.rc)
	read := func(rc *rolecalltest.Server) (any, any) {
		c := ecs.NewFromConfig(rc.Config)
		p := must(c.DescribeCapacityProviders(ctx, &ecs.DescribeCapacityProvidersInput{CapacityProviders: []string{"mi"},
			Include: []ecstypes.CapacityProviderField{ecstypes.CapacityProviderFieldTags}}))(t).CapacityProviders
		cl := must(c.DescribeClusters(ctx, &ecs.DescribeClustersInput{Clusters: []string{"prod"}}))(t).Clusters
		return p, cl[0].CapacityProviders
	}
	wantP, wantCl := read(e.rc)

	b := rolecalltest.RunT(t)
	if status, body := stateRequest(t, b, http.MethodPost, file, rootCreds); status != 200 {
		t.Fatalf("import: %d %s", status, body)
	}
	gotP, gotCl := read(b)
	if !reflect.DeepEqual(gotP, wantP) || !reflect.DeepEqual(gotCl, wantCl) {
		t.Errorf("after the round trip:\n got %+v %v\nwant %+v %v", gotP, gotCl, wantP, wantCl)
	}
	out := must(ecs.NewFromConfig(b.Config).RunTask(ctx, &ecs.RunTaskInput{Cluster: aws.String("prod"), TaskDefinition: aws.String("app"), NetworkConfiguration: awsvpcNet,
		CapacityProviderStrategy: []ecstypes.CapacityProviderStrategyItem{{CapacityProvider: aws.String("mi")}}}))(t)
	if len(out.Failures) > 0 || len(out.Tasks) != 1 || aws.ToString(out.Tasks[0].CapacityProviderName) != "mi" {
		t.Errorf("RunTask on the imported provider: %+v %+v", out.Tasks, out.Failures)
	}
}

// TestStateImportedScheduledActions: nothing scales during an import (a
// service's desired count below its target's minimum stays so), and an
// imported scheduled action runs at its times after the import, not at
// those before it (the file does not say which of them ran), through the
// imported service-linked role.
func TestStateImportedScheduledActions(t *testing.T) {
	a := newAASEnv(t)
	const id = "service/prod/api"
	must(a.aas.RegisterScalableTarget(ctx, registerIn(id, 1, 4)))(t)
	// ECS's count changed behind Application Auto Scaling's back.
	must(a.ecs.UpdateService(ctx, &ecs.UpdateServiceInput{Cluster: aws.String("prod"), Service: aws.String("api"), DesiredCount: aws.Int32(0)}))(t)
	putScheduled(t, a.aas, id, "passed", atIn(a, time.Minute), aws.Int32(3), nil)
	putScheduled(t, a.aas, id, "next", atIn(a, 2*time.Minute+30*time.Second), aws.Int32(2), nil)
	file := exportState(t, a.rc)

	// Two minutes on (ECS allows signatures 5 minutes off): "passed" was
	// due between the export and the import.
	b := newECSEnv(t)
	b.clock.Advance(2 * time.Minute)
	if status, body := stateRequest(t, b.rc, http.MethodPost, file, rootCreds); status != 200 {
		t.Fatalf("import: %d %s", status, body)
	}
	s := aas.NewFromConfig(b.rc.Config)
	wantActivities(t, scalingActivities(t, s, id))
	if n := desiredCount(t, b.ecs, "prod", "api"); n != 0 {
		t.Errorf("desired count %d after the import, want 0", n)
	}

	// Half a minute on, "next" runs: the running rolecall looked for the
	// actions imported at once.
	b.clock.Advance(30 * time.Second)
	if n := desiredCount(t, b.ecs, "prod", "api"); n != 2 {
		t.Errorf("desired count %d, want 2", n)
	}
	wantActivities(t, scalingActivities(t, s, id),
		"Successful | Setting desired count to 2. | minimum capacity was set to 2 | Successfully set desired count to 2. Change successfully fulfilled by ecs.",
		"Successful | Setting min capacity to 2 | scheduled action name next was triggered | Successfully set min capacity to 2")
}

// TestStateRoleTrustingDeletedProvider: a role keeps trusting an identity
// provider's ARN after the provider is deleted (nothing can name it anew),
// and a state file carries the role as it is; made again, the provider is
// trusted again.
func TestStateRoleTrustingDeletedProvider(t *testing.T) {
	a := rolecalltest.RunT(t)
	c := iam.NewFromConfig(a.Config)
	p := must(c.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{Url: aws.String("https://token.actions.githubusercontent.com"),
		ClientIDList: []string{"sts.amazonaws.com"}}))(t).OpenIDConnectProviderArn
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"` + aws.ToString(p) + `"},"Action":"sts:AssumeRoleWithWebIdentity"}]}`
	must(c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("gha"), AssumeRolePolicyDocument: aws.String(trust)}))(t)
	must(c.DeleteOpenIDConnectProvider(ctx, &iam.DeleteOpenIDConnectProviderInput{OpenIDConnectProviderArn: p}))(t)

	b := rolecalltest.RunT(t)
	if status, body := stateRequest(t, b, http.MethodPost, exportState(t, a), rootCreds); status != 200 {
		t.Fatalf("import: %d %s", status, body)
	}
	cb := iam.NewFromConfig(b.Config)
	got := must(cb.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("gha")}))(t).Role
	if doc, _ := url.QueryUnescape(aws.ToString(got.AssumeRolePolicyDocument)); doc != trust {
		t.Errorf("imported trust %s, want %s", doc, trust)
	}
	// What no file carries is still refused over the API.
	_, err := cb.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("gha"), PolicyDocument: aws.String(trust)})
	wantErr(t, err, 400, "MalformedPolicyDocument", `Invalid principal in policy: "FEDERATED":"`+aws.ToString(p)+`"`)
}

// TestStateImportRefusesAccountWithOnlyAnOIDCProvider: an OpenID Connect
// provider alone is state an import does not overwrite.
func TestStateImportRefusesAccountWithOnlyAnOIDCProvider(t *testing.T) {
	a := rolecalltest.RunT(t)
	must(iam.NewFromConfig(a.Config).CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("app"), AssumeRolePolicyDocument: aws.String(ecsTasksTrust)}))(t)
	file := exportState(t, a)

	b := rolecalltest.RunT(t)
	cb := iam.NewFromConfig(b.Config)
	must(cb.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{Url: aws.String("https://token.actions.githubusercontent.com"), ClientIDList: []string{"sts.amazonaws.com"}}))(t)
	got, ans := stateRequest(t, b, http.MethodPost, file, rootCreds)
	if got != 409 || jsonField(string(ans), "__type") != "AccountHasState" {
		t.Errorf("into an account with an OIDC provider only: %d %s", got, ans)
	}
	if r := must(cb.ListRoles(ctx, &iam.ListRolesInput{}))(t).Roles; len(r) != 0 {
		t.Errorf("into an account with state: %d roles", len(r))
	}
}

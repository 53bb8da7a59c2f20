package integration

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/rolecall/rolecall/rolecalltest"
)

// The attacks an authorizer must hold against, each tried through the real
// server as an attacker would try it (issue "One authorizer: every
// decision through one path, and no way around it"). Every one got through
// before the authorizer decided on stored entities through one path.

// explicit deny text of an inline (anonymous) identity policy.
func deniedExplicitly(who, action, resource string) string {
	return "User: " + who + " is not authorized to perform: " + action + " on resource: " + resource + " with an explicit deny in an identity-based policy"
}

// TestHoleCaseVariantNames: IAM finds names regardless of case; the
// authorizer evaluates the entity it finds, so a Deny on role/Admin holds
// against "admin", "ADMIN" and every other spelling, on every IAM call
// that names an entity.
func TestHoleCaseVariantNames(t *testing.T) {
	rc := rolecalltest.RunT(t)
	root := clientsFor(rc.Config, nil)
	createRole(t, root.iam, "Admin", func(in *iam.CreateRoleInput) { in.AssumeRolePolicyDocument = aws.String(trustAccount) })
	putRolePolicy(t, root.iam, "Admin", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)
	must(root.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("olive")}))(t)
	must(root.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("member")}))(t)
	must(root.iam.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("Ops")}))(t)
	must(root.iam.CreateInstanceProfile(ctx, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String("Prof")}))(t)
	attacker, _ := newUser(t, root, rc.Config, nil, "attacker", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"*","Resource":"*"},
		{"Effect":"Deny","Action":"*","Resource":["arn:aws:iam::000000000000:role/Admin","arn:aws:iam::000000000000:user/olive",
			"arn:aws:iam::000000000000:group/Ops","arn:aws:iam::000000000000:instance-profile/Prof","arn:aws:iam::000000000000:user/attacker"]}]}`)
	me := userArn + "attacker"
	const allowAll = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`
	checks := []struct {
		name     string
		call     func() error
		action   string
		resource string
	}{
		{"put-user-policy OLIVE", func() error {
			_, err := attacker.iam.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("OLIVE"), PolicyName: aws.String("x"), PolicyDocument: aws.String(allowAll)})
			return err
		}, "iam:PutUserPolicy", "user olive"},
		{"delete-user-policy Attacker (its own Deny)", func() error {
			_, err := attacker.iam.DeleteUserPolicy(ctx, &iam.DeleteUserPolicyInput{UserName: aws.String("Attacker"), PolicyName: aws.String("p")})
			return err
		}, "iam:DeleteUserPolicy", "user attacker"},
		{"update-assume-role-policy admin", func() error {
			_, err := attacker.iam.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("admin"), PolicyDocument: aws.String(trustAccount)})
			return err
		}, "iam:UpdateAssumeRolePolicy", "role Admin"},
		{"attach-role-policy ADMIN", func() error {
			_, err := attacker.iam.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("ADMIN"), PolicyArn: aws.String(adminAccess)})
			return err
		}, "iam:AttachRolePolicy", "role Admin"},
		{"create-access-key OLIVE", func() error {
			_, err := attacker.iam.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("OLIVE")})
			return err
		}, "iam:CreateAccessKey", "user olive"},
		{"add-user-to-group ops", func() error {
			_, err := attacker.iam.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String("ops"), UserName: aws.String("member")})
			return err
		}, "iam:AddUserToGroup", "group Ops"},
		{"put-group-policy OPS", func() error {
			_, err := attacker.iam.PutGroupPolicy(ctx, &iam.PutGroupPolicyInput{GroupName: aws.String("OPS"), PolicyName: aws.String("x"), PolicyDocument: aws.String(allowAll)})
			return err
		}, "iam:PutGroupPolicy", "group Ops"},
		{"add-role-to-instance-profile prof", func() error {
			_, err := attacker.iam.AddRoleToInstanceProfile(ctx, &iam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("prof"), RoleName: aws.String("Admin")})
			return err
		}, "iam:AddRoleToInstanceProfile", "instance profile Prof"},
		{"delete-role-permissions-boundary aDmIn", func() error {
			_, err := attacker.iam.DeleteRolePermissionsBoundary(ctx, &iam.DeleteRolePermissionsBoundaryInput{RoleName: aws.String("aDmIn")})
			return err
		}, "iam:DeleteRolePermissionsBoundary", "role Admin"},
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			wantErr(t, c.call(), 403, "AccessDenied", deniedExplicitly(me, c.action, c.resource))
		})
	}
	// Nothing changed: the trust is root's, olive has no policy.
	names := must(root.iam.ListUserPolicies(ctx, &iam.ListUserPoliciesInput{UserName: aws.String("olive")}))(t).PolicyNames
	if len(names) != 0 {
		t.Errorf("olive's policies %v", names)
	}
}

// TestHoleNotResourceCase: NotResource user/admin* keeps out "ADMIN-X".
func TestHoleNotResourceCase(t *testing.T) {
	rc := rolecalltest.RunT(t)
	root := clientsFor(rc.Config, nil)
	must(root.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("admin-x")}))(t)
	helpdesk, _ := newUser(t, root, rc.Config, nil, "helpdesk", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"iam:CreateAccessKey","NotResource":"arn:aws:iam::000000000000:user/admin*"}]}`)
	_, err := helpdesk.iam.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("ADMIN-X")})
	wantErr(t, err, 403, "AccessDenied", denied(userArn+"helpdesk", "iam:CreateAccessKey", "user admin-x"))
	keys := must(root.iam.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String("admin-x")}))(t).AccessKeyMetadata
	if len(keys) != 0 {
		t.Errorf("admin-x has keys %v", keys)
	}
}

// TestHoleSessionPolicies: a managed session policy limits the session for
// as long as it lasts, deleted or not; one that does not exist fails
// AssumeRole rather than being ignored.
func TestHoleSessionPolicies(t *testing.T) {
	rc := rolecalltest.RunT(t)
	root := clientsFor(rc.Config, nil)
	alice, _ := newUser(t, root, rc.Config, nil, "alice", allowAssumeRole)
	createRole(t, root.iam, "power", func(in *iam.CreateRoleInput) { in.AssumeRolePolicyDocument = aws.String(trustAccount) })
	putRolePolicy(t, root.iam, "power", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:*","Resource":"*"}]}`)
	read := aws.ToString(must(root.iam.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("read"), PolicyDocument: aws.String(allowIAMRead)}))(t).Policy.Arn)
	out := must(alice.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleArn("power")), RoleSessionName: aws.String("s1"),
		PolicyArns: []ststypes.PolicyDescriptorType{{Arn: aws.String(read)}}}))(t)
	session := sessionClients(rc.Config, nil, out.Credentials)
	must(session.iam.ListRoles(ctx, nil))(t)
	const who = "arn:aws:sts::000000000000:assumed-role/power/s1"
	wantSessionDenied := func(err error) {
		t.Helper()
		wantErr(t, err, 403, "AccessDenied", "User: "+who+" is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::000000000000:user/x because no session policy allows the iam:CreateUser action")
	}
	_, err := session.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("x")})
	wantSessionDenied(err)
	must(root.iam.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: aws.String(read)}))(t)
	_, err = session.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("x")})
	wantSessionDenied(err)
	_, err = session.iam.ListRoles(ctx, nil)
	wantErr(t, err, 403, "AccessDenied", "User: "+who+" is not authorized to perform: iam:ListRoles on resource: arn:aws:iam::000000000000:role/ because no session policy allows the iam:ListRoles action")

	_, err = alice.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleArn("power")), RoleSessionName: aws.String("s1"),
		PolicyArns: []ststypes.PolicyDescriptorType{{Arn: aws.String("arn:aws:iam::000000000000:policy/nothing")}}})
	wantErr(t, err, 404, "NoSuchEntity", "Policy arn:aws:iam::000000000000:policy/nothing does not exist or is not attachable.")
}

// TestHoleRecreatedPrincipal: a trust policy keeps the users and roles it
// names by unique ID; a user or role deleted and created again under the
// name is someone else, and GetRole shows the old ID.
func TestHoleRecreatedPrincipal(t *testing.T) {
	rc := rolecalltest.RunT(t)
	root := clientsFor(rc.Config, nil)
	bob, key := newUser(t, root, rc.Config, nil, "bob", allowAssumeRole)
	bobID := aws.ToString(must(root.iam.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("bob")}))(t).User.UserId)
	createRole(t, root.iam, "chain", func(in *iam.CreateRoleInput) { in.AssumeRolePolicyDocument = aws.String(trustAccount) })
	putRolePolicy(t, root.iam, "chain", allowAssumeRole)
	chainID := aws.ToString(must(root.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("chain")}))(t).Role.RoleId)
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::000000000000:user/bob","arn:aws:iam::000000000000:role/chain"]},"Action":"sts:AssumeRole"}]}`
	createRole(t, root.iam, "vault", func(in *iam.CreateRoleInput) { in.AssumeRolePolicyDocument = aws.String(trust) })
	must(bob.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleArn("vault")), RoleSessionName: aws.String("bob")}))(t)

	// bob leaves; a new bob arrives.
	must(root.iam.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: aws.String("bob"), AccessKeyId: key.AccessKeyId}))(t)
	must(root.iam.DeleteUserPolicy(ctx, &iam.DeleteUserPolicyInput{UserName: aws.String("bob"), PolicyName: aws.String("p")}))(t)
	must(root.iam.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("bob")}))(t)
	newBob, _ := newUser(t, root, rc.Config, nil, "bob", allowAssumeRole)
	_, err := newBob.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleArn("vault")), RoleSessionName: aws.String("bob")})
	wantErr(t, err, 403, "AccessDenied", "User: arn:aws:iam::000000000000:user/bob is not authorized to perform: sts:AssumeRole on resource: "+roleArn("vault"))
	doc := decoded(t, must(root.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("vault")}))(t).Role.AssumeRolePolicyDocument)
	if want := strings.Replace(trust, "arn:aws:iam::000000000000:user/bob", bobID, 1); doc != want {
		t.Errorf("trust after bob left:\n%s\nwant\n%s", doc, want)
	}

	// The same for a role.
	must(root.iam.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String("chain"), PolicyName: aws.String("p")}))(t)
	must(root.iam.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("chain")}))(t)
	createRole(t, root.iam, "chain", func(in *iam.CreateRoleInput) { in.AssumeRolePolicyDocument = aws.String(trustAccount) })
	putRolePolicy(t, root.iam, "chain", allowAssumeRole)
	alice, _ := newUser(t, root, rc.Config, nil, "alice", allowAssumeRole)
	out := must(alice.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleArn("chain")), RoleSessionName: aws.String("a1")}))(t)
	_, err = sessionClients(rc.Config, nil, out.Credentials).sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleArn("vault")), RoleSessionName: aws.String("a1")})
	wantErr(t, err, 403, "AccessDenied", "User: arn:aws:sts::000000000000:assumed-role/chain/a1 is not authorized to perform: sts:AssumeRole on resource: "+roleArn("vault"))
	doc = decoded(t, must(root.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("vault")}))(t).Role.AssumeRolePolicyDocument)
	if !strings.Contains(doc, `"`+chainID+`"`) || !strings.Contains(doc, `"`+bobID+`"`) {
		t.Errorf("trust after chain was recreated: %s", doc)
	}
}

// TestHoleCrossAccountPassRole: the root user of account B may not hand
// account A's role to ECS, nor may B's users; B's root may not assume it
// either ("Roles may not be assumed by root accounts."), and no one in B
// may act on A's ECS resources.
func TestHoleCrossAccountPassRole(t *testing.T) {
	e := newECSEnv(t)
	admin := e.role(t, "admin", ecsTasksTrust)
	must(e.iam.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("admin"), PolicyArn: aws.String(adminAccess)}))(t)
	must(e.ecs.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("a-cluster")}))(t)

	bCfg := withCreds(e.rc.Config, "111122223333", "test", "")
	bECS := ecs.NewFromConfig(bCfg)
	must(bECS.CreateCluster(ctx, &ecs.CreateClusterInput{}))(t)
	const bRoot = "arn:aws:iam::111122223333:root"
	passDenied := "User: " + bRoot + " is not authorized to perform: iam:PassRole on resource: " + admin + " because no resource-based policy allows the iam:PassRole action"
	_, err := bECS.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{Family: aws.String("steal"), TaskRoleArn: aws.String(admin),
		RequiresCompatibilities: []ecstypes.Compatibility{ecstypes.CompatibilityFargate}, NetworkMode: ecstypes.NetworkModeAwsvpc,
		Cpu: aws.String("256"), Memory: aws.String("512"), ContainerDefinitions: []ecstypes.ContainerDefinition{{Name: aws.String("x"), Image: aws.String("x")}}})
	wantErr(t, err, 400, "AccessDeniedException", passDenied)
	// Nor as a RunTask override of a task definition of its own.
	fargateTaskDef(t, bECS, "mine")
	_, err = bECS.RunTask(ctx, &ecs.RunTaskInput{TaskDefinition: aws.String("mine"), LaunchType: ecstypes.LaunchTypeFargate, NetworkConfiguration: awsvpcNet,
		Overrides: &ecstypes.TaskOverride{TaskRoleArn: aws.String(admin)}})
	wantErr(t, err, 400, "AccessDeniedException", passDenied)

	// B's user with iam:PassRole on everything: denied as well.
	bRootClients := clientsFor(bCfg, nil)
	bDev, _ := newUser(t, bRootClients, bCfg, nil, "dev", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:PassRole","ecs:*","sts:AssumeRole"],"Resource":"*"}]}`)
	_, err = ecsOf(t, e.rc, bDev).RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{Family: aws.String("steal"), TaskRoleArn: aws.String(admin),
		ContainerDefinitions: []ecstypes.ContainerDefinition{{Name: aws.String("x"), Image: aws.String("x"), Memory: aws.Int32(128)}}})
	wantErr(t, err, 400, "AccessDeniedException", "User: arn:aws:iam::111122223333:user/dev is not authorized to perform: iam:PassRole on resource: "+admin+" because no resource-based policy allows the iam:PassRole action")

	// B's root may not assume A's role; B's user may not without A's trust.
	_, err = bRootClients.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(admin), RoleSessionName: aws.String("x1")})
	wantErr(t, err, 403, "AccessDenied", "Roles may not be assumed by root accounts.")
	_, err = bDev.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(admin), RoleSessionName: aws.String("x1")})
	wantErr(t, err, 403, "AccessDenied", "User: arn:aws:iam::111122223333:user/dev is not authorized to perform: sts:AssumeRole on resource: "+admin)

	// A's resources, named by ARN from B.
	_, err = bECS.DescribeClusters(ctx, &ecs.DescribeClustersInput{Clusters: []string{clusterARN("us-east-1", "a-cluster")}})
	wantErr(t, err, 400, "AccessDeniedException", "User: "+bRoot+" is not authorized to perform: ecs:DescribeClusters on resource: "+clusterARN("us-east-1", "a-cluster")+" because no resource-based policy allows the ecs:DescribeClusters action")
	_, err = clientsFor(bCfg, nil).iam.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String("arn:aws:iam::000000000000:policy/anything")})
	wantErr(t, err, 403, "AccessDenied", "User: "+bRoot+" is not authorized to perform: iam:GetPolicy on resource: policy arn:aws:iam::000000000000:policy/anything because no resource-based policy allows the iam:GetPolicy action")
}

// TestHoleTrustConditions: AssumeRole is decided with the request context
// every other call has: aws:SourceIp and aws:SecureTransport mean the same
// in a trust policy as in an identity policy.
func TestHoleTrustConditions(t *testing.T) {
	rc := rolecalltest.RunT(t)
	root := clientsFor(rc.Config, nil)
	alice, _ := newUser(t, root, rc.Config, nil, "alice", allowAssumeRole)
	trust := func(cond string) string {
		return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:root"},"Action":"sts:AssumeRole","Condition":` + cond + `}]}`
	}
	cases := []struct {
		name, cond string
		allowed    bool
	}{
		{"from loopback", `{"IpAddress":{"aws:SourceIp":"127.0.0.0/8"}}`, true},
		{"from elsewhere", `{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}`, false},
		{"plain HTTP", `{"Bool":{"aws:SecureTransport":"false"}}`, true},
		{"TLS only", `{"Bool":{"aws:SecureTransport":"true"}}`, false},
		{"region signed for", `{"StringEquals":{"aws:RequestedRegion":"us-east-1"}}`, true},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			name := "r" + string(rune('a'+i))
			createRole(t, root.iam, name, func(in *iam.CreateRoleInput) { in.AssumeRolePolicyDocument = aws.String(trust(c.cond)) })
			_, err := alice.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleArn(name)), RoleSessionName: aws.String("s1")})
			if c.allowed {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			wantErr(t, err, 403, "AccessDenied", "User: arn:aws:iam::000000000000:user/alice is not authorized to perform: sts:AssumeRole on resource: "+roleArn(name))
		})
	}
}

// TestHoleAssumeRoleEnforceModes: --enforce applies to AssumeRole as to
// every decision: audit lets an untrusted AssumeRole through and says what
// AWS would answer; off decides nothing. A denied AssumeRole is recorded
// and explained.
func TestHoleAssumeRoleEnforceModes(t *testing.T) {
	for _, mode := range []rolecalltest.EnforceMode{rolecalltest.EnforceOn, rolecalltest.EnforceAudit, rolecalltest.EnforceOff} {
		t.Run(string(mode), func(t *testing.T) {
			rc := rolecalltest.RunT(t, rolecalltest.WithEnforce(mode))
			root := clientsFor(rc.Config, nil)
			alice, _ := newUser(t, root, rc.Config, nil, "alice", "")
			createRole(t, root.iam, "app", func(in *iam.CreateRoleInput) { in.AssumeRolePolicyDocument = aws.String(ec2Trust) })
			var header http.Header
			out, err := alice.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleArn("app")), RoleSessionName: aws.String("s1")},
				func(o *sts.Options) { o.APIOptions = append(o.APIOptions, captureHeaders(&header)) })
			msg := "User: arn:aws:iam::000000000000:user/alice is not authorized to perform: sts:AssumeRole on resource: " + roleArn("app")
			switch mode {
			case rolecalltest.EnforceOn:
				wantErr(t, err, 403, "AccessDenied", msg)
				var re *awshttp.ResponseError
				if !errors.As(err, &re) {
					t.Fatal(err)
				}
				d := decision(t, rc, re.ServiceRequestID())
				if d.Action != "sts:AssumeRole" || d.Decision != "implicitDeny" || d.Message != msg || d.Resources[0] != roleArn("app") {
					t.Errorf("decision %+v", d)
				}
			case rolecalltest.EnforceAudit:
				if err != nil {
					t.Fatal(err)
				}
				if got := header.Values("X-Rolecall-Would-Deny"); len(got) != 1 || got[0] != msg {
					t.Errorf("X-Rolecall-Would-Deny %q", got)
				}
				id, _ := awsmiddleware.GetRequestIDMetadata(out.ResultMetadata)
				if d := decision(t, rc, id); d.Enforced || d.Action != "sts:AssumeRole" {
					t.Errorf("decision %+v", d)
				}
			case rolecalltest.EnforceOff:
				if err != nil || out.Credentials == nil {
					t.Fatalf("off: %v", err)
				}
			}
		})
	}
}

// captureHeaders keeps the response's headers.
func captureHeaders(h *http.Header) func(*middleware.Stack) error {
	return func(s *middleware.Stack) error {
		return s.Deserialize.Add(middleware.DeserializeMiddlewareFunc("captureHeaders", func(ctx2 context.Context, in middleware.DeserializeInput, next middleware.DeserializeHandler) (middleware.DeserializeOutput, middleware.Metadata, error) {
			out, md, err := next.HandleDeserialize(ctx2, in)
			if r, ok := out.RawResponse.(*smithyhttp.Response); ok {
				*h = r.Header
			}
			return out, md, err
		}), middleware.After)
	}
}

// TestHoleECSSourceKeys: ECS sends aws:SourceAccount and aws:SourceArn when
// it assumes a task role, so the trust policy the ECS developer guide
// recommends lets the task run; one naming another account stops it, and
// the RunTask's request id explains the stop.
func TestHoleECSSourceKeys(t *testing.T) {
	e := newECSEnv(t)
	must(e.ecs.CreateCluster(ctx, &ecs.CreateClusterInput{}))(t)
	guarded := func(account string) string {
		return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole",
			"Condition":{"StringEquals":{"aws:SourceAccount":"` + account + `"},"ArnLike":{"aws:SourceArn":"arn:aws:ecs:us-east-1:` + account + `:*"}}}]}`
	}
	ok := e.role(t, "guarded", guarded(account))
	fargateTaskDef(t, e.ecs, "ok", func(in *ecs.RegisterTaskDefinitionInput) { in.TaskRoleArn = aws.String(ok) })
	task := must(e.ecs.RunTask(ctx, &ecs.RunTaskInput{TaskDefinition: aws.String("ok"), LaunchType: ecstypes.LaunchTypeFargate, NetworkConfiguration: awsvpcNet}))(t).Tasks[0]
	e.clock.Advance(time.Second)
	got := must(e.ecs.DescribeTasks(ctx, &ecs.DescribeTasksInput{Tasks: []string{aws.ToString(task.TaskArn)}}))(t).Tasks[0]
	if aws.ToString(got.LastStatus) != "RUNNING" {
		t.Fatalf("task with the guide's trust policy: %s %q", aws.ToString(got.LastStatus), aws.ToString(got.StoppedReason))
	}

	elsewhere := e.role(t, "elsewhere", guarded("111122223333"))
	fargateTaskDef(t, e.ecs, "no", func(in *ecs.RegisterTaskDefinitionInput) { in.TaskRoleArn = aws.String(elsewhere) })
	run, err := e.ecs.RunTask(ctx, &ecs.RunTaskInput{TaskDefinition: aws.String("no"), LaunchType: ecstypes.LaunchTypeFargate, NetworkConfiguration: awsvpcNet})
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Second)
	got = must(e.ecs.DescribeTasks(ctx, &ecs.DescribeTasksInput{Tasks: []string{aws.ToString(run.Tasks[0].TaskArn)}}))(t).Tasks[0]
	if aws.ToString(got.LastStatus) != "STOPPED" || aws.ToString(got.StoppedReason) != unableToAssumeText(elsewhere) {
		t.Errorf("task: %s %q", aws.ToString(got.LastStatus), aws.ToString(got.StoppedReason))
	}
	id, _ := awsmiddleware.GetRequestIDMetadata(run.ResultMetadata)
	d := decision(t, e.rc, id)
	if d.Principal != "ecs-tasks.amazonaws.com" || d.Action != "sts:AssumeRole" || d.Decision != "implicitDeny" || d.Resources[0] != elsewhere {
		t.Errorf("the launch's decision %+v", d)
	}
}

// TestHoleIAMRequestedRegion: IAM is global; aws:RequestedRegion on an IAM
// call is us-east-1 whatever Region the client signed for.
func TestHoleIAMRequestedRegion(t *testing.T) {
	rc := rolecalltest.RunT(t)
	root := clientsFor(rc.Config, nil)
	createRole(t, root.iam, "app")
	cond := func(region string) string {
		return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetRole","Resource":"*","Condition":{"StringEquals":{"aws:RequestedRegion":"` + region + `"}}}]}`
	}
	east, _ := newUser(t, root, rc.Config, nil, "east", cond("us-east-1"))
	west, _ := newUser(t, root, rc.Config, nil, "west", cond("eu-west-1"))
	inWest := func(c clients) *iam.Client {
		return iam.New(c.iam.Options(), func(o *iam.Options) { o.Region = "eu-west-1" })
	}
	must(inWest(east).GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("app")}))(t)
	_, err := inWest(west).GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("app")})
	wantErr(t, err, 403, "AccessDenied", denied(userArn+"west", "iam:GetRole", "role app"))
}

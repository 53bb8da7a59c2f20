package integration

import (
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/rolecall/rolecall/rolecalltest"
)

// GetAccountAuthorizationDetails through aws-sdk-go-v2: every user, group,
// role and managed policy with their documents, filtered and paged as the
// other IAM listings are.

// detailNames flattens one answer into "kind:name" entries, in order.
func detailNames(o *iam.GetAccountAuthorizationDetailsOutput) []string {
	var out []string
	for _, u := range o.UserDetailList {
		out = append(out, "u:"+aws.ToString(u.UserName))
	}
	for _, g := range o.GroupDetailList {
		out = append(out, "g:"+aws.ToString(g.GroupName))
	}
	for _, r := range o.RoleDetailList {
		out = append(out, "r:"+aws.ToString(r.RoleName))
	}
	for _, p := range o.Policies {
		out = append(out, "p:"+aws.ToString(p.Arn))
	}
	return out
}

func detailsPage(o *iam.GetAccountAuthorizationDetailsOutput) page {
	return page{detailNames(o), o.IsTruncated, o.Marker}
}

// A document with characters IAM percent-encodes: spaces, '+', '/', '*',
// '$', '{', quotes, and non-ASCII.
const oddDoc = `{"Version": "2012-10-17", "Statement": [{"Sid": "Odd", "Effect": "Allow", "Action": "s3:GetObject", ` +
	`"Resource": "arn:aws:s3:::bucket/a b+c/${aws:username}/*", "Condition": {"StringLike": {"s3:prefix": ["é/~x"]}}}]}`

func TestAuthorizationDetails(t *testing.T) {
	c := newIAM(t)
	const local = "arn:aws:iam::" + account + ":policy/"
	const taskExec = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
	createRole(t, c, "app", func(in *iam.CreateRoleInput) {
		in.Path = aws.String("/ecs/")
		in.Tags = []types.Tag{{Key: aws.String("team"), Value: aws.String("core")}}
	})
	must(c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("app"), PolicyName: aws.String("odd"), PolicyDocument: aws.String(oddDoc)}))(t)
	must(c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("app"), PolicyArn: aws.String(taskExec)}))(t)
	must(c.CreateInstanceProfile(ctx, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String("app-ip")}))(t)
	must(c.AddRoleToInstanceProfile(ctx, &iam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("app-ip"), RoleName: aws.String("app")}))(t)
	must(c.CreateServiceLinkedRole(ctx, &iam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("ecs.amazonaws.com")}))(t)
	must(c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("deploy"), PolicyDocument: aws.String(s3ReadPolicy)}))(t)
	must(c.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: aws.String(local + "deploy"), PolicyDocument: aws.String(oddDoc), SetAsDefault: true}))(t)
	must(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("alice"), PermissionsBoundary: aws.String(local + "deploy")}))(t)
	must(c.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("devs")}))(t)
	must(c.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String("devs"), UserName: aws.String("alice")}))(t)
	must(c.PutGroupPolicy(ctx, &iam.PutGroupPolicyInput{GroupName: aws.String("devs"), PolicyName: aws.String("g"), PolicyDocument: aws.String(s3ReadPolicy)}))(t)
	must(c.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("alice"), PolicyArn: aws.String(local + "deploy")}))(t)

	out := must(c.GetAccountAuthorizationDetails(ctx, &iam.GetAccountAuthorizationDetailsInput{}))(t)
	// AWS managed policies only when attached (AmazonECSServiceRolePolicy
	// to the service-linked role), customer managed ones always.
	want := []string{"u:alice", "g:devs", "r:app", "r:AWSServiceRoleForECS",
		"p:arn:aws:iam::aws:policy/aws-service-role/AmazonECSServiceRolePolicy", "p:" + taskExec, "p:" + local + "deploy"}
	if got := detailNames(out); !slices.Equal(got, want) || out.IsTruncated || out.Marker != nil {
		t.Fatalf("listed %v (truncated %v)\nwant   %v", got, out.IsTruncated, want)
	}

	// Documents are URL-encoded exactly as GetRole, GetRolePolicy,
	// GetGroupPolicy and GetPolicyVersion encode them, and decode to what
	// was written.
	role := out.RoleDetailList[0]
	getRole := must(c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("app")}))(t).Role
	if aws.ToString(role.AssumeRolePolicyDocument) != aws.ToString(getRole.AssumeRolePolicyDocument) || decoded(t, role.AssumeRolePolicyDocument) != ecsTasksTrust {
		t.Errorf("trust policy %s", aws.ToString(role.AssumeRolePolicyDocument))
	}
	inline := must(c.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String("app"), PolicyName: aws.String("odd")}))(t)
	if len(role.RolePolicyList) != 1 || aws.ToString(role.RolePolicyList[0].PolicyDocument) != aws.ToString(inline.PolicyDocument) ||
		decoded(t, role.RolePolicyList[0].PolicyDocument) != oddDoc {
		t.Errorf("inline policy %+v", role.RolePolicyList)
	}
	if raw := aws.ToString(role.RolePolicyList[0].PolicyDocument); !strings.HasPrefix(raw, "%7B%22Version%22%3A%20%222012-10-17%22") || strings.ContainsAny(raw, ` +{}"$é`) {
		t.Errorf("inline policy not percent-encoded as IAM does: %s", raw)
	}
	if aws.ToString(role.Path) != "/ecs/" || aws.ToString(role.Arn) != "arn:aws:iam::"+account+":role/ecs/app" || !strings.HasPrefix(aws.ToString(role.RoleId), "AROA") ||
		len(role.Tags) != 1 || aws.ToString(role.Tags[0].Value) != "core" || role.RoleLastUsed == nil || role.RoleLastUsed.LastUsedDate != nil ||
		role.PermissionsBoundary != nil || len(role.AttachedManagedPolicies) != 1 || aws.ToString(role.AttachedManagedPolicies[0].PolicyArn) != taskExec {
		t.Errorf("role %+v", role)
	}
	if len(role.InstanceProfileList) != 1 || aws.ToString(role.InstanceProfileList[0].InstanceProfileName) != "app-ip" ||
		len(role.InstanceProfileList[0].Roles) != 1 || decoded(t, role.InstanceProfileList[0].Roles[0].AssumeRolePolicyDocument) != ecsTasksTrust {
		t.Errorf("instance profiles %+v", role.InstanceProfileList)
	}
	slr := out.RoleDetailList[1]
	if aws.ToString(slr.Path) != "/aws-service-role/ecs.amazonaws.com/" ||
		aws.ToString(slr.Arn) != "arn:aws:iam::"+account+":role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS" ||
		!strings.Contains(decoded(t, slr.AssumeRolePolicyDocument), `"Service":"ecs.amazonaws.com"`) {
		t.Errorf("service-linked role %+v", slr)
	}

	alice := out.UserDetailList[0]
	if !slices.Equal(alice.GroupList, []string{"devs"}) || alice.PermissionsBoundary == nil ||
		aws.ToString(alice.PermissionsBoundary.PermissionsBoundaryArn) != local+"deploy" ||
		len(alice.AttachedManagedPolicies) != 1 || len(alice.UserPolicyList) != 0 {
		t.Errorf("user %+v", alice)
	}
	devs := out.GroupDetailList[0]
	groupPolicy := must(c.GetGroupPolicy(ctx, &iam.GetGroupPolicyInput{GroupName: aws.String("devs"), PolicyName: aws.String("g")}))(t)
	if len(devs.GroupPolicyList) != 1 || aws.ToString(devs.GroupPolicyList[0].PolicyDocument) != aws.ToString(groupPolicy.PolicyDocument) ||
		decoded(t, devs.GroupPolicyList[0].PolicyDocument) != s3ReadPolicy {
		t.Errorf("group %+v", devs)
	}

	deploy := out.Policies[2]
	if aws.ToString(deploy.DefaultVersionId) != "v2" || aws.ToInt32(deploy.AttachmentCount) != 1 || aws.ToInt32(deploy.PermissionsBoundaryUsageCount) != 1 ||
		!deploy.IsAttachable || len(deploy.PolicyVersionList) != 2 || deploy.Description != nil {
		t.Fatalf("policy %+v", deploy)
	}
	for _, v := range deploy.PolicyVersionList {
		gv := must(c.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: aws.String(local + "deploy"), VersionId: v.VersionId}))(t).PolicyVersion
		if aws.ToString(v.Document) != aws.ToString(gv.Document) || v.IsDefaultVersion != gv.IsDefaultVersion || !v.CreateDate.Equal(*gv.CreateDate) {
			t.Errorf("version %s: %+v, GetPolicyVersion %+v", aws.ToString(v.VersionId), v, gv)
		}
	}
	if decoded(t, deploy.PolicyVersionList[0].Document) != oddDoc || decoded(t, deploy.PolicyVersionList[1].Document) != s3ReadPolicy {
		t.Errorf("versions %+v", deploy.PolicyVersionList)
	}
	aws1 := out.Policies[1]
	gv := must(c.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: aws.String(taskExec), VersionId: aws1.DefaultVersionId}))(t).PolicyVersion
	var def *types.PolicyVersion
	for i := range aws1.PolicyVersionList {
		if aws1.PolicyVersionList[i].IsDefaultVersion {
			def = &aws1.PolicyVersionList[i]
		}
	}
	if aws.ToInt32(aws1.AttachmentCount) != 1 || def == nil || aws.ToString(def.Document) != aws.ToString(gv.Document) {
		t.Errorf("AWS managed policy %+v", aws1)
	}

	// Filters: only the entity types named.
	for _, tc := range []struct {
		filter []types.EntityType
		want   []string
	}{
		{[]types.EntityType{types.EntityTypeUser}, want[:1]},
		{[]types.EntityType{types.EntityTypeGroup}, want[1:2]},
		{[]types.EntityType{types.EntityTypeRole}, want[2:4]},
		{[]types.EntityType{types.EntityTypeAWSManagedPolicy}, want[4:6]},
		{[]types.EntityType{types.EntityTypeLocalManagedPolicy}, want[6:]},
		{[]types.EntityType{types.EntityTypeLocalManagedPolicy, types.EntityTypeUser}, []string{want[0], want[6]}},
	} {
		o := must(c.GetAccountAuthorizationDetails(ctx, &iam.GetAccountAuthorizationDetailsInput{Filter: tc.filter}))(t)
		if got := detailNames(o); !slices.Equal(got, tc.want) {
			t.Errorf("Filter %v: %v, want %v", tc.filter, got, tc.want)
		}
	}

	_, err := c.GetAccountAuthorizationDetails(ctx, &iam.GetAccountAuthorizationDetailsInput{Filter: []types.EntityType{"Users"}})
	wantErr(t, err, 400, "ValidationError", "1 validation error detected: Value at 'filter' failed to satisfy constraint: "+
		"Member must satisfy constraint: [Member must satisfy enum value set, Member must not be null]")
	_, err = c.GetAccountAuthorizationDetails(ctx, &iam.GetAccountAuthorizationDetailsInput{MaxItems: aws.Int32(0)})
	wantErr(t, err, 400, "ValidationError", "1 validation error detected: Value at 'maxItems' failed to satisfy constraint: Member must have value greater than or equal to 1")
	_, err = c.GetAccountAuthorizationDetails(ctx, &iam.GetAccountAuthorizationDetailsInput{Marker: aws.String("not-a-marker")})
	invalidMarker(t, err)
	rm := must(c.ListRoles(ctx, &iam.ListRolesInput{MaxItems: aws.Int32(1)}))(t).Marker
	_, err = c.GetAccountAuthorizationDetails(ctx, &iam.GetAccountAuthorizationDetailsInput{Marker: rm})
	invalidMarker(t, err)
}

// Many entities of every kind, paged in small steps by the SDK's
// paginator: every entity once, in the order of one call.
func TestPaginationAuthorizationDetails(t *testing.T) {
	c := newIAM(t)
	for i := range 12 {
		n := itoa(i)
		createRole(t, c, "Role-"+n)
		must(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("user-" + n)}))(t)
		if i%2 == 0 {
			must(c.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("group-" + n)}))(t)
			must(c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("policy-" + n), PolicyDocument: aws.String(s3ReadPolicy)}))(t)
		}
	}
	// One small AWS managed policy (ReadOnlyAccess, with every version,
	// is megabytes a page).
	must(c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("Role-3"), PolicyArn: aws.String("arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy")}))(t)
	for _, filter := range [][]types.EntityType{nil, {types.EntityTypeRole}, {types.EntityTypeGroup, types.EntityTypeAWSManagedPolicy, types.EntityTypeLocalManagedPolicy}} {
		one := must(c.GetAccountAuthorizationDetails(ctx, &iam.GetAccountAuthorizationDetailsInput{Filter: filter, MaxItems: aws.Int32(1000)}))(t)
		whole := detailNames(one)
		if filter == nil && len(whole) != 12+12+6+1+6 {
			t.Fatalf("one call lists %d: %v", len(whole), whole)
		}
		for _, limit := range []int32{1, 2, 5, 13} {
			got, pages := drain(t, int(limit), iam.NewGetAccountAuthorizationDetailsPaginator(c, &iam.GetAccountAuthorizationDetailsInput{Filter: filter},
				func(o *iam.GetAccountAuthorizationDetailsPaginatorOptions) { o.Limit = limit }), detailsPage)
			wantList(t, "GetAccountAuthorizationDetails by "+itoa(int(limit)), got, whole, pages, (len(whole)+int(limit)-1)/int(limit))
		}
	}
}

// Authorized as iam:GetAccountAuthorizationDetails on "*" by the one
// authorizer; an account's answer holds nothing of another account.
func TestAuthorizationDetailsAccess(t *testing.T) {
	rc := rolecalltest.RunT(t)
	root := clientsFor(rc.Config, nil)
	createRole(t, root.iam, "a-role")
	must(root.iam.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("a-policy"), PolicyDocument: aws.String(s3ReadPolicy)}))(t)
	must(root.iam.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("a-role"), PolicyArn: aws.String("arn:aws:iam::aws:policy/AWSDenyAll")}))(t)

	dev, _ := newUser(t, root, rc.Config, nil, "dev", allowOwnUser)
	_, err := dev.iam.GetAccountAuthorizationDetails(ctx, &iam.GetAccountAuthorizationDetailsInput{})
	wantErr(t, err, 403, "AccessDenied", denied(userArn+"dev", "iam:GetAccountAuthorizationDetails", "*"))
	_, err = dev.iam.GetAccountAuthorizationDetails(ctx, &iam.GetAccountAuthorizationDetailsInput{Filter: []types.EntityType{types.EntityTypeRole}, MaxItems: aws.Int32(1)})
	wantErr(t, err, 403, "AccessDenied", denied(userArn+"dev", "iam:GetAccountAuthorizationDetails", "*"))

	// iam:Get* allows it, and the reader sees itself and dev.
	reader, _ := newUser(t, root, rc.Config, nil, "reader", allowIAMRead)
	got := detailNames(must(reader.iam.GetAccountAuthorizationDetails(ctx, &iam.GetAccountAuthorizationDetailsInput{}))(t))
	want := []string{"u:dev", "u:reader", "r:a-role", "p:arn:aws:iam::aws:policy/AWSDenyAll", "p:arn:aws:iam::" + account + ":policy/a-policy"}
	if !slices.Equal(got, want) {
		t.Errorf("reader sees %v, want %v", got, want)
	}
	// Denied explicitly, even with iam:Get* allowed.
	must(root.iam.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("reader"), PolicyName: aws.String("no-export"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"iam:GetAccountAuthorizationDetails","Resource":"*"}]}`)}))(t)
	_, err = reader.iam.GetAccountAuthorizationDetails(ctx, &iam.GetAccountAuthorizationDetailsInput{})
	wantErr(t, err, 403, "AccessDenied", deniedExplicitly(userArn+"reader", "iam:GetAccountAuthorizationDetails", "*"))

	// Account B's root sees B's entities only; A's marker names nothing of
	// A in B.
	b := clientsFor(withCreds(rc.Config, "111122223333", "test", ""), nil)
	out := must(b.iam.GetAccountAuthorizationDetails(ctx, &iam.GetAccountAuthorizationDetailsInput{}))(t)
	if got := detailNames(out); len(got) != 0 || out.IsTruncated {
		t.Errorf("account B sees %v", got)
	}
	createRole(t, b.iam, "b-role")
	out = must(b.iam.GetAccountAuthorizationDetails(ctx, &iam.GetAccountAuthorizationDetailsInput{}))(t)
	if got := detailNames(out); !slices.Equal(got, []string{"r:b-role"}) || !strings.HasPrefix(aws.ToString(out.RoleDetailList[0].Arn), "arn:aws:iam::111122223333:role/") {
		t.Errorf("account B sees %v", got)
	}
	aPage := must(root.iam.GetAccountAuthorizationDetails(ctx, &iam.GetAccountAuthorizationDetailsInput{MaxItems: aws.Int32(1)}))(t)
	out = must(b.iam.GetAccountAuthorizationDetails(ctx, &iam.GetAccountAuthorizationDetailsInput{Marker: aPage.Marker}))(t)
	for _, n := range detailNames(out) {
		if n != "r:b-role" {
			t.Errorf("account B, with A's marker, sees %s", n)
		}
	}
}

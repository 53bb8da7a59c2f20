package actions

import (
	"strings"
	"testing"
)

func TestMatchResourceType(t *testing.T) {
	for _, tc := range []struct {
		action, arn string
		want        string // resource type name; "" for no match
	}{
		{"iam:PassRole", "arn:aws:iam::123456789012:role/my-role", "role"},
		{"iam:PassRole", "arn:aws:iam::123456789012:role/service-role/ecsTaskExecutionRole", "role"},
		{"iam:PassRole", "arn:aws-cn:iam::123456789012:role/r", "role"},
		{"iam:PassRole", "arn:aws:iam::123456789012:role/", ""}, // placeholders match non-empty
		{"iam:PassRole", "arn:aws:iam::123456789012:user/bob", ""},
		{"iam:PassRole", "arn:aws:iam::123456789012:assumed-role/r/s", ""},
		{"iam:PassRole", "arn:aws:iam:us-east-1:123456789012:role/r", ""}, // IAM ARNs have no region
		{"iam:PassRole", "arn:aws:iam::123456789012", ""},
		{"iam:PassRole", "not an arn", ""},
		{"iam:PassRole", "", ""},
		{"iam:CreateServiceLinkedRole", "arn:aws:iam::123456789012:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS", "role"},
		{"iam:GetPolicy", "arn:aws:iam::aws:policy/AdministratorAccess", "policy"},
		{"iam:GetPolicy", "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy", "policy"},
		{"iam:ListRoles", "arn:aws:iam::123456789012:role/r", ""}, // no resource types: Resource "*" only
		{"sts:AssumeRole", "arn:aws:iam::123456789012:role/deploy", "role"},
		{"ecs:CreateService", "arn:aws:ecs:us-east-1:123456789012:service/default/web", "service"},
		{"ecs:CreateService", "arn:aws:ecs:us-east-1:123456789012:service/web", ""}, // old ARN format has no cluster
		{"ecs:RunTask", "arn:aws:ecs:us-east-1:123456789012:task-definition/web:3", "task-definition"},
		{"ecs:TagResource", "arn:aws:ecs:us-east-1:123456789012:cluster/default", "cluster"},
		{"ecs:TagResource", "arn:aws:ecs:us-east-1:123456789012:task/default/0123456789abcdef0123456789abcdef", "task"},
		{"ecs:TagResource", "arn:aws:ecs:us-east-1:123456789012:task-definition/web:3", "task-definition"},
		{"ecs:TagResource", "arn:aws:ecs:us-east-1:123456789012:container-instance/default/abc", "container-instance"},
		{"ecs:TagResource", "arn:aws:ecs:us-east-1:123456789012:task-set/default/web/ecs-svc/123", "task-set"},
		{"s3:GetObject", "arn:aws:s3:::bucket/a/b/c.txt", "object"},
		{"s3:GetObject", "arn:aws:s3:::bucket/key:with:colons", "object"},
		{"s3:ListBucket", "arn:aws:s3:::bucket", "bucket"},
		// The last placeholder takes the rest, '/' included: names with
		// paths are common (log groups, secrets, SSM parameters, S3 keys)
		// and the format does not say which allow it. So an object ARN
		// passes for a bucket when the action lists no object type.
		{"s3:ListBucket", "arn:aws:s3:::bucket/key", "bucket"},
		{"ecs:CreateService", "arn:aws:ecs:us-east-1:123456789012:service/default/web/x", "service"},
		{"lambda:InvokeFunction", "arn:aws:lambda:us-east-1:123456789012:function:f", "function"},
		// The last placeholder takes the rest, so a qualified ARN still
		// matches the function format when that is all the action lists.
		{"lambda:InvokeFunction", "arn:aws:lambda:us-east-1:123456789012:function:f:PROD", "function"},
	} {
		a, ok := Lookup(tc.action)
		if !ok {
			t.Fatalf("no action %s", tc.action)
		}
		got, ok := a.MatchResourceType(tc.arn)
		if ok != (tc.want != "") || got.Name != tc.want {
			t.Errorf("%s.MatchResourceType(%q) = %q, %v; want %q", tc.action, tc.arn, got.Name, ok, tc.want)
		}
	}
}

func TestResourceTypeOf(t *testing.T) {
	for _, tc := range []struct{ arn, service, want string }{
		{"arn:aws:iam::123456789012:role/r", "iam", "role"},
		{"arn:aws:iam::123456789012:user/path/u", "iam", "user"},
		{"arn:aws:iam::123456789012:instance-profile/ip", "iam", "instance-profile"},
		{"arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com", "iam", "oidc-provider"},
		{"arn:aws:ecs:eu-west-1:123456789012:cluster/c", "ecs", "cluster"},
		{"arn:aws:ecs:eu-west-1:123456789012:service/c/s", "ecs", "service"},
		// Specificity: the alias format has more literal text than the
		// function format, and it is listed before the version format.
		{"arn:aws:lambda:us-east-1:123456789012:function:f:PROD", "lambda", "function alias"},
		{"arn:aws:lambda:us-east-1:123456789012:function:f", "lambda", "function"},
		{"arn:aws:nosuchservice:us-east-1:123456789012:thing/x", "", ""},
		{"arn:aws:iam::123456789012:nosuchtype/x", "", ""},
		{"arn:aws", "", ""},
	} {
		got, ok := ResourceTypeOf(tc.arn)
		if ok != (tc.want != "") || got.Name != tc.want || got.Service != tc.service {
			t.Errorf("ResourceTypeOf(%q) = %s %q, %v; want %s %q", tc.arn, got.Service, got.Name, ok, tc.service, tc.want)
		}
	}
}

func TestMatchARN(t *testing.T) {
	for _, tc := range []struct {
		format, arn string
		want        bool
	}{
		{"arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}", "arn:aws:iam::1:role/a/b/c", true},
		{"arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}", "arn:aws:iam:::role/a", false}, // empty account
		{"arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}", "ARN:aws:iam::1:role/a", false},
		{"arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}", "arn:aws:iam::1:Role/a", false}, // case-sensitive
		{"arn:${Partition}:ecs:${Region}:${Account}:task/${ClusterName}/${TaskId}", "arn:aws:ecs:r:1:task/c/t", true},
		{"arn:${Partition}:ecs:${Region}:${Account}:task/${ClusterName}/${TaskId}", "arn:aws:ecs:r:1:task/c", false},
		{"arn:${Partition}:ecs:${Region}:${Account}:task/${ClusterName}/${TaskId}", "arn:aws:ecs:r:1:task//t", false},
		// Literal '*' in a format (DMS, Identity Store) matches anything.
		{"arn:${Partition}:dms:${Region}:${Account}:endpoint:*", "arn:aws:dms:us-east-1:1:endpoint:ABC", true},
		{"arn:${Partition}:health:*::event/${Service}/${EventTypeCode}/*", "arn:aws:health:us-east-1::event/EC2/X/1", true},
		{"arn:${Partition}:identitystore:::group/*", "arn:aws:identitystore:::group/", true},
		// Literal formats.
		{"arn:${Partition}:iam::${Account}:root", "arn:aws:iam::123456789012:root", true},
		{"arn:${Partition}:iam::${Account}:root", "arn:aws:iam::123456789012:rootx", false},
		// Several formats in one (API Gateway).
		{"arn:${Partition}:apigateway:${Region}::/apis/${ApiId}/stages, arn:${Partition}:apigateway:${Region}::/restapis/${RestApiId}/stages", "arn:aws:apigateway:us-east-1::/restapis/abc/stages", true},
		{"arn:${Partition}:apigateway:${Region}::/apis/${ApiId}/stages, arn:${Partition}:apigateway:${Region}::/restapis/${RestApiId}/stages", "arn:aws:apigateway:us-east-1::/other/abc/stages", false},
		{"", "arn:aws:iam::1:root", false},
		{"arn:${Partition}:iam::${Account}:root", "", false},
	} {
		if got := MatchARN(tc.format, tc.arn); got != tc.want {
			t.Errorf("MatchARN(%q, %q) = %v, want %v", tc.format, tc.arn, got, tc.want)
		}
	}
}

func TestGlobFold(t *testing.T) {
	for _, tc := range []struct {
		p, s string
		want bool
	}{
		{"*", "", true},
		{"*", "GetRole", true},
		{"get*", "GetRole", true},
		{"Get*Policy", "GetRolePolicy", true},
		{"Get*Policy", "GetRolePolicyX", false},
		{"?etRole", "GetRole", true},
		{"?etRole", "etRole", false},
		{"*Role*", "PassRole", true},
		{"a*b*c", "aXbYbZc", true},
		{"a*b*c", "aXbYbZ", false},
		{"", "", true},
		{"", "x", false},
	} {
		if got := globFold(tc.p, tc.s); got != tc.want {
			t.Errorf("globFold(%q, %q) = %v, want %v", tc.p, tc.s, got, tc.want)
		}
	}
}

// FuzzMatchResourceType runs arbitrary ARNs against real formats: matching
// must terminate and agree with MatchARN.
func FuzzMatchResourceType(f *testing.F) {
	for _, s := range []string{
		"arn:aws:iam::123456789012:role/a/b",
		"arn:aws:ecs:us-east-1:1:task/c/t",
		"arn:aws:s3:::b/k",
		"arn:aws:lambda:us-east-1:1:function:f:q",
		"arn:::::",
		"",
	} {
		f.Add(s)
	}
	var acts []ActionInfo
	for _, n := range []string{"iam:PassRole", "ecs:TagResource", "s3:GetObject", "lambda:InvokeFunction", "apigateway:GET"} {
		if a, ok := Lookup(n); ok {
			acts = append(acts, a)
		}
	}
	f.Fuzz(func(t *testing.T, arn string) {
		for _, a := range acts {
			if r, ok := a.MatchResourceType(arn); ok && !MatchARN(r.ARN, arn) {
				t.Fatalf("%s matched %q as %s but MatchARN disagrees", a.FullName(), arn, r.Name)
			}
		}
		if r, ok := ResourceTypeOf(arn); ok && !strings.HasPrefix(arn, "arn:") {
			t.Fatalf("ResourceTypeOf(%q) = %s", arn, r.Name)
		}
	})
}

// FuzzMatchActions checks every expansion result matches its pattern.
func FuzzMatchActions(f *testing.F) {
	for _, s := range []string{"iam:Get*", "*:PassRole", "i?m:*Role", "sts:*", "ecs:"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, pattern string) {
		svc, act, _ := strings.Cut(pattern, ":")
		if strings.ContainsAny(svc, "*?") && len(pattern) > 64 {
			return // bounded work per input: a wildcard service walks every service
		}
		for _, a := range MatchActions(pattern) {
			if pattern != "*" && (!globFold(svc, a.Service) || !globFold(act, a.Name)) {
				t.Fatalf("MatchActions(%q) returned %s", pattern, a.FullName())
			}
		}
	})
}

func FuzzConditionKey(f *testing.F) {
	for _, s := range []string{"aws:PrincipalTag/x", "iam:PassedToService", "saml:sub", "github.com/enterprises/e:ref", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, key string) {
		if k, ok := ConditionKey(key); ok && k.Type == "" {
			t.Fatalf("ConditionKey(%q) = %+v without a type", key, k)
		}
	})
}

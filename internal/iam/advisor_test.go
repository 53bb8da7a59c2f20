package iam

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rolecall/rolecall/internal/catalog/actions"
	"github.com/rolecall/rolecall/internal/store"
)

const (
	adminAccess = "arn:aws:iam::aws:policy/AdministratorAccess"
	// docIAM allows two IAM actions, one S3 action and all of CloudWatch
	// Logs: three services, two of them tracked at action level.
	docIAM = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:GetRole","iam:CreateRole","s3:ListBucket","logs:*"],"Resource":"*"}]}`
)

func doc(statements ...string) string {
	return `{"Version":"2012-10-17","Statement":[` + strings.Join(statements, ",") + `]}`
}

func TestAllowedServices(t *testing.T) {
	allServices := len(actions.Services())
	cases := []struct {
		name  string
		docs  []string
		want  []string // nil: check count/without instead
		count int
		not   []string
	}{
		{name: "task execution policy", docs: []string{managedDefault(t, ecsTaskExecution)}, want: []string{"ecr", "logs"}},
		{name: "wildcard action", docs: []string{doc(`{"Effect":"Allow","Action":"iam:Get*","Resource":"*"}`)}, want: []string{"iam"}},
		{name: "case-insensitive", docs: []string{doc(`{"Effect":"Allow","Action":"IAM:getrole","Resource":"*"}`)}, want: []string{"iam"}},
		{name: "two documents", docs: []string{docS3, docEC2}, want: []string{"ec2", "s3"}},
		{name: "unknown service", docs: []string{doc(`{"Effect":"Allow","Action":"nosuchservice:*","Resource":"*"}`)}, want: []string{}},
		{name: "unknown action", docs: []string{doc(`{"Effect":"Allow","Action":"s3:NoSuchAction","Resource":"*"}`)}, want: []string{}},
		{name: "resource and condition do not narrow an allow", docs: []string{doc(`{"Effect":"Allow","Action":"sqs:SendMessage","Resource":"arn:aws:sqs:*:*:q","Condition":{"Bool":{"aws:SecureTransport":"true"}}}`)}, want: []string{"sqs"}},
		{name: "everything", docs: []string{doc(`{"Effect":"Allow","Action":"*","Resource":"*"}`)}, count: allServices},
		{name: "NotAction", docs: []string{doc(`{"Effect":"Allow","NotAction":"s3:*","Resource":"*"}`)}, count: allServices - 1, not: []string{"s3"}},
		{name: "NotAction part of a service", docs: []string{doc(`{"Effect":"Allow","NotAction":["iam:*","s3:Get*"],"Resource":"*"}`)}, count: allServices - 1, not: []string{"iam"}},
		{name: "blanket deny removes a service", docs: []string{doc(`{"Effect":"Allow","Action":"*","Resource":"*"}`, `{"Effect":"Deny","Action":"s3:*","Resource":"*"}`)}, count: allServices - 1, not: []string{"s3"}},
		{name: "deny of every allowed action", docs: []string{doc(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}`, `{"Effect":"Deny","Action":"s3:Get*","Resource":"*"}`)}, want: []string{}},
		{name: "deny of some actions", docs: []string{doc(`{"Effect":"Allow","Action":"s3:*","Resource":"*"}`, `{"Effect":"Deny","Action":"s3:GetObject","Resource":"*"}`)}, want: []string{"s3"}},
		{name: "conditional deny", docs: []string{docS3, doc(`{"Effect":"Deny","Action":"s3:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}`)}, want: []string{"s3"}},
		{name: "deny on some resources", docs: []string{docS3, doc(`{"Effect":"Deny","Action":"s3:*","Resource":"arn:aws:s3:::secret"}`)}, want: []string{"s3"}},
		{name: "no documents", want: []string{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, _ := allowedServices(c.docs)
			if c.want != nil {
				if got == nil {
					got = []string{}
				}
				if !reflect.DeepEqual(got, c.want) {
					t.Fatalf("services = %v, want %v", got, c.want)
				}
				return
			}
			if len(got) != c.count {
				t.Errorf("%d services, want %d", len(got), c.count)
			}
			for _, ns := range c.not {
				if slices.Contains(got, ns) {
					t.Errorf("%s allowed", ns)
				}
			}
			if !slices.IsSorted(got) {
				t.Errorf("not sorted by namespace")
			}
		})
	}
}

func TestAllowedActions(t *testing.T) {
	_, set := allowedServices([]string{docIAM, doc(`{"Effect":"Deny","Action":"iam:CreateRole","Resource":"*"}`)})
	if got := set["iam"].names("iam"); !reflect.DeepEqual(got, []string{"GetRole"}) {
		t.Errorf("iam actions = %v", got)
	}
	if got, all := set["logs"].names("logs"), actions.Actions("logs"); len(got) != len(all) || got[0] != all[0].Name {
		t.Errorf("logs:* gives %d actions, the reference has %d", len(got), len(all))
	}
}

func managedDefault(t *testing.T, policyArn string) string {
	t.Helper()
	mp, ok := lookupManaged(policyArn)
	if !ok {
		t.Fatalf("%s is not embedded", policyArn)
	}
	for _, v := range mp.Versions {
		if v.VersionId == mp.DefaultVersionId {
			return v.Document
		}
	}
	t.Fatalf("%s has no default version", policyArn)
	return ""
}

func TestMatchFold(t *testing.T) {
	cases := []struct {
		p, s string
		want bool
	}{
		{"*", "s3", true},
		{"s3", "S3", true},
		{"s?", "s3", true},
		{"s*s", "sns", true},
		{"s*s", "sqs-x", false},
		{"ec2*", "ec2-instance-connect", true},
		{"", "", true},
		{"", "x", false},
		{"**", "", true},
		{"a*b*c", "aXbYbZc", true},
		{"a*b*c", "aXbYbZ", false},
	}
	for _, c := range cases {
		if got := matchFold(c.p, c.s); got != c.want {
			t.Errorf("matchFold(%q, %q) = %v", c.p, c.s, got)
		}
	}
}

// Access Advisor's names, as AWS answers them: botocore's example (iam) and
// the AdministratorAccess report recorded in bridgecrewio/AirIAM's tests
// (all).
func TestAdvisorServiceName(t *testing.T) {
	for ns, want := range map[string]string{
		"iam":                     "AWS Identity and Access Management",
		"s3":                      "Amazon S3",
		"ec2":                     "Amazon EC2",
		"ecr":                     "Amazon Elastic Container Registry",
		"ecs":                     "Amazon Elastic Container Service",
		"logs":                    "Amazon CloudWatch Logs",
		"lambda":                  "AWS Lambda",
		"sts":                     "AWS Security Token Service",
		"kms":                     "AWS Key Management Service",
		"cloudformation":          "AWS CloudFormation",
		"elasticloadbalancing":    "Elastic Load Balancing",
		"application-autoscaling": "Application Auto Scaling",
		"autoscaling":             "Amazon EC2 Auto Scaling",
		"ssm":                     "AWS Systems Manager",
		"secretsmanager":          "AWS Secrets Manager",
		"servicediscovery":        "AWS Cloud Map",
		"route53":                 "Amazon Route 53",
	} {
		if got := AdvisorServiceName(ns); got != want {
			t.Errorf("%s: %q, want %q", ns, got, want)
		}
	}
	for ns := range advisorNames {
		if _, ok := actions.Service(ns); !ok {
			t.Errorf("override for %s, which the reference does not know", ns)
		}
	}
}

// report generates a report and returns every page of it.
func (f *fixture) report(t *testing.T, entityArn, granularity string) (string, *ServiceLastAccessedDetails) {
	t.Helper()
	id, err := f.GenerateServiceLastAccessedDetails(ctx, acct, "", entityArn, granularity)
	must(t, err)
	if len(id) != 36 {
		t.Fatalf("JobId %q is not 36 characters", id)
	}
	out, next, err := f.GetServiceLastAccessedDetails(ctx, acct, "", id, Page{MaxItems: 1000})
	must(t, err)
	if next != "" {
		t.Fatalf("truncated at 1000")
	}
	return id, out
}

func byNamespace(t *testing.T, r *ServiceLastAccessedDetails) map[string]ServiceLastAccessed {
	t.Helper()
	out := map[string]ServiceLastAccessed{}
	for _, s := range r.ServicesLastAccessed {
		out[s.ServiceNamespace] = s
	}
	return out
}

func TestReportRoleNeverUsed(t *testing.T) {
	f := newFixture(t)
	r := f.role(t, "task-exec")
	must(t, f.AttachRolePolicy(ctx, acct, "task-exec", ecsTaskExecution))
	_, rep := f.report(t, r.Arn, "")
	want := &ServiceLastAccessedDetails{
		AdvisorJobStatus: AdvisorJobStatus{JobStatus: JobCompleted, JobType: GranularityService, JobCreationDate: epoch, JobCompletionDate: &epoch},
		ServicesLastAccessed: []ServiceLastAccessed{
			{ServiceName: "Amazon Elastic Container Registry", ServiceNamespace: "ecr"},
			{ServiceName: "Amazon CloudWatch Logs", ServiceNamespace: "logs"},
		},
	}
	if !reflect.DeepEqual(rep, want) {
		t.Errorf("report\n got %+v\nwant %+v", rep, want)
	}
}

func TestReportRoleUsed(t *testing.T) {
	f := newFixture(t)
	r := f.role(t, "task")
	must(t, f.AttachRolePolicy(ctx, acct, "task", ecsTaskExecution))
	used := epoch.Add(-3*time.Hour + 17*time.Second)
	must(t, f.RecordServiceAccess(ctx, acct, "arn:aws:sts::"+acct+":assumed-role/task/1a2b", "ecr", "ecr:GetAuthorizationToken", "eu-west-1", used))
	must(t, f.RecordServiceAccess(ctx, acct, r.Arn, "s3", "s3:GetObject", "eu-west-1", used)) // not allowed: not listed
	id, rep := f.report(t, r.Arn, GranularityService)
	got := byNamespace(t, rep)
	minute := used.Truncate(time.Minute)
	want := ServiceLastAccessed{
		ServiceName: "Amazon Elastic Container Registry", ServiceNamespace: "ecr",
		LastAuthenticated: &minute, LastAuthenticatedEntity: r.Arn, LastAuthenticatedRegion: "eu-west-1",
		TotalAuthenticatedEntities: 1,
	}
	if !reflect.DeepEqual(got["ecr"], want) {
		t.Errorf("ecr = %+v\nwant %+v", got["ecr"], want)
	}
	if l := got["logs"]; l.LastAuthenticated != nil || l.TotalAuthenticatedEntities != 0 || l.LastAuthenticatedEntity != "" {
		t.Errorf("logs = %+v", l)
	}
	if len(got) != 2 {
		t.Errorf("services %v", got)
	}

	// A report is a snapshot: later use shows in a new report only.
	f.clock.Advance(time.Hour)
	must(t, f.RecordServiceAccess(ctx, acct, r.Arn, "logs", "logs:PutLogEvents", "us-east-1", f.clock.Now()))
	again, _, err := f.GetServiceLastAccessedDetails(ctx, acct, "", id, Page{})
	must(t, err)
	if byNamespace(t, again)["logs"].LastAuthenticated != nil {
		t.Errorf("old report changed")
	}
	_, fresh := f.report(t, r.Arn, "")
	if l := byNamespace(t, fresh)["logs"]; l.LastAuthenticated == nil || !l.LastAuthenticated.Equal(f.clock.Now().Truncate(time.Minute)) || l.LastAuthenticatedRegion != "us-east-1" {
		t.Errorf("new report logs = %+v", l)
	}

	// WithEntities on a role report: the role itself.
	ents, next, err := f.GetServiceLastAccessedDetailsWithEntities(ctx, acct, "", id, "ecr", Page{})
	must(t, err)
	wantEnts := []EntityDetails{{EntityInfo: EntityInfo{Arn: r.Arn, Name: "task", Type: "ROLE", Id: r.RoleId, Path: "/"}, LastAuthenticated: &minute}}
	if next != "" || ents.JobType != "" || ents.JobStatus != JobCompleted || !reflect.DeepEqual(ents.EntityDetailsList, wantEnts) {
		t.Errorf("entities = %+v", ents)
	}
}

func TestReportActionLevel(t *testing.T) {
	f := newFixture(t)
	r := f.role(t, "deployer")
	must(t, f.PutRolePolicy(ctx, acct, "deployer", "p", docIAM))
	at := epoch.Add(-time.Minute)
	must(t, f.RecordServiceAccess(ctx, acct, r.Arn, "iam", "iam:GetRole", "us-west-2", at))
	must(t, f.RecordServiceAccess(ctx, acct, r.Arn, "logs", "logs:CreateLogGroup", "us-west-2", at))
	_, rep := f.report(t, r.Arn, GranularityAction)
	if rep.JobType != GranularityAction {
		t.Errorf("JobType %q", rep.JobType)
	}
	got := byNamespace(t, rep)
	wantIAM := []TrackedActionLastAccessed{
		{ActionName: "CreateRole"},
		{ActionName: "GetRole", LastAccessedEntity: r.Arn, LastAccessedTime: &at, LastAccessedRegion: "us-west-2"},
	}
	if !reflect.DeepEqual(got["iam"].TrackedActionsLastAccessed, wantIAM) {
		t.Errorf("iam actions = %+v", got["iam"].TrackedActionsLastAccessed)
	}
	if a := got["s3"].TrackedActionsLastAccessed; !reflect.DeepEqual(a, []TrackedActionLastAccessed{{ActionName: "ListBucket"}}) {
		t.Errorf("s3 actions = %+v", a)
	}
	if a := got["logs"].TrackedActionsLastAccessed; a != nil {
		t.Errorf("logs is not tracked, got %+v", a)
	}
	// SERVICE_LEVEL reports carry no actions.
	_, svc := f.report(t, r.Arn, GranularityService)
	if a := byNamespace(t, svc)["iam"].TrackedActionsLastAccessed; a != nil {
		t.Errorf("service-level iam actions = %+v", a)
	}
}

func TestReportUserGroupPolicy(t *testing.T) {
	f := newFixture(t)
	alice, bob, carol := f.user(t, "alice"), f.user(t, "bob"), f.user(t, "carol")
	g := f.group(t, "devs")
	for _, u := range []string{"alice", "bob"} {
		must(t, f.AddUserToGroup(ctx, acct, "devs", u))
	}
	p := f.policy(t, "s3-read") // s3:ListBucket
	must(t, f.AttachGroupPolicy(ctx, acct, "devs", p.Arn))
	must(t, f.PutUserPolicy(ctx, acct, "alice", "ec2", docEC2))
	r := f.role(t, "app")
	must(t, f.AttachRolePolicy(ctx, acct, "app", p.Arn))
	must(t, f.AttachUserPolicy(ctx, acct, "carol", p.Arn))

	t1, t2, t3 := epoch.Add(-3*time.Hour), epoch.Add(-2*time.Hour), epoch.Add(-time.Hour)
	must(t, f.RecordServiceAccess(ctx, acct, alice.Arn, "s3", "", "us-east-1", t1))
	must(t, f.RecordServiceAccess(ctx, acct, bob.Arn, "s3", "", "eu-west-1", t2))
	must(t, f.RecordServiceAccess(ctx, acct, r.Arn, "s3", "", "ap-south-1", t3))
	must(t, f.RecordServiceAccess(ctx, acct, alice.Arn, "ec2", "", "us-east-1", t1))

	// A user: its own policies and its groups'.
	_, rep := f.report(t, alice.Arn, "")
	got := byNamespace(t, rep)
	if len(got) != 2 || got["ec2"].LastAuthenticatedEntity != alice.Arn || got["s3"].TotalAuthenticatedEntities != 1 || !got["s3"].LastAuthenticated.Equal(t1) {
		t.Errorf("alice's report = %+v", rep.ServicesLastAccessed)
	}

	// A group: its members, through the group's policies.
	gid, rep := f.report(t, g.Arn, "")
	got = byNamespace(t, rep)
	if s := got["s3"]; len(got) != 1 || s.LastAuthenticatedEntity != bob.Arn || s.LastAuthenticatedRegion != "eu-west-1" || s.TotalAuthenticatedEntities != 2 {
		t.Errorf("group report = %+v", rep.ServicesLastAccessed)
	}
	ents, _, err := f.GetServiceLastAccessedDetailsWithEntities(ctx, acct, "", gid, "s3", Page{})
	must(t, err)
	if names := entityNames(ents.EntityDetailsList); !reflect.DeepEqual(names, []string{"bob", "alice"}) {
		t.Errorf("group entities = %v", names)
	}

	// A policy: the role and users it is attached to, and the group's members.
	pid, rep := f.report(t, p.Arn, "")
	if s := byNamespace(t, rep)["s3"]; s.LastAuthenticatedEntity != r.Arn || s.TotalAuthenticatedEntities != 3 {
		t.Errorf("policy report = %+v", rep.ServicesLastAccessed)
	}
	ents, _, err = f.GetServiceLastAccessedDetailsWithEntities(ctx, acct, "", pid, "s3", Page{})
	must(t, err)
	// Most recent first, then those that never used it (carol).
	if names := entityNames(ents.EntityDetailsList); !reflect.DeepEqual(names, []string{"app", "bob", "alice", "carol"}) {
		t.Errorf("policy entities = %v", names)
	}
	if last := ents.EntityDetailsList[3]; last.LastAuthenticated != nil || last.EntityInfo != (EntityInfo{Arn: carol.Arn, Name: "carol", Type: "USER", Id: carol.UserId, Path: "/"}) {
		t.Errorf("carol = %+v", last)
	}
	// Paging, and a service the report does not list.
	page, next, err := f.GetServiceLastAccessedDetailsWithEntities(ctx, acct, "", pid, "s3", Page{MaxItems: 3})
	must(t, err)
	if len(page.EntityDetailsList) != 3 || next == "" {
		t.Errorf("first page: %d entities, marker %q", len(page.EntityDetailsList), next)
	}
	page, next, err = f.GetServiceLastAccessedDetailsWithEntities(ctx, acct, "", pid, "s3", Page{MaxItems: 3, Marker: next})
	must(t, err)
	if names := entityNames(page.EntityDetailsList); next != "" || !reflect.DeepEqual(names, []string{"carol"}) {
		t.Errorf("second page: %v, marker %q", names, next)
	}
	none, _, err := f.GetServiceLastAccessedDetailsWithEntities(ctx, acct, "", pid, "ec2", Page{})
	must(t, err)
	if none.EntityDetailsList == nil || len(none.EntityDetailsList) != 0 {
		t.Errorf("ec2 entities = %#v", none.EntityDetailsList)
	}

	// An AWS managed policy nobody uses.
	_, rep = f.report(t, ecsTaskExecution, "")
	if len(rep.ServicesLastAccessed) != 2 {
		t.Errorf("managed policy report = %+v", rep.ServicesLastAccessed)
	}
}

func entityNames(list []EntityDetails) []string {
	out := []string{}
	for _, e := range list {
		out = append(out, e.EntityInfo.Name)
	}
	return out
}

func TestReportPaging(t *testing.T) {
	f := newFixture(t)
	r := f.role(t, "admin")
	must(t, f.AttachRolePolicy(ctx, acct, "admin", adminAccess))
	id, err := f.GenerateServiceLastAccessedDetails(ctx, acct, "", r.Arn, "")
	must(t, err)
	items, pages := allPages(t, 100, func(pg Page) ([]ServiceLastAccessed, string, error) {
		out, next, err := f.GetServiceLastAccessedDetails(ctx, acct, "", id, pg)
		if err != nil {
			return nil, "", err
		}
		return out.ServicesLastAccessed, next, nil
	})
	if len(items) != len(actions.Services()) || pages != (len(items)+99)/100 {
		t.Errorf("%d services in %d pages", len(items), pages)
	}
	if !slices.IsSortedFunc(items, func(a, b ServiceLastAccessed) int { return strings.Compare(a.ServiceNamespace, b.ServiceNamespace) }) {
		t.Errorf("not sorted by namespace")
	}
	_, _, err = f.GetServiceLastAccessedDetails(ctx, acct, "", id, Page{Marker: "bogus"})
	wantErr(t, err, "ValidationError", 400, "Invalid Marker.")
}

func TestReportInProgress(t *testing.T) {
	f := newFixture(t, func(c *Config) { c.AdvisorDelay = 2 * time.Second })
	r := f.role(t, "app")
	must(t, f.PutRolePolicy(ctx, acct, "app", "p", docS3))
	id, err := f.GenerateServiceLastAccessedDetails(ctx, acct, "", r.Arn, "")
	must(t, err)
	rep, _, err := f.GetServiceLastAccessedDetails(ctx, acct, "", id, Page{})
	must(t, err)
	if rep.JobStatus != JobInProgress || rep.JobCompletionDate != nil || rep.ServicesLastAccessed == nil || len(rep.ServicesLastAccessed) != 0 {
		t.Errorf("in progress: %+v", rep)
	}
	ents, _, err := f.GetServiceLastAccessedDetailsWithEntities(ctx, acct, "", id, "s3", Page{})
	must(t, err)
	if ents.JobStatus != JobInProgress || len(ents.EntityDetailsList) != 0 {
		t.Errorf("entities in progress: %+v", ents)
	}
	f.clock.Advance(2 * time.Second)
	rep, _, err = f.GetServiceLastAccessedDetails(ctx, acct, "", id, Page{})
	must(t, err)
	done := epoch.Add(2 * time.Second)
	if rep.JobStatus != JobCompleted || rep.JobCompletionDate == nil || !rep.JobCompletionDate.Equal(done) || len(rep.ServicesLastAccessed) != 1 {
		t.Errorf("completed: %+v", rep)
	}
}

func TestReportErrors(t *testing.T) {
	f := newFixture(t)
	r := f.role(t, "app")
	u := f.user(t, "u")
	cases := []struct {
		arn, code, msg string
	}{
		{"not-an-arn", "InvalidInput", "ARN not-an-arn is not valid."},
		{"arn:aws:sts::" + acct + ":assumed-role/app/s", "InvalidInput", "ARN arn:aws:sts::" + acct + ":assumed-role/app/s is not valid."},
		{"arn:aws:iam::" + acct + ":instance-profile/p", "InvalidInput", "ARN arn:aws:iam::" + acct + ":instance-profile/p is not valid."},
		{"arn:aws:iam::" + acct + ":role/", "InvalidInput", "ARN arn:aws:iam::" + acct + ":role/ is not valid."},
		{"arn:aws:iam::" + acct + ":root", "InvalidInput", "ARN arn:aws:iam::" + acct + ":root is not valid."},
		{"arn:aws:iam::" + acct + ":role/nobody", "NoSuchEntity", "The role with name nobody cannot be found."},
		{"arn:aws:iam::" + acct + ":role/other-path/app", "NoSuchEntity", "The role with name app cannot be found."},
		{"arn:aws:iam::" + acct + ":role/APP", "NoSuchEntity", "The role with name APP cannot be found."},
		{"arn:aws:iam::111111111111:role/app", "NoSuchEntity", "The role with name app cannot be found."},
		{"arn:aws:iam::" + acct + ":user/nobody", "NoSuchEntity", "The user with name nobody cannot be found."},
		{"arn:aws:iam::" + acct + ":group/nobody", "NoSuchEntity", "The group with name nobody cannot be found."},
		{"arn:aws:iam::" + acct + ":policy/nobody", "NoSuchEntity", "Policy arn:aws:iam::" + acct + ":policy/nobody was not found."},
		{"arn:aws:iam::aws:policy/NoSuchManagedPolicy", "NoSuchEntity", "Policy arn:aws:iam::aws:policy/NoSuchManagedPolicy was not found."},
	}
	for _, c := range cases {
		_, err := f.GenerateServiceLastAccessedDetails(ctx, acct, "", c.arn, "")
		status := 400
		if c.code == "NoSuchEntity" {
			status = 404
		}
		wantErr(t, err, c.code, status, c.msg)
	}
	_, err := f.GenerateServiceLastAccessedDetails(ctx, acct, "", r.Arn, "EVERYTHING")
	wantErr(t, err, "ValidationError", 400, "1 validation error detected: Value at 'granularity' failed to satisfy constraint: Member must satisfy enum value set")

	const unknown = "00000000-0000-4000-8000-00000000ffff"
	_, _, err = f.GetServiceLastAccessedDetails(ctx, acct, "", unknown, Page{})
	wantErr(t, err, "NoSuchEntity", 404, "The job with ID "+unknown+" cannot be found.")
	_, _, err = f.GetServiceLastAccessedDetailsWithEntities(ctx, acct, "", unknown, "s3", Page{})
	wantErr(t, err, "NoSuchEntity", 404, "The job with ID "+unknown+" cannot be found.")

	// A report belongs to the user (or role session) that asked for it.
	id, err := f.GenerateServiceLastAccessedDetails(ctx, acct, u.Arn, r.Arn, "")
	must(t, err)
	_, _, err = f.GetServiceLastAccessedDetails(ctx, acct, u.Arn, id, Page{})
	must(t, err)
	_, _, err = f.GetServiceLastAccessedDetails(ctx, acct, "arn:aws:sts::"+acct+":assumed-role/app/other", id, Page{})
	wantErr(t, err, "NoSuchEntity", 404, "The job with ID "+id+" cannot be found.")
	_, _, err = f.GetServiceLastAccessedDetails(ctx, "111111111111", u.Arn, id, Page{})
	wantErr(t, err, "NoSuchEntity", 404, "The job with ID "+id+" cannot be found.")
}

func TestReportRetention(t *testing.T) {
	f := newFixture(t)
	r := f.role(t, "app")
	old, err := f.GenerateServiceLastAccessedDetails(ctx, acct, "", r.Arn, "")
	must(t, err)
	f.clock.Advance(DefaultAdvisorJobRetention)
	_, _, err = f.GetServiceLastAccessedDetails(ctx, acct, "", old, Page{})
	wantErr(t, err, "NoSuchEntity", 404, "The job with ID "+old+" cannot be found.")
	// The next report purges expired ones from the store.
	fresh, err := f.GenerateServiceLastAccessedDetails(ctx, acct, "", r.Arn, "")
	must(t, err)
	var keys []string
	must(t, f.st.View(func(tx store.Tx) error {
		for _, b := range []string{bucketAdvisorJobs, bucketAdvisorJobIndex} {
			if err := tx.Scan(b, "", "", func(k string, _ []byte) bool { keys = append(keys, b+" "+k); return true }); err != nil {
				return err
			}
		}
		return nil
	}))
	if len(keys) != 2 || !strings.HasSuffix(keys[0], fresh) || !strings.HasSuffix(keys[1], fresh) {
		t.Errorf("stored jobs: %q", keys)
	}
}

// countingStore counts write transactions.
type countingStore struct {
	store.Store
	updates atomic.Int64
}

func (c *countingStore) Update(fn func(store.Tx) error) error {
	c.updates.Add(1)
	return c.Store.Update(fn)
}

func TestRecordServiceAccessCoalesces(t *testing.T) {
	f := newFixture(t)
	cs := &countingStore{Store: f.st}
	svc := New(Config{Store: cs, Clock: f.clock, IDs: f.gen})
	role := "arn:aws:iam::" + acct + ":role/svc/app"
	at := epoch.Add(10 * time.Second)
	read := func() accessRecords {
		t.Helper()
		var recs accessRecords
		must(t, f.st.View(func(tx store.Tx) (err error) { recs, err = loadAccess(tx, acct, accessRole, "App"); return err }))
		return recs
	}

	must(t, svc.RecordServiceAccess(ctx, acct, role, "IAM", "iam:CreateRole", "us-east-1", at))
	if n := cs.updates.Load(); n != 1 {
		t.Fatalf("%d writes for the first use", n)
	}
	want := accessRecords{
		"iam":               {Date: epoch, Region: "us-east-1"},
		"iam\x00CreateRole": {Date: epoch, Region: "us-east-1"},
	}
	if got := read(); !reflect.DeepEqual(got, want) {
		t.Fatalf("records = %+v", got)
	}
	// Within the same minute, and earlier: nothing is written.
	must(t, svc.RecordServiceAccess(ctx, acct, role, "iam", "CreateRole", "eu-west-1", at.Add(40*time.Second)))
	must(t, svc.RecordServiceAccess(ctx, acct, "arn:aws:sts::"+acct+":assumed-role/app/s", "iam", "", "eu-west-1", at.Add(-time.Hour)))
	if n := cs.updates.Load(); n != 1 {
		t.Errorf("%d writes within a minute", n)
	}
	// The next minute is written, for the action used only.
	next := at.Add(time.Minute)
	must(t, svc.RecordServiceAccess(ctx, acct, role, "iam", "iam:GetRole", "eu-west-1", next))
	if n := cs.updates.Load(); n != 2 {
		t.Errorf("%d writes after a minute", n)
	}
	got := read()
	if got["iam"].Region != "eu-west-1" || got["iam\x00GetRole"].Date != epoch.Add(time.Minute) || got["iam\x00CreateRole"].Region != "us-east-1" {
		t.Errorf("records = %+v", got)
	}
	// Untracked services keep no actions; unknown actions of tracked ones are dropped.
	must(t, svc.RecordServiceAccess(ctx, acct, role, "logs", "logs:PutLogEvents", "", next))
	must(t, svc.RecordServiceAccess(ctx, acct, role, "s3", "s3:NoSuchAction", "", next))
	got = read()
	if _, ok := got["logs\x00PutLogEvents"]; ok || len(got) != 5 {
		t.Errorf("records = %+v", got)
	}
}

func TestRecordServiceAccessPrincipals(t *testing.T) {
	f := newFixture(t)
	cases := []struct {
		arn, kind, name string
		bad             bool
	}{
		{arn: "arn:aws:iam::" + acct + ":role/app", kind: accessRole, name: "app"},
		{arn: "arn:aws:iam::" + acct + ":role/a/b/app", kind: accessRole, name: "app"},
		{arn: "arn:aws:sts::" + acct + ":assumed-role/app/session", kind: accessRole, name: "app"},
		{arn: "arn:aws:iam::" + acct + ":user/dev/alice", kind: accessUser, name: "alice"},
		{arn: "arn:aws:iam::" + acct + ":root"},
		{arn: "arn:aws:sts::" + acct + ":federated-user/bob"},
		{arn: "arn:aws:iam::" + acct + ":role/", bad: true},
		{arn: "garbage", bad: true},
	}
	for _, c := range cases {
		kind, name, err := accessEntity(c.arn)
		if (err != nil) != c.bad || kind != c.kind || name != c.name {
			t.Errorf("%s: %q %q %v", c.arn, kind, name, err)
		}
	}
	must(t, f.RecordServiceAccess(ctx, acct, "arn:aws:iam::"+acct+":root", "s3", "", "us-east-1", epoch))
	if err := f.RecordServiceAccess(ctx, acct, "garbage", "s3", "", "us-east-1", epoch); err == nil {
		t.Errorf("garbage ARN recorded")
	}
	if err := f.RecordServiceAccess(ctx, acct, "arn:aws:iam::"+acct+":role/app", "", "", "us-east-1", epoch); err == nil {
		t.Errorf("no service recorded")
	}
}

func TestLinkedRoleUseRecordsService(t *testing.T) {
	f := newFixture(t)
	if got := []string{linkedNamespace("ecs.amazonaws.com"), linkedNamespace("ecs.application-autoscaling.amazonaws.com"), linkedNamespace("nosuch.amazonaws.com")}; !reflect.DeepEqual(got, []string{"ecs", "application-autoscaling", ""}) {
		t.Errorf("namespaces = %q", got)
	}
	_, err := f.CreateServiceLinkedRole(ctx, acct, CreateServiceLinkedRoleInput{AWSServiceName: "ecs.amazonaws.com"})
	must(t, err)
	must(t, f.RecordLinkedRoleUsed(ctx, acct, "ecs.amazonaws.com", "eu-central-1"))
	var recs accessRecords
	must(t, f.st.View(func(tx store.Tx) (err error) {
		recs, err = loadAccess(tx, acct, accessRole, "AWSServiceRoleForECS")
		return err
	}))
	if !reflect.DeepEqual(recs, accessRecords{"ecs": {Date: epoch, Region: "eu-central-1"}}) {
		t.Errorf("records = %+v", recs)
	}
	// No role, no record.
	must(t, f.RecordLinkedRoleUsed(ctx, acct, "elasticloadbalancing.amazonaws.com", "eu-central-1"))
}

func FuzzParseAdvisorTarget(f *testing.F) {
	for _, s := range []string{"arn:aws:iam::000000000000:role/a/b", "arn:aws:iam::aws:policy/x", "arn:aws:iam::1:user/", "arn:aws:iam:::group", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tg, err := parseAdvisorTarget(acct, s)
		if err == nil && (tg.name == "" || !strings.HasPrefix(tg.path, "/") || !strings.HasSuffix(tg.path, "/") || !strings.HasSuffix(s, tg.name)) {
			t.Fatalf("%q parsed as %+v", s, tg)
		}
	})
}

func FuzzAccessEntity(f *testing.F) {
	for _, s := range []string{"arn:aws:sts::1:assumed-role/r/s", "arn:aws:iam::1:role/p/r", "arn:aws:iam::1:user/u", "arn:aws:iam::1:root"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		kind, name, err := accessEntity(s)
		if err == nil && kind != "" && (name == "" || strings.Contains(name, "/")) {
			t.Fatalf("%q: kind %q name %q", s, kind, name)
		}
	})
}

func ExampleService_RecordServiceAccess() {
	// The enforcement layer, after authorizing a request of a role session:
	//	svc.RecordServiceAccess(ctx, account, "arn:aws:sts::123456789012:assumed-role/app/i-0abc",
	//		"s3", "s3:CreateBucket", "eu-west-1", now)
	fmt.Println(TrackedService("s3"), TrackedService("logs"))
	// Output: true false
}

// The request path's cost: a use within an already recorded minute.
func BenchmarkRecordServiceAccessCoalesced(b *testing.B) {
	f := newFixture(b)
	session := "arn:aws:sts::" + acct + ":assumed-role/app/s"
	must(b, f.RecordServiceAccess(ctx, acct, session, "s3", "s3:CreateBucket", "us-east-1", epoch))
	b.ReportAllocs()
	for b.Loop() {
		if err := f.RecordServiceAccess(ctx, acct, session, "s3", "s3:CreateBucket", "us-east-1", epoch); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGenerateAdminActionLevel(b *testing.B) {
	f := newFixture(b)
	r := f.role(b, "admin")
	must(b, f.AttachRolePolicy(ctx, acct, "admin", adminAccess))
	for b.Loop() {
		if _, err := f.GenerateServiceLastAccessedDetails(ctx, acct, "", r.Arn, GranularityAction); err != nil {
			b.Fatal(err)
		}
	}
}

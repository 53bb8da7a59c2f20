package integration

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
)

// Access Advisor through the Go SDK: GenerateServiceLastAccessedDetails,
// GetServiceLastAccessedDetails and
// GetServiceLastAccessedDetailsWithEntities. Shapes follow botocore's
// example answers (service-2 examples-1.json): an unused service has
// TotalAuthenticatedEntities 0 and no LastAuthenticated.

const advisorTaskExecPolicy = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"

func generateReport(t *testing.T, c *iam.Client, entityArn string, g types.AccessAdvisorUsageGranularityType) string {
	t.Helper()
	id := aws.ToString(must(c.GenerateServiceLastAccessedDetails(ctx, &iam.GenerateServiceLastAccessedDetailsInput{Arn: aws.String(entityArn), Granularity: g}))(t).JobId)
	if len(id) != 36 {
		t.Fatalf("JobId %q is not 36 characters", id)
	}
	return id
}

func TestAdvisorTaskExecutionRole(t *testing.T) {
	c := newIAM(t)
	createRole(t, c, "task-exec")
	must(c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("task-exec"), PolicyArn: aws.String(advisorTaskExecPolicy)}))(t)
	id := generateReport(t, c, "arn:aws:iam::"+account+":role/task-exec", "")
	out := must(c.GetServiceLastAccessedDetails(ctx, &iam.GetServiceLastAccessedDetailsInput{JobId: aws.String(id)}))(t)
	if out.JobStatus != types.JobStatusTypeCompleted || out.JobType != types.AccessAdvisorUsageGranularityTypeServiceLevel || out.IsTruncated || out.Marker != nil {
		t.Errorf("job %s %s truncated %v", out.JobStatus, out.JobType, out.IsTruncated)
	}
	if out.JobCreationDate == nil || out.JobCompletionDate == nil || out.JobCompletionDate.Before(*out.JobCreationDate) {
		t.Errorf("dates %v %v", out.JobCreationDate, out.JobCompletionDate)
	}
	want := []struct{ name, ns string }{
		{"Amazon Elastic Container Registry", "ecr"},
		{"Amazon CloudWatch Logs", "logs"},
	}
	if len(out.ServicesLastAccessed) != len(want) {
		t.Fatalf("services %+v", out.ServicesLastAccessed)
	}
	for i, s := range out.ServicesLastAccessed {
		if aws.ToString(s.ServiceName) != want[i].name || aws.ToString(s.ServiceNamespace) != want[i].ns {
			t.Errorf("service %d: %s (%s)", i, aws.ToString(s.ServiceName), aws.ToString(s.ServiceNamespace))
		}
		// Never accessed: no date, entity or Region, a count of 0.
		if s.LastAuthenticated != nil || s.LastAuthenticatedEntity != nil || s.LastAuthenticatedRegion != nil ||
			aws.ToInt32(s.TotalAuthenticatedEntities) != 0 || s.TotalAuthenticatedEntities == nil || s.TrackedActionsLastAccessed != nil {
			t.Errorf("service %s: %+v", want[i].ns, s)
		}
	}

	// The role itself, for a role report.
	ents := must(c.GetServiceLastAccessedDetailsWithEntities(ctx, &iam.GetServiceLastAccessedDetailsWithEntitiesInput{JobId: aws.String(id), ServiceNamespace: aws.String("ecr")}))(t)
	if len(ents.EntityDetailsList) != 1 || ents.JobStatus != types.JobStatusTypeCompleted {
		t.Fatalf("entities %+v", ents)
	}
	e := ents.EntityDetailsList[0]
	if aws.ToString(e.EntityInfo.Arn) != "arn:aws:iam::"+account+":role/task-exec" || aws.ToString(e.EntityInfo.Name) != "task-exec" ||
		e.EntityInfo.Type != types.PolicyOwnerEntityTypeRole || aws.ToString(e.EntityInfo.Path) != "/" || len(aws.ToString(e.EntityInfo.Id)) != 21 || e.LastAuthenticated != nil {
		t.Errorf("entity %+v", e.EntityInfo)
	}
}

func TestAdvisorActionLevel(t *testing.T) {
	c := newIAM(t)
	createRole(t, c, "iam-reader")
	must(c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{
		RoleName: aws.String("iam-reader"), PolicyName: aws.String("read"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:GetRole","iam:ListRoles","sts:GetCallerIdentity"],"Resource":"*"}]}`),
	}))(t)
	id := generateReport(t, c, "arn:aws:iam::"+account+":role/iam-reader", types.AccessAdvisorUsageGranularityTypeActionLevel)
	out := must(c.GetServiceLastAccessedDetails(ctx, &iam.GetServiceLastAccessedDetailsInput{JobId: aws.String(id)}))(t)
	if out.JobType != types.AccessAdvisorUsageGranularityTypeActionLevel || len(out.ServicesLastAccessed) != 2 {
		t.Fatalf("report %s %+v", out.JobType, out.ServicesLastAccessed)
	}
	iamSvc, stsSvc := out.ServicesLastAccessed[0], out.ServicesLastAccessed[1]
	if aws.ToString(iamSvc.ServiceName) != "AWS Identity and Access Management" || aws.ToString(iamSvc.ServiceNamespace) != "iam" {
		t.Errorf("iam service %+v", iamSvc)
	}
	var names []string
	for _, a := range iamSvc.TrackedActionsLastAccessed {
		names = append(names, aws.ToString(a.ActionName))
		if a.LastAccessedTime != nil || a.LastAccessedEntity != nil || a.LastAccessedRegion != nil {
			t.Errorf("unused action %+v", a)
		}
	}
	if len(names) != 2 || names[0] != "GetRole" || names[1] != "ListRoles" {
		t.Errorf("tracked iam actions %v", names)
	}
	// STS is not among the services whose actions IAM tracks.
	if aws.ToString(stsSvc.ServiceName) != "AWS Security Token Service" || stsSvc.TrackedActionsLastAccessed != nil {
		t.Errorf("sts service %+v", stsSvc)
	}
}

func TestAdvisorPolicyReport(t *testing.T) {
	c := newIAM(t)
	p := must(c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("s3-read"), PolicyDocument: aws.String(s3ReadPolicy)}))(t).Policy
	createRole(t, c, "reader")
	must(c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("reader"), PolicyArn: p.Arn}))(t)
	must(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("zed")}))(t)
	must(c.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("readers")}))(t)
	must(c.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String("readers"), UserName: aws.String("zed")}))(t)
	must(c.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: aws.String("readers"), PolicyArn: p.Arn}))(t)

	id := generateReport(t, c, aws.ToString(p.Arn), types.AccessAdvisorUsageGranularityTypeServiceLevel)
	out := must(c.GetServiceLastAccessedDetails(ctx, &iam.GetServiceLastAccessedDetailsInput{JobId: aws.String(id)}))(t)
	if len(out.ServicesLastAccessed) != 1 || aws.ToString(out.ServicesLastAccessed[0].ServiceName) != "Amazon S3" {
		t.Fatalf("services %+v", out.ServicesLastAccessed)
	}
	// Every entity that could have used the policy: the role, and the
	// group's member; users before roles when none has used it, as AWS's
	// example lists them.
	ents := must(c.GetServiceLastAccessedDetailsWithEntities(ctx, &iam.GetServiceLastAccessedDetailsWithEntitiesInput{JobId: aws.String(id), ServiceNamespace: aws.String("s3")}))(t)
	if len(ents.EntityDetailsList) != 2 ||
		aws.ToString(ents.EntityDetailsList[0].EntityInfo.Name) != "zed" || ents.EntityDetailsList[0].EntityInfo.Type != types.PolicyOwnerEntityTypeUser ||
		aws.ToString(ents.EntityDetailsList[1].EntityInfo.Name) != "reader" || ents.EntityDetailsList[1].EntityInfo.Type != types.PolicyOwnerEntityTypeRole {
		t.Errorf("entities %+v", ents.EntityDetailsList)
	}
	if ents.JobCompletionDate == nil || ents.IsTruncated {
		t.Errorf("entities job %+v", ents)
	}
}

func TestAdvisorPaging(t *testing.T) {
	c := newIAM(t)
	createRole(t, c, "admin")
	must(c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("admin"), PolicyArn: aws.String("arn:aws:iam::aws:policy/AdministratorAccess")}))(t)
	id := generateReport(t, c, "arn:aws:iam::"+account+":role/admin", "")
	in := &iam.GetServiceLastAccessedDetailsInput{JobId: aws.String(id), MaxItems: aws.Int32(200)}
	seen, pages, last := 0, 0, ""
	for {
		out := must(c.GetServiceLastAccessedDetails(ctx, in))(t)
		pages++
		for _, s := range out.ServicesLastAccessed {
			ns := aws.ToString(s.ServiceNamespace)
			if ns <= last {
				t.Fatalf("%s after %s: not sorted by namespace", ns, last)
			}
			last = ns
			seen++
		}
		if !out.IsTruncated {
			break
		}
		if len(out.ServicesLastAccessed) != 200 || out.Marker == nil {
			t.Fatalf("truncated page of %d, marker %v", len(out.ServicesLastAccessed), out.Marker)
		}
		in.Marker = out.Marker
	}
	if seen < 400 || pages != (seen+199)/200 {
		t.Errorf("%d services in %d pages", seen, pages)
	}
}

func TestAdvisorErrors(t *testing.T) {
	c := newIAM(t)
	createRole(t, c, "app")
	_, err := c.GenerateServiceLastAccessedDetails(ctx, &iam.GenerateServiceLastAccessedDetailsInput{Arn: aws.String("arn:aws:iam::" + account + ":role/nobody")})
	wantErr(t, err, 404, "NoSuchEntity", "The role with name nobody cannot be found.")
	_, err = c.GenerateServiceLastAccessedDetails(ctx, &iam.GenerateServiceLastAccessedDetailsInput{Arn: aws.String("arn:aws:iam::" + account + ":policy/nothing")})
	wantErr(t, err, 404, "NoSuchEntity", "Policy arn:aws:iam::"+account+":policy/nothing was not found.")
	_, err = c.GenerateServiceLastAccessedDetails(ctx, &iam.GenerateServiceLastAccessedDetailsInput{Arn: aws.String("arn:aws:s3:::some-bucket-name")})
	wantErr(t, err, 400, "InvalidInput", "ARN arn:aws:s3:::some-bucket-name is not valid.")
	_, err = c.GenerateServiceLastAccessedDetails(ctx, &iam.GenerateServiceLastAccessedDetailsInput{Arn: aws.String("arn:aws:iam::" + account + ":role/app"), Granularity: "RESOURCE_LEVEL"})
	wantErr(t, err, 400, "ValidationError", "1 validation error detected: Value at 'granularity' failed to satisfy constraint: Member must satisfy enum value set")

	const unknown = "5e0c8d1b-7a2f-4c3e-9b1d-2f6a8e4c0d17"
	_, err = c.GetServiceLastAccessedDetails(ctx, &iam.GetServiceLastAccessedDetailsInput{JobId: aws.String(unknown)})
	wantErr(t, err, 404, "NoSuchEntity", "The job with ID "+unknown+" cannot be found.")
	_, err = c.GetServiceLastAccessedDetailsWithEntities(ctx, &iam.GetServiceLastAccessedDetailsWithEntitiesInput{JobId: aws.String(unknown), ServiceNamespace: aws.String("s3")})
	wantErr(t, err, 404, "NoSuchEntity", "The job with ID "+unknown+" cannot be found.")
	_, err = c.GetServiceLastAccessedDetails(ctx, &iam.GetServiceLastAccessedDetailsInput{JobId: aws.String("short")})
	wantErr(t, err, 400, "ValidationError", "1 validation error detected: Value at 'jobId' failed to satisfy constraint: Member must have length greater than or equal to 36")
}

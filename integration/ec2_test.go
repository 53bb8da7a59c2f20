package integration

import (
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/ec2rolecreds"
	"github.com/aws/aws-sdk-go-v2/feature/ec2/imds"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/rolecall/rolecall/rolecalltest"
)

// EC2's own API over rolecall's instances, through aws-sdk-go-v2's EC2
// client: RunInstances with an instance profile, DescribeInstances,
// TerminateInstances and the instance profile associations.

const ami = "ami-0123456789abcdef0"

var instanceIDForm = regexp.MustCompile(`^i-[0-9a-f]{17}$`)

// runOne launches one instance with profile ("" none).
func runOne(c *ec2.Client, profile string, tags ...ec2types.Tag) (*ec2.RunInstancesOutput, error) {
	in := &ec2.RunInstancesInput{ImageId: aws.String(ami), MinCount: aws.Int32(1), MaxCount: aws.Int32(1)}
	if profile != "" {
		in.IamInstanceProfile = &ec2types.IamInstanceProfileSpecification{Name: aws.String(profile)}
		if strings.HasPrefix(profile, "arn:") {
			in.IamInstanceProfile = &ec2types.IamInstanceProfileSpecification{Arn: aws.String(profile)}
		}
	}
	if len(tags) > 0 {
		in.TagSpecifications = []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeInstance, Tags: tags}}
	}
	return c.RunInstances(ctx, in)
}

// instanceCaller is who a program on the instance is: the SDK's instance
// credentials provider reading the instance's metadata service, which
// rolecall's launch endpoint gives the root.
func instanceCaller(t *testing.T, rc *rolecalltest.Server, id string) (string, error) {
	t.Helper()
	out, err := sts.NewFromConfig(instanceConfig(t, rc, id)).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return "", err
	}
	return aws.ToString(out.Arn), nil
}

// instanceConfig is the SDK's configuration of a program on instance id:
// the instance credentials provider reading its metadata service.
func instanceConfig(t *testing.T, rc *rolecalltest.Server, id string) aws.Config {
	t.Helper()
	status, env := ec2Endpoint(t, rc, http.MethodGet, "instances/"+id, rootCreds)
	if status != 200 {
		t.Fatalf("instance env: %d %v", status, env)
	}
	cfg := rc.Config.Copy()
	cfg.Credentials = aws.NewCredentialsCache(ec2rolecreds.New(func(o *ec2rolecreds.Options) {
		o.Client = imds.New(imds.Options{Endpoint: env["MetadataEndpoint"].(string)})
	}))
	return cfg
}

func TestEC2RunDescribeTerminate(t *testing.T) {
	rc := rolecalltest.RunT(t)
	profileArn := instanceProfile(t, iam.NewFromConfig(rc.Config), "ecsInstanceRole", ec2Trust)
	c := ec2.NewFromConfig(rc.Config)

	res := must(runOne(c, "ecsInstanceRole", ec2types.Tag{Key: aws.String("Name"), Value: aws.String("web")}))(t)
	if !strings.HasPrefix(aws.ToString(res.ReservationId), "r-") || aws.ToString(res.OwnerId) != account || len(res.Instances) != 1 {
		t.Fatalf("reservation %+v", res)
	}
	inst := res.Instances[0]
	id := aws.ToString(inst.InstanceId)
	if !instanceIDForm.MatchString(id) || aws.ToString(inst.ImageId) != ami || inst.InstanceType != "t3.medium" ||
		inst.State == nil || aws.ToInt32(inst.State.Code) != 16 || inst.State.Name != ec2types.InstanceStateNameRunning ||
		inst.LaunchTime == nil || inst.IamInstanceProfile == nil || aws.ToString(inst.IamInstanceProfile.Arn) != profileArn ||
		!strings.HasPrefix(aws.ToString(inst.IamInstanceProfile.Id), "AIPA") || aws.ToString(inst.Placement.AvailabilityZone) != "us-east-1a" ||
		len(inst.Tags) != 1 || aws.ToString(inst.Tags[0].Value) != "web" {
		t.Fatalf("instance %+v", inst)
	}
	// The instance's metadata service serves its role's credentials.
	if who := must(instanceCaller(t, rc, id))(t); who != "arn:aws:sts::"+account+":assumed-role/ecsInstanceRole/"+id {
		t.Errorf("the instance acts as %s", who)
	}

	// Described by ID, by filters, and not by filters it fails.
	for name, in := range map[string]*ec2.DescribeInstancesInput{
		"by ID":      {InstanceIds: []string{id}},
		"all":        {},
		"running":    {Filters: []ec2types.Filter{{Name: aws.String("instance-state-name"), Values: []string{"running"}}}},
		"by profile": {Filters: []ec2types.Filter{{Name: aws.String("iam-instance-profile.arn"), Values: []string{"arn:aws:iam::*:instance-profile/ecs*"}}}},
		"by tag":     {Filters: []ec2types.Filter{{Name: aws.String("tag:Name"), Values: []string{"web", "api"}}, {Name: aws.String("instance-id"), Values: []string{id}}}},
	} {
		out := must(c.DescribeInstances(ctx, in))(t)
		if len(out.Reservations) != 1 || len(out.Reservations[0].Instances) != 1 || aws.ToString(out.Reservations[0].Instances[0].InstanceId) != id ||
			aws.ToString(out.Reservations[0].ReservationId) != aws.ToString(res.ReservationId) {
			t.Errorf("%s: %+v", name, out.Reservations)
		}
	}
	if out := must(c.DescribeInstances(ctx, &ec2.DescribeInstancesInput{Filters: []ec2types.Filter{{Name: aws.String("instance-state-name"), Values: []string{"stopped"}}}}))(t); len(out.Reservations) != 0 {
		t.Errorf("stopped: %+v", out.Reservations)
	}

	term := must(c.TerminateInstances(ctx, &ec2.TerminateInstancesInput{InstanceIds: []string{id}}))(t)
	if len(term.TerminatingInstances) != 1 || term.TerminatingInstances[0].CurrentState.Name != ec2types.InstanceStateNameTerminated ||
		aws.ToInt32(term.TerminatingInstances[0].CurrentState.Code) != 48 || term.TerminatingInstances[0].PreviousState.Name != ec2types.InstanceStateNameRunning {
		t.Errorf("terminate: %+v", term.TerminatingInstances)
	}
	out := must(c.DescribeInstances(ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{id}}))(t)
	if got := out.Reservations[0].Instances[0]; got.State.Name != ec2types.InstanceStateNameTerminated || got.IamInstanceProfile != nil ||
		aws.ToString(got.StateReason.Code) != "Client.UserInitiatedShutdown" {
		t.Errorf("terminated: %+v", got)
	}
	if status, body := ec2Endpoint(t, rc, http.MethodGet, "instances/"+id, rootCreds); status != 400 || body["__type"] != "IncorrectInstanceState" {
		t.Errorf("a terminated instance still has metadata: %d %v", status, body)
	}
	// Terminating it again answers it again, as EC2 does.
	again := must(c.TerminateInstances(ctx, &ec2.TerminateInstancesInput{InstanceIds: []string{id}}))(t)
	if again.TerminatingInstances[0].PreviousState.Name != ec2types.InstanceStateNameTerminated {
		t.Errorf("again: %+v", again.TerminatingInstances[0])
	}
}

// RunInstances needs ec2:RunInstances on the instance and the AMI,
// ec2:CreateTags when it tags them, and iam:PassRole of the profile's role
// to ec2.amazonaws.com; a refused launch leaves nothing.
func TestEC2RunInstancesAuthorization(t *testing.T) {
	rc := rolecalltest.RunT(t)
	root := clientsFor(rc.Config, nil)
	instanceProfile(t, root.iam, "ecsInstanceRole", ec2Trust)
	roleArn := "arn:aws:iam::" + account + ":role/ecsInstanceRole"
	user := func(name, doc string) *ec2.Client {
		_, k := newUser(t, root, rc.Config, nil, name, doc)
		return ec2.NewFromConfig(withCreds(rc.Config, aws.ToString(k.AccessKeyId), aws.ToString(k.SecretAccessKey), ""))
	}
	denied := func(who, action, resource string) string {
		return "You are not authorized to perform this operation. User: arn:aws:iam::" + account + ":user/" + who +
			" is not authorized to perform: " + action + " on resource: " + resource + " because no identity-based policy allows the " + action + " action"
	}
	const instanceStar = "arn:aws:ec2:us-east-1:" + account + ":instance/*"

	_, err := runOne(user("nobody", ""), "ecsInstanceRole")
	wantUnauthorized(t, err, denied("nobody", "ec2:RunInstances", instanceStar))

	_, err = runOne(user("instonly", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:RunInstances","Resource":"arn:aws:ec2:*:*:instance/*"}]}`), "ecsInstanceRole")
	wantUnauthorized(t, err, denied("instonly", "ec2:RunInstances", "arn:aws:ec2:us-east-1::image/"+ami))

	dev := user("dev", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ec2:RunInstances","ec2:DescribeInstances"],"Resource":"*"}]}`)
	_, err = runOne(dev, "ecsInstanceRole")
	wantUnauthorized(t, err, denied("dev", "iam:PassRole", roleArn))
	// Without a profile there is nothing to pass; with tags, ec2:CreateTags.
	must(runOne(dev, ""))(t)
	_, err = runOne(dev, "", ec2types.Tag{Key: aws.String("team"), Value: aws.String("a")})
	wantUnauthorized(t, err, denied("dev", "ec2:CreateTags", instanceStar))
	if out := must(dev.DescribeInstances(ctx, &ec2.DescribeInstancesInput{}))(t); len(out.Reservations) != 1 || out.Reservations[0].Instances[0].IamInstanceProfile != nil {
		t.Errorf("a refused launch left an instance: %+v", out.Reservations)
	}

	// Passing to another service is not passing to EC2; the instance's
	// tags and profile are condition keys of the launch.
	ops := user("ops", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"ec2:RunInstances","Resource":"arn:aws:ec2:*::image/*"},
		{"Effect":"Allow","Action":["ec2:RunInstances","ec2:CreateTags"],"Resource":"arn:aws:ec2:*:*:instance/*",
		 "Condition":{"StringEquals":{"aws:RequestTag/team":"a"},"ArnLike":{"ec2:InstanceProfile":"arn:aws:iam::*:instance-profile/ecs*"}}},
		{"Effect":"Allow","Action":"iam:PassRole","Resource":"`+roleArn+`","Condition":{"StringEquals":{"iam:PassedToService":"ec2.amazonaws.com"}}}]}`)
	must(runOne(ops, "ecsInstanceRole", ec2types.Tag{Key: aws.String("team"), Value: aws.String("a")}))(t)
	_, err = runOne(ops, "ecsInstanceRole", ec2types.Tag{Key: aws.String("team"), Value: aws.String("b")})
	wantUnauthorized(t, err, denied("ops", "ec2:RunInstances", instanceStar))

	// DryRun: the decisions, and nothing launched.
	_, err = ec2.NewFromConfig(rc.Config).RunInstances(ctx, &ec2.RunInstancesInput{ImageId: aws.String(ami), MinCount: aws.Int32(1), MaxCount: aws.Int32(1), DryRun: aws.Bool(true),
		IamInstanceProfile: &ec2types.IamInstanceProfileSpecification{Name: aws.String("ecsInstanceRole")}})
	wantErr(t, err, 412, "DryRunOperation", "Request would have succeeded, but DryRun flag is set.")
	_, err = dev.RunInstances(ctx, &ec2.RunInstancesInput{ImageId: aws.String(ami), MinCount: aws.Int32(1), MaxCount: aws.Int32(1), DryRun: aws.Bool(true),
		IamInstanceProfile: &ec2types.IamInstanceProfileSpecification{Name: aws.String("ecsInstanceRole")}})
	wantUnauthorized(t, err, denied("dev", "iam:PassRole", roleArn))
	if out := must(ec2.NewFromConfig(rc.Config).DescribeInstances(ctx, &ec2.DescribeInstancesInput{}))(t); len(out.Reservations) != 2 {
		t.Errorf("%d reservations, want dev's and ops's", len(out.Reservations))
	}
	// Describing needs ec2:DescribeInstances, which has no resource.
	_, err = user("viewer", "").DescribeInstances(ctx, &ec2.DescribeInstancesInput{})
	wantUnauthorized(t, err, "You are not authorized to perform this operation. User: arn:aws:iam::"+account+
		":user/viewer is not authorized to perform: ec2:DescribeInstances because no identity-based policy allows the ec2:DescribeInstances action")
}

// Another account's instance is not found, to describe or terminate, nor
// its instance profile to launch with; another Region's neither.
func TestEC2AcrossAccountsAndRegions(t *testing.T) {
	rc := rolecalltest.RunT(t)
	profileArn := instanceProfile(t, iam.NewFromConfig(rc.Config), "ecsInstanceRole", ec2Trust)
	mine := ec2.NewFromConfig(rc.Config)
	id := aws.ToString(must(runOne(mine, "ecsInstanceRole"))(t).Instances[0].InstanceId)
	other := ec2.NewFromConfig(withCreds(rc.Config, "111122223333", "test", ""))
	elsewhere := ec2.NewFromConfig(rc.Config, func(o *ec2.Options) { o.Region = "eu-west-1" })
	notFound := "The instance ID '" + id + "' does not exist"

	for name, c := range map[string]*ec2.Client{"another account": other, "another Region": elsewhere} {
		_, err := c.DescribeInstances(ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{id}})
		wantErr(t, err, 400, "InvalidInstanceID.NotFound", notFound)
		_, err = c.TerminateInstances(ctx, &ec2.TerminateInstancesInput{InstanceIds: []string{id}})
		wantErr(t, err, 400, "InvalidInstanceID.NotFound", notFound)
		if out := must(c.DescribeInstances(ctx, &ec2.DescribeInstancesInput{}))(t); len(out.Reservations) != 0 {
			t.Errorf("%s lists %+v", name, out.Reservations)
		}
		_, err = c.AssociateIamInstanceProfile(ctx, &ec2.AssociateIamInstanceProfileInput{InstanceId: aws.String(id),
			IamInstanceProfile: &ec2types.IamInstanceProfileSpecification{Name: aws.String("ecsInstanceRole")}})
		wantErr(t, err, 400, "InvalidInstanceID.NotFound", notFound)
	}
	_, err := runOne(other, profileArn)
	wantErr(t, err, 400, "InvalidParameterValue", "Value ("+profileArn+") for parameter iamInstanceProfile.arn is invalid. Invalid IAM Instance Profile ARN")
	_, err = runOne(other, "ecsInstanceRole")
	wantErr(t, err, 400, "InvalidParameterValue", "Value (ecsInstanceRole) for parameter iamInstanceProfile.name is invalid. Invalid IAM Instance Profile name")
	if out := must(mine.DescribeInstances(ctx, &ec2.DescribeInstancesInput{}))(t); out.Reservations[0].Instances[0].State.Name != ec2types.InstanceStateNameRunning {
		t.Errorf("the instance was touched: %+v", out.Reservations)
	}
}

// Malformed IDs and requests get EC2's codes and texts.
func TestEC2BadInput(t *testing.T) {
	rc := rolecalltest.RunT(t)
	c := ec2.NewFromConfig(rc.Config)
	_, err := c.DescribeInstances(ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{"i-12345678", "i-xyz"}})
	wantErr(t, err, 400, "InvalidInstanceID.Malformed", `Invalid id: "i-xyz" (expecting "i-...")`)
	_, err = c.TerminateInstances(ctx, &ec2.TerminateInstancesInput{InstanceIds: []string{"web-1"}})
	wantErr(t, err, 400, "InvalidInstanceID.Malformed", `Invalid id: "web-1" (expecting "i-...")`)
	_, err = c.DescribeInstances(ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{"i-0123456789abcdef0", "i-12345678"}})
	wantErr(t, err, 400, "InvalidInstanceID.NotFound", "The instance IDs 'i-0123456789abcdef0, i-12345678' do not exist")
	_, err = c.DescribeInstances(ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{"i-12345678"}, MaxResults: aws.Int32(5)})
	wantErr(t, err, 400, "InvalidParameterCombination", "The parameter instancesSet cannot be used with the parameter maxResults")
	_, err = c.DescribeInstances(ctx, &ec2.DescribeInstancesInput{MaxResults: aws.Int32(1)})
	wantErr(t, err, 400, "InvalidParameterValue", "Value ( 1 ) for parameter maxResults is invalid. Expecting a value greater than 5.")
	_, err = c.DescribeInstances(ctx, &ec2.DescribeInstancesInput{Filters: []ec2types.Filter{{Name: aws.String("public-ip"), Values: []string{"1.2.3.4"}}}})
	wantErr(t, err, 400, "InvalidParameterValue", "The filter 'public-ip' is invalid")
	_, err = c.DescribeInstances(ctx, &ec2.DescribeInstancesInput{NextToken: aws.String("bogus")})
	wantErr(t, err, 400, "InvalidParameterValue", "Value (bogus) for parameter NextToken is invalid. The token is invalid.")
	_, err = c.RunInstances(ctx, &ec2.RunInstancesInput{MinCount: aws.Int32(1), MaxCount: aws.Int32(1)})
	wantErr(t, err, 400, "MissingParameter", "The request must contain the parameter ImageId")
	_, err = c.RunInstances(ctx, &ec2.RunInstancesInput{ImageId: aws.String("ami-123"), MinCount: aws.Int32(1), MaxCount: aws.Int32(1)})
	wantErr(t, err, 400, "InvalidAMIID.Malformed", `Invalid id: "ami-123" (expecting "ami-...")`)
	_, err = c.RunInstances(ctx, &ec2.RunInstancesInput{ImageId: aws.String(ami), MinCount: aws.Int32(1), MaxCount: aws.Int32(0)})
	wantErr(t, err, 400, "InvalidParameterValue", "Maximum instance count must be greater than zero")
	_, err = c.RunInstances(ctx, &ec2.RunInstancesInput{ImageId: aws.String(ami), MinCount: aws.Int32(21), MaxCount: aws.Int32(30)})
	wantErr(t, err, 400, "InstanceLimitExceeded", "You have requested more instances (21) than your current instance limit of 20 allows for the specified instance type. Please visit http://aws.amazon.com/contact-us/ec2-request to request an adjustment to this limit.")
	_, err = c.DisassociateIamInstanceProfile(ctx, &ec2.DisassociateIamInstanceProfileInput{AssociationId: aws.String("i-0123456789abcdef0")})
	wantErr(t, err, 400, "InvalidParameterValue", "Invalid value for associationId.")
}

// Several instances in one launch, paged.
func TestEC2DescribePages(t *testing.T) {
	rc := rolecalltest.RunT(t)
	c := ec2.NewFromConfig(rc.Config)
	res := must(c.RunInstances(ctx, &ec2.RunInstancesInput{ImageId: aws.String(ami), MinCount: aws.Int32(2), MaxCount: aws.Int32(7)}))(t)
	if len(res.Instances) != 7 || aws.ToInt32(res.Instances[6].AmiLaunchIndex) != 6 {
		t.Fatalf("%d instances launched", len(res.Instances))
	}
	seen := map[string]bool{}
	pages := 0
	p := ec2.NewDescribeInstancesPaginator(c, &ec2.DescribeInstancesInput{MaxResults: aws.Int32(5)})
	for p.HasMorePages() {
		out := must(p.NextPage(ctx))(t)
		pages++
		for _, r := range out.Reservations {
			for _, i := range r.Instances {
				seen[aws.ToString(i.InstanceId)] = true
			}
		}
	}
	if pages != 2 || len(seen) != 7 {
		t.Errorf("%d pages, %d instances", pages, len(seen))
	}
	// The limit counts those running: 13 more fit, not 14.
	_, err := c.RunInstances(ctx, &ec2.RunInstancesInput{ImageId: aws.String(ami), MinCount: aws.Int32(14), MaxCount: aws.Int32(14)})
	wantErr(t, err, 400, "InstanceLimitExceeded", "You have requested more instances (21) than your current instance limit of 20 allows for the specified instance type. Please visit http://aws.amazon.com/contact-us/ec2-request to request an adjustment to this limit.")
	if got := must(c.RunInstances(ctx, &ec2.RunInstancesInput{ImageId: aws.String(ami), MinCount: aws.Int32(1), MaxCount: aws.Int32(100)}))(t); len(got.Instances) != 13 {
		t.Errorf("%d launched up to the limit, want 13", len(got.Instances))
	}
}

// An instance launched without a profile has no role; one associated,
// replaced and taken away changes what its metadata service gives.
func TestEC2InstanceProfileAssociations(t *testing.T) {
	rc := rolecalltest.RunT(t)
	root := clientsFor(rc.Config, nil)
	webArn := instanceProfile(t, root.iam, "web", ec2Trust)
	apiArn := instanceProfile(t, root.iam, "api", ec2Trust)
	c := ec2.NewFromConfig(rc.Config)
	id := aws.ToString(must(runOne(c, ""))(t).Instances[0].InstanceId)
	if _, err := instanceCaller(t, rc, id); err == nil {
		t.Fatal("an instance without a profile has credentials")
	}

	spec := func(name string) *ec2types.IamInstanceProfileSpecification {
		return &ec2types.IamInstanceProfileSpecification{Name: aws.String(name)}
	}
	a := must(c.AssociateIamInstanceProfile(ctx, &ec2.AssociateIamInstanceProfileInput{InstanceId: aws.String(id), IamInstanceProfile: spec("web")}))(t).IamInstanceProfileAssociation
	if !strings.HasPrefix(aws.ToString(a.AssociationId), "iip-assoc-") || a.State != ec2types.IamInstanceProfileAssociationStateAssociating ||
		aws.ToString(a.IamInstanceProfile.Arn) != webArn || aws.ToString(a.InstanceId) != id {
		t.Fatalf("associate: %+v", a)
	}
	if who := must(instanceCaller(t, rc, id))(t); !strings.Contains(who, ":assumed-role/web/"+id) {
		t.Errorf("after associating: %s", who)
	}
	_, err := c.AssociateIamInstanceProfile(ctx, &ec2.AssociateIamInstanceProfileInput{InstanceId: aws.String(id), IamInstanceProfile: spec("api")})
	wantErr(t, err, 400, "IncorrectState", "There is an existing association for instance "+id)
	list := must(c.DescribeIamInstanceProfileAssociations(ctx, &ec2.DescribeIamInstanceProfileAssociationsInput{
		Filters: []ec2types.Filter{{Name: aws.String("instance-id"), Values: []string{id}}}}))(t).IamInstanceProfileAssociations
	if len(list) != 1 || aws.ToString(list[0].AssociationId) != aws.ToString(a.AssociationId) || list[0].State != ec2types.IamInstanceProfileAssociationStateAssociated {
		t.Errorf("associations: %+v", list)
	}

	r := must(c.ReplaceIamInstanceProfileAssociation(ctx, &ec2.ReplaceIamInstanceProfileAssociationInput{AssociationId: a.AssociationId, IamInstanceProfile: spec("api")}))(t).IamInstanceProfileAssociation
	if aws.ToString(r.AssociationId) == aws.ToString(a.AssociationId) || aws.ToString(r.IamInstanceProfile.Arn) != apiArn {
		t.Errorf("replace: %+v", r)
	}
	if who := must(instanceCaller(t, rc, id))(t); !strings.Contains(who, ":assumed-role/api/"+id) {
		t.Errorf("after replacing: %s", who)
	}
	_, err = c.DisassociateIamInstanceProfile(ctx, &ec2.DisassociateIamInstanceProfileInput{AssociationId: a.AssociationId})
	wantErr(t, err, 400, "InvalidAssociationID.NotFound", "The association ID '"+aws.ToString(a.AssociationId)+"' does not exist")

	// Replacing needs iam:PassRole of the new profile's role.
	_, k := newUser(t, root, rc.Config, nil, "ops", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:*","Resource":"*"}]}`)
	ops := ec2.NewFromConfig(withCreds(rc.Config, aws.ToString(k.AccessKeyId), aws.ToString(k.SecretAccessKey), ""))
	_, err = ops.ReplaceIamInstanceProfileAssociation(ctx, &ec2.ReplaceIamInstanceProfileAssociationInput{AssociationId: r.AssociationId, IamInstanceProfile: spec("web")})
	wantUnauthorized(t, err, "You are not authorized to perform this operation. User: arn:aws:iam::"+account+
		":user/ops is not authorized to perform: iam:PassRole on resource: arn:aws:iam::"+account+":role/web because no identity-based policy allows the iam:PassRole action")

	d := must(ops.DisassociateIamInstanceProfile(ctx, &ec2.DisassociateIamInstanceProfileInput{AssociationId: r.AssociationId}))(t).IamInstanceProfileAssociation
	if d.State != ec2types.IamInstanceProfileAssociationStateDisassociating {
		t.Errorf("disassociate: %+v", d)
	}
	if _, err := instanceCaller(t, rc, id); err == nil {
		t.Error("a disassociated instance still has credentials")
	}
	if got := must(c.DescribeInstances(ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{id}}))(t).Reservations[0].Instances[0]; got.IamInstanceProfile != nil {
		t.Errorf("described with %+v", got.IamInstanceProfile)
	}
}

// RunInstances is idempotent by its client token, as EC2's is: the SDKs
// fill ClientToken and keep it across their retries, so a retried launch
// answers the first one's reservation and launches nothing more.
func TestEC2RunInstancesClientToken(t *testing.T) {
	rc := rolecalltest.RunT(t)
	c := ec2.NewFromConfig(rc.Config)
	in := &ec2.RunInstancesInput{ImageId: aws.String(ami), MinCount: aws.Int32(2), MaxCount: aws.Int32(2), ClientToken: aws.String("launch-1")}
	first := must(c.RunInstances(ctx, in))(t)
	again := must(c.RunInstances(ctx, in))(t)
	ids := func(r *ec2.RunInstancesOutput) []string {
		var out []string
		for _, i := range r.Instances {
			out = append(out, aws.ToString(i.InstanceId))
		}
		slices.Sort(out)
		return out
	}
	if aws.ToString(again.ReservationId) != aws.ToString(first.ReservationId) || !slices.Equal(ids(again), ids(first)) ||
		aws.ToString(again.Instances[0].ClientToken) != "launch-1" {
		t.Errorf("the retried launch answered %s %v, the first %s %v", aws.ToString(again.ReservationId), ids(again), aws.ToString(first.ReservationId), ids(first))
	}
	other := must(c.RunInstances(ctx, &ec2.RunInstancesInput{ImageId: aws.String(ami), MinCount: aws.Int32(1), MaxCount: aws.Int32(1)}))(t)
	n := 0
	for _, r := range must(c.DescribeInstances(ctx, &ec2.DescribeInstancesInput{}))(t).Reservations {
		n += len(r.Instances)
	}
	if n != 3 || aws.ToString(other.ReservationId) == aws.ToString(first.ReservationId) {
		t.Errorf("%d instances after two launches of 2 (one retried) and 1", n)
	}
}

// TestEC2AuthFailures: EC2 words authentication failures its own way, not
// IAM's: a wrong key or secret is AuthFailure, a stale signature or expired
// temporary credentials RequestExpired.
func TestEC2AuthFailures(t *testing.T) {
	clock := newClock()
	rc := rolecalltest.RunT(t, rolecalltest.WithClock(clock))
	ec2With := func(cfg aws.Config, skew time.Duration) *ec2.Client {
		return ec2.NewFromConfig(cfg, func(o *ec2.Options) { o.HTTPSignerV4 = clockSigner{clock: clock, skew: skew} })
	}
	const authFailure = "AWS was not able to validate the provided access credentials"
	_, err := ec2With(withCreds(rc.Config, "test", "not-test", ""), 0).DescribeInstances(ctx, nil)
	wantErr(t, err, 401, "AuthFailure", authFailure)
	_, err = ec2With(withCreds(rc.Config, "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ""), 0).DescribeInstances(ctx, nil)
	wantErr(t, err, 401, "AuthFailure", authFailure)
	_, err = ec2With(rc.Config, -20*time.Minute).DescribeInstances(ctx, nil)
	wantErr(t, err, 400, "RequestExpired", "Request has expired.")

	user := "ec2-auth"
	iamc := iam.NewFromConfig(rc.Config, func(o *iam.Options) { o.HTTPSignerV4 = clockSigner{clock: clock} })
	must(iamc.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(user)}))(t)
	key := must(iamc.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(user)}))(t).AccessKey
	stsc := sts.NewFromConfig(withCreds(rc.Config, aws.ToString(key.AccessKeyId), aws.ToString(key.SecretAccessKey), ""), func(o *sts.Options) { o.HTTPSignerV4 = clockSigner{clock: clock} })
	sess := must(stsc.GetSessionToken(ctx, &sts.GetSessionTokenInput{DurationSeconds: aws.Int32(900)}))(t).Credentials
	clock.Advance(16 * time.Minute)
	_, err = ec2With(withCreds(rc.Config, aws.ToString(sess.AccessKeyId), aws.ToString(sess.SecretAccessKey), aws.ToString(sess.SessionToken)), 0).DescribeInstances(ctx, nil)
	wantErr(t, err, 400, "RequestExpired", "Request has expired.")
}

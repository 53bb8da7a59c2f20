package ec2query

import (
	"encoding/xml"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/rolecall/rolecall/internal/api/ec2api/types"
	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/model"
	"github.com/rolecall/rolecall/internal/protocol"
)

func codec() *Codec { return &Codec{Model: model.MustLoad("ec2")} }

func form(kv ...string) protocol.Form {
	var f protocol.Form
	for i := 0; i+1 < len(kv); i += 2 {
		f = append(f, protocol.Param{Key: kv[i], Value: kv[i+1]})
	}
	return f
}

// A request as aws-sdk-go-v2's ec2query serializer writes it: flat lists,
// the capitalized locationName (IamInstanceProfile.Name from
// iamInstanceProfile/name), nested lists of structures.
func TestDecodeRunInstances(t *testing.T) {
	c := codec()
	f := form("Action", "RunInstances", "Version", "2016-11-15", "ImageId", "ami-12345678", "MinCount", "1", "MaxCount", "2",
		"IamInstanceProfile.Name", "web", "DryRun", "true", "InstanceType", "t3.small",
		"TagSpecification.1.ResourceType", "instance", "TagSpecification.1.Tag.1.Key", "Name", "TagSpecification.1.Tag.1.Value", "web-1",
		"SecurityGroupId.1", "sg-1", "SecurityGroupId.2", "sg-2")
	op, aerr := c.Operation(f)
	if aerr != nil {
		t.Fatal(aerr)
	}
	var in types.RunInstancesRequest
	if aerr := c.Decode(op, f, &in); aerr != nil {
		t.Fatal(aerr)
	}
	if in.ImageId != "ami-12345678" || in.MinCount != 1 || in.MaxCount != 2 || !in.DryRun || in.InstanceType != "t3.small" ||
		in.IamInstanceProfile == nil || in.IamInstanceProfile.Name != "web" || len(in.SecurityGroupIds) != 2 || in.SecurityGroupIds[1] != "sg-2" {
		t.Fatalf("decoded %+v", in)
	}
	if len(in.TagSpecifications) != 1 || in.TagSpecifications[0].ResourceType != "instance" ||
		len(in.TagSpecifications[0].Tags) != 1 || in.TagSpecifications[0].Tags[0].Value != "web-1" {
		t.Fatalf("tags %+v", in.TagSpecifications)
	}
}

func TestDecodeDescribeInstances(t *testing.T) {
	c := codec()
	f := form("Action", "DescribeInstances", "InstanceId.1", "i-1234567890abcdef0", "InstanceId.2", "i-12345678",
		"Filter.1.Name", "instance-state-name", "Filter.1.Value.1", "running", "Filter.1.Value.2", "stopped",
		"X-Amz-Signature", "ignored")
	op, _ := c.Operation(f)
	var in types.DescribeInstancesRequest
	if aerr := c.Decode(op, f, &in); aerr != nil {
		t.Fatal(aerr)
	}
	if len(in.InstanceIds) != 2 || in.InstanceIds[0] != "i-1234567890abcdef0" || len(in.Filters) != 1 ||
		in.Filters[0].Name != "instance-state-name" || strings.Join(in.Filters[0].Values, ",") != "running,stopped" {
		t.Fatalf("decoded %+v", in)
	}
}

func TestDecodeErrors(t *testing.T) {
	c := codec()
	for _, tc := range []struct {
		name string
		form protocol.Form
		code string
		msg  string
	}{
		{"missing required", form("Action", "RunInstances", "MinCount", "1"), "MissingParameter", "The request must contain the parameter MaxCount"},
		{"missing nested required", form("Action", "TerminateInstances"), "MissingParameter", "The request must contain the parameter InstanceId"},
		{"unknown parameter", form("Action", "DescribeInstances", "Item", "x"), "UnknownParameter", "The parameter Item is not recognized"},
		// The query protocol's spelling of a list is not EC2's.
		{"query-style list", form("Action", "DescribeInstances", "InstanceIds.member.1", "i-12345678"), "UnknownParameter", "The parameter InstanceIds.member.1 is not recognized"},
		{"gap in a list", form("Action", "DescribeInstances", "InstanceId.1", "i-12345678", "InstanceId.3", "i-12345679"), "UnknownParameter", "The parameter InstanceId.3 is not recognized"},
		{"a scalar given a structure", form("Action", "RunInstances", "MinCount", "1", "MaxCount", "1", "IamInstanceProfile", "web"), "UnknownParameter", "The parameter IamInstanceProfile is not recognized"},
		{"not a number", form("Action", "RunInstances", "MinCount", "one", "MaxCount", "1"), "InvalidParameterValue", "Value (one) for parameter MinCount is invalid. Expecting an integer."},
		{"out of int32", form("Action", "RunInstances", "MinCount", "4294967296", "MaxCount", "1"), "InvalidParameterValue", "Value (4294967296) for parameter MinCount is invalid. Expecting an integer."},
		{"not a boolean", form("Action", "DescribeInstances", "DryRun", "yes"), "InvalidParameterValue", "Value (yes) for parameter DryRun is invalid. Expecting true or false."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			op, aerr := c.Operation(tc.form)
			if aerr != nil {
				t.Fatal(aerr)
			}
			in := map[string]any{"RunInstances": &types.RunInstancesRequest{}, "DescribeInstances": &types.DescribeInstancesRequest{}, "TerminateInstances": &types.TerminateInstancesRequest{}}[op.Name]
			aerr = c.Decode(op, tc.form, in)
			if aerr == nil || aerr.Code != tc.code || aerr.Message != tc.msg || aerr.Status != 400 {
				t.Fatalf("got %v, want %s: %s", aerr, tc.code, tc.msg)
			}
		})
	}
	if _, aerr := c.Operation(form("Action", "CreateVpc")); aerr == nil || aerr.Code != "InvalidAction" {
		t.Fatalf("an action rolecall's model does not have: %v", aerr)
	}
}

// The answer as aws-sdk-go-v2 reads it: requestId beside the members, no
// result wrapper, lists of <item>.
func TestWriteResponse(t *testing.T) {
	c := codec()
	op := c.Model.Operations["DescribeInstances"]
	launched := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	out := &types.DescribeInstancesResult{Reservations: []types.Reservation{{
		ReservationId: "r-0123456789abcdef0", OwnerId: "000000000000", Groups: []types.GroupIdentifier{},
		Instances: []types.Instance{{InstanceId: "i-0123456789abcdef0", State: &types.InstanceState{Code: 16, Name: "running"}, LaunchTime: &launched,
			IamInstanceProfile: &types.IamInstanceProfile{Arn: "arn:aws:iam::000000000000:instance-profile/web", Id: "AIPA0"},
			Tags:               []types.Tag{{Key: "Name", Value: "a<b"}}}},
	}}}
	rec := httptest.NewRecorder()
	c.WriteResponse(rec, op, out, "req-1")
	body := rec.Body.String()
	for _, want := range []string{
		`<DescribeInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">`,
		"<requestId>req-1</requestId>", "<reservationSet>", "<item>", "<reservationId>r-0123456789abcdef0</reservationId>",
		"<groupSet/>", "<instancesSet>", "<instanceState>", "<code>16</code>", "<name>running</name>",
		"<launchTime>2026-01-02T03:04:05Z</launchTime>", "<iamInstanceProfile>", "<arn>arn:aws:iam::000000000000:instance-profile/web</arn>",
		"<tagSet>", "<value>a&lt;b</value>",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("missing %s in\n%s", want, body)
		}
	}
	if strings.Contains(body, "Result>") || rec.Code != 200 {
		t.Errorf("status %d, body\n%s", rec.Code, body)
	}
	var x struct{ XMLName xml.Name }
	if err := xml.Unmarshal(rec.Body.Bytes(), &x); err != nil {
		t.Fatal(err)
	}
}

func TestWriteError(t *testing.T) {
	rec := httptest.NewRecorder()
	WriteError(rec, awserr.New(400, "InvalidInstanceID.Malformed", `Invalid id: "i-x" (expecting "i-...")`), "req-2")
	want := `<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<Response><Errors><Error><Code>InvalidInstanceID.Malformed</Code><Message>Invalid id: &#34;i-x&#34; (expecting &#34;i-...&#34;)</Message></Error></Errors><RequestID>req-2</RequestID></Response>` + "\n"
	if rec.Code != 400 || rec.Body.String() != want {
		t.Fatalf("%d %s", rec.Code, rec.Body.String())
	}
}

// FuzzDecode feeds arbitrary form bodies to every EC2 operation's decoder,
// into the real request types: an answer or an AWS error, never a panic.
func FuzzDecode(f *testing.F) {
	f.Add("Action=RunInstances&MinCount=1&MaxCount=1&ImageId=ami-12345678&IamInstanceProfile.Name=web&TagSpecification.1.Tag.1.Key=a")
	f.Add("Action=DescribeInstances&Filter.1.Name=instance-id&Filter.1.Value.1=i-12345678&InstanceId.1=i-1&InstanceId.1.2=x")
	f.Add("Action=TerminateInstances&InstanceId=&InstanceId.1=i-0&DryRun=true")
	f.Add("Action=ReplaceIamInstanceProfileAssociation&AssociationId=iip-assoc-1&IamInstanceProfile.Arn=arn&IamInstanceProfile.Arn.1=x")
	c := codec()
	inputs := map[string]func() any{
		"RunInstances":                           func() any { return &types.RunInstancesRequest{} },
		"DescribeInstances":                      func() any { return &types.DescribeInstancesRequest{} },
		"TerminateInstances":                     func() any { return &types.TerminateInstancesRequest{} },
		"AssociateIamInstanceProfile":            func() any { return &types.AssociateIamInstanceProfileRequest{} },
		"DescribeIamInstanceProfileAssociations": func() any { return &types.DescribeIamInstanceProfileAssociationsRequest{} },
		"ReplaceIamInstanceProfileAssociation":   func() any { return &types.ReplaceIamInstanceProfileAssociationRequest{} },
		"DisassociateIamInstanceProfile":         func() any { return &types.DisassociateIamInstanceProfileRequest{} },
	}
	f.Fuzz(func(t *testing.T, body string) {
		vals, err := protocol.ParseForm(nil, body)
		if err != nil {
			return
		}
		op, aerr := c.Operation(vals)
		if aerr != nil {
			return
		}
		if aerr := c.Decode(op, vals, inputs[op.Name]()); aerr != nil && (aerr.Status != 400 || aerr.Code == "") {
			t.Fatalf("%s: %v", body, aerr)
		}
		// A struct the binding does not fill (nil) is validated only.
		var none struct{}
		c.Decode(op, vals, &none)
	})
}

package source

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/applicationautoscaling"
	"github.com/aws/smithy-go"

	"github.com/rolecall/rolecall/internal/doctor"
	"github.com/rolecall/rolecall/rolecalltest"
)

// slrARN is the role AWS names in an ECS scalable target made with the
// service-linked role (the AWS CLI's describe-scalable-targets example).
const slrARN = "arn:aws:iam::123456789012:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_ECSService"

// targetJSON is one ScalableTarget as DescribeScalableTargets answers it:
// the members of the SDK model's ScalableTarget, as in the AWS CLI's
// describe-scalable-targets example output.
func targetJSON(resourceID string) string {
	return `{"ServiceNamespace":"ecs","ScalableDimension":"ecs:service:DesiredCount","ResourceId":"` + resourceID + `",` +
		`"MinCapacity":2,"MaxCapacity":10,"RoleARN":"` + slrARN + `","CreationTime":1462558906.199,` +
		`"SuspendedState":{"DynamicScalingOutSuspended":false,"ScheduledScalingSuspended":false,"DynamicScalingInSuspended":false},` +
		`"ScalableTargetARN":"arn:aws:application-autoscaling:us-east-1:123456789012:scalable-target/0123abcd56ab78cd901ef1234567890ab123"}`
}

// describeRequest is what the client sends: the DescribeScalableTargets
// request members it sets.
type describeRequest struct {
	ServiceNamespace string
	ResourceIds      []string
	NextToken        string
}

// fakeScaling is an Application Auto Scaling endpoint (awsJson1_1): answer
// gives the status and body for each DescribeScalableTargets request.
type fakeScaling struct {
	t      *testing.T
	answer func(req describeRequest, n int) (int, string)

	mu   sync.Mutex
	reqs []describeRequest
}

func (f *fakeScaling) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// A client that sent anything but DescribeScalableTargets, or signed
	// it for another service, is answered as AWS answers an unknown target.
	if got := r.Header.Get("X-Amz-Target"); got != "AnyScaleFrontendService.DescribeScalableTargets" ||
		!strings.Contains(r.Header.Get("Authorization"), "/us-east-1/application-autoscaling/aws4_request") {
		f.t.Errorf("request X-Amz-Target %q, Authorization %q", got, r.Header.Get("Authorization"))
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, `{"__type":"UnknownOperationException"}`)
		return
	}
	var req describeRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		f.t.Errorf("request body: %v", err)
	}
	f.mu.Lock()
	f.reqs = append(f.reqs, req)
	n := len(f.reqs)
	f.mu.Unlock()
	status, body := f.answer(req, n)
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-Requestid", "0b5ea4a3-7fa1-4a7e-9b0e-2f2b2c3d4e5f")
	w.WriteHeader(status)
	fmt.Fprint(w, body)
}

// liveScaling is a Live whose Application Auto Scaling client talks to h.
func liveScaling(t *testing.T, h http.Handler) *Live {
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	cfg := aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ""),
		BaseEndpoint: aws.String(srv.URL),
	}
	return &Live{Scaling: applicationautoscaling.NewFromConfig(cfg)}
}

func liveServices(names ...string) []*doctor.Service {
	var out []*doctor.Service
	for _, n := range names {
		s := &doctor.Service{ClusterArn: "arn:aws:ecs:us-east-1:123456789012:cluster/prod", Source: "ecs"}
		s.ServiceName = n
		out = append(out, s)
	}
	return out
}

func TestReadScalableTargets(t *testing.T) {
	var many []string
	for i := range 51 {
		many = append(many, fmt.Sprintf("svc%02d", i))
	}
	want := &doctor.ScalableTarget{ServiceNamespace: "ecs", ResourceId: "service/prod/api", ScalableDimension: "ecs:service:DesiredCount", RoleARN: slrARN, Source: ScalingSource}
	cases := []struct {
		name     string
		services []*doctor.Service
		answer   func(req describeRequest, n int) (int, string)
		want     []*doctor.ScalableTarget
		wantReqs []describeRequest
		// errCode is the AWS error code the read fails with; notServed
		// whether that error is ErrNotServed.
		errCode   string
		notServed bool
	}{
		{name: "one service scales, one does not", services: liveServices("api", "worker"),
			answer: func(describeRequest, int) (int, string) {
				return 200, `{"ScalableTargets":[` + targetJSON("service/prod/api") + `]}`
			},
			want:     []*doctor.ScalableTarget{want},
			wantReqs: []describeRequest{{ServiceNamespace: "ecs", ResourceIds: []string{"service/prod/api", "service/prod/worker"}}}},
		{name: "pages are followed", services: liveServices("api", "web"),
			answer: func(req describeRequest, n int) (int, string) {
				if req.NextToken == "" {
					return 200, `{"ScalableTargets":[` + targetJSON("service/prod/api") + `],"NextToken":"page2"}`
				}
				return 200, `{"ScalableTargets":[` + targetJSON("service/prod/web") + `]}`
			},
			want: []*doctor.ScalableTarget{want, {ServiceNamespace: "ecs", ResourceId: "service/prod/web", ScalableDimension: "ecs:service:DesiredCount", RoleARN: slrARN, Source: ScalingSource}},
			wantReqs: []describeRequest{
				{ServiceNamespace: "ecs", ResourceIds: []string{"service/prod/api", "service/prod/web"}},
				{ServiceNamespace: "ecs", ResourceIds: []string{"service/prod/api", "service/prod/web"}, NextToken: "page2"}}},
		{name: "no service scales", services: liveServices("api"),
			answer:   func(describeRequest, int) (int, string) { return 200, `{"ScalableTargets":[]}` },
			wantReqs: []describeRequest{{ServiceNamespace: "ecs", ResourceIds: []string{"service/prod/api"}}}},
		{name: "no services, no call", answer: func(describeRequest, int) (int, string) { return 500, `{}` }},
		{name: "50 resources a call", services: liveServices(many...),
			answer: func(describeRequest, int) (int, string) { return 200, `{"ScalableTargets":[]}` },
			wantReqs: []describeRequest{
				{ServiceNamespace: "ecs", ResourceIds: resourceIDs(many[:50])},
				{ServiceNamespace: "ecs", ResourceIds: resourceIDs(many[50:])}}},
		// An older rolecall's answer, before it served Application Auto
		// Scaling.
		{name: "endpoint without Application Auto Scaling", services: liveServices("api"),
			answer: func(describeRequest, int) (int, string) {
				return 400, `{"__type":"UnknownOperationException","message":"rolecall does not serve the target \"AnyScaleFrontendService.DescribeScalableTargets\""}`
			},
			wantReqs: []describeRequest{{ServiceNamespace: "ecs", ResourceIds: []string{"service/prod/api"}}},
			errCode:  "UnknownOperationException", notServed: true},
		// AWS's answer to a caller without the permission.
		{name: "denied", services: liveServices("api"),
			answer: func(describeRequest, int) (int, string) {
				return 400, `{"__type":"AccessDeniedException","Message":"User: arn:aws:iam::123456789012:user/reader is not authorized to perform: application-autoscaling:DescribeScalableTargets"}`
			},
			wantReqs: []describeRequest{{ServiceNamespace: "ecs", ResourceIds: []string{"service/prod/api"}}},
			errCode:  "AccessDeniedException"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := &fakeScaling{t: t, answer: tc.answer}
			got, err := liveScaling(t, f).ReadScalableTargets(context.Background(), tc.services)
			var ae smithy.APIError
			switch {
			case tc.errCode == "" && err != nil:
				t.Fatal(err)
			case tc.errCode != "" && (!errors.As(err, &ae) || ae.ErrorCode() != tc.errCode):
				t.Fatalf("error %v, want code %s", err, tc.errCode)
			}
			if errors.Is(err, ErrNotServed) != tc.notServed {
				t.Errorf("errors.Is(%v, ErrNotServed) = %v, want %v", err, !tc.notServed, tc.notServed)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("targets:\n got %s\nwant %s", dump(got), dump(tc.want))
			}
			if !reflect.DeepEqual(f.reqs, tc.wantReqs) {
				t.Errorf("requests:\n got %+v\nwant %+v", f.reqs, tc.wantReqs)
			}
		})
	}
}

func resourceIDs(services []string) []string {
	var out []string
	for _, s := range services {
		out = append(out, "service/prod/"+s)
	}
	return out
}

func dump(ts []*doctor.ScalableTarget) string {
	var b strings.Builder
	for _, t := range ts {
		fmt.Fprintf(&b, "%+v ", *t)
	}
	return b.String()
}

// A scalable target read from the account makes the doctor need and check
// the service auto scaling service-linked role, as one given as a file does.
func TestLiveScalableTargetDiagnosed(t *testing.T) {
	dir := filepath.Join("..", "testdata", "setups", "autoscaling")
	const slr = "AWSServiceRoleForApplicationAutoScaling_ECSService"
	cases := []struct {
		name, iam string
		targets   string // the DescribeScalableTargets answer's list
		status    doctor.Status
		check     string // a check the role case has, as area status: what
	}{
		{name: "role ok", iam: "iam-ok.json", targets: targetJSON("service/prod/api"), status: doctor.OK,
			check: "permissions ok: ecs:UpdateService on arn:aws:ecs:us-east-1:123456789012:service/prod/api"},
		{name: "role missing", iam: "iam-broken.json", targets: targetJSON("service/prod/api"), status: doctor.Fail,
			check: "exists fail: service-linked role " + slr + " exists"},
		{name: "service does not scale", iam: "iam-ok.json", status: doctor.NotNeeded},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			l, err := LoadFiles(filepath.Join(dir, "taskdef.json"), filepath.Join(dir, "service.json"), filepath.Join(dir, tc.iam))
			if err != nil {
				t.Fatal(err)
			}
			s := &doctor.Setup{Account: "123456789012", Region: "us-east-1", Deployer: "arn:aws:iam::123456789012:user/deployer", IAM: l.IAM}
			l.Apply(s)
			f := &fakeScaling{t: t, answer: func(describeRequest, int) (int, string) {
				return 200, `{"ScalableTargets":[` + tc.targets + `]}`
			}}
			targets, err := liveScaling(t, f).ReadScalableTargets(ctx, s.Services)
			if err != nil {
				t.Fatal(err)
			}
			s.ScalableTargets = append(s.ScalableTargets, targets...)
			rep, err := doctor.Diagnose(ctx, s)
			if err != nil {
				t.Fatal(err)
			}
			var rc *doctor.RoleCase
			for _, r := range rep.Roles {
				if r.Kind == doctor.KindAutoScalingLinked {
					rc = r
				}
			}
			if rc == nil {
				t.Fatalf("no %s in the report", doctor.KindAutoScalingLinked)
			}
			if rc.Status != tc.status || rc.Name != slr {
				t.Errorf("%s %s: status %s, want %s", rc.Kind, rc.Name, rc.Status, tc.status)
			}
			if tc.status == doctor.NotNeeded {
				if rc.Needed {
					t.Error("needed without a scalable target")
				}
				return
			}
			if !rc.Needed || len(rc.Why) != 1 || !strings.HasPrefix(rc.Why[0], "scalable target service/prod/api: ") {
				t.Errorf("needed %v, why %q", rc.Needed, rc.Why)
			}
			var checks []string
			for _, c := range rc.Checks {
				checks = append(checks, fmt.Sprintf("%s %s: %s", c.Area, c.Status, c.What))
			}
			if !strings.Contains(strings.Join(checks, "\n"), tc.check) {
				t.Errorf("checks lack %q:\n%s", tc.check, strings.Join(checks, "\n"))
			}
			found := false
			for _, w := range rep.Workloads {
				found = found || (w.Kind == "scalable-target" && w.Name == "service/prod/api" && w.Source == ScalingSource)
			}
			if !found {
				t.Errorf("workloads %+v lack the scalable target from %s", rep.Workloads, ScalingSource)
			}
		})
	}
}

// rolecall serves Application Auto Scaling: reading it there answers the
// targets registered, none here (an endpoint that does not serve it is
// ErrNotServed, TestReadScalableTargets).
func TestReadScalableTargetsRolecall(t *testing.T) {
	rc := rolecalltest.RunT(t)
	got, err := NewLive(rc.Config).ReadScalableTargets(context.Background(), liveServices("api"))
	if err != nil || len(got) != 0 {
		t.Fatalf("targets %+v, error %v; want none", got, err)
	}
}

package doctor_test

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/rolecall/rolecall/internal/doctor"
	"github.com/rolecall/rolecall/internal/doctor/source"
)

var update = flag.Bool("update", false, "rewrite the testdata/*.golden files with the current output")

// goldenCase is one realistic setup read through the file source: ECS
// definitions as the AWS CLI takes them and an IAM export.
type goldenCase struct {
	name     string
	files    []string // under testdata/setups
	deployer string
	profiles []string
	failed   bool // the report must fail (exit status 1)
	markdown bool // also check the Markdown rendering
	json     bool // also check the JSON rendering
}

var goldenCases = []goldenCase{
	{name: "fargate-alb-ok", files: []string{"fargate-alb/taskdef.json", "fargate-alb/service.json", "fargate-alb/iam-ok.json"},
		deployer: "arn:aws:iam::123456789012:user/deployer", markdown: true},
	{name: "fargate-alb-broken", files: []string{"fargate-alb/taskdef.json", "fargate-alb/service.json", "fargate-alb/iam-broken.json"},
		deployer: "arn:aws:iam::123456789012:user/deployer", failed: true, markdown: true, json: true},
	{name: "ec2-ok", files: []string{"ec2/taskdef.json", "ec2/service.json", "ec2/iam-ok.json"},
		deployer: "arn:aws:iam::123456789012:user/deployer"},
	{name: "ec2-broken", files: []string{"ec2/taskdef.json", "ec2/service.json", "ec2/iam-broken.json"},
		deployer: "arn:aws:iam::123456789012:user/deployer", profiles: []string{"ecsInstanceProfile"}, failed: true},
	{name: "legacy-elb-ok", files: []string{"legacy-elb/taskdef.json", "legacy-elb/service.json", "legacy-elb/iam-ok.json"},
		deployer: "arn:aws:iam::123456789012:user/deployer", profiles: []string{"ecsInstanceRole"}},
	{name: "legacy-elb-broken", files: []string{"legacy-elb/taskdef.json", "legacy-elb/service.json", "legacy-elb/iam-broken.json"},
		deployer: "arn:aws:iam::123456789012:user/deployer", profiles: []string{"ecsInstanceRole"}, failed: true},
	{name: "managed-instances-ok", files: []string{"managed-instances/taskdef.json", "managed-instances/service.json", "managed-instances/capacity-provider-ok.json", "managed-instances/iam-ok.json"},
		deployer: "arn:aws:iam::123456789012:user/deployer"},
	{name: "managed-instances-broken", files: []string{"managed-instances/taskdef.json", "managed-instances/service.json", "managed-instances/capacity-provider-broken.json", "managed-instances/iam-broken.json"},
		deployer: "arn:aws:iam::123456789012:user/deployer", failed: true},
	{name: "autoscaling-ok", files: []string{"autoscaling/taskdef.json", "autoscaling/service.json", "autoscaling/scalable-target.json", "autoscaling/iam-ok.json"},
		deployer: "arn:aws:iam::123456789012:user/deployer"},
	{name: "autoscaling-broken", files: []string{"autoscaling/taskdef.json", "autoscaling/service-exec.json", "autoscaling/scalable-target.json", "autoscaling/iam-broken.json"},
		deployer: "arn:aws:iam::123456789012:user/deployer", failed: true, markdown: true},
	{name: "express-ok", files: []string{"express/service.json", "express/iam-ok.json"}, deployer: "arn:aws:iam::123456789012:user/deployer"},
	{name: "bluegreen-ok", files: []string{"fargate-alb/taskdef.json", "bluegreen/service.json", "bluegreen/iam-ok.json"},
		deployer: "arn:aws:iam::123456789012:user/deployer"},
	{name: "bluegreen-broken", files: []string{"fargate-alb/taskdef.json", "bluegreen/service.json", "bluegreen/iam-broken.json"},
		deployer: "arn:aws:iam::123456789012:user/deployer", failed: true, markdown: true},
	{name: "daemon-ok", files: []string{"daemon/daemon.json", "daemon/daemon-taskdef.json", "managed-instances/capacity-provider-ok.json", "daemon/iam-ok.json"},
		deployer: "arn:aws:iam::123456789012:user/deployer"},
	{name: "daemon-broken", files: []string{"daemon/daemon.json", "daemon/daemon-taskdef.json", "managed-instances/capacity-provider-broken.json", "daemon/iam-broken.json"},
		deployer: "arn:aws:iam::123456789012:user/deployer", failed: true, markdown: true},
	{name: "express-broken", files: []string{"express/service.json", "express/iam-broken.json"}, deployer: "arn:aws:iam::123456789012:user/deployer", failed: true},
}

func TestGolden(t *testing.T) {
	for _, tc := range goldenCases {
		t.Run(tc.name, func(t *testing.T) {
			var paths []string
			for _, f := range tc.files {
				paths = append(paths, filepath.Join("testdata", "setups", f))
			}
			loaded, err := source.LoadFiles(paths...)
			if err != nil {
				t.Fatal(err)
			}
			s := &doctor.Setup{Deployer: tc.deployer, InstanceProfiles: tc.profiles}
			loaded.Apply(s)
			if loaded.IAM != nil {
				s.IAM = loaded.IAM
			}
			rep, err := doctor.Diagnose(context.Background(), s)
			if err != nil {
				t.Fatal(err)
			}
			if rep.Failed() != tc.failed {
				t.Errorf("Failed() = %v, want %v", rep.Failed(), tc.failed)
			}
			var out bytes.Buffer
			if err := rep.WriteTable(&out, false); err != nil {
				t.Fatal(err)
			}
			golden(t, tc.name+".golden", out.Bytes())
			if tc.markdown {
				out.Reset()
				if err := rep.WriteMarkdown(&out); err != nil {
					t.Fatal(err)
				}
				golden(t, tc.name+".md.golden", out.Bytes())
			}
			if tc.json {
				out.Reset()
				if err := rep.WriteJSON(&out); err != nil {
					t.Fatal(err)
				}
				golden(t, tc.name+".json.golden", out.Bytes())
			}
		})
	}
}

// golden compares got with testdata/NAME, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the output (go test -update rewrites it):\n%s", path, diff(string(want), string(got)))
	}
}

// diff shows the first differing lines.
func diff(want, got string) string {
	wl, gl := bytes.Split([]byte(want), []byte("\n")), bytes.Split([]byte(got), []byte("\n"))
	for i := 0; i < len(wl) || i < len(gl); i++ {
		var w, g []byte
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if !bytes.Equal(w, g) {
			return "line " + itoa(i+1) + ":\n  want: " + string(w) + "\n  got:  " + string(g)
		}
	}
	return ""
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var b []byte
	for i > 0 {
		b = append([]byte{byte('0' + i%10)}, b...)
		i /= 10
	}
	return string(b)
}

package ecs

import (
	"testing"

	"github.com/rolecall/rolecall/internal/ecs/types"
)

// The circuit breaker's threshold: half the desired count, between 3 and
// 200 (ServiceDeploymentCircuitBreaker reference).
func TestBreakerThreshold(t *testing.T) {
	for desired, want := range map[int32]int32{0: 3, 1: 3, 6: 3, 7: 4, 10: 5, 399: 200, 1000: 200} {
		if got := breakerThreshold(desired); got != want {
			t.Errorf("desired %d: %d, want %d", desired, got, want)
		}
	}
}

// A rolling update keeps minimumHealthyPercent of the desired count
// (rounded up) RUNNING and runs at most maximumPercent (rounded down).
func TestRollingLimits(t *testing.T) {
	cases := []struct {
		desired, min, max int32
		healthy, most     int
	}{
		{4, 100, 200, 4, 8},
		{3, 50, 150, 2, 4},
		{1, 0, 100, 0, 1},
	}
	for _, c := range cases {
		svc := &types.Service{DesiredCount: c.desired, DeploymentConfiguration: &types.DeploymentConfiguration{MinimumHealthyPercent: &c.min, MaximumPercent: &c.max}}
		if h, m := rollingLimits(svc); h != c.healthy || m != c.most {
			t.Errorf("%+v: %d %d", c, h, m)
		}
	}
}

// The ARN of a service's deployment, revision or task set names its
// service and cluster.
func TestServiceMemberParts(t *testing.T) {
	const p = "arn:aws:ecs:us-east-1:123456789012:"
	cases := []struct{ arn, kind, svc, cluster string }{
		{p + "service-deployment/prod/web/NCWGC2ZR-taawPAYrIaU5", "service-deployment", p + "service/prod/web", p + "cluster/prod"},
		{p + "service-revision/prod/web/4980306466373577095", "service-revision", p + "service/prod/web", p + "cluster/prod"},
		{p + "task-set/prod/web/ecs-svc/1234567890123456789", "task-set", p + "service/prod/web", p + "cluster/prod"},
		{p + "service-deployment/prod/web", "service-deployment", "", ""},
		{p + "service/prod/web", "service-deployment", "", ""},
		{"NCWGC2ZR-taawPAYrIaU5", "service-deployment", "", ""},
	}
	for _, c := range cases {
		svc, cl, ok := ServiceMemberParts(c.arn, c.kind)
		if svc != c.svc || cl != c.cluster || ok != (c.svc != "") {
			t.Errorf("%s: %q %q %v", c.arn, svc, cl, ok)
		}
	}
}

// A task set's computed desired count is the service's desired count
// times its scale, rounded up; a DRAINING one's is 0.
func TestComputedDesired(t *testing.T) {
	svc := &types.Service{DesiredCount: 5}
	for _, c := range []struct {
		status string
		scale  float64
		want   int32
	}{{taskSetActive, 50, 3}, {taskSetPrimary, 100, 5}, {taskSetActive, 0, 0}, {taskSetActive, 1, 1}, {taskSetDraining, 100, 0}} {
		ts := &types.TaskSet{Status: c.status, Scale: &types.Scale{Value: c.scale, Unit: "PERCENT"}}
		if got := computedDesired(svc, ts); got != c.want {
			t.Errorf("%+v: %d", c, got)
		}
	}
}

package ecs

import (
	"testing"
	"time"

	"github.com/rolecall/rolecall/internal/ecs/records"
)

// How long production traffic shifts and the bake lasts: a linear
// deployment's step bake times but after the last step, a canary's bake
// (LinearConfiguration, CanaryConfiguration references, their defaults
// when none is given), and bakeTimeInMinutes.
func TestStageWaits(t *testing.T) {
	i32, f64 := ptr[int32], ptr[float64]
	cases := []struct {
		dc    records.DeploymentConfiguration
		stage string
		want  time.Duration
	}{
		{records.DeploymentConfiguration{Strategy: strategyLinear}, stageProduction, 9 * 6 * time.Minute},
		{records.DeploymentConfiguration{Strategy: strategyLinear, LinearConfiguration: &records.LinearConfiguration{StepPercent: f64(30), StepBakeTimeInMinutes: i32(2)}}, stageProduction, 3 * 2 * time.Minute},
		{records.DeploymentConfiguration{Strategy: strategyLinear, LinearConfiguration: &records.LinearConfiguration{StepPercent: f64(100), StepBakeTimeInMinutes: i32(2)}}, stageProduction, 0},
		{records.DeploymentConfiguration{Strategy: strategyCanary}, stageProduction, 10 * time.Minute},
		{records.DeploymentConfiguration{Strategy: strategyCanary, CanaryConfiguration: &records.CanaryConfiguration{CanaryPercent: f64(100), CanaryBakeTimeInMinutes: i32(5)}}, stageProduction, 0},
		{records.DeploymentConfiguration{Strategy: strategyBlueGreen}, stageProduction, 0},
		{records.DeploymentConfiguration{Strategy: strategyBlueGreen, BakeTimeInMinutes: i32(15)}, stageBake, 15 * time.Minute},
		{records.DeploymentConfiguration{Strategy: strategyCanary, BakeTimeInMinutes: i32(15)}, "POST_SCALE_UP", 0},
	}
	for _, c := range cases {
		sd := &serviceDeployment{Config: &c.dc}
		if got := sd.waits(c.stage); got != c.want {
			t.Errorf("%s %s %+v %+v: %v, want %v", c.dc.Strategy, c.stage, c.dc.LinearConfiguration, c.dc.CanaryConfiguration, got, c.want)
		}
	}
}

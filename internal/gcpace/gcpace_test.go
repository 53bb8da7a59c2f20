package gcpace

import (
	"os"
	"runtime/debug"
	"runtime/metrics"
	"testing"
	"time"
)

func TestPercent(t *testing.T) {
	const MiB = 1 << 20
	for _, c := range []struct {
		live uint64
		want int
	}{
		{0, 400},         // nothing measured yet: the most
		{2 * MiB, 400},   // a tiny heap: capped
		{6 * MiB, 400},   // rolecall's usual heap: 24 MiB of headroom
		{12 * MiB, 200},  // half the headroom live: doubles
		{24 * MiB, 100},  // as large as the headroom: GOGC's default
		{400 * MiB, 100}, // a large state: never below the default
		{16 * MiB, 150},  // in between
	} {
		if got := Percent(c.live, 24*MiB, 400); got != c.want {
			t.Errorf("Percent(%d MiB) = %d, want %d", c.live/MiB, got, c.want)
		}
	}
}

// TestLiveMetricExists: the runtime this is built with publishes the live
// heap under the name Keep reads (a renamed metric would leave the pace at
// GOGC's default without a word).
func TestLiveMetricExists(t *testing.T) {
	for _, d := range metrics.All() {
		if d.Name == liveMetric {
			if d.Kind != metrics.KindUint64 {
				t.Fatalf("%s is of kind %v", liveMetric, d.Kind)
			}
			return
		}
	}
	t.Fatalf("the runtime has no metric %s", liveMetric)
}

func TestKeepLeavesASetGOGCAlone(t *testing.T) {
	t.Setenv("GOGC", "100")
	stop := Keep(1<<40, time.Hour)
	defer stop()
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("Keep set the pace to %d although GOGC is set", got)
	}
}

func TestKeepSetsThePaceAndStopRestoresIt(t *testing.T) {
	t.Setenv("GOGC", "") // restored after the test
	os.Unsetenv("GOGC")
	stop := Keep(1<<40, time.Hour) // a headroom no heap reaches: the most
	if got := debug.SetGCPercent(mostPercent); got != mostPercent {
		t.Errorf("pace %d, want %d", got, mostPercent)
	}
	stop()
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("after stop the pace is %d, want 100", got)
	}
}

package gcpace

import (
	"os"
	"runtime/debug"
	"runtime/metrics"
	"testing"
	"time"
)

const MiB = 1 << 20

func TestPercent(t *testing.T) {
	for _, c := range []struct {
		live uint64
		want int
	}{
		{0, 400},         // nothing measured yet: the most
		{2 * MiB, 400},   // a tiny heap: capped
		{6 * MiB, 400},   // rolecall's usual heap: 24 MiB of headroom
		{12 * MiB, 200},  // half the headroom live: doubles
		{16 * MiB, 150},  // in between
		{24 * MiB, 100},  // as large as the headroom: GOGC's default
		{400 * MiB, 100}, // a large state: never below the default
	} {
		if got := Percent(c.live, 24*MiB, 400); got != c.want {
			t.Errorf("Percent(%d MiB) = %d, want %d", c.live/MiB, got, c.want)
		}
	}
}

// TestPacerFollowsTheLoad: the default at rest and during a start-up's
// single collections, the headroom once collections come in a row, kept
// through a quieter period, and the default again after idlePeriods
// without any.
func TestPacerFollowsTheLoad(t *testing.T) {
	p := &pacer{headroom: 24 * MiB, percent: 100}
	var cycles uint64
	step := func(ran uint64, want int) {
		t.Helper()
		cycles += ran
		if got := p.next(6*MiB, cycles); got != want {
			t.Fatalf("after %d collections: pace %d, want %d", ran, got, want)
		}
	}
	step(1, 100) // one collection: not yet busy
	step(0, 100)
	step(busyCycles, 400) // requests: the headroom
	step(1, 400)          // fewer collections at that pace: kept
	for range idlePeriods - 1 {
		step(0, 400)
	}
	step(0, 100) // at rest for idlePeriods: back to the default
	step(1, 100)
}

// TestMetricsExist: the runtime this is built with publishes what Keep
// reads under these names (a renamed metric would leave the pace at GOGC's
// default without a word).
func TestMetricsExist(t *testing.T) {
	want := map[string]bool{liveMetric: true, cyclesMetric: true}
	for _, d := range metrics.All() {
		if want[d.Name] {
			if d.Kind != metrics.KindUint64 {
				t.Errorf("%s is of kind %v", d.Name, d.Kind)
			}
			delete(want, d.Name)
		}
	}
	for name := range want {
		t.Errorf("the runtime has no metric %s", name)
	}
}

func TestKeepLeavesASetGOGCAlone(t *testing.T) {
	t.Setenv("GOGC", "100")
	stop := Keep(1<<40, time.Millisecond)
	defer stop()
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("Keep set the pace to %d although GOGC is set", got)
	}
}

// TestKeepStopsAtTheDefault: whatever pace Keep set, stop leaves GOGC's
// default.
func TestKeepStopsAtTheDefault(t *testing.T) {
	t.Setenv("GOGC", "") // restored after the test
	os.Unsetenv("GOGC")
	stop := Keep(1<<40, time.Millisecond)
	for range 3 {
		_ = make([]byte, 8*MiB)
		debug.FreeOSMemory() // a collection
	}
	stop()
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("after stop the pace is %d, want 100", got)
	}
}

package bench

import (
	"os"
	"testing"
	"time"
)

// TestProcessClockAgreesWithTicks: the process's CPU-time clock is its
// utime+stime, to a tick per thread, and does not go back; a process that
// does not exist is an error, not zero.
func TestProcessClockAgreesWithTicks(t *testing.T) {
	pid := os.Getpid()
	first, err := clockCPU(pid)
	if err != nil {
		t.Fatal(err)
	}
	clock, err1 := clockCPU(pid)
	ticks, err2 := ticksCPU(pid)
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	if clock < first {
		t.Errorf("the CPU-time clock went back: %v, then %v", first, clock)
	}
	entries, err := os.ReadDir("/proc/self/task")
	if err != nil {
		t.Fatal(err)
	}
	slack := time.Duration(len(entries)+1) * time.Second / 100
	if d := clock - ticks; d > slack || d < -slack {
		t.Errorf("CPU-time clock %v, utime+stime %v: more than a tick per thread (%v) apart", clock, ticks, slack)
	}
	if got, err := ProcessCPU(pid); err != nil || got < clock {
		t.Errorf("ProcessCPU = %v, %v; want at least %v", got, err, clock)
	}
	for _, pid := range []int{pidMaxLimit, pidMaxLimit + 1, 1 << 40} {
		if _, err := clockCPU(pid); err == nil {
			t.Errorf("the CPU-time clock of process %d, which cannot exist, answered", pid)
		}
	}
}

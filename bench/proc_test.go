package bench

import (
	"os"
	"testing"
	"time"
)

// TestThreadsCPUAgreesWithTicks: the sum of the threads' schedstat is the
// process's utime+stime, to a tick per thread, and does not go back.
func TestThreadsCPUAgreesWithTicks(t *testing.T) {
	pid := os.Getpid()
	first, err := threadsCPU(pid)
	if err != nil {
		t.Skipf("no schedstat on this kernel: %v", err)
	}
	threads, err1 := threadsCPU(pid)
	ticks, err2 := ticksCPU(pid)
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	if threads < first {
		t.Errorf("threads' CPU went back: %v, then %v", first, threads)
	}
	entries, err := os.ReadDir("/proc/self/task")
	if err != nil {
		t.Fatal(err)
	}
	slack := time.Duration(len(entries)+1) * time.Second / 100
	if d := threads - ticks; d > slack || d < -slack {
		t.Errorf("threads' CPU %v, utime+stime %v: more than a tick per thread (%v) apart", threads, ticks, slack)
	}
	if got, err := ProcessCPU(pid); err != nil || got < threads {
		t.Errorf("ProcessCPU = %v, %v; want at least %v", got, err, threads)
	}
}

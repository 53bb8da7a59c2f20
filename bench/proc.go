package bench

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// ticks is the kernel's USER_HZ, the unit of /proc/PID/stat's utime and
// stime: 100 on every Linux that Go supports (proc(5)).
const ticks = 100

// ProcessCPU is the CPU time process pid has spent so far: what a server
// spent on the requests answered between two readings, however busy the
// rest of the machine was. It is read from the process's CPU-time clock
// (clock_gettime(2) of the clock clock_getcpuclockid(3) names), to the
// nanosecond, the threads that have exited included (moto's server ends a
// thread per request). utime+stime, the fallback, counts in ticks of
// 10 ms, several percent of what a server spends in one of bench/cpu's
// 0.25 s rounds.
func ProcessCPU(pid int) (time.Duration, error) {
	if d, err := clockCPU(pid); err == nil {
		return d, nil
	}
	return ticksCPU(pid)
}

// clockCPU reads pid's process CPU-time clock: the clock ID is the one
// glibc's clock_getcpuclockid makes, (~pid << 3) | CPUCLOCK_SCHED (2), in
// the kernel's include/linux/posix-timers.h.
func clockCPU(pid int) (time.Duration, error) {
	if pid <= 0 || pid > pidMaxLimit {
		return 0, fmt.Errorf("no process %d", pid)
	}
	var ts unix.Timespec
	if err := unix.ClockGettime(int32(^pid<<3|2), &ts); err != nil {
		return 0, fmt.Errorf("the CPU-time clock of process %d: %w", pid, err)
	}
	return time.Duration(ts.Nano()), nil
}

// pidMaxLimit is the largest process ID Linux gives (PID_MAX_LIMIT, 2^22):
// a larger one would not fit the clock ID.
const pidMaxLimit = 1 << 22

// ticksCPU is utime+stime, to the kernel's tick.
func ticksCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name, in parentheses, may hold spaces: count fields after it.
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	if len(f) < 13 {
		return 0, fmt.Errorf("/proc/%d/stat has %d fields after the command", pid, len(f))
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64) // field 14 of proc(5)
	stime, err2 := strconv.ParseInt(f[12], 10, 64) // field 15
	if err := errors.Join(err1, err2); err != nil {
		return 0, err
	}
	return time.Duration(utime+stime) * time.Second / ticks, nil
}

package bench

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// ticks is the kernel's USER_HZ, the unit of /proc/PID/stat's utime and
// stime: 100 on every Linux that Go supports (proc(5)).
const ticks = 100

// ProcessCPU is the CPU time process pid has spent so far: what a server
// spent on the requests answered between two readings, however busy the rest
// of the machine was. It is the sum of its threads' time on a CPU, to the
// nanosecond, from /proc/PID/task/TID/schedstat (proc(5)): utime+stime count
// in ticks of 10 ms, several percent of what a server spends in one of
// bench/cpu's 0.25 s rounds. A thread that has exited is no longer counted:
// a Go server's threads stay. Without schedstat (a kernel without
// CONFIG_SCHED_INFO), it is utime+stime.
func ProcessCPU(pid int) (time.Duration, error) {
	if d, err := threadsCPU(pid); err == nil {
		return d, nil
	}
	return ticksCPU(pid)
}

func threadsCPU(pid int) (time.Duration, error) {
	dir := fmt.Sprintf("/proc/%d/task", pid)
	tasks, err := os.ReadDir(dir)
	if err != nil {
		return 0, err
	}
	var sum time.Duration
	for _, t := range tasks {
		b, err := os.ReadFile(dir + "/" + t.Name() + "/schedstat")
		if errors.Is(err, os.ErrNotExist) {
			continue // the thread exited since the listing
		}
		if err != nil {
			return 0, err
		}
		f := strings.Fields(string(b))
		if len(f) == 0 {
			return 0, fmt.Errorf("%s/%s/schedstat is empty", dir, t.Name())
		}
		ns, err := strconv.ParseInt(f[0], 10, 64) // time spent on the CPU
		if err != nil {
			return 0, err
		}
		sum += time.Duration(ns)
	}
	return sum, nil
}

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

package bench

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestRunScript runs bench/run.sh, every section, with tiny settings and
// without moto: the commands README.md and bench/README.md show work, and
// print the tables they describe. It builds rolecall and the benchmarks
// and runs servers for about a minute, so -short skips it.
func TestRunScript(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs servers for about a minute")
	}
	tmp := t.TempDir()
	cmd := exec.Command("bash", "run.sh")
	cmd.Env = append(os.Environ(),
		"DURATION=200ms", "WARMUP=100ms", "STARTS=1", "LATENCY_CONCURRENCY=", "MOTO=rolecall-no-moto-here",
		"CPU_DURATION=200ms", "CPU_ROUNDS=2", "SCALE_ACCOUNTS=2", "SCALE_DIR="+filepath.Join(tmp, "scale"), "SCALE_DURATION=200ms",
		"WRITES_DURATION=200ms", "RESULTS="+filepath.Join(tmp, "results.jsonl"), "TMPDIR="+tmp)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("bench/run.sh: %v\n%s", err, out)
	}
	for _, want := range []string{
		"== load: rolecall and moto_server side by side ==",
		"GetRole (c=8)",
		"== cpu: server CPU per request ==",
		"| GetRole | ",
		"(rounds: median ",
		"== scale: 2 accounts of 1,000 roles ==",
		"2 accounts, 2000 roles, in " + filepath.Join(tmp, "scale", "rolecall.db"),
		"| start-up to the first answered GetRole (median of 1) | ",
		"| ListRoles, last page of 100 | ",
		"| STS AssumeRole | ",
		"| ECS RunTask (Fargate, task role) | ",
		"| resident memory after the load | ",
		"== writes: durable CreateRole/s ==",
		"| 64 | ",
	} {
		if !strings.Contains(string(out), want) {
			t.Errorf("no %q in the output:\n%s", want, out)
		}
	}
}

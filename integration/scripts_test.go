package integration

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rolecall/rolecall/rolecalltest"
)

// runScript runs one of the scripts in scripts/ against a fresh in-process
// rolecall. A missing tool (aws CLI, python3 with boto3) fails the test with
// the script's own explanation: these clients are part of what rolecall
// promises to work with.
func runScript(t *testing.T, interpreter, script string) {
	t.Helper()
	t.Parallel() // each script has its own server; the aws CLI's start-up dominates
	runScriptOn(t, rolecalltest.RunT(t), interpreter, script)
}

// runScriptOn runs a script against rc, with env added to the
// environment.
func runScriptOn(t *testing.T, rc *rolecalltest.Server, interpreter, script string, env ...string) {
	t.Helper()
	if _, err := exec.LookPath(interpreter); err != nil {
		t.Fatalf("%s is not installed; %s needs it (see README, Testing)", interpreter, script)
	}
	cmd := exec.Command(interpreter, filepath.Join("scripts", script))
	cmd.Env = append(append(os.Environ(), "AWS_ENDPOINT_URL="+rc.Endpoint), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s failed: %v\n%s", script, err, out)
	}
	t.Logf("%s", strings.TrimSpace(string(out)))
}

func TestAWSCLI(t *testing.T) { runScript(t, "bash", "iam_cli.sh") }

func TestSLRCLI(t *testing.T) { runScript(t, "bash", "slr_cli.sh") }

func TestECSCLI(t *testing.T) { runScript(t, "bash", "ecs_cli.sh") }

func TestECSSettingsCLI(t *testing.T) { runScript(t, "bash", "ecs_settings_cli.sh") }

func TestAppAutoScalingCLI(t *testing.T) { runScript(t, "bash", "aas_cli.sh") }

func TestBoto3(t *testing.T) { runScript(t, "python3", "iam_boto3.py") }

func TestSTSCLI(t *testing.T) { runScript(t, "bash", "sts_cli.sh") }

func TestSTSBoto3(t *testing.T) { runScript(t, "python3", "sts_boto3.py") }

// TestDropInBoto3 runs boto3, and a moto server-mode test when moto is
// installed, against rolecall started as a suite written for moto needs
// it: rolecall serve --auth lenient --account 123456789012.
func TestDropInBoto3(t *testing.T) {
	t.Parallel()
	rc := rolecalltest.RunT(t, rolecalltest.WithLenientAuth(), rolecalltest.WithAccount("123456789012"))
	runScriptOn(t, rc, "python3", "dropin_boto3.py")
}

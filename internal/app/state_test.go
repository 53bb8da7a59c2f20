package app

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rolecall/rolecall/internal/ecs"
	"github.com/rolecall/rolecall/internal/ecs/types"
	"github.com/rolecall/rolecall/internal/ids"
	"github.com/rolecall/rolecall/internal/store"
)

// copyFixture puts testdata/NAME in a new data directory.
func copyFixture(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, StateFile), b, 0o600); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestOldFormatMigrates: a file written before formats were numbered is
// backed up, migrated, and reads as it was.
func TestOldFormatMigrates(t *testing.T) {
	dir := copyFixture(t, "state-format0.db")
	clock := &ids.FixedClock{T: time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)}
	a, err := Open(Options{DataDir: dir, Clock: clock, IDs: &ids.Sequence{}, Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	ctx := context.Background()
	f, ok, err := store.ReadFormat(a.state)
	if err != nil || !ok || f.Version != StateFormat || f.Writer != "test" {
		t.Errorf("format %+v %v %v", f, ok, err)
	}
	backups, _ := filepath.Glob(filepath.Join(dir, StateFile+".format0-20261207T090000Z.bak"))
	if len(backups) != 1 {
		t.Errorf("no backup of the old file in %s", dir)
	} else if rep, err := store.CheckFile(backups[0]); err != nil || len(rep.Problems) != 0 {
		t.Errorf("backup: %+v %v", rep, err)
	}

	role, err := a.IAM.GetRole(ctx, DefaultAccount, "app")
	if err != nil || role.Tags[0].Value != "blue" || !strings.Contains(role.AssumeRolePolicyDocument, "user/eng/alice") {
		t.Fatalf("role app: %+v %v", role, err)
	}
	// Renamed: a trust policy saved now binds alice by her ID, which the
	// migration indexed, so it follows her new name.
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:user/eng/alice"},"Action":"sts:AssumeRole"}]}`
	if err := a.IAM.UpdateAssumeRolePolicy(ctx, DefaultAccount, "app", trust); err != nil {
		t.Fatal(err)
	}
	if err := a.IAM.UpdateUser(ctx, DefaultAccount, "alice", "/ops/", ""); err != nil {
		t.Fatal(err)
	}
	role, _ = a.IAM.GetRole(ctx, DefaultAccount, "app")
	if !strings.Contains(role.AssumeRolePolicyDocument, "arn:aws:iam::000000000000:user/ops/alice") {
		t.Errorf("trust after the rename: %s", role.AssumeRolePolicyDocument)
	}

	c := ecs.Call{Account: DefaultAccount, Region: "us-east-1"}
	cl, err := a.ECS.DescribeClusters(ctx, c, &types.DescribeClustersRequest{Clusters: []string{"prod"}, Include: []string{"TAGS"}})
	if err != nil || len(cl.Clusters) != 1 || cl.Clusters[0].Tags[0].Value != "prod" {
		t.Errorf("cluster prod: %+v %v", cl, err)
	}
	td, err := a.ECS.DescribeTaskDefinition(ctx, c, &types.DescribeTaskDefinitionRequest{TaskDefinition: "web"})
	if err != nil || td.TaskDefinition.TaskRoleArn != "arn:aws:iam::000000000000:role/task" ||
		*td.TaskDefinition.ContainerDefinitions[0].Memory != 512 || *td.TaskDefinition.ContainerDefinitions[0].PortMappings[0].ContainerPort != 80 {
		t.Errorf("task definition web: %+v %v", td, err)
	}

	// Opened again: nothing more to migrate.
	a.Close()
	a, err = Open(Options{DataDir: dir, Clock: clock, IDs: &ids.Sequence{}, Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if backups, _ := filepath.Glob(filepath.Join(dir, "*.bak")); len(backups) != 1 {
		t.Errorf("backups %v", backups)
	}
}

// TestNewerFormatIsRefused: an older rolecall does not read a file a newer
// one wrote.
func TestNewerFormatIsRefused(t *testing.T) {
	dir := t.TempDir()
	b, err := store.OpenBolt(filepath.Join(dir, StateFile), store.BoltOptions{})
	if err != nil {
		t.Fatal(err)
	}
	b.Update(func(tx store.Tx) error {
		return store.WriteFormat(tx, store.Format{Version: StateFormat + 1, Writer: "9.9.9"})
	})
	b.Close()
	_, err = Open(Options{DataDir: dir, Version: "1.0.0"})
	if !errors.Is(err, ErrNewerFormat) || !strings.Contains(err.Error(), "written by rolecall 9.9.9 in state format 2, and this rolecall (1.0.0) reads formats up to 1") {
		t.Fatalf("err = %v", err)
	}
}

// TestDamagedStateIsRefused: app.Open refuses a damaged file with the way
// out, and a new directory starts a new state with a header.
func TestDamagedStateIsRefused(t *testing.T) {
	dir := copyFixture(t, "state-format0.db")
	path := filepath.Join(dir, StateFile)
	data, _ := os.ReadFile(path)
	os.WriteFile(path, data[:3*4096], 0o600) // cut short
	_, err := Open(Options{DataDir: dir})
	if !errors.Is(err, store.ErrDamaged) || !strings.Contains(err.Error(), "rolecall state repair") {
		t.Fatalf("err = %v", err)
	}
	a, err := Open(Options{DataDir: t.TempDir(), Version: "v"})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if f, ok, _ := store.ReadFormat(a.state); !ok || f.Version != StateFormat {
		t.Errorf("a new state's format %+v", f)
	}
}

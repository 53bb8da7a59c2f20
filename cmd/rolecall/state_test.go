package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	bolt "go.etcd.io/bbolt"

	"github.com/rolecall/rolecall/internal/app"
	"github.com/rolecall/rolecall/rolecalltest"
)

const page = 4096

// stateFixture is a data directory a real rolecall wrote, with enough
// roles to fill many pages; it answers the state file's bytes.
func stateFixture(t *testing.T) []byte {
	t.Helper()
	dir := t.TempDir()
	rc, err := rolecalltest.Start(rolecalltest.WithDataDir(dir))
	if err != nil {
		t.Fatal(err)
	}
	c := iam.NewFromConfig(rc.Config)
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	for i := range 150 {
		if _, err := c.CreateRole(context.Background(), &iam.CreateRoleInput{RoleName: aws.String(fmt.Sprintf("role-%03d", i)),
			AssumeRolePolicyDocument: aws.String(trust), Description: aws.String(strings.Repeat("d", 900))}); err != nil {
			t.Fatal(err)
		}
	}
	rc.Close()
	b, err := os.ReadFile(filepath.Join(dir, app.StateFile))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// dataDir is a new data directory holding state.
func dataDir(t *testing.T, state []byte) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, app.StateFile), state, 0o600); err != nil {
		t.Fatal(err)
	}
	return dir
}

func cli(args ...string) (stdout, stderr string, code int) {
	var out, errb bytes.Buffer
	code = run(args, &out, &errb)
	return out.String(), errb.String(), code
}

var damages = []struct {
	name string
	hurt func([]byte) []byte
}{
	{"truncated to half", func(d []byte) []byte { return d[:len(d)/2] }},
	{"zeroed pages", func(d []byte) []byte {
		for i := 4 * page; i < 8*page; i++ {
			d[i] = 0
		}
		return d
	}},
	{"random pages", func(d []byte) []byte {
		r := rand.New(rand.NewPCG(1, 2))
		for i := 3 * page; i < 12*page; i++ {
			d[i] = byte(r.IntN(256))
		}
		return d
	}},
	{"empty", func([]byte) []byte { return nil }},
	{"not a state file", func([]byte) []byte { return []byte("{\"roles\": []}\n") }},
}

// TestServeRefusesDamagedState: rolecall serve on a damaged state file
// exits 1 before it listens, names the file and the way out, and does not
// panic; rolecall state check then says what is wrong.
func TestServeRefusesDamagedState(t *testing.T) {
	state := stateFixture(t)
	if len(state) < 12*page {
		t.Fatalf("the fixture is %d bytes, too small to damage its data pages", len(state))
	}
	for _, d := range damages {
		t.Run(d.name, func(t *testing.T) {
			dir := dataDir(t, d.hurt(bytes.Clone(state)))
			path := filepath.Join(dir, app.StateFile)
			type result struct {
				out, errs string
				code      int
			}
			done := make(chan result, 1)
			go func() {
				out, errs, code := cli("serve", "--data-dir", dir, "--addr", "127.0.0.1:0")
				done <- result{out, errs, code}
			}()
			var r result
			select {
			case r = <-done:
			case <-time.After(time.Minute):
				t.Fatal("rolecall serve is serving a damaged state file")
			}
			if r.code != 1 || r.out != "" ||
				!strings.Contains(r.errs, "rolecall: the state file "+path+" cannot be used: ") ||
				!strings.Contains(r.errs, "rolecall state check    says what is wrong") ||
				!strings.Contains(r.errs, "or start with --ephemeral, or with another --data-dir.") {
				t.Fatalf("exit %d\nstdout: %s\nstderr: %s", r.code, r.out, r.errs)
			}
			out, errs, code := cli("state", "check", "--data-dir", dir)
			if code != 1 || !strings.HasPrefix(out, path+": damaged\n  - ") {
				t.Fatalf("state check: exit %d\n%s%s", code, out, errs)
			}
			if d.name == "empty" || d.name == "not a state file" {
				before, _ := os.ReadFile(path)
				out, errs, code := cli("state", "repair", "--data-dir", dir)
				after, _ := os.ReadFile(path)
				if code != 1 || !strings.HasPrefix(errs, "rolecall: repair failed, "+path+" is unchanged: ") || !bytes.Equal(before, after) {
					t.Fatalf("state repair of a file with nothing to read: exit %d\n%s%s", code, out, errs)
				}
			}
		})
	}
}

// TestStateRepair: a file with a damaged page is read out and rebuilt
// from what can be read: the roles on that page are lost, and no others;
// rolecall then serves the rebuilt file, and every role it lists is whole.
func TestStateRepair(t *testing.T) {
	state := stateFixture(t)
	leaf, onLeaf := rolesLeaf(t, state)
	clear(state[leaf*page : (leaf+1)*page])
	dir := dataDir(t, state)
	path := filepath.Join(dir, app.StateFile)

	out, errs, code := cli("state", "salvage", "--data-dir", dir)
	if code > 1 {
		t.Fatalf("state salvage: exit %d: %s", code, errs)
	}
	var header bool
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	for _, line := range lines {
		var r salvaged
		if err := json.Unmarshal([]byte(line), &r); err != nil || r.Bucket == "" {
			t.Fatalf("export line %q: %v", line, err)
		}
		header = header || r.Bucket == "rolecall" && r.Key == "format" && strings.Contains(string(r.Value), `"Version":1`)
	}
	if !header || !strings.Contains(errs, fmt.Sprintf("rolecall: salvaged %d records from %s\n", len(lines), path)) {
		t.Fatalf("export: header %v, stderr %s", header, errs)
	}

	out, errs, code = cli("state", "repair", "--data-dir", dir)
	if code != 0 || !strings.HasPrefix(out, fmt.Sprintf("%s rebuilt with the %d records that could be read; the damaged file is %s.damaged-", path, len(lines), path)) ||
		!strings.HasSuffix(out, fmt.Sprintf("\n  lost: bucket iam-roles: page %d lost: it says it is page 0\n", leaf)) {
		t.Fatalf("state repair: exit %d\n%s%s", code, out, errs)
	}
	if damaged, _ := filepath.Glob(path + ".damaged-*"); len(damaged) != 1 {
		t.Fatalf("damaged files kept: %v", damaged)
	}
	if out, _, code := cli("state", "check", "--data-dir", dir); code != 0 || out != path+": sound\n" {
		t.Fatalf("check after repair: exit %d: %s", code, out)
	}
	if out, _, code := cli("state", "repair", "--data-dir", dir); code != 0 || out != path+" is sound: nothing to repair\n" {
		t.Fatalf("repair of a sound file: exit %d: %s", code, out)
	}

	rc := rolecalltest.RunT(t, rolecalltest.WithDataDir(dir))
	c := iam.NewFromConfig(rc.Config)
	n := 0
	for p := iam.NewListRolesPaginator(c, &iam.ListRolesInput{}); p.HasMorePages(); {
		pg, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range pg.Roles {
			got, err := c.GetRole(context.Background(), &iam.GetRoleInput{RoleName: r.RoleName})
			if err != nil || aws.ToString(got.Role.RoleId) != aws.ToString(r.RoleId) || len(aws.ToString(got.Role.Description)) != 900 {
				t.Fatalf("GetRole %s after repair: %v", aws.ToString(r.RoleName), err)
			}
			n++
		}
	}
	if n != 150-onLeaf {
		t.Fatalf("%d roles after repair, %d lost with page %d", n, onLeaf, leaf)
	}
}

// rolesLeaf finds a leaf page of the roles' tree in the state file and
// how many records it holds.
func rolesLeaf(t *testing.T, state []byte) (leaf, records int) {
	t.Helper()
	path := filepath.Join(dataDir(t, state), app.StateFile)
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var root int
	db.View(func(tx *bolt.Tx) error {
		root = int(tx.Bucket([]byte("iam-roles")).RootPage())
		return nil
	})
	// bbolt's page layout: a 16-byte header (id, flags, count, overflow),
	// then 16-byte elements; a branch element's child id is its last 8.
	p := state[root*page:]
	if binary.LittleEndian.Uint16(p[8:]) != 0x01 {
		t.Fatalf("the roles' root page %d is no branch page", root)
	}
	leaf = int(binary.LittleEndian.Uint64(p[16+16+8:]))
	lp := state[leaf*page:]
	if binary.LittleEndian.Uint16(lp[8:]) != 0x02 {
		t.Fatalf("page %d is no leaf page", leaf)
	}
	return leaf, int(binary.LittleEndian.Uint16(lp[10:]))
}

// TestStateCommandsLeaveARunningServerAlone: while rolecall serves the
// file, check and repair refuse rather than read a file being written.
func TestStateCommandsLeaveARunningServerAlone(t *testing.T) {
	dir := t.TempDir()
	rolecalltest.RunT(t, rolecalltest.WithDataDir(dir))
	for _, cmd := range []string{"check", "repair"} {
		out, errs, code := cli("state", cmd, "--data-dir", dir)
		if code != 2 || out != "" || !strings.Contains(errs, "is in use by another rolecall process") {
			t.Errorf("state %s on a running server: exit %d\n%s%s", cmd, code, out, errs)
		}
	}
	if _, errs, code := cli("state", "check", "--data-dir", t.TempDir()); code != 2 || !strings.Contains(errs, "rolecall: no state file to read: ") {
		t.Errorf("state check of an empty directory: exit %d: %s", code, errs)
	}
	if _, _, code := cli("state", "fix", "--data-dir", dir); code != 2 {
		t.Errorf("state fix: exit %d", code)
	}
}

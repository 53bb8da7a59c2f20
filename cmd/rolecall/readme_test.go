package main

// The README's commands, run: every sh block of README.md runs, in order,
// in bash, as a reader would paste it into one terminal, against the
// rolecall that the README's own `rolecall serve` block starts. The
// conventions (which blocks run, the readme-test directives) are written
// once, in README.md, "The README is tested"; the parser below refuses
// what they do not allow.
//
// The rolecall on PATH is this test binary (see TestMain), so no second
// build of the command is needed: the suite runs with -race, whose build
// cache a plain `go build` would not share.

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"
)

// TestMain lets this test binary stand in for the rolecall command: run
// under the name "rolecall" (the symlink TestREADME puts on PATH), it is
// rolecall.
func TestMain(m *testing.M) {
	if filepath.Base(os.Args[0]) == "rolecall" {
		os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// mdBlock is one fenced block of a Markdown file.
type mdBlock struct {
	Line   int    // the opening fence's line, from 1
	Lang   string // the info string's first word
	Text   string
	Skip   string   // skip: why the block is not run
	Fails  bool     // fails: the block must end in failure
	Output bool     // output: a text block, the last run block's output
	Log    bool     // output log: a text block, in rolecall serve's log
	Needs  []string // needs: set-ups from readmeNeeds
}

// Runs: a sh block the test runs.
func (b *mdBlock) Runs() bool { return b.Lang == "sh" && b.Skip == "" }

// notRun are the languages of blocks that are shown, not run.
var notRun = map[string]bool{"text": true, "go": true, "yaml": true, "dockerfile": true, "json": true, "hcl": true, "python": true}

// shownOnly lists notRun's languages.
func shownOnly() string { return strings.Join(slices.Sorted(maps.Keys(notRun)), ", ") }

var directiveRE = regexp.MustCompile(`^<!--\s*readme-test:\s*(.*?)\s*-->$`)

// parseREADME finds the fenced blocks of src and the directives above
// them, and refuses what the conventions do not allow, so that a block is
// never left unrun by a typo.
func parseREADME(src string) ([]*mdBlock, error) {
	var (
		blocks  []*mdBlock
		pending []string // directives above the next fence
		pendAt  int
		cur     *mdBlock
		indent  string // the open fence's indentation (a block in a list item)
		body    []string
		errs    []error
	)
	fail := func(line int, format string, args ...any) {
		errs = append(errs, fmt.Errorf("README.md:%d: "+format, append([]any{line}, args...)...))
	}
	lines := strings.Split(src, "\n")
	for i, l := range lines {
		n := i + 1
		if !utf8.ValidString(l) {
			fail(n, "the line is not UTF-8")
		}
		if cur != nil {
			if strings.TrimSpace(l) == "```" {
				cur.Text = strings.Join(body, "\n")
				blocks, cur, body = append(blocks, cur), nil, nil
			} else {
				body = append(body, strings.TrimPrefix(l, indent))
			}
			continue
		}
		if m := directiveRE.FindStringSubmatch(strings.TrimSpace(l)); m != nil {
			if len(pending) == 0 {
				pendAt = n
			}
			pending = append(pending, m[1])
			continue
		}
		if t := strings.TrimSpace(l); strings.HasPrefix(t, "<!--") && strings.Contains(t, "readme-test") {
			fail(n, "a readme-test directive must be a whole line: <!-- readme-test: WHAT -->")
			continue
		}
		if !strings.HasPrefix(strings.TrimLeft(l, " "), "```") {
			if len(pending) > 0 {
				fail(pendAt, "directive %q is not right above a fenced block", pending[0])
				pending = nil
			}
			continue
		}
		trimmed := strings.TrimLeft(l, " ")
		indent = l[:len(l)-len(trimmed)]
		info := strings.Fields(strings.TrimLeft(trimmed, "`"))
		cur = &mdBlock{Line: n}
		if len(info) > 0 {
			cur.Lang = info[0]
		}
		switch {
		case cur.Lang == "":
			fail(n, "a block without a language: mark it sh (run by the README test) or one of %s (shown only)", shownOnly())
		case cur.Lang != "sh" && !notRun[cur.Lang]:
			fail(n, "a %q block: commands to run are sh blocks; what is shown only is one of %s", cur.Lang, shownOnly())
		}
		for _, d := range pending {
			word, arg, _ := strings.Cut(d, " ")
			arg = strings.TrimSpace(arg)
			switch {
			case word == "skip" && cur.Lang == "sh" && arg != "":
				cur.Skip = arg
			case word == "skip" && cur.Lang == "sh":
				fail(n, "skip needs a reason: <!-- readme-test: skip REASON -->")
			case word == "fails" && cur.Lang == "sh" && arg == "":
				cur.Fails = true
			case word == "needs" && cur.Lang == "sh" && readmeNeeds[arg].before != nil:
				cur.Needs = append(cur.Needs, arg)
			case word == "needs" && cur.Lang == "sh":
				fail(n, "needs %q: no such set-up (readmeNeeds in cmd/rolecall/readme_test.go)", arg)
			case word == "output" && cur.Lang == "text" && (arg == "" || arg == "log"):
				cur.Output, cur.Log = true, arg == "log"
			default:
				fail(n, "directive %q does not apply to a %s block", d, cur.Lang)
			}
		}
		pending = nil
	}
	if cur != nil {
		fail(cur.Line, "the block is not closed")
	}
	if len(pending) > 0 {
		fail(pendAt, "directive %q is not right above a fenced block", pending[0])
	}
	ran := false
	for _, b := range blocks {
		if b.Output && !ran {
			fail(b.Line, "an output block before any run sh block")
		}
		ran = ran || b.Runs()
		if b.Runs() && serveCommand(b.Text) == "" && strings.Contains(uncommented(b.Text), "rolecall serve") {
			fail(b.Line, "rolecall serve must be the only command of its block (the test runs it in the background)")
		}
		if b.Runs() && serveCommand(b.Text) != "" && (b.Fails || len(b.Needs) > 0) {
			fail(b.Line, "a rolecall serve block takes no fails or needs")
		}
	}
	return blocks, errors.Join(errs...)
}

// uncommented is a shell block without its comment lines.
func uncommented(text string) string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if t := strings.TrimSpace(l); t != "" && !strings.HasPrefix(t, "#") {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// serveCommand is the block's command when the block is one `rolecall
// serve` command (continued lines included), else "".
func serveCommand(text string) string {
	cmd := uncommented(text)
	if !strings.HasPrefix(strings.TrimSpace(cmd), "rolecall serve") {
		return ""
	}
	lines := strings.Split(cmd, "\n")
	for _, l := range lines[:len(lines)-1] {
		if !strings.HasSuffix(strings.TrimRight(l, " "), `\`) {
			return ""
		}
	}
	return strings.TrimSpace(cmd)
}

// matchOutput reports whether every line of want appears in got, in order,
// "..." standing for any text within a line; blank lines of want are
// ignored.
func matchOutput(want, got string) (bool, string) {
	// Invalid UTF-8 (a program's raw bytes) is no regular expression.
	want, got = strings.ToValidUTF8(want, "\uFFFD"), strings.ToValidUTF8(got, "\uFFFD")
	gotLines := strings.Split(got, "\n")
	i := 0
	for _, w := range strings.Split(want, "\n") {
		w = strings.TrimSpace(w)
		if w == "" {
			continue
		}
		re := regexp.MustCompile(`^\s*` + outputPattern(w) + `\s*$`)
		for i < len(gotLines) && !re.MatchString(gotLines[i]) {
			i++
		}
		if i == len(gotLines) {
			return false, w
		}
		i++
	}
	return true, ""
}

var blankRE = regexp.MustCompile(`[ \t]+`)

// outputPattern is a line of shown output as a regular expression: "..."
// is any text, a run of blanks any run of blanks (tables are aligned to
// their widest cell, which the output shown abbreviates).
func outputPattern(line string) string {
	var re strings.Builder
	for i, part := range strings.Split(line, "...") {
		if i > 0 {
			re.WriteString(".*")
		}
		for j, l := range blankRE.Split(part, -1) {
			if j > 0 {
				re.WriteString(`\s+`)
			}
			re.WriteString(regexp.QuoteMeta(l))
		}
	}
	return re.String()
}

// readmeNeeds are the set-ups a block can ask for with
// <!-- readme-test: needs NAME -->: before runs before the block, after
// (if any) after it.
var readmeNeeds = map[string]struct{ before, after func(*readmeRun) error }{
	// stopped: the commands that open the state file want no rolecall
	// running on it.
	"stopped": {before: (*readmeRun).stopServer, after: (*readmeRun).restartServer},
}

// readmeRun is the state of one run of the README.
type readmeRun struct {
	t                     *testing.T
	dir, envFile, pwdFile string
	env                   []string
	addr                  string // the test's rolecall address; 127.0.0.1:0 until the first start
	oidcAddr              string // where its OpenID Connect issuer publishes its keys
	serveText             string // the last serve block's command
	server                *exec.Cmd
	serverOut, serverErr  *lockedBuffer
	serverDone            chan error
	lastOutput            string
}

// TestREADME runs README.md's commands (see the top of this file).
func TestREADME(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the README's commands drive the aws CLI, for half a minute")
	}
	src, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks, err := parseREADME(string(src))
	if err != nil {
		t.Fatal(err)
	}
	for _, tool := range []string{"bash", "aws"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is not installed; the README's commands need it (see README, Test it)", tool)
		}
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	r := &readmeRun{t: t, dir: dir, envFile: filepath.Join(dir, "env.sh"), pwdFile: filepath.Join(dir, "pwd"), addr: "127.0.0.1:0"}
	for _, d := range []string{"bin", "home", "work", "tmp"} {
		if err := os.Mkdir(filepath.Join(dir, d), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(self, filepath.Join(dir, "bin", "rolecall")); err != nil {
		t.Fatal(err)
	}
	// A reader's fresh shell: no AWS settings of this machine, a home of
	// its own (the default data directory, ~/.aws), rolecall on PATH.
	r.env = []string{
		"PATH=" + filepath.Join(dir, "bin") + string(os.PathListSeparator) + os.Getenv("PATH"),
		"HOME=" + filepath.Join(dir, "home"),
		"TMPDIR=" + filepath.Join(dir, "tmp"),
		"LANG=C.UTF-8", "TZ=UTC",
	}
	for _, f := range []struct{ name, data string }{{r.envFile, ""}, {r.pwdFile, filepath.Join(dir, "work")}} {
		if err := os.WriteFile(f.name, []byte(f.data), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() {
		if r.server != nil {
			if err := r.stopServer(); err != nil {
				t.Error(err)
			}
		}
	})

	for _, b := range blocks {
		switch {
		case b.Output:
			got, what := r.lastOutput, "the commands above printed"
			if b.Log && r.serverErr != nil {
				got, what = r.serverErr.String(), "rolecall serve logged"
			}
			if ok, missing := matchOutput(r.local(b.Text), got); !ok {
				t.Fatalf("README.md:%d: the output shown is not what %s: no line matches\n  %s\nafter the lines matched before it. It was:\n%s", b.Line, what, missing, got)
			}
		case !b.Runs():
		case serveCommand(b.Text) != "":
			if r.server != nil {
				if err := r.stopServer(); err != nil {
					t.Fatalf("README.md:%d: %v", b.Line, err)
				}
			}
			r.serveText = serveCommand(b.Text)
			if err := r.startServer(); err != nil {
				t.Fatalf("README.md:%d: %v\n%s", b.Line, err, b.Text)
			}
			r.lastOutput = r.serverOut.String()
		default:
			r.runBlock(b)
		}
	}
}

// local is text with rolecall's default addresses made the test's: its
// endpoint's, and its OpenID Connect issuer's.
func (r *readmeRun) local(text string) string {
	return strings.NewReplacer("127.0.0.1:4566", r.addr, "localhost:4566", r.addr, "127.0.0.1:4567", r.oidcAddr).Replace(text)
}

// script is a block's text as a bash script that starts from the state the
// blocks before left (variables, directory) and leaves its own.
func (r *readmeRun) script(text string) string {
	return fmt.Sprintf(`set -a
. %[1]q
cd "$(cat %[2]q)"
trap 'export -n PWD OLDPWD SHLVL; export -p > %[1]q.new && mv %[1]q.new %[1]q; pwd > %[2]q' EXIT
set -e
%[3]s
`, r.envFile, r.pwdFile, r.local(text))
}

func (r *readmeRun) runBlock(b *mdBlock) {
	t := r.t
	for _, n := range b.Needs {
		if err := readmeNeeds[n].before(r); err != nil {
			t.Fatalf("README.md:%d: needs %s: %v", b.Line, n, err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-c", r.script(b.Text))
	cmd.Dir, cmd.Env = r.dir, r.env
	cmd.WaitDelay = 5 * time.Second
	start := time.Now()
	out, err := cmd.CombinedOutput()
	r.lastOutput = string(out)
	t.Logf("README.md:%d: %.1fs", b.Line, time.Since(start).Seconds())
	switch {
	case ctx.Err() != nil:
		t.Fatalf("README.md:%d: the block did not finish in 2 minutes:\n%s\n--- output:\n%s%s", b.Line, b.Text, out, r.serverLog())
	case err != nil && !b.Fails:
		t.Fatalf("README.md:%d: the block failed (%v):\n%s\n--- output:\n%s%s", b.Line, err, b.Text, out, r.serverLog())
	case err == nil && b.Fails:
		t.Fatalf("README.md:%d: the block is marked fails, but it succeeded:\n%s\n--- output:\n%s", b.Line, b.Text, out)
	}
	for _, n := range b.Needs {
		if after := readmeNeeds[n].after; after != nil {
			if err := after(r); err != nil {
				t.Fatalf("README.md:%d: after the block (needs %s): %v", b.Line, n, err)
			}
		}
	}
}

var (
	listeningRE = regexp.MustCompile(`listening on http://(\S+)`)
	oidcRE      = regexp.MustCompile(`keys at http://([^/\s]+)/`)
)

// startServer starts the last serve block's command in the background, on
// the test's address, and waits until it says it listens.
func (r *readmeRun) startServer() error {
	text := strings.Replace(r.local(r.serveText), "rolecall serve", "exec rolecall serve --addr "+r.addr, 1)
	if strings.Count(text, "--addr") != strings.Count(text, "--addr "+r.addr) {
		return fmt.Errorf("a rolecall serve block may use only --addr 127.0.0.1:4566, the address the test replaces")
	}
	cmd := exec.Command("bash", "-c", r.script(text))
	cmd.Dir, cmd.Env = r.dir, r.env
	r.serverOut, r.serverErr = &lockedBuffer{}, &lockedBuffer{}
	cmd.Stderr = r.serverErr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	listening := make(chan string, 1)
	copied := make(chan struct{})
	go func() {
		defer close(copied)
		// The address is on the banner's first line; the banner is whole
		// once its last line, the credentials' export, is read: only then
		// is the block's output complete.
		sc := bufio.NewScanner(stdout)
		addr := ""
		for sc.Scan() {
			r.serverOut.Write(append(sc.Bytes(), '\n'))
			if m := listeningRE.FindStringSubmatch(sc.Text()); m != nil {
				addr = m[1]
			}
			if m := oidcRE.FindStringSubmatch(sc.Text()); m != nil {
				r.oidcAddr = m[1]
			}
			if addr != "" && strings.Contains(sc.Text(), "export AWS_ACCESS_KEY_ID=") {
				listening <- addr
				addr = ""
			}
		}
		io.Copy(io.Discard, stdout)
	}()
	done := make(chan error, 1)
	go func() { <-copied; done <- cmd.Wait() }()
	r.server, r.serverDone = cmd, done
	select {
	case addr := <-listening:
		r.addr = addr
		return nil
	case err := <-done:
		r.server = nil
		return fmt.Errorf("rolecall serve exited (%v) before it listened:\n%s%s", err, r.serverOut, r.serverErr)
	case <-time.After(time.Minute):
		return fmt.Errorf("rolecall serve did not say it listens within a minute:\n%s%s", r.serverOut, r.serverErr)
	}
}

// stopServer stops the server as Ctrl-C would, and fails if it did not
// stop cleanly or logged an error or a data race.
func (r *readmeRun) stopServer() error {
	if r.server == nil {
		return fmt.Errorf("no rolecall is running")
	}
	cmd := r.server
	r.server = nil
	cmd.Process.Signal(syscall.SIGTERM)
	var err error
	select {
	case err = <-r.serverDone:
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		<-r.serverDone
		return fmt.Errorf("rolecall serve did not stop within 30 s of SIGTERM:%s", r.serverLog())
	}
	log := r.serverErr.String()
	switch {
	case err != nil:
		return fmt.Errorf("rolecall serve ended with %v:%s", err, r.serverLog())
	case strings.Contains(log, "DATA RACE"), strings.Contains(log, "level=ERROR"), strings.Contains(log, "panic:"):
		return fmt.Errorf("rolecall serve logged an error:%s", r.serverLog())
	}
	return nil
}

// restartServer starts the server again with the last serve block's
// command, on the same address.
func (r *readmeRun) restartServer() error { return r.startServer() }

// serverLog is the server's log, for a failure's message.
func (r *readmeRun) serverLog() string {
	if r.serverErr == nil {
		return ""
	}
	return "\n--- rolecall serve's log:\n" + r.serverErr.String()
}

// String is what the buffer holds, for a reader while writers write
// (lockedBuffer is doctor_agree_test.go's).
func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

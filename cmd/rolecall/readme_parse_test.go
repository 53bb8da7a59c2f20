package main

import (
	"strings"
	"testing"
)

func TestParseREADME(t *testing.T) {
	src := strings.Join([]string{
		"# t",
		"",
		"<!-- readme-test: skip it installs -->",
		"```sh",
		"go install ./cmd/rolecall",
		"```",
		"```sh",
		"rolecall serve \\",
		"  --ephemeral   # nothing kept",
		"```",
		"- a list item:",
		"",
		"  <!-- readme-test: fails -->",
		"  ```sh",
		"  aws iam get-role --role-name nope",
		"  ```",
		"",
		"  <!-- readme-test: output log -->",
		"  ```text",
		"  level=INFO msg=denied ...",
		"  ```",
		"<!-- readme-test: needs stopped -->",
		"```sh",
		"rolecall state check",
		"```",
		"<!-- readme-test: output -->",
		"```text",
		"...: sound",
		"```",
		"```yaml",
		"services: {}",
		"```",
	}, "\n")
	blocks, err := parseREADME(src)
	if err != nil {
		t.Fatal(err)
	}
	type want struct {
		line                   int
		lang, text, skip       string
		fails, output, log, rn bool
		needs                  string
	}
	wants := []want{
		{line: 4, lang: "sh", text: "go install ./cmd/rolecall", skip: "it installs"},
		{line: 7, lang: "sh", text: "rolecall serve \\\n  --ephemeral   # nothing kept", rn: true},
		{line: 14, lang: "sh", text: "aws iam get-role --role-name nope", fails: true, rn: true},
		{line: 19, lang: "text", text: "level=INFO msg=denied ...", output: true, log: true},
		{line: 23, lang: "sh", text: "rolecall state check", rn: true, needs: "stopped"},
		{line: 27, lang: "text", text: "...: sound", output: true},
		{line: 30, lang: "yaml", text: "services: {}"},
	}
	if len(blocks) != len(wants) {
		t.Fatalf("%d blocks, want %d", len(blocks), len(wants))
	}
	for i, w := range wants {
		b := blocks[i]
		got := want{b.Line, b.Lang, b.Text, b.Skip, b.Fails, b.Output, b.Log, b.Runs(), strings.Join(b.Needs, ",")}
		if got != w {
			t.Errorf("block %d: %+v, want %+v", i, got, w)
		}
	}
	if serveCommand(blocks[1].Text) == "" || serveCommand(blocks[2].Text) != "" {
		t.Errorf("serveCommand: the serve block is %q, the other %q", serveCommand(blocks[1].Text), serveCommand(blocks[2].Text))
	}
}

// TestParseREADMERefuses: what the conventions do not allow is an error
// naming the line, never a block silently left unrun.
func TestParseREADMERefuses(t *testing.T) {
	for _, c := range []struct{ name, src, want string }{
		{"no language", "```\nls\n```", "README.md:1: a block without a language"},
		{"bash", "```bash\nls\n```", `README.md:1: a "bash" block`},
		{"console", "```console\n$ ls\n```", `a "console" block`},
		{"skip without reason", "<!-- readme-test: skip -->\n```sh\nls\n```", "README.md:2: skip needs a reason"},
		{"unknown directive", "<!-- readme-test: sometimes -->\n```sh\nls\n```", `directive "sometimes" does not apply to a sh block`},
		{"output on sh", "<!-- readme-test: output -->\n```sh\nls\n```", `directive "output" does not apply to a sh block`},
		{"fails on text", "```sh\nls\n```\n<!-- readme-test: fails -->\n```text\nx\n```", `directive "fails" does not apply to a text block`},
		{"skip on text", "<!-- readme-test: skip shown -->\n```text\nx\n```", `directive "skip shown" does not apply to a text block`},
		{"unknown set-up", "<!-- readme-test: needs docker -->\n```sh\nls\n```", `needs "docker": no such set-up`},
		{"orphan directive", "<!-- readme-test: fails -->\nsome prose\n```sh\nls\n```", `README.md:1: directive "fails" is not right above a fenced block`},
		{"directive at the end", "```sh\nls\n```\n<!-- readme-test: fails -->", `README.md:4: directive "fails" is not right above`},
		{"malformed directive", "<!-- readme-test skip x -->\n```sh\nls\n```", "README.md:1: a readme-test directive must be a whole line"},
		{"unclosed", "text\n```sh\nls\n", "README.md:2: the block is not closed"},
		{"serve among others", "```sh\nrolecall serve &\nls\n```", "rolecall serve must be the only command of its block"},
		{"serve that fails", "<!-- readme-test: fails -->\n```sh\nrolecall serve\n```", "a rolecall serve block takes no fails or needs"},
		{"output first", "<!-- readme-test: output -->\n```text\nx\n```", "README.md:2: an output block before any run sh block"},
		{"not UTF-8", "```sh\n\xfb\n```", "README.md:2: the line is not UTF-8"},
		{"output after skipped only", "<!-- readme-test: skip no -->\n```sh\nls\n```\n<!-- readme-test: output -->\n```text\nx\n```", "an output block before any run sh block"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := parseREADME(c.src)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want one containing %q", err, c.want)
			}
		})
	}
}

func TestMatchOutput(t *testing.T) {
	got := "rolecall dev listening on http://127.0.0.1:40001\n  account:  000000000000\n\ni-0ab\trunning -> terminated\nlast (a.b) [c]*"
	for _, c := range []struct {
		want string
		ok   bool
	}{
		{"rolecall ... listening on http://127.0.0.1:40001", true},
		{"account: 000000000000", true},                // runs of blanks are any runs of blanks
		{"i-...  running -> ...", true},                // a tab is a blank
		{"rolecall ... on ...\n\ni-0ab ...", true},     // blank lines ignored, lines between allowed
		{"i-0ab ...\nrolecall ...", false},             // out of order
		{"account: 00000000000", false},                // a whole line, not a part of one
		{"last (a.b) [c]*", true},                      // no regular expression but "..."
		{"last (axb) [c]*", false},                     // "." is a dot
		{"listening", false},                           // a whole line
		{"rolecall dev listening on http://...", true}, // "..." to the end
	} {
		ok, missing := matchOutput(c.want, got)
		if ok != c.ok {
			t.Errorf("matchOutput(%q) = %v (missing %q), want %v", c.want, ok, missing, c.ok)
		}
	}
}

func FuzzParseREADME(f *testing.F) {
	f.Add("<!-- readme-test: skip why -->\n```sh\nls\n```\n<!-- readme-test: output -->\n```text\n...\n```")
	f.Add("  ```sh\n  rolecall serve \\\n  --ephemeral\n  ```\n<!-- readme-test: needs stopped -->\n```sh\nx\n```")
	f.Add("```\n```yaml\n<!-- readme-test: fails -->")
	f.Fuzz(func(t *testing.T, src string) {
		blocks, err := parseREADME(src)
		if err != nil {
			return
		}
		for _, b := range blocks {
			if b.Runs() && b.Skip != "" || b.Lang == "" || (b.Output && b.Lang != "text") {
				t.Fatalf("accepted a block the conventions refuse: %+v", b)
			}
			matchOutput(b.Text, src) // any shown text is a valid pattern
		}
	})
}

package model

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// modelMatchers are the compiled patterns of every embedded model.
func modelMatchers(t testing.TB) map[string]matcher {
	out := map[string]matcher{}
	for _, name := range services {
		for _, sh := range MustLoad(name).Shapes {
			if sh.Pattern != "" {
				out[sh.Pattern] = compilePattern(sh.Pattern)
			}
		}
	}
	return out
}

// classSamples are strings at the edges of a class run: each range's
// ends and their neighbours, alone, repeated to the run's bounds and
// beyond, and beside a character of the class; invalid UTF-8 too.
func classSamples(c *classRun) []string {
	runes := []rune{0, 'a', 'A', '0', '_', '-', ' ', '\n', 0x7f, 0x80, 0xa0, 0xff, 0xd7ff, 0xe000, 0xfffd, 0xffff, 0x10000, utf8.MaxRune}
	for _, r := range c.ranges {
		runes = append(runes, r-1, r, r+1)
	}
	var in rune = -1 // a character of the class
	for r := rune(0); r <= utf8.MaxRune && in < 0; r++ {
		if c.inRanges(r) {
			in = r
		}
	}
	out := []string{"", "\xff", "\xc3", "a\xffb", "\xef\xbf\xbd"}
	for _, r := range runes {
		if r < 0 || r > utf8.MaxRune {
			continue
		}
		s := string(r)
		out = append(out, s, s+s)
		if in >= 0 {
			out = append(out, string(in)+s, s+string(in))
		}
	}
	if in >= 0 {
		for _, n := range []int{c.min - 1, c.min, c.min + 1, c.max - 1, c.max, c.max + 1, 200} {
			if n >= 0 {
				out = append(out, strings.Repeat(string(in), n), strings.Repeat(string(in), n)+"\x00")
			}
		}
	}
	return out
}

// A pattern matched as a class run matches exactly what its regexp does.
func TestClassRunMatchesAsRegexp(t *testing.T) {
	runs := 0
	for p, m := range modelMatchers(t) {
		if m.run == nil {
			continue
		}
		runs++
		for _, s := range classSamples(m.run) {
			if got, want := m.run.match(s), m.re.MatchString(s); got != want {
				t.Errorf("pattern %s on %q: class run %v, regexp %v", p, s, got, want)
			}
		}
	}
	// Most of the models' patterns, RoleName's among them, are runs.
	if runs < 25 || compilePattern(`[\w+=,.@-]+`).run == nil || compilePattern(`\d{12}`).run == nil {
		t.Errorf("%d patterns are class runs", runs)
	}
	for _, p := range []string{`[A-Z]+x`, `(\u002F)|(\u002F[\u0021-\u007E]+\u002F)`, `v[1-9][0-9]*`, `^a$b`} {
		if compilePattern(p).run != nil {
			t.Errorf("%s taken for a class run", p)
		}
	}
}

func FuzzClassRun(f *testing.F) {
	for _, s := range []string{"app+role=x,y.z@w-1_2", "a/b", "é\xff", "{\"a\":\t\"é\"}\n", "123456789012"} {
		f.Add(s)
	}
	matchers := modelMatchers(f)
	f.Fuzz(func(t *testing.T, s string) {
		for p, m := range matchers {
			if m.run != nil && m.run.match(s) != m.re.MatchString(s) {
				t.Fatalf("pattern %s on %q: class run %v", p, s, m.run.match(s))
			}
		}
	})
}

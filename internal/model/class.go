package model

import (
	"regexp/syntax"
	"sort"
	"unicode/utf8"
)

// classRun is a pattern that is one character class repeated min to max
// times (max < 0: no bound), as most of the models' patterns are
// (RoleName's `[\w+=,.@-]+`). It matches as the pattern's regexp does,
// rune by rune, an invalid UTF-8 byte being U+FFFD as for the regexp,
// without running the regexp's machine on every request.
type classRun struct {
	ascii    [utf8.RuneSelf]bool
	ranges   []rune // the class's ranges, lo-hi pairs in order
	min, max int
}

// classRunOf is expr (a whole-string match, as compilePattern writes it)
// as a classRun, if it is one.
func classRunOf(expr string) *classRun {
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return nil
	}
	// The sequence, anchors and groups flattened: ^ X $.
	var seq []*syntax.Regexp
	var flatten func(re *syntax.Regexp)
	flatten = func(re *syntax.Regexp) {
		switch re.Op {
		case syntax.OpConcat:
			for _, sub := range re.Sub {
				flatten(sub)
			}
		case syntax.OpCapture:
			flatten(re.Sub[0])
		default:
			seq = append(seq, re)
		}
	}
	flatten(re)
	anchored := false
	for len(seq) > 0 && seq[0].Op == syntax.OpBeginText {
		seq, anchored = seq[1:], true
	}
	if !anchored {
		return nil
	}
	anchored = false
	for len(seq) > 0 && seq[len(seq)-1].Op == syntax.OpEndText {
		seq, anchored = seq[:len(seq)-1], true
	}
	if !anchored || len(seq) != 1 {
		return nil
	}
	run := &classRun{min: 1, max: 1}
	class := seq[0]
	switch class.Op {
	case syntax.OpStar:
		run.min, run.max = 0, -1
	case syntax.OpPlus:
		run.min, run.max = 1, -1
	case syntax.OpQuest:
		run.min, run.max = 0, 1
	case syntax.OpRepeat:
		run.min, run.max = class.Min, class.Max
	}
	if class.Op != syntax.OpCharClass {
		class = class.Sub[0]
		for class.Op == syntax.OpCapture {
			class = class.Sub[0]
		}
	}
	if class.Op != syntax.OpCharClass {
		return nil
	}
	run.ranges = class.Rune
	for r := rune(0); r < utf8.RuneSelf; r++ {
		run.ascii[r] = run.inRanges(r)
	}
	return run
}

func (c *classRun) inRanges(r rune) bool {
	// The first pair whose hi is r or more.
	i := sort.Search(len(c.ranges)/2, func(i int) bool { return c.ranges[2*i+1] >= r })
	return i < len(c.ranges)/2 && c.ranges[2*i] <= r
}

func (c *classRun) match(s string) bool {
	n := 0
	for _, r := range s {
		if r < utf8.RuneSelf {
			if !c.ascii[r] {
				return false
			}
		} else if !c.inRanges(r) {
			return false
		}
		n++
	}
	return n >= c.min && (c.max < 0 || n <= c.max)
}

package main

import (
	"bytes"
	"strings"
	"testing"
)

// TestFlags: without -data or -writes there is nothing to measure, and
// -in-flight takes positive counts. (bench's TestRunScript runs both
// measures with tiny settings.)
func TestFlags(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{nil, "scale: give -data DIR (from bench/dataset), -writes, or both"},
		{[]string{"-writes", "-in-flight", "1,0"}, `scale: bad -in-flight "1,0"`},
		{[]string{"-writes", "-in-flight", "x"}, `scale: bad -in-flight "x"`},
	} {
		var out, errs bytes.Buffer
		if code := run(c.args, &out, &errs); code != 2 || !strings.Contains(errs.String(), c.want) {
			t.Errorf("%q: exit %d, %q; want 2, %q", c.args, code, errs.String(), c.want)
		}
	}
}

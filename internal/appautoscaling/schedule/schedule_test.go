package schedule

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func mustParse(t *testing.T, expr string) *Schedule {
	t.Helper()
	s, err := Parse(expr)
	if err != nil {
		t.Fatalf("%s: %v", expr, err)
	}
	return s
}

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// times lists a plan's first n times after from.
func times(p Plan, from time.Time, n int) []string {
	var out []string
	for range n {
		next, ok := p.Next(from)
		if !ok {
			break
		}
		out = append(out, next.UTC().Format(time.RFC3339))
		from = next
	}
	return out
}

// The user guide's table of cron examples ("Schedule recurring scaling
// actions using cron expressions"), and EventBridge's wildcards.
func TestCron(t *testing.T) {
	since := utc("2026-03-02T09:07:30Z") // a Monday
	for _, tc := range []struct {
		expr string
		want []string
	}{
		{"cron(0 10 * * ? *)", []string{"2026-03-02T10:00:00Z", "2026-03-03T10:00:00Z"}},
		{"cron(15 12 * * ? *)", []string{"2026-03-02T12:15:00Z", "2026-03-03T12:15:00Z"}},
		{"cron(0 18 ? * MON-FRI *)", []string{"2026-03-02T18:00:00Z", "2026-03-03T18:00:00Z", "2026-03-04T18:00:00Z", "2026-03-05T18:00:00Z", "2026-03-06T18:00:00Z", "2026-03-09T18:00:00Z"}},
		{"cron(0 8 1 * ? *)", []string{"2026-04-01T08:00:00Z", "2026-05-01T08:00:00Z"}},
		{"cron(0/15 * * * ? *)", []string{"2026-03-02T09:15:00Z", "2026-03-02T09:30:00Z", "2026-03-02T09:45:00Z", "2026-03-02T10:00:00Z"}},
		{"cron(*/20 9 ? * 2 *)", []string{"2026-03-02T09:20:00Z", "2026-03-02T09:40:00Z", "2026-03-09T09:00:00Z"}},
		{"cron(0/5 8-17 ? * MON-FRI *)", []string{"2026-03-02T09:10:00Z", "2026-03-02T09:15:00Z"}},
		{"cron(30 6 ? * mon *)", []string{"2026-03-09T06:30:00Z"}},
		{"cron(0 0 L * ? *)", []string{"2026-03-31T00:00:00Z", "2026-04-30T00:00:00Z"}},
		{"cron(0 0 LW * ? *)", []string{"2026-03-31T00:00:00Z", "2026-04-30T00:00:00Z", "2026-05-29T00:00:00Z"}},
		{"cron(0 0 1W * ? *)", []string{"2026-04-01T00:00:00Z", "2026-05-01T00:00:00Z", "2026-06-01T00:00:00Z", "2026-07-01T00:00:00Z", "2026-08-03T00:00:00Z"}},
		{"cron(0 0 15W * ? *)", []string{"2026-03-16T00:00:00Z", "2026-04-15T00:00:00Z"}},
		{"cron(0 0 ? * 3#2 *)", []string{"2026-03-10T00:00:00Z", "2026-04-14T00:00:00Z"}},
		{"cron(0 0 ? * 6L *)", []string{"2026-03-27T00:00:00Z", "2026-04-24T00:00:00Z"}},
		{"cron(0 0 ? * L *)", []string{"2026-03-07T00:00:00Z", "2026-03-14T00:00:00Z"}},
		{"cron(0 12 1,15 JAN,JUL ? 2027-2028)", []string{"2027-01-01T12:00:00Z", "2027-01-15T12:00:00Z", "2027-07-01T12:00:00Z", "2027-07-15T12:00:00Z", "2028-01-01T12:00:00Z"}},
		{"cron(0 12 29 FEB ? *)", []string{"2028-02-29T12:00:00Z", "2032-02-29T12:00:00Z"}},
		{"cron(0 0 31 FEB ? *)", nil},
		{"cron(0 0 1 1 ? 2199)", []string{"2199-01-01T00:00:00Z"}},
		// Seven fields: the seconds first.
		{"cron(30 0/30 * * * ? *)", []string{"2026-03-02T09:30:30Z", "2026-03-02T10:00:30Z"}},
	} {
		p := Plan{Schedule: mustParse(t, tc.expr), Since: since}
		if got := times(p, since, max(len(tc.want), 1)); strings.Join(got, " ") != strings.Join(tc.want, " ") {
			t.Errorf("%s:\n got %v\nwant %v", tc.expr, got, tc.want)
		}
	}
}

// A cron expression in a time zone: its wall clock, daylight saving time
// included; a time the zone skips does not occur.
func TestCronTimeZone(t *testing.T) {
	london, err := LoadZone("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	p := Plan{Schedule: mustParse(t, "cron(0 6 * * ? *)"), Zone: london, Since: utc("2026-03-27T12:00:00Z")}
	got := times(p, p.Since, 3)
	// British Summer Time begins on 29 March 2026.
	if strings.Join(got, " ") != "2026-03-28T06:00:00Z 2026-03-29T05:00:00Z 2026-03-30T05:00:00Z" {
		t.Errorf("London 06:00: %v", got)
	}
	gap := Plan{Schedule: mustParse(t, "cron(30 1 * * ? *)"), Zone: london, Since: utc("2026-03-28T12:00:00Z")}
	if got := times(gap, gap.Since, 1); strings.Join(got, " ") != "2026-03-30T00:30:00Z" {
		t.Errorf("01:30 in the gap: %v", got)
	}
	at := Plan{Schedule: mustParse(t, "at(2026-07-01T09:00:00)"), Zone: london, Since: utc("2026-03-01T00:00:00Z")}
	if got := times(at, at.Since, 2); strings.Join(got, " ") != "2026-07-01T08:00:00Z" {
		t.Errorf("at in London: %v", got)
	}
}

func TestAt(t *testing.T) {
	since := utc("2026-03-01T00:00:00Z")
	// AWS's own example writes the hour with one digit.
	for expr, want := range map[string]string{
		"at(2026-03-08T9:36:00)":  "2026-03-08T09:36:00Z",
		"at(2026-12-31T23:59:59)": "2026-12-31T23:59:59Z",
	} {
		if got := times(Plan{Schedule: mustParse(t, expr), Since: since}, since, 2); strings.Join(got, " ") != want {
			t.Errorf("%s: %v", expr, got)
		}
	}
	// Once only; never when set after it.
	p := Plan{Schedule: mustParse(t, "at(2026-03-08T09:36:00)"), Since: utc("2026-03-09T00:00:00Z")}
	if got := times(p, p.Since, 1); len(got) != 0 {
		t.Errorf("past at: %v", got)
	}
}

func TestRate(t *testing.T) {
	since := utc("2026-03-01T10:00:00Z")
	p := Plan{Schedule: mustParse(t, "rate(5 minutes)"), Since: since}
	if got := times(p, since, 3); strings.Join(got, " ") != "2026-03-01T10:05:00Z 2026-03-01T10:10:00Z 2026-03-01T10:15:00Z" {
		t.Errorf("rate: %v", got)
	}
	// From a time between two: the next on the grid.
	if got, _ := p.Next(utc("2026-03-01T10:07:00Z")); !got.Equal(utc("2026-03-01T10:10:00Z")) {
		t.Errorf("rate from 10:07: %v", got)
	}
	// A start: the action runs then, and every period after; an end stops it.
	start, end := utc("2026-03-02T00:00:00Z"), utc("2026-03-04T00:00:00Z")
	p = Plan{Schedule: mustParse(t, "rate(1 day)"), Since: since, Start: &start, End: &end}
	if got := times(p, since, 5); strings.Join(got, " ") != "2026-03-02T00:00:00Z 2026-03-03T00:00:00Z 2026-03-04T00:00:00Z" {
		t.Errorf("rate with start and end: %v", got)
	}
	// A cron expression with a start runs at the start too.
	c := Plan{Schedule: mustParse(t, "cron(0 12 * * ? *)"), Since: since, Start: &start}
	if got := times(c, since, 2); strings.Join(got, " ") != "2026-03-02T00:00:00Z 2026-03-02T12:00:00Z" {
		t.Errorf("cron with start: %v", got)
	}
	for expr, want := range map[string]time.Duration{"rate(1 minute)": time.Minute, "rate(2 hours)": 2 * time.Hour, "rate(1 hour)": time.Hour, "rate(3 days)": 72 * time.Hour} {
		if s := mustParse(t, expr); s.every != want {
			t.Errorf("%s: %v", expr, s.every)
		}
	}
}

// What is refused, and why.
func TestParseRefusals(t *testing.T) {
	for expr, detail := range map[string]string{
		"":                            "use at(yyyy-mm-ddThh:mm:ss), rate(value unit) or cron(fields)",
		"0 10 * * ? *":                "use at(yyyy-mm-ddThh:mm:ss), rate(value unit) or cron(fields)",
		"every(5 minutes)":            "use at(yyyy-mm-ddThh:mm:ss), rate(value unit) or cron(fields)",
		"rate(5 minutes":              "use at(yyyy-mm-ddThh:mm:ss), rate(value unit) or cron(fields)",
		"rate(0 minutes)":             `the value of a rate expression is a positive integer, not "0"`,
		"rate(-1 minutes)":            `the value of a rate expression is a positive integer, not "-1"`,
		"rate(5 weeks)":               `"weeks" is not a rate unit: use minute(s), hour(s) or day(s)`,
		"rate(5)":                     "rate expressions are rate(value unit), unit minute(s), hour(s) or day(s)",
		"rate(99999999999999 days)":   "rate(99999999999999 days) is too long",
		"at(2026-02-30T10:00:00)":     "2026-02-30T10:00:00 is not a date and time",
		"at(2026-03-01 10:00:00)":     "at expressions are at(yyyy-mm-ddThh:mm:ss)",
		"at(26-03-01T10:00:00)":       "at expressions are at(yyyy-mm-ddThh:mm:ss)",
		"at(2026-03-01T10:00)":        "at expressions are at(yyyy-mm-ddThh:mm:ss)",
		"cron(0 10 * * *)":            "cron expressions have six fields: Minutes Hours Day-of-month Month Day-of-week Year (5 given)",
		"cron(0 10 * * * *)":          "Day-of-month and Day-of-week cannot both be given: write ? in one of them",
		"cron(0 10 ? * ? *)":          "one of Day-of-month and Day-of-week must be given: only the other can be ?",
		"cron(60 10 * * ? *)":         `Minutes: "60" is not a value from 0 to 59`,
		"cron(0 24 * * ? *)":          `Hours: "24" is not a value from 0 to 23`,
		"cron(0 10 32 * ? *)":         `Day-of-month: "32" is not a value from 1 to 31`,
		"cron(0 10 ? FOO * *)":        `Month: "FOO" is not a value from 1 to 12 or a name`,
		"cron(0 10 ? * FRI-MON *)":    "Day-of-week: the range FRI-MON ends before it starts",
		"cron(0 10 ? * 8 *)":          `Day-of-week: "8" is not a value from 1 to 7 or a name`,
		"cron(0/0 10 * * ? *)":        `Minutes: "0" is not an increment from 1 to 60`,
		"cron(0 10 * * ? 1969)":       `Year: "1969" is not a value from 1970 to 2199`,
		"cron(0 10 ? * 2#6 *)":        `Day-of-week: "6" is not an occurrence from 1 to 5`,
		"cron(0 10 * * ? * * *)":      "cron expressions have six fields: Minutes Hours Day-of-month Month Day-of-week Year (8 given)",
		"cron(? 10 * * ? *)":          `Minutes: "?" is not a value from 0 to 59`,
		"cron(0 10 L,1 * ? *)":        `Day-of-month: "L" is not a value from 1 to 31`,
		"cron(0 10 * * ? *)" + "    ": "use at(yyyy-mm-ddThh:mm:ss), rate(value unit) or cron(fields)",
	} {
		_, err := Parse(expr)
		var e *Error
		if !errors.As(err, &e) || e.Detail != detail {
			t.Errorf("%q: got %v, want %s", expr, err, detail)
		}
	}
	if _, err := Parse("cron(" + strings.Repeat("0,", 800) + "0 10 * * ? *)"); err == nil || err.Error() != "the expression is longer than 1600 characters" {
		t.Errorf("long: %v", err)
	}
}

func TestLoadZone(t *testing.T) {
	for _, ok := range []string{"", "UTC", "Europe/London", "Etc/GMT+9", "Pacific/Tahiti", "America/New_York"} {
		if _, err := LoadZone(ok); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	for _, bad := range []string{"Local", "Mars/Olympus", "../etc/passwd", "europe/london "} {
		if _, err := LoadZone(bad); err == nil || err.Error() != `"`+bad+`" is not a time zone` {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

package schedule

import (
	"testing"
	"time"
)

// FuzzParse: no expression panics; a schedule read answers times that
// only move forward, each after the one before and in its bounds.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"at(2026-03-08T9:36:00)", "rate(5 minutes)", "rate(1 day)", "cron(0 18 ? * MON-FRI *)", "cron(0/15 * * * ? *)",
		"cron(0 0 LW * ? *)", "cron(0 0 ? * 3#2 *)", "cron(0 0 ? * 6L *)", "cron(30 0/30 * * * ? *)", "cron(0 12 29 FEB ? 2028-2040/4)",
		"cron(0 0 15W * ? *)", "cron(0 0 31 FEB ? *)", "cron(*/7 1-5,9 ? JAN-MAR,DEC L 2199)", "rate(99999 days)",
	} {
		f.Add(s, "Europe/London", int64(1772323200))
	}
	f.Fuzz(func(t *testing.T, expr, zone string, since int64) {
		s, err := Parse(expr)
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("%q: error %T", expr, err)
			}
			return
		}
		loc, err := LoadZone(zone)
		if err != nil {
			loc = time.UTC
		}
		from := time.Unix(since%(1<<33), 0).UTC()
		end := from.Add(400 * 24 * time.Hour)
		p := Plan{Schedule: s, Zone: loc, Since: from, End: &end}
		for range 5 {
			next, ok := p.Next(from)
			if !ok {
				return
			}
			if !next.After(from) || next.After(end) {
				t.Fatalf("%q in %s: %v after %v", expr, zone, next, from)
			}
			from = next
		}
	})
}

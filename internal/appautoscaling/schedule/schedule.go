// Package schedule reads the schedule expressions of Application Auto
// Scaling's scheduled actions and answers when they are due
// (PutScheduledAction reference, Schedule:
// https://docs.aws.amazon.com/autoscaling/application/APIReference/API_PutScheduledAction.html):
//
//	at(yyyy-mm-ddThh:mm:ss)   once, in the action's time zone
//	rate(value unit)          every value minute(s), hour(s) or day(s)
//	cron(fields)              Minutes Hours Day-of-month Month Day-of-week Year
//
// The cron fields are EventBridge's ("For more information about the cron
// syntax for Application Auto Scaling scheduled actions, see Cron
// expressions reference in the Amazon EventBridge User Guide",
// https://docs.aws.amazon.com/autoscaling/application/userguide/scheduled-scaling-using-cron-expressions.html),
// with a seventh, leading, Seconds field allowed, as that page's
// "Exception" says. It is pure: no clock, no store.
package schedule

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	// Time zones are IANA names ("the canonical names of the IANA time
	// zones supported by Joda-Time"): rolecall carries the database, so
	// that a machine without one knows them.
	_ "time/tzdata"
)

// Error is an expression rolecall cannot read; Detail says why, for a
// person.
type Error struct{ Detail string }

func (e *Error) Error() string { return e.Detail }

func errorf(format string, args ...any) error { return &Error{Detail: fmt.Sprintf(format, args...)} }

// kind is an expression's form.
type kind uint8

const (
	kindAt kind = iota
	kindRate
	kindCron
)

// Schedule is a parsed expression.
type Schedule struct {
	kind  kind
	at    wall          // at: the wall-clock time, in the action's zone
	every time.Duration // rate
	cron  *cron
}

// wall is a date and time of day as written, before a zone places it.
type wall struct{ year, month, day, hour, minute, second int }

func (w wall) in(loc *time.Location) (time.Time, bool) {
	t := time.Date(w.year, time.Month(w.month), w.day, w.hour, w.minute, w.second, 0, loc)
	// A time the zone skips (a daylight saving gap) does not occur.
	return t, t.Year() == w.year && int(t.Month()) == w.month && t.Day() == w.day && t.Hour() == w.hour && t.Minute() == w.minute && t.Second() == w.second
}

// maxExpression bounds what is read: the model's Schedule is a
// ResourceIdMaxLen1600.
const maxExpression = 1600

// Parse reads an expression.
func Parse(expr string) (*Schedule, error) {
	if len(expr) > maxExpression {
		return nil, errorf("the expression is longer than %d characters", maxExpression)
	}
	name, body, ok := strings.Cut(expr, "(")
	if !ok || !strings.HasSuffix(body, ")") {
		return nil, errorf("use at(yyyy-mm-ddThh:mm:ss), rate(value unit) or cron(fields)")
	}
	body = strings.TrimSuffix(body, ")")
	switch name {
	case "at":
		w, err := parseAt(body)
		if err != nil {
			return nil, err
		}
		return &Schedule{kind: kindAt, at: w}, nil
	case "rate":
		d, err := parseRate(body)
		if err != nil {
			return nil, err
		}
		return &Schedule{kind: kindRate, every: d}, nil
	case "cron":
		c, err := parseCron(body)
		if err != nil {
			return nil, err
		}
		return &Schedule{kind: kindCron, cron: c}, nil
	}
	return nil, errorf("use at(yyyy-mm-ddThh:mm:ss), rate(value unit) or cron(fields)")
}

// parseAt reads yyyy-mm-ddThh:mm:ss. AWS's own examples write an hour of
// one digit ("at(2020-12-08T9:36:00)", Application Auto Scaling User
// Guide, "Managing scheduled scaling"), so month, day, hour, minute and
// second take one or two.
func parseAt(s string) (wall, error) {
	bad := errorf("at expressions are at(yyyy-mm-ddThh:mm:ss)")
	date, clock, ok := strings.Cut(s, "T")
	if !ok {
		return wall{}, bad
	}
	d := strings.Split(date, "-")
	c := strings.Split(clock, ":")
	if len(d) != 3 || len(c) != 3 || len(d[0]) != 4 {
		return wall{}, bad
	}
	var n [6]int
	for i, part := range append(d, c...) {
		if i > 0 && (len(part) < 1 || len(part) > 2) {
			return wall{}, bad
		}
		v, ok := digits(part)
		if !ok {
			return wall{}, bad
		}
		n[i] = v
	}
	w := wall{n[0], n[1], n[2], n[3], n[4], n[5]}
	if _, ok := w.in(time.UTC); !ok {
		return wall{}, errorf("%s is not a date and time", s)
	}
	return w, nil
}

// digits reads a decimal of ASCII digits only.
func digits(s string) (int, bool) {
	if s == "" || len(s) > 9 {
		return 0, false
	}
	v := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		v = v*10 + int(s[i]-'0')
	}
	return v, true
}

// rateUnits: "unit is minute | minutes | hour | hours | day | days"
// (PutScheduledAction reference). EventBridge insists on the singular for
// 1 and the plural otherwise; the reference does not say that Application
// Auto Scaling does, and rolecall takes either (unverified).
var rateUnits = map[string]time.Duration{
	"minute": time.Minute, "minutes": time.Minute,
	"hour": time.Hour, "hours": time.Hour,
	"day": 24 * time.Hour, "days": 24 * time.Hour,
}

// parseRate reads "value unit", value a positive integer.
func parseRate(s string) (time.Duration, error) {
	f := strings.Split(s, " ")
	if len(f) != 2 {
		return 0, errorf("rate expressions are rate(value unit), unit minute(s), hour(s) or day(s)")
	}
	unit, ok := rateUnits[f[1]]
	if !ok {
		return 0, errorf("%q is not a rate unit: use minute(s), hour(s) or day(s)", f[1])
	}
	v, err := strconv.ParseInt(f[0], 10, 64)
	if err != nil || v < 1 || f[0][0] == '+' {
		return 0, errorf("the value of a rate expression is a positive integer, not %q", f[0])
	}
	if v > math.MaxInt64/int64(unit) {
		return 0, errorf("rate(%s) is too long", s)
	}
	return time.Duration(v) * unit, nil
}

// LoadZone reads a scheduled action's Timezone, an IANA name ("" is UTC,
// AWS's default for at and cron). Go's own "Local" is no zone of AWS's.
func LoadZone(name string) (*time.Location, error) {
	if name == "" {
		return time.UTC, nil
	}
	if name == "Local" {
		return nil, errorf("%q is not a time zone", name)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, errorf("%q is not a time zone", name)
	}
	return loc, nil
}

// Plan is a scheduled action's times: its expression, its time zone,
// start and end, and since when it counts.
type Plan struct {
	Schedule *Schedule
	Zone     *time.Location // nil is UTC
	// Start and End bound a recurring schedule: "If you specify a start
	// time, Application Auto Scaling performs the action at this time,
	// and then performs the action based on the specified recurrence. If
	// you specify an end time, the action stops repeating after this
	// time" (user guide, cron expressions). An at expression outside
	// them never runs (rolecall's reading, unverified).
	Start, End *time.Time
	// Since is when the schedule was set: nothing at or before it is
	// due, and a rate without a start counts from it.
	Since time.Time
}

// Next is the plan's first time after t, and false when there is none.
func (p Plan) Next(t time.Time) (time.Time, bool) {
	if t.Before(p.Since) {
		t = p.Since
	}
	zone := p.Zone
	if zone == nil {
		zone = time.UTC
	}
	var next time.Time
	switch s := p.Schedule; s.kind {
	case kindAt:
		at, ok := s.at.in(zone)
		if !ok || !at.After(t) || p.Start != nil && at.Before(*p.Start) {
			return time.Time{}, false
		}
		next = at
	case kindRate:
		anchor, k := p.Since, int64(1)
		if p.Start != nil {
			anchor, k = *p.Start, 0
		}
		if !t.Before(anchor) {
			k = max(k, int64(t.Sub(anchor)/s.every)+1)
		}
		if k > math.MaxInt64/int64(s.every) || anchor.Add(time.Duration(k)*s.every).Before(anchor) {
			return time.Time{}, false
		}
		next = anchor.Add(time.Duration(k) * s.every)
	case kindCron:
		if p.Start != nil && p.Start.After(t) {
			next = *p.Start
			break
		}
		var ok bool
		if next, ok = s.cron.next(t, zone); !ok {
			return time.Time{}, false
		}
	}
	if p.End != nil && next.After(*p.End) {
		return time.Time{}, false
	}
	return next, true
}

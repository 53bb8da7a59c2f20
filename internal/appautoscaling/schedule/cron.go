package schedule

import (
	"math/bits"
	"strings"
	"time"
)

// cron is a cron expression as EventBridge reads it ("Cron expressions
// reference", Amazon EventBridge User Guide,
// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html#eb-cron-expressions):
// six fields, Minutes Hours Day-of-month Month Day-of-week Year, each a
// list of values, ranges (a-b) and increments (a/n, a-b/n, */n), with *
// for every value; ? in one of Day-of-month and Day-of-week, which cannot
// both be given; L (last), W (weekday) and # (nth weekday of the month)
// in the day fields. A seventh field before the others gives the seconds
// (Application Auto Scaling User Guide, cron expressions, "Exception").
type cron struct {
	seconds, minutes uint64 // bit n: n
	hours            uint32
	months           uint16    // bit n: month n, 1-12
	years            [4]uint64 // bit n: 1970+n, through 2199
	// Exactly one of the day fields is given; the other is ?.
	byWeekday bool
	dom       domField
	dow       dowField
}

// domField is Day-of-month: days (bit n: day n), or L (the month's last
// day), LW (its last weekday), nW (the weekday nearest day n, within the
// month).
type domField struct {
	days        uint32
	last        bool
	lastWeekday bool
	nearest     int
}

// dowField is Day-of-week, 1 (SUN) to 7 (SAT): days (bit n: weekday n),
// or nL (the month's last weekday n), or n#k (its k-th weekday n).
type dowField struct {
	days   uint8
	lastOf int
	nth    int
	nthOf  int
}

const (
	minYear = 1970
	maxYear = 2199
)

var monthNames = map[string]int{"JAN": 1, "FEB": 2, "MAR": 3, "APR": 4, "MAY": 5, "JUN": 6, "JUL": 7, "AUG": 8, "SEP": 9, "OCT": 10, "NOV": 11, "DEC": 12}
var dayNames = map[string]int{"SUN": 1, "MON": 2, "TUE": 3, "WED": 4, "THU": 5, "FRI": 6, "SAT": 7}

// field is one field's name, bounds and value names.
type field struct {
	name     string
	min, max int
	names    map[string]int
}

var (
	fSeconds = field{name: "Seconds", min: 0, max: 59}
	fMinutes = field{name: "Minutes", min: 0, max: 59}
	fHours   = field{name: "Hours", min: 0, max: 23}
	fDOM     = field{name: "Day-of-month", min: 1, max: 31}
	fMonth   = field{name: "Month", min: 1, max: 12, names: monthNames}
	fDOW     = field{name: "Day-of-week", min: 1, max: 7, names: dayNames}
	fYear    = field{name: "Year", min: minYear, max: maxYear}
)

func parseCron(s string) (*cron, error) {
	f := strings.Fields(s)
	c := &cron{seconds: 1}
	switch len(f) {
	case 6:
	case 7:
		set, err := fSeconds.set(f[0])
		if err != nil {
			return nil, err
		}
		c.seconds = toUint64(set)
		f = f[1:]
	default:
		return nil, errorf("cron expressions have six fields: Minutes Hours Day-of-month Month Day-of-week Year (%d given)", len(f))
	}
	for _, p := range []struct {
		f   field
		s   string
		out func([]bool)
	}{
		{fMinutes, f[0], func(b []bool) { c.minutes = toUint64(b) }},
		{fHours, f[1], func(b []bool) { c.hours = uint32(toUint64(b)) }},
		{fMonth, f[3], func(b []bool) { c.months = uint16(toUint64(b)) }},
	} {
		set, err := p.f.set(p.s)
		if err != nil {
			return nil, err
		}
		p.out(set)
	}
	if f[5] != "*" {
		set, err := fYear.set(f[5])
		if err != nil {
			return nil, err
		}
		for y, on := range set {
			if on && y >= minYear {
				c.years[(y-minYear)/64] |= 1 << ((y - minYear) % 64)
			}
		}
	} else {
		c.years = [4]uint64{^uint64(0), ^uint64(0), ^uint64(0), ^uint64(0)}
	}
	dom, dow := f[2], f[4]
	switch {
	case dom == "?" && dow == "?":
		return nil, errorf("one of Day-of-month and Day-of-week must be given: only the other can be ?")
	case dom != "?" && dow != "?":
		return nil, errorf("Day-of-month and Day-of-week cannot both be given: write ? in one of them")
	case dom != "?":
		d, err := parseDOM(dom)
		if err != nil {
			return nil, err
		}
		c.dom = d
	default:
		d, err := parseDOW(dow)
		if err != nil {
			return nil, err
		}
		c.dow, c.byWeekday = d, true
	}
	return c, nil
}

func toUint64(b []bool) uint64 {
	var v uint64
	for i, on := range b {
		if on && i < 64 {
			v |= 1 << i
		}
	}
	return v
}

// set reads a field of values, ranges and increments into the values it
// selects (index: value).
func (f field) set(s string) ([]bool, error) {
	out := make([]bool, f.max+1)
	for _, part := range strings.Split(s, ",") {
		lo, hi, step := f.min, f.max, 1
		rng, inc, hasStep := strings.Cut(part, "/")
		if hasStep {
			n, ok := digits(inc)
			if !ok || n < 1 || n > f.max-f.min+1 {
				return nil, errorf("%s: %q is not an increment from 1 to %d", f.name, inc, f.max-f.min+1)
			}
			step = n
		}
		switch {
		case rng == "*":
		case strings.Contains(rng, "-"):
			a, b, _ := strings.Cut(rng, "-")
			var err error
			if lo, err = f.value(a); err != nil {
				return nil, err
			}
			if hi, err = f.value(b); err != nil {
				return nil, err
			}
			if lo > hi {
				// Quartz wraps such ranges around; EventBridge's reference
				// shows none, and rolecall refuses them (unverified).
				return nil, errorf("%s: the range %s ends before it starts", f.name, rng)
			}
		default:
			v, err := f.value(rng)
			if err != nil {
				return nil, err
			}
			lo = v
			if !hasStep {
				hi = v
			}
		}
		for v := lo; v <= hi; v += step {
			out[v] = true
		}
	}
	return out, nil
}

// value reads one value: a number in the field's bounds, or a name.
func (f field) value(s string) (int, error) {
	if v, ok := f.names[strings.ToUpper(s)]; ok {
		return v, nil
	}
	v, ok := digits(s)
	if !ok || v < f.min || v > f.max {
		if f.names != nil {
			return 0, errorf("%s: %q is not a value from %d to %d or a name", f.name, s, f.min, f.max)
		}
		return 0, errorf("%s: %q is not a value from %d to %d", f.name, s, f.min, f.max)
	}
	return v, nil
}

func parseDOM(s string) (domField, error) {
	switch {
	case s == "L":
		return domField{last: true}, nil
	case s == "LW":
		return domField{lastWeekday: true}, nil
	case strings.HasSuffix(s, "W"):
		v, err := fDOM.value(strings.TrimSuffix(s, "W"))
		if err != nil {
			return domField{}, err
		}
		return domField{nearest: v}, nil
	}
	set, err := fDOM.set(s)
	if err != nil {
		return domField{}, err
	}
	return domField{days: uint32(toUint64(set))}, nil
}

func parseDOW(s string) (dowField, error) {
	if s == "L" { // "the last day of the week": Saturday
		return dowField{days: 1 << 7}, nil
	}
	if day, n, ok := strings.Cut(s, "#"); ok {
		d, err := fDOW.value(day)
		if err != nil {
			return dowField{}, err
		}
		k, ok := digits(n)
		if !ok || k < 1 || k > 5 {
			return dowField{}, errorf("Day-of-week: %q is not an occurrence from 1 to 5", n)
		}
		return dowField{nth: k, nthOf: d}, nil
	}
	if strings.HasSuffix(s, "L") {
		d, err := fDOW.value(strings.TrimSuffix(s, "L"))
		if err != nil {
			return dowField{}, err
		}
		return dowField{lastOf: d}, nil
	}
	set, err := fDOW.set(s)
	if err != nil {
		return dowField{}, err
	}
	return dowField{days: uint8(toUint64(set))}, nil
}

// dayMatches: the day fields select day d of month m of year y.
func (c *cron) dayMatches(y int, m time.Month, d int) bool {
	last := daysIn(y, m)
	wd := int(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Weekday()) + 1 // 1 SUN .. 7 SAT
	if c.byWeekday {
		switch w := c.dow; {
		case w.nth > 0:
			return wd == w.nthOf && (d-1)/7+1 == w.nth
		case w.lastOf > 0:
			return wd == w.lastOf && d+7 > last
		default:
			return w.days&(1<<wd) != 0
		}
	}
	switch f := c.dom; {
	case f.last:
		return d == last
	case f.lastWeekday:
		return d == nearestWeekday(y, m, last)
	case f.nearest > 0:
		return f.nearest <= last && d == nearestWeekday(y, m, f.nearest)
	default:
		return f.days&(1<<d) != 0
	}
}

// nearestWeekday is the weekday (Monday to Friday) nearest day d of the
// month, without leaving the month (Quartz's W, which EventBridge's is).
func nearestWeekday(y int, m time.Month, d int) int {
	last := daysIn(y, m)
	switch time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Weekday() {
	case time.Saturday:
		if d == 1 {
			return 3
		}
		return d - 1
	case time.Sunday:
		if d == last {
			return d - 2
		}
		return d + 1
	}
	return d
}

func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

func (c *cron) hasYear(y int) bool {
	if y < minYear || y > maxYear {
		return false
	}
	n := y - minYear
	return c.years[n/64]&(1<<(n%64)) != 0
}

// next is the first time the expression selects after t, in zone, and
// false when there is none before the end of 2199. It walks the fields
// from the year down, so a sparse expression costs no more than a dense
// one.
func (c *cron) next(t time.Time, zone *time.Location) (time.Time, bool) {
	from := t.In(zone)
	fy, fm, fd := from.Date()
	fh, fmin, fs := from.Clock()
	if fy < minYear {
		fy, fm, fd, fh, fmin, fs = minYear, time.January, 1, 0, 0, 0
	}
	for y := fy; y <= maxYear; y++ {
		if !c.hasYear(y) {
			continue
		}
		atY := y == fy
		for m := time.January; m <= time.December; m++ {
			if atY && m < fm || c.months&(1<<m) == 0 {
				continue
			}
			atM := atY && m == fm
			for d := 1; d <= daysIn(y, m); d++ {
				if atM && d < fd || !c.dayMatches(y, m, d) {
					continue
				}
				atD := atM && d == fd
				for h := 0; h < 24; h++ {
					if atD && h < fh || c.hours&(1<<h) == 0 {
						continue
					}
					atH := atD && h == fh
					for mi := 0; mi < 60; mi++ {
						if atH && mi < fmin || c.minutes&(1<<mi) == 0 {
							continue
						}
						atMi := atH && mi == fmin
						for s := firstFrom(c.seconds, 0); s < 60; s = firstFrom(c.seconds, s+1) {
							if atMi && s < fs {
								continue
							}
							at, ok := wall{y, int(m), d, h, mi, s}.in(zone)
							if ok && at.After(t) {
								return at, true
							}
						}
					}
				}
			}
		}
	}
	return time.Time{}, false
}

// firstFrom is the lowest bit of set at or above n (64 when none).
func firstFrom(set uint64, n int) int {
	if n >= 64 {
		return 64
	}
	return n + bits.TrailingZeros64(set>>n)
}

package policy

import (
	"strconv"
	"strings"
)

// Condition operators IAM knows (IAM User Guide, "IAM JSON policy elements:
// Condition operators"). Any of them may take a ForAnyValue: or
// ForAllValues: prefix and, except Null, an IfExists suffix.
var baseOperators = map[string]bool{
	"StringEquals": true, "StringNotEquals": true,
	"StringEqualsIgnoreCase": true, "StringNotEqualsIgnoreCase": true,
	"StringLike": true, "StringNotLike": true,
	"NumericEquals": true, "NumericNotEquals": true,
	"NumericLessThan": true, "NumericLessThanEquals": true,
	"NumericGreaterThan": true, "NumericGreaterThanEquals": true,
	"DateEquals": true, "DateNotEquals": true,
	"DateLessThan": true, "DateLessThanEquals": true,
	"DateGreaterThan": true, "DateGreaterThanEquals": true,
	"Bool":         true,
	"BinaryEquals": true,
	"IpAddress":    true, "NotIpAddress": true,
	"ArnEquals": true, "ArnLike": true, "ArnNotEquals": true, "ArnNotLike": true,
	"Null": true,
}

// Operator is a condition operator split into its parts.
type Operator struct {
	Set      string // "", "ForAnyValue" or "ForAllValues"
	Base     string // e.g. "StringEquals"
	IfExists bool
}

// ParseOperator splits a condition operator such as
// "ForAnyValue:StringLikeIfExists". ok is false for operators IAM does not
// know (which IAM accepts only with an empty block).
func ParseOperator(op string) (o Operator, ok bool) {
	if rest, found := strings.CutPrefix(op, "ForAnyValue:"); found {
		o.Set, op = "ForAnyValue", rest
	} else if rest, found := strings.CutPrefix(op, "ForAllValues:"); found {
		o.Set, op = "ForAllValues", rest
	}
	if baseOperators[op] {
		o.Base = op
		return o, true
	}
	if base, found := strings.CutSuffix(op, "IfExists"); found && base != "Null" && baseOperators[base] {
		o.Base, o.IfExists = base, true
		return o, true
	}
	return Operator{}, false
}

func knownOperator(op string) bool {
	_, ok := ParseOperator(op)
	return ok
}

func isDateOperator(op string) bool {
	o, ok := ParseOperator(op)
	return ok && strings.HasPrefix(o.Base, "Date")
}

// validDate reports whether IAM's legacy parser accepts s as a date
// condition value: an epoch number (a 64-bit integer) or an ISO 8601 date,
// date-time or time in the lenient form Java's ISO parsers accept. The
// recorded cases: valid "2017-07-01T00:00:00Z", "01T",
// "2016-12-13t2:00:00.593194+23", "-292275054"; invalid "sdfdsf", "234-13",
// "2016-12-13t2:00:00.593194+1", "2016-12-13t2:00:00.1999999999+10:59",
// "9223372036854775808" (LocalStack's test_iam_policies, valid-5, -30,
// -34..-37; invalid-64, -72..-75).
func validDate(s string) bool {
	if isInteger(s) {
		_, err := strconv.ParseInt(s, 10, 64)
		return err == nil
	}
	d := dateScanner{s: s}
	return d.dateTime() && d.i == len(d.s)
}

func isInteger(s string) bool {
	t := strings.TrimPrefix(s, "-")
	if t == "" {
		return false
	}
	for i := 0; i < len(t); i++ {
		if t[i] < '0' || t[i] > '9' {
			return false
		}
	}
	return true
}

const (
	minYear = -292275054
	maxYear = 292278993
)

// dateScanner reads the lenient ISO 8601 forms above. Besides checking
// shape it records what it read, so that evaluation can compare dates
// (parseDate).
type dateScanner struct {
	s string
	i int

	year, month, day     int // month and day 1-based; 0 when absent
	yday                 int // ordinal day, when the date was written so
	week, weekday        int // ISO week date, when written so
	hour, min, sec, nsec int
	zone                 int // seconds east of UTC
	hasDate              bool
}

func (d *dateScanner) peek() byte {
	if d.i < len(d.s) {
		return d.s[d.i]
	}
	return 0
}

func (d *dateScanner) accept(c byte) bool {
	if d.peek() == c {
		d.i++
		return true
	}
	return false
}

func (d *dateScanner) acceptT() bool { return d.accept('T') || d.accept('t') }

// digits reads between 1 and max digits; n is their count.
func (d *dateScanner) digits(max int) (v, n int) {
	for n < max && d.i < len(d.s) && d.s[d.i] >= '0' && d.s[d.i] <= '9' {
		v = v*10 + int(d.s[d.i]-'0')
		d.i++
		n++
	}
	return v, n
}

// dateTime: 'T' time [offset] | date ['T' [time] [offset]].
func (d *dateScanner) dateTime() bool {
	if d.acceptT() {
		return d.time() && d.offset()
	}
	if !d.date() {
		return false
	}
	if d.acceptT() {
		if c := d.peek(); c >= '0' && c <= '9' {
			if !d.time() {
				return false
			}
		}
		return d.offset()
	}
	return true
}

// date: year ['-' month ['-' day]] | year '-' dayOfYear | year '-W' week ['-' weekday].
func (d *dateScanner) date() bool {
	neg := d.accept('-')
	y, n := d.digits(9)
	if n == 0 {
		return false
	}
	if neg {
		y = -y
	}
	if y < minYear || y > maxYear {
		return false
	}
	d.year, d.hasDate = y, true
	if !d.accept('-') {
		return true
	}
	if d.accept('W') {
		w, n := d.digits(2)
		if n == 0 || w < 1 || w > 53 {
			return false
		}
		d.week = w
		if d.accept('-') {
			wd, n := d.digits(1)
			d.weekday = wd
			return n == 1 && wd >= 1 && wd <= 7
		}
		return true
	}
	start := d.i
	v, n := d.digits(3)
	switch {
	case n == 3: // ordinal date: the longer reading wins
		d.yday = v
		return v >= 1 && v <= daysInYear(y)
	case n == 0:
		return false
	}
	d.i = start
	m, _ := d.digits(2)
	if m < 1 || m > 12 {
		return false
	}
	d.month = m
	if d.accept('-') {
		day, n := d.digits(2)
		d.day = day
		return n > 0 && day >= 1 && day <= daysInMonth(y, m)
	}
	return true
}

// time: hour [':' minute [':' second]] [fraction].
func (d *dateScanner) time() bool {
	h, n := d.digits(2)
	if n == 0 || h > 23 {
		return false
	}
	d.hour = h
	if d.accept(':') {
		m, n := d.digits(2)
		if n == 0 || m > 59 {
			return false
		}
		d.min = m
		if d.accept(':') {
			s, n := d.digits(2)
			if n == 0 || s > 59 {
				return false
			}
			d.sec = s
		}
	}
	if d.accept('.') || d.accept(',') {
		f, n := d.digits(9)
		if n == 0 {
			return false
		}
		for ; n < 9; n++ {
			f *= 10
		}
		d.nsec = f
	}
	return true
}

// offset: nothing | 'Z' | ('+' | '-') HH [[':'] mm]. Hours take exactly two
// digits ("+1" is refused, "+23" accepted).
func (d *dateScanner) offset() bool {
	if d.accept('Z') || d.accept('z') {
		return true
	}
	sign := 1
	switch {
	case d.accept('+'):
	case d.accept('-'):
		sign = -1
	default:
		return true // no offset; the caller checks nothing is left
	}
	h, n := d.digits(2)
	if n != 2 || h > 23 {
		return false
	}
	d.zone = sign * h * 3600
	colon := d.accept(':')
	m, n := d.digits(2)
	switch {
	case n == 0:
		return !colon
	case n != 2 || m > 59:
		return false
	}
	d.zone += sign * m * 60
	return true
}

func isLeap(y int) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

func daysInYear(y int) int {
	if isLeap(y) {
		return 366
	}
	return 365
}

func daysInMonth(y, m int) int {
	switch m {
	case 2:
		if isLeap(y) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

package policy

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Condition operators (IAM User Guide, "IAM JSON policy elements: Condition
// operators", and "Single-valued vs. multivalued context keys"), as
// compiled and evaluated here:
//
//   - Several operators in a Condition, and several keys under one
//     operator, must all be true (AND). Several values for one key: any
//     may match (OR).
//   - "If the key that you specify in a policy condition is not present in
//     the request context, the values do not match and the condition is
//     false. If the policy condition requires that the key is not matched,
//     such as StringNotLike or ArnNotLike, and the right key is not
//     present, the condition is true. This logic applies to all condition
//     operators except ...IfExists and Null check."
//   - ...IfExists: true when the key is absent, otherwise as the operator.
//   - Null: "true" is true when the key is absent, "false" when present.
//   - A negated operator (StringNotEquals, StringNotEqualsIgnoreCase,
//     StringNotLike, NumericNotEquals, DateNotEquals, NotIpAddress,
//     ArnNotEquals, ArnNotLike) is true when no context value matches any
//     policy value.
//   - ForAnyValue: true when at least one context value matches (for a
//     negated operator: matches none of the policy values); false when the
//     key is absent or empty.
//   - ForAllValues: true when every context value matches (for a negated
//     operator: matches none of the policy values); true when the key is
//     absent or empty ("It also returns true if there are no context keys
//     in the request").
//   - Without a set operator, a multivalued context key matches when any of
//     its values does (negated: when none does). Rolecall's reading; AWS
//     asks for set operators with multivalued keys.
//
// Per family:
//   - String: StringEquals is exact and case-sensitive; ...IgnoreCase folds
//     case (Unicode simple folding); StringLike takes '*' and '?'. Values
//     may hold policy variables.
//   - Numeric: values are integers or decimals, compared as float64; a
//     value that is not a number matches nothing.
//   - Date: ISO 8601 dates and date-times (offsets honoured, UTC when
//     absent) or epoch seconds, on both sides (aws:CurrentTime and
//     aws:EpochTime alike).
//   - Bool: "true" or "false", case-insensitive.
//   - BinaryEquals: base64 values, compared as the bytes they encode.
//   - IpAddress/NotIpAddress: IPv4 or IPv6 CIDR blocks, or single
//     addresses; IPv4-mapped IPv6 request addresses count as IPv4.
//   - Arn*: ArnEquals and ArnLike are the same segment-wise wildcard match
//     (see match.go). Values may hold policy variables.

type family uint8

const (
	fString family = iota
	fNumeric
	fDate
	fBool
	fBinary
	fIP
	fARN
	fNull
)

type cmpKind uint8

const (
	cmpEq cmpKind = iota
	cmpEqFold
	cmpLike
	cmpLT
	cmpLE
	cmpGT
	cmpGE
)

type setOp uint8

const (
	setNone setOp = iota
	setAny
	setAll
)

type opInfo struct {
	fam     family
	cmp     cmpKind
	negated bool
}

var operatorTable = map[string]opInfo{
	"StringEquals":              {fString, cmpEq, false},
	"StringNotEquals":           {fString, cmpEq, true},
	"StringEqualsIgnoreCase":    {fString, cmpEqFold, false},
	"StringNotEqualsIgnoreCase": {fString, cmpEqFold, true},
	"StringLike":                {fString, cmpLike, false},
	"StringNotLike":             {fString, cmpLike, true},
	"NumericEquals":             {fNumeric, cmpEq, false},
	"NumericNotEquals":          {fNumeric, cmpEq, true},
	"NumericLessThan":           {fNumeric, cmpLT, false},
	"NumericLessThanEquals":     {fNumeric, cmpLE, false},
	"NumericGreaterThan":        {fNumeric, cmpGT, false},
	"NumericGreaterThanEquals":  {fNumeric, cmpGE, false},
	"DateEquals":                {fDate, cmpEq, false},
	"DateNotEquals":             {fDate, cmpEq, true},
	"DateLessThan":              {fDate, cmpLT, false},
	"DateLessThanEquals":        {fDate, cmpLE, false},
	"DateGreaterThan":           {fDate, cmpGT, false},
	"DateGreaterThanEquals":     {fDate, cmpGE, false},
	"Bool":                      {fBool, cmpEq, false},
	"BinaryEquals":              {fBinary, cmpEq, false},
	"IpAddress":                 {fIP, cmpEq, false},
	"NotIpAddress":              {fIP, cmpEq, true},
	"ArnEquals":                 {fARN, cmpLike, false},
	"ArnLike":                   {fARN, cmpLike, false},
	"ArnNotEquals":              {fARN, cmpLike, true},
	"ArnNotLike":                {fARN, cmpLike, true},
	"Null":                      {fNull, cmpEq, false},
}

// cond is one key under one operator.
type cond struct {
	op       string // as written, e.g. "ForAnyValue:StringLikeIfExists"
	rawKey   string // as written
	key      string // lowered
	fam      family
	cmp      cmpKind
	negated  bool
	set      setOp
	ifExists bool

	strs  []strPat // fString, fARN
	nums  []float64
	dates []dateVal
	bools []int8 // fBool and fNull: 1 true, 0 false, -1 neither
	bins  [][]byte
	ips   []netip.Prefix
}

// compileConditions compiles a statement's Condition element. Operators
// and keys are sorted so that evaluation order (and so the reported
// missing keys) never depends on map order.
func compileConditions(c map[string]map[string][]string, vars bool) ([]cond, error) {
	ops := make([]string, 0, len(c))
	for op := range c {
		ops = append(ops, op)
	}
	slices.Sort(ops)
	var out []cond
	for _, op := range ops {
		keys := c[op]
		if len(keys) == 0 {
			continue // an empty block, of any operator, is no condition
		}
		o, ok := ParseOperator(op)
		if !ok {
			return nil, fmt.Errorf("policy: unknown condition operator %q", op)
		}
		info := operatorTable[o.Base]
		names := make([]string, 0, len(keys))
		for k := range keys {
			names = append(names, k)
		}
		slices.Sort(names)
		for _, k := range names {
			cd := cond{op: op, rawKey: k, key: strings.ToLower(k), fam: info.fam, cmp: info.cmp,
				negated: info.negated, ifExists: o.IfExists}
			switch o.Set {
			case "ForAnyValue":
				cd.set = setAny
			case "ForAllValues":
				cd.set = setAll
			}
			cd.compileValues(keys[k], vars)
			out = append(out, cd)
		}
	}
	return out, nil
}

func (c *cond) compileValues(vals []string, vars bool) {
	for _, v := range vals {
		switch c.fam {
		case fString:
			c.strs = append(c.strs, compilePattern(v, c.cmp == cmpLike, false, vars))
		case fARN:
			c.strs = append(c.strs, compilePattern(v, true, false, vars))
		case fNumeric:
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				c.nums = append(c.nums, f)
			}
		case fDate:
			if d, ok := parseDate(v); ok {
				c.dates = append(c.dates, d)
			}
		case fBool, fNull:
			c.bools = append(c.bools, parseBool(v))
		case fBinary:
			if b, err := base64.StdEncoding.DecodeString(v); err == nil {
				c.bins = append(c.bins, b)
			} else {
				c.bins = append(c.bins, []byte(v))
			}
		case fIP:
			if p, ok := parseCIDR(v); ok {
				c.ips = append(c.ips, p)
			}
		}
	}
}

func parseBool(v string) int8 {
	switch {
	case strings.EqualFold(v, "true"):
		return 1
	case strings.EqualFold(v, "false"):
		return 0
	}
	return -1
}

// parseCIDR reads a CIDR block or a single address (a /32 or /128).
func parseCIDR(v string) (netip.Prefix, bool) {
	v = strings.TrimSpace(v)
	if strings.Contains(v, "/") {
		p, err := netip.ParsePrefix(v)
		if err != nil {
			return netip.Prefix{}, false
		}
		if p.Addr().Is4In6() {
			bits := p.Bits() - 96
			if bits < 0 {
				return netip.Prefix{}, false
			}
			p = netip.PrefixFrom(p.Addr().Unmap(), bits)
		}
		return p.Masked(), true
	}
	a, err := netip.ParseAddr(v)
	if err != nil {
		return netip.Prefix{}, false
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), true
}

// eval reports whether the condition holds for ctx.
func (c *cond) eval(ctx *Context, st *evalState) bool {
	vals, present := ctx.lookup(c.key)
	if c.fam == fNull {
		has := present && len(vals) > 0
		for _, w := range c.bools {
			if w == 1 && !has || w == 0 && has {
				return true
			}
		}
		return false
	}
	if !present || len(vals) == 0 {
		if !present && st != nil {
			st.noteMissing(c.rawKey)
		}
		switch {
		case c.ifExists:
			return true
		case c.set == setAll:
			return true
		case c.set == setAny:
			return false
		}
		return c.negated
	}
	switch c.set {
	case setAny:
		for _, v := range vals {
			if c.matchOne(v, ctx, st) != c.negated {
				return true
			}
		}
		return false
	case setAll:
		for _, v := range vals {
			if c.matchOne(v, ctx, st) == c.negated {
				return false
			}
		}
		return true
	}
	for _, v := range vals {
		if c.matchOne(v, ctx, st) {
			return !c.negated
		}
	}
	return c.negated
}

// matchOne reports whether the context value v matches any policy value,
// in the operator's positive sense.
func (c *cond) matchOne(v string, ctx *Context, st *evalState) bool {
	switch c.fam {
	case fString, fARN:
		mode := mWhole
		switch {
		case c.fam == fARN:
			mode = mARN
		case c.cmp == cmpEqFold:
			mode = mFold
		}
		found := false
		for i := range c.strs {
			m, resolved := c.strs[i].match(v, ctx, mode)
			if !resolved && st != nil {
				st.noteUnresolved(c.strs[i].parts, ctx)
			}
			if m {
				found = true
				if st == nil || !st.explain {
					return true
				}
			}
		}
		return found
	case fNumeric:
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil {
			return false
		}
		for _, p := range c.nums {
			if compare(f, p, c.cmp) {
				return true
			}
		}
	case fDate:
		d, ok := parseDate(v)
		if !ok {
			return false
		}
		for _, p := range c.dates {
			if compareDate(d, p, c.cmp) {
				return true
			}
		}
	case fBool:
		b := parseBool(v)
		if b < 0 {
			return false
		}
		for _, p := range c.bools {
			if p == b {
				return true
			}
		}
	case fBinary:
		for _, p := range c.bins {
			if binaryEqual(p, v) {
				return true
			}
		}
	case fIP:
		a, err := netip.ParseAddr(strings.TrimSpace(v))
		if err != nil {
			return false
		}
		a = a.Unmap()
		for _, p := range c.ips {
			if p.Contains(a) {
				return true
			}
		}
	}
	return false
}

func binaryEqual(p []byte, v string) bool {
	if b, err := base64.StdEncoding.DecodeString(v); err == nil {
		return bytes.Equal(p, b)
	}
	return string(p) == v
}

func compare[T int64 | float64](a, b T, k cmpKind) bool {
	switch k {
	case cmpEq:
		return a == b
	case cmpLT:
		return a < b
	case cmpLE:
		return a <= b
	case cmpGT:
		return a > b
	case cmpGE:
		return a >= b
	}
	return false
}

// dateVal is an instant: seconds and nanoseconds since the Unix epoch.
type dateVal struct {
	sec  int64
	nsec int32
}

func compareDate(a, b dateVal, k cmpKind) bool {
	if a.sec != b.sec {
		return compare(a.sec, b.sec, k)
	}
	return compare(int64(a.nsec), int64(b.nsec), k)
}

// parseDate reads a date condition value: epoch seconds (an integer, or a
// decimal number) or one of the ISO 8601 forms validDate accepts. A form
// without a date (a bare time) counts from 1970-01-01; missing month or day
// are the first.
func parseDate(s string) (dateVal, bool) {
	s = strings.TrimSpace(s)
	if isInteger(s) {
		v, err := strconv.ParseInt(s, 10, 64)
		return dateVal{sec: v}, err == nil
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && strings.IndexByte(s, '.') > 0 && !strings.ContainsAny(s, "eE") {
		sec := int64(f)
		return dateVal{sec: sec, nsec: int32((f - float64(sec)) * 1e9)}, true
	}
	d := dateScanner{s: s}
	if !d.dateTime() || d.i != len(d.s) {
		return dateVal{}, false
	}
	return d.value(), true
}

// value turns what the scanner read into an instant.
func (d *dateScanner) value() dateVal {
	y := 1970
	if d.hasDate {
		y = d.year
	}
	var day time.Time
	switch {
	case d.week > 0:
		// ISO week dates: week 1 is the week with January 4th; weeks start
		// on Monday.
		jan4 := time.Date(y, 1, 4, 0, 0, 0, 0, time.UTC)
		wd := int(jan4.Weekday())
		if wd == 0 {
			wd = 7
		}
		day = jan4.AddDate(0, 0, 1-wd+(d.week-1)*7+max(d.weekday, 1)-1)
	case d.yday > 0:
		day = time.Date(y, 1, d.yday, 0, 0, 0, 0, time.UTC)
	default:
		day = time.Date(y, time.Month(max(d.month, 1)), max(d.day, 1), 0, 0, 0, 0, time.UTC)
	}
	sec := day.Unix() + int64(d.hour)*3600 + int64(d.min)*60 + int64(d.sec) - int64(d.zone)
	return dateVal{sec: sec, nsec: int32(d.nsec)}
}

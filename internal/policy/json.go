package policy

import (
	"encoding/json"
	"errors"
	"strings"
)

// IAM reads policies with a JSON parser that keeps going on duplicate keys
// (the last one wins, as in Terraform's reports of overwritten Condition
// operators) and keeps document order, which decides which of several
// errors IAM reports first. encoding/json's maps do neither, so documents
// are read into this small tree instead.

type jsonKind uint8

const (
	jsonString jsonKind = iota
	jsonNumber
	jsonBool
	jsonNull
	jsonArray
	jsonObject
)

type jsonValue struct {
	kind    jsonKind
	str     string // string text, or a number's literal text
	b       bool
	arr     []*jsonValue
	members []jsonMember // in document order, duplicates included

	// start, end: objects: byte offsets of '{' and '}' in the document;
	// arrays: start is the '['; strings: the opening quote and just past
	// the closing one.
	start, end int
}

type jsonMember struct {
	key string
	val *jsonValue
}

// get returns the value of the last member named key: later duplicates win.
func (v *jsonValue) get(key string) (*jsonValue, bool) {
	for i := len(v.members) - 1; i >= 0; i-- {
		if v.members[i].key == key {
			return v.members[i].val, true
		}
	}
	return nil, false
}

// keys returns the distinct member names in order of first appearance.
func (v *jsonValue) keys() []string {
	out := make([]string, 0, len(v.members))
	seen := make(map[string]bool, len(v.members))
	for _, m := range v.members {
		if !seen[m.key] {
			seen[m.key] = true
			out = append(out, m.key)
		}
	}
	return out
}

var errJSON = errors.New("policy: not JSON")

// decodeJSON reads exactly one JSON value from doc. encoding/json decides
// what is JSON; the tree is then built by a small scanner that may assume
// well-formed input (several times faster than json.Decoder's tokens).
func decodeJSON(doc string) (*jsonValue, error) {
	if !json.Valid([]byte(doc)) {
		return nil, errJSON
	}
	sc := scanner{s: doc}
	v, err := sc.value()
	if err != nil {
		return nil, err
	}
	return v, nil
}

type scanner struct {
	s string
	i int
}

func (sc *scanner) space() {
	for sc.i < len(sc.s) {
		switch sc.s[sc.i] {
		case ' ', '\t', '\n', '\r':
			sc.i++
		default:
			return
		}
	}
}

func (sc *scanner) value() (*jsonValue, error) {
	sc.space()
	if sc.i >= len(sc.s) {
		return nil, errJSON
	}
	switch c := sc.s[sc.i]; c {
	case '{':
		v := &jsonValue{kind: jsonObject, start: sc.i}
		sc.i++
		sc.space()
		if sc.s[sc.i] == '}' {
			v.end = sc.i
			sc.i++
			return v, nil
		}
		for {
			sc.space()
			k, err := sc.string()
			if err != nil {
				return nil, err
			}
			sc.space()
			sc.i++ // ':'
			e, err := sc.value()
			if err != nil {
				return nil, err
			}
			v.members = append(v.members, jsonMember{key: k, val: e})
			sc.space()
			c := sc.s[sc.i]
			sc.i++ // ',' or '}'
			if c == '}' {
				v.end = sc.i - 1
				return v, nil
			}
		}
	case '[':
		v := &jsonValue{kind: jsonArray, start: sc.i}
		sc.i++
		sc.space()
		if sc.s[sc.i] == ']' {
			sc.i++
			return v, nil
		}
		for {
			e, err := sc.value()
			if err != nil {
				return nil, err
			}
			v.arr = append(v.arr, e)
			sc.space()
			c := sc.s[sc.i]
			sc.i++ // ',' or ']'
			if c == ']' {
				return v, nil
			}
		}
	case '"':
		start := sc.i
		str, err := sc.string()
		if err != nil {
			return nil, err
		}
		return &jsonValue{kind: jsonString, str: str, start: start, end: sc.i}, nil
	case 't':
		sc.i += len("true")
		return &jsonValue{kind: jsonBool, b: true}, nil
	case 'f':
		sc.i += len("false")
		return &jsonValue{kind: jsonBool}, nil
	case 'n':
		sc.i += len("null")
		return &jsonValue{kind: jsonNull}, nil
	default:
		start := sc.i
		for sc.i < len(sc.s) && strings.IndexByte("+-0123456789.eE", sc.s[sc.i]) >= 0 {
			sc.i++
		}
		return &jsonValue{kind: jsonNumber, str: sc.s[start:sc.i]}, nil
	}
}

// string reads a string literal at sc.i. Plain ASCII without escapes is
// sliced from the document; anything else is decoded by encoding/json.
func (sc *scanner) string() (string, error) {
	if sc.i >= len(sc.s) || sc.s[sc.i] != '"' {
		return "", errJSON
	}
	start := sc.i
	plain := true
	for sc.i++; sc.i < len(sc.s); sc.i++ {
		switch c := sc.s[sc.i]; {
		case c == '\\':
			plain = false
			sc.i++
		case c == '"':
			sc.i++
			if plain {
				return sc.s[start+1 : sc.i-1], nil
			}
			var out string
			if err := json.Unmarshal([]byte(sc.s[start:sc.i]), &out); err != nil {
				return "", errJSON
			}
			return out, nil
		case c >= 0x80:
			plain = false // let encoding/json treat invalid UTF-8 its way
		}
	}
	return "", errJSON
}

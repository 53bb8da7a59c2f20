package policy

import (
	"reflect"
	"testing"
)

func TestDecodeJSON(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want any
	}{
		{`"plain"`, "plain"},
		{`"tab\tquote\"slash\/u\u00e9"`, "tab\tquote\"slash/ué"},
		{`"\ud83d\ude00 é"`, "😀 é"},
		{"\"bad \xff byte\"", "bad \ufffd byte"},
		{` { "a" : [ 1 , -2.5e3 , true , false , null ] , "a" : {} } `, map[string]any{"a": map[string]any{}}},
		{`[]`, []any{}},
	} {
		v, err := decodeJSON(tc.in)
		if err != nil {
			t.Errorf("decodeJSON(%q): %v", tc.in, err)
			continue
		}
		if got := toAny(v); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("decodeJSON(%q) = %#v, want %#v", tc.in, got, tc.want)
		}
	}
	for _, bad := range []string{``, `{`, `{"a":1}{}`, `{'a':1}`, `{"a":1,}`, `[1] x`, `NaN`, "\ufeff{}"} {
		if _, err := decodeJSON(bad); err == nil {
			t.Errorf("decodeJSON(%q) accepted", bad)
		}
	}
}

func TestKindString(t *testing.T) {
	for k, want := range map[Kind]string{Identity: "identity", Trust: "trust", Resource: "resource", Kind(9): "unknown"} {
		if k.String() != want {
			t.Errorf("%d: %q", int(k), k.String())
		}
	}
}

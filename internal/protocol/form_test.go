package protocol

import (
	"fmt"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/rolecall/rolecall/internal/model"
)

func TestParseTimeKeepsFractions(t *testing.T) {
	for in, want := range map[string]time.Time{
		"1700000000":               time.Unix(1700000000, 0).UTC(),
		"1700000000.123":           time.Unix(1700000000, 123000000).UTC(),
		"1700000000.000000001":     time.Unix(1700000000, 1).UTC(),
		"-1.5":                     time.Unix(-1, -500000000).UTC(),
		"2023-11-14T22:13:20.123Z": time.Unix(1700000000, 123000000).UTC(),
		"2023-11-14T22:13:20":      time.Unix(1700000000, 0).UTC(),
		"2023-11-14":               time.Date(2023, 11, 14, 0, 0, 0, 0, time.UTC),
	} {
		got, err := ParseTime(in)
		if err != nil || !got.Equal(want) {
			t.Errorf("ParseTime(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "1.", ".5", "1.2.3", "1.1234567890", "1.x", "1e3", "NaN", "tomorrow"} {
		if got, err := ParseTime(bad); err == nil {
			t.Errorf("ParseTime(%q) = %v, want an error", bad, got)
		}
	}
}

func TestParseScalarBlobIsBase64(t *testing.T) {
	blob := &model.Shape{Type: "blob"}
	v, err := ParseScalar(blob, "aGVsbG8=")
	if err != nil || string(v.Bytes()) != "hello" {
		t.Fatalf("ParseScalar(blob, aGVsbG8=) = %q, %v; want hello", v.Bytes(), err)
	}
	if _, err := ParseScalar(blob, "not base64!"); err == nil {
		t.Fatal("ParseScalar(blob, not base64!) succeeded; want an error")
	}
}

func FuzzParseTime(f *testing.F) {
	for _, s := range []string{"1700000000.123", "2023-11-14T22:13:20Z", "-0.000000001", "9999999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tm, err := ParseTime(s)
		if err == nil && tm.Location() != time.UTC {
			t.Fatalf("ParseTime(%q) not in UTC", s)
		}
	})
}

// checkParseForm fails unless ParseForm reads s as url.ParseQuery does:
// the same values for every key, in order, or the same error.
func checkParseForm(t *testing.T, s string) {
	t.Helper()
	want, wantErr := url.ParseQuery(s)
	got, err := ParseForm(nil, s)
	if fmt.Sprint(err) != fmt.Sprint(wantErr) {
		t.Fatalf("ParseForm(%q) error %v; url.ParseQuery's %v", s, err, wantErr)
	}
	if err != nil {
		return
	}
	values := url.Values{}
	for _, p := range got {
		values[p.Key] = append(values[p.Key], p.Value)
	}
	if !reflect.DeepEqual(values, want) {
		t.Fatalf("ParseForm(%q) = %q; url.ParseQuery's %q", s, values, want)
	}
}

func TestParseFormReadsAsParseQuery(t *testing.T) {
	for _, s := range []string{
		"",
		"Action=GetRole&Version=2010-05-08&RoleName=app",
		"RoleName=a+b&Description=%E2%9C%93%20ok",
		"Tags.member.1.Key=k&Tags.member.1.Value=",
		"a=1&a=2&b&a=3",
		"&&a=1&&",
		"=v&k=",
		"k=v=w",
		"a%3Db=c%26d",
		"a=%zz",
		"a=%4",
		"a=1;b=2",
		"a=%zz&b=1;c",
		"a=1&b;c&d=%zz",
		"%=x",
		"a=%e9", // an escape that is no UTF-8: kept as the byte
		strings.Repeat("a=1&", 10000) + "a=1",
	} {
		checkParseForm(t, s)
	}
}

func TestParseFormAppendsInOrder(t *testing.T) {
	f, err := ParseForm(nil, "Action=GetRole&RoleName=q")
	if err != nil {
		t.Fatal(err)
	}
	f, err = ParseForm(f, "RoleName=b&Version=2010-05-08")
	if err != nil {
		t.Fatal(err)
	}
	want := Form{{"Action", "GetRole"}, {"RoleName", "q"}, {"RoleName", "b"}, {"Version", "2010-05-08"}}
	if !reflect.DeepEqual(f, want) || f.Get("RoleName") != "q" || f.Get("Marker") != "" {
		t.Fatalf("got %q, want %q", f, want)
	}
	if v, ok := f.Lookup("Version"); !ok || v != "2010-05-08" {
		t.Errorf("Lookup(Version) = %q, %v", v, ok)
	}
}

func TestFormIndex(t *testing.T) {
	for _, f := range []Form{
		{{"Action", "TagRole"}, {"RoleName", "r"}},
		{{"Action", "TagRole"}, {"Tags.member.1", "x"}, {"Tags.member.1.Key", "k"}, {"Tags.member.1.Key", "k2"}, {"Tags.member", ""}},
	} {
		x := IndexForm(f)
		for _, key := range []string{"Action", "RoleName", "Tags", "Tags.member", "Tags.member.1", "Tags.member.1.Key", "Tags.member.2", "Tags.member.1.Key.x", "Role"} {
			v, ok := f.Lookup(key)
			if gv, gok := x.Lookup(key); gv != v || gok != ok {
				t.Errorf("%q: Lookup(%q) = %q, %v; want %q, %v", f, key, gv, gok, v, ok)
			}
			has := ok
			for _, p := range f {
				has = has || strings.HasPrefix(p.Key, key+".")
			}
			if x.Has(key) != has {
				t.Errorf("%q: Has(%q) = %v", f, key, !has)
			}
		}
	}
}

func FuzzParseForm(f *testing.F) {
	for _, s := range []string{"Action=GetRole&RoleName=a+b%2C", "a=1;b", "a=%zz&a=%41", "&=&"} {
		f.Add(s)
	}
	f.Fuzz(checkParseForm)
}

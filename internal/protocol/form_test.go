package protocol

import (
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

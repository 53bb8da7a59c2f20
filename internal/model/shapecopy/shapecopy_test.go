package shapecopy

import (
	"reflect"
	"testing"
)

type wide struct {
	Name  string
	Port  *int32
	Inner *wideInner
	List  []wideInner
}

type wideInner struct{ A, B string }

type narrow struct {
	Name  string
	Inner *narrowInner
	List  []narrowInner
}

type narrowInner struct{ A string }

// Narrow keeps what the smaller shape has, and Convert refuses to drop
// anything.
func TestNarrow(t *testing.T) {
	port := int32(80)
	src := wide{Name: "web", Port: &port, Inner: &wideInner{A: "a", B: "b"}, List: []wideInner{{A: "x", B: "y"}}}
	got := Narrow[narrow](src)
	want := narrow{Name: "web", Inner: &narrowInner{A: "a"}, List: []narrowInner{{A: "x"}}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Narrow = %+v, want %+v", got, want)
	}
	defer func() {
		if recover() == nil {
			t.Error("Convert dropped members without a panic")
		}
	}()
	Convert[narrow](src)
}

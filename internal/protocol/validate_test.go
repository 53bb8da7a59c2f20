package protocol

import "testing"

func TestPathSpelling(t *testing.T) {
	root := NewPath()
	tags := NewPath().Member("Tags")
	elem := tags.Element(3)
	key := elem.Member("Key")
	for _, c := range []struct {
		p    Path
		want string
	}{{root, ""}, {tags, "tags"}, {elem, "tags.3.member"}, {key, "tags.3.member.key"}} {
		if got := c.p.String(); got != c.want {
			t.Errorf("%v.String() = %q, want %q", []step(c.p), got, c.want)
		}
	}
	// A sibling's steps replace another's; its parent's are untouched.
	other := tags.Element(4)
	if other.String() != "tags.4.member" || elem.String() != "tags.4.member" || tags.String() != "tags" {
		t.Errorf("sibling %q, parent %q", other.String(), tags.String())
	}
}

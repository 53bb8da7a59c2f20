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
	for _, c := range []struct {
		p    Path
		name string
		want bool
	}{
		{NewPath().Member("PathPrefix"), "pathPrefix", true},
		{NewPath().Member("pathPrefix"), "pathPrefix", true},
		{NewPath().Member("PathPrefix"), "path", false},
		{NewPath().Member("Path"), "pathPrefix", false},
		{NewPath().Member("Xath"), "path", false},
		{NewPath().Member("Path").Member("Path"), "path", false},
		{NewPath().Member("Path").Element(1), "path", false},
		{NewPath(), "", false},
		{NewPath().Member("Éa"), lowerFirst("Éa"), true},
		{NewPath().Member("Éa"), "éa", false},
	} {
		if got := c.p.IsMember(c.name); got != c.want {
			t.Errorf("%q.IsMember(%q) = %v, want %v", c.p.String(), c.name, got, c.want)
		}
	}
}

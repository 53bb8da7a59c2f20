package console

import (
	"reflect"
	"strings"
	"testing"

	"github.com/rolecall/rolecall/internal/doctor"
)

func TestWrapAndClip(t *testing.T) {
	for _, c := range []struct {
		text  string
		width int
		want  []string
	}{
		{"short", 330, []string{"short"}},
		{"iam:PassRole + ecs:RunTask + ecs:RegisterTaskDefinition", 244, []string{"iam:PassRole + ecs:RunTask +", "ecs:RegisterTaskDefinition"}},
		// No space to break at: cut where it no longer fits, whole runes.
		{strings.Repeat("é", 40), 12 + 66, []string{strings.Repeat("é", 10), strings.Repeat("é", 30)}},
	} {
		if got := wrap(c.text, c.width); !reflect.DeepEqual(got, c.want) {
			t.Errorf("wrap(%q, %d) = %q, want %q", c.text, c.width, got, c.want)
		}
	}
	if got := clip("AmazonECSServiceRolePolicy (autoscaling, ec2)", 66); got != "AmazonECS…" {
		t.Errorf("clip: %q", got)
	}
	if got := clip("ok", 66); got != "ok" {
		t.Errorf("clip: %q", got)
	}
}

// Two principals reaching one role: the role is drawn once, with what it
// reaches, and each principal has its edge to it, through the curve's
// ends at the boxes' sides.
func TestLayoutIndirect(t *testing.T) {
	path := doctor.IndirectPath{Via: "passes role", Role: "app", RoleARN: "arn:aws:iam::111122223333:role/app", Service: "ecs-tasks.amazonaws.com",
		With: []string{"iam:PassRole", "ecs:RunTask"}, Reaches: "runs a task with it: no permissions", Exists: true}
	g := layoutIndirect(&doctor.IndirectReport{Account: "111122223333", Principals: []doctor.IndirectPrincipal{
		{Kind: doctor.KindUser, Name: "a", Paths: []doctor.IndirectPath{path}},
		{Kind: doctor.KindUser, Name: "b", Paths: []doctor.IndirectPath{path}},
	}})
	var classes []string
	for _, n := range g.Nodes {
		classes = append(classes, n.Class)
	}
	if want := []string{"role", "reaches", "principal", "principal"}; !reflect.DeepEqual(classes, want) {
		t.Fatalf("nodes %v, want %v", classes, want)
	}
	if g.Nodes[0].Href != "/console/iam/roles/details/app" || g.Paths != 2 || len(g.Edges) != 3 {
		t.Errorf("href %q, %d paths, %d edges", g.Nodes[0].Href, g.Paths, len(g.Edges))
	}
	// b's row is the second: its edge goes up to the role's row.
	if e := g.Edges[2]; e.D != "M246 98 C376 98 376 38 506 38" || e.Title != "user/b passes role app with iam:PassRole + ecs:RunTask" {
		t.Errorf("edge %+v", e)
	}
	if g.Width != 16+230+260+250+40+330+16 || g.Height != 16+60+44+16 {
		t.Errorf("size %dx%d", g.Width, g.Height)
	}
	if layoutIndirect(&doctor.IndirectReport{}) != nil {
		t.Error("a graph without paths")
	}
}

package console

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/rolecall/rolecall/internal/doctor"
)

// The indirect-permission graph of `rolecall doctor indirect`, laid out
// here and drawn by the template as inline SVG (no script, no Graphviz):
// the principals on the left, the roles they act through in the middle
// (a service-linked role dashed), what each role reaches on the right; an
// edge per path, labelled with the actions that open it. The same three
// columns as the doctor's DOT output (doctor.IndirectReport.DOT).

type graph struct {
	Width, Height int
	Nodes         []graphNode
	Edges         []graphEdge
	Paths         int
}

type graphNode struct {
	X, Y, W, H int
	Class      string // "principal", "role", "linked", "reaches"
	Lines      []graphText
	Title      string // the whole text, for the tooltip
	Href       string // the role's IAM page, for a role of the account
}

type graphText struct {
	X, Y int
	Text string
}

type graphEdge struct {
	D      string      // the SVG path
	Label  []graphText // up to two lines
	Title  string
	Linked bool // through a service-linked role
}

// The layout's measures, in pixels: columns of boxes, one row per
// principal or role, text at 12px (about 6.6px a character).
const (
	graphMargin   = 16
	graphRow      = 60
	graphBox      = 44
	graphLine     = 15
	graphCharW    = 6.6
	graphGapLeft  = 260 // between principals and roles: room for the labels
	graphGapRight = 40
)

var graphWidths = [3]int{230, 250, 330}

// layoutIndirect lays out the report's paths; nil when there are none.
func layoutIndirect(rep *doctor.IndirectReport) *graph {
	if len(rep.Principals) == 0 {
		return nil
	}
	x := [3]int{graphMargin, graphMargin + graphWidths[0] + graphGapLeft, 0}
	x[2] = x[1] + graphWidths[1] + graphGapRight
	g := &graph{Width: x[2] + graphWidths[2] + graphMargin}
	rowY := func(i int) int { return graphMargin + i*graphRow }

	roleRow := map[string]int{}
	for _, p := range rep.Principals {
		for _, pa := range p.Paths {
			if _, ok := roleRow[pa.RoleARN]; ok {
				continue
			}
			i := len(roleRow)
			roleRow[pa.RoleARN] = i
			class := "role"
			if pa.Via == "service-linked role" {
				class = "linked"
			}
			role := node(x[1], rowY(i), graphWidths[1], class, pa.RoleLabel(), pa.Service)
			if name := pa.Role; pa.Exists && strings.Contains(pa.RoleARN, ":"+rep.Account+":role/") {
				role.Href = rolePath(name)
			}
			reaches := node(x[2], rowY(i), graphWidths[2], "reaches", wrap(pa.Reaches, graphWidths[2])...)
			reaches.Title = pa.Reaches
			g.Nodes = append(g.Nodes, role, reaches)
			y := rowY(i) + graphBox/2
			g.Edges = append(g.Edges, graphEdge{D: line(x[1]+graphWidths[1], y, x[2], y), Title: pa.RoleLabel() + " reaches " + pa.Reaches})
		}
	}
	for i, p := range rep.Principals {
		g.Nodes = append(g.Nodes, node(x[0], rowY(i), graphWidths[0], "principal", p.Label()))
		y1 := rowY(i) + graphBox/2
		for _, pa := range p.Paths {
			y2 := rowY(roleRow[pa.RoleARN]) + graphBox/2
			x1, x2 := x[0]+graphWidths[0], x[1]
			with := strings.Join(pa.With, " + ")
			edge := graphEdge{D: curve(x1, y1, x2, y2), Linked: pa.Via == "service-linked role",
				Title: p.Label() + " " + pa.Via + " " + pa.Role + " with " + with}
			// The label sits above the curve's middle, which a cubic
			// with these control points has at the chord's middle.
			lines := wrap(with, graphGapLeft-16)
			for j, l := range lines {
				edge.Label = append(edge.Label, graphText{X: (x1 + x2) / 2, Y: (y1+y2)/2 - 4 - (len(lines)-1-j)*(graphLine-2), Text: clip(l, graphGapLeft-16)})
			}
			g.Edges = append(g.Edges, edge)
			g.Paths++
		}
	}
	g.Height = rowY(max(len(rep.Principals), len(roleRow))) - graphRow + graphBox + graphMargin
	return g
}

// node is a box with up to two lines of text, clipped to its width.
func node(x, y, w int, class string, lines ...string) graphNode {
	n := graphNode{X: x, Y: y, W: w, H: graphBox, Class: class, Title: strings.Join(lines, "\n")}
	top := y + graphBox/2 - (len(lines)-1)*graphLine/2 + 4
	for i, l := range lines {
		n.Lines = append(n.Lines, graphText{X: x + w/2, Y: top + i*graphLine, Text: clip(l, w-12)})
	}
	return n
}

// wrap breaks text into at most two lines that fit width, at a space
// when there is one (the second line is clipped by node).
func wrap(text string, width int) []string {
	fit := int(float64(width-12) / graphCharW)
	r := []rune(text)
	if len(r) <= fit {
		return []string{text}
	}
	first := string(r[:fit])
	if i := strings.LastIndexByte(first, ' '); i > 0 {
		first = first[:i]
	}
	return []string{first, strings.TrimSpace(text[len(first):])}
}

// clip shortens text to width, ending it with "…".
func clip(text string, width int) string {
	fit := int(float64(width) / graphCharW)
	if utf8.RuneCountInString(text) <= fit {
		return text
	}
	r := []rune(text)
	return string(r[:fit-1]) + "…"
}

func line(x1, y1, x2, y2 int) string {
	return "M" + itoa(x1) + " " + itoa(y1) + " L" + itoa(x2) + " " + itoa(y2)
}

// curve is a cubic from (x1,y1) to (x2,y2) leaving and arriving
// horizontally.
func curve(x1, y1, x2, y2 int) string {
	mx := (x1 + x2) / 2
	return "M" + itoa(x1) + " " + itoa(y1) + " C" + itoa(mx) + " " + itoa(y1) + " " + itoa(mx) + " " + itoa(y2) + " " + itoa(x2) + " " + itoa(y2)
}

func itoa(n int) string { return strconv.Itoa(n) }

package doctor

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// WriteJSON writes the report as indented JSON (for CI).
func (r *Report) WriteJSON(w io.Writer) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// ANSI colours for a terminal.
const (
	cRed    = "\x1b[31m"
	cGreen  = "\x1b[32m"
	cYellow = "\x1b[33m"
	cDim    = "\x1b[2m"
	cBold   = "\x1b[1m"
	cReset  = "\x1b[0m"
)

type painter bool

func (p painter) paint(code, s string) string {
	if !p || s == "" {
		return s
	}
	return code + s + cReset
}

func (p painter) status(s Status, text string) string {
	switch s {
	case OK:
		return p.paint(cGreen, text)
	case Fail:
		return p.paint(cRed, text)
	case Warn:
		return p.paint(cYellow, text)
	case Skipped, NotNeeded:
		return p.paint(cDim, text)
	}
	return text
}

func statusWord(s Status) string {
	switch s {
	case OK:
		return "ok"
	case Fail:
		return "FAIL"
	case Warn:
		return "warn"
	case Skipped:
		return "skipped"
	case NotNeeded:
		return "not needed"
	}
	return "-"
}

func statusMark(s Status) string {
	switch s {
	case OK:
		return "✓"
	case Fail:
		return "✗"
	case Warn:
		return "!"
	case Skipped:
		return "?"
	}
	return "-"
}

// TableAreas are the areas the table has a column for, in its order; a
// role's configuration checks show in the EXISTS column.
var TableAreas = []Area{AreaExists, AreaTrust, AreaPermissions, AreaPassRole}

// Cell is the table's cell for area a of the role: its status, and the
// words ("ok", "FAIL 2/7", "warn (config)", "-"). The web console shows the
// same cells.
func (rc *RoleCase) Cell(a Area) (Status, string) {
	if a == AreaExists {
		if cs := rc.AreaStatus(AreaConfig); cs != "" && rc.AreaStatus(AreaExists) == "" {
			return cs, statusWord(cs) + " (config)"
		}
	}
	return areaCell(rc, a)
}

// Word is the status as the table writes it: "ok", "FAIL", "warn",
// "skipped", "not needed".
func (s Status) Word() string { return statusWord(s) }

// Short is the check's detail as the table writes it (shortDetail).
func (c Check) Short() string { return shortDetail(c) }

// Line is the workload as the table's "Inspected:" lines name it.
func (wl Workload) Line() string { return workloadLine(wl) }

// Summary is the report's last line: the needed roles counted by status.
func (r *Report) Summary() string { return r.summaryLine() }

// areaCell summarises an area for the table: "ok", "FAIL 2/7".
func areaCell(rc *RoleCase, a Area) (Status, string) {
	st := rc.AreaStatus(a)
	if st == "" {
		return "", "-"
	}
	if a == AreaPermissions {
		n, ok := 0, 0
		for _, c := range rc.Checks {
			if c.Area == a {
				n++
				if c.Status == OK {
					ok++
				}
			}
		}
		return st, fmt.Sprintf("%s %d/%d", statusWord(st), ok, n)
	}
	return st, statusWord(st)
}

// WriteTable writes the report for a terminal: a summary table, then each
// needed role with its reasons, failed checks and fixes; colour when color
// is set (stdout is a TTY).
func (r *Report) WriteTable(w io.Writer, color bool) error {
	p := painter(color)
	var b strings.Builder
	fmt.Fprintf(&b, "%s account %s, region %s", p.paint(cBold, "rolecall doctor:"), r.Account, r.Region)
	if r.Deployer != "" {
		fmt.Fprintf(&b, ", deployer %s", r.Deployer)
	}
	b.WriteString("\n\n")
	if len(r.Workloads) > 0 {
		b.WriteString("Inspected:\n")
		for _, wl := range r.Workloads {
			b.WriteString("  " + workloadLine(wl) + "\n")
		}
		b.WriteString("\n")
	}

	// The table lists the roles this setup needs; the others follow in one
	// line each with the reason, which answers "do I need it?" as well.
	var needed, notNeeded []*RoleCase
	for _, rc := range r.Roles {
		if rc.Status == NotNeeded {
			notNeeded = append(notNeeded, rc)
		} else {
			needed = append(needed, rc)
		}
	}
	if len(needed) == 0 {
		b.WriteString("No role is needed by this setup.\n")
	} else {
		writeRoleTable(&b, p, needed)
	}
	if len(notNeeded) > 0 {
		b.WriteString("\n" + p.paint(cDim, "Not needed by this setup:") + "\n")
		for _, rc := range notNeeded {
			b.WriteString(p.paint(cDim, "  - "+rc.Title+": "+strings.TrimPrefix(rc.Why[0], "not needed: ")) + "\n")
		}
	}

	for _, rc := range needed {
		b.WriteString("\n")
		title := fmt.Sprintf("%s %s", statusWord(rc.Status), rc.Title)
		if rc.Name != "" {
			title += " " + rc.Name
		}
		b.WriteString(p.status(rc.Status, title) + "\n")
		if rc.ARN != "" {
			b.WriteString("  arn:       " + rc.ARN + "\n")
		}
		if rc.InstanceProfile != "" {
			b.WriteString("  profile:   " + rc.InstanceProfile + "\n")
		}
		b.WriteString("  assumed by " + rc.Principal)
		if rc.ManagedPolicy != "" {
			b.WriteString("; AWS managed policy " + rc.ManagedPolicy)
		}
		b.WriteString("\n")
		b.WriteString("  why:\n")
		for _, why := range rc.Why {
			b.WriteString("    - " + why + "\n")
		}
		passing := 0
		for _, c := range rc.Checks {
			if c.Status == OK {
				passing++
				continue
			}
			fmt.Fprintf(&b, "  %s %s: %s\n", p.status(c.Status, statusMark(c.Status)), c.Area, c.What)
			if d := shortDetail(c); d != "" {
				b.WriteString("      " + d + "\n")
			}
			if c.Why != "" {
				b.WriteString("      needed for: " + c.Why + "\n")
			}
		}
		if passing > 0 {
			fmt.Fprintf(&b, "  %s %d %s\n", p.status(OK, statusMark(OK)), passing, plural(passing, "check passes", "checks pass"))
		}
		for _, n := range rc.Notes {
			b.WriteString("  note: " + n + "\n")
		}
		// The commands carry the policy documents inline; JSON and
		// Markdown also give them indented.
		for _, f := range rc.Fixes {
			b.WriteString("  " + p.paint(cBold, "fix:") + " " + f.Summary + "\n")
			for _, c := range f.Commands {
				b.WriteString("    " + c + "\n")
			}
		}
	}
	if len(r.Notes) > 0 {
		b.WriteString("\nNotes:\n")
		for _, n := range r.Notes {
			b.WriteString("  - " + n + "\n")
		}
	}
	b.WriteString("\n" + r.summaryLine() + "\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// writeRoleTable writes one row per role: its name and the status of each
// area checked.
func writeRoleTable(b *strings.Builder, p painter, roles []*RoleCase) {
	header := []string{"ROLE", "NAME", "EXISTS", "TRUST", "PERMISSIONS", "PASSROLE", "STATUS"}
	rows := [][]string{header}
	var stats [][]Status
	for _, rc := range roles {
		name := rc.Name
		if name == "" {
			name = "(none named)"
		}
		row := []string{rc.Title, name}
		st := []Status{"", ""}
		for _, a := range TableAreas {
			s, cell := rc.Cell(a)
			row = append(row, cell)
			st = append(st, s)
		}
		row = append(row, statusWord(rc.Status))
		st = append(st, rc.Status)
		rows = append(rows, row)
		stats = append(stats, st)
	}
	widths := make([]int, len(header))
	for _, row := range rows {
		for i, c := range row {
			widths[i] = max(widths[i], utf8.RuneCountInString(c))
		}
	}
	for ri, row := range rows {
		var line strings.Builder
		for i, c := range row {
			cell := c
			if i < len(row)-1 {
				cell += strings.Repeat(" ", widths[i]-utf8.RuneCountInString(c)+2)
			}
			switch {
			case ri == 0:
				cell = p.paint(cBold, cell)
			case stats[ri-1][i] != "":
				cell = p.status(stats[ri-1][i], cell)
			}
			line.WriteString(cell)
		}
		b.WriteString(strings.TrimRight(line.String(), " ") + "\n")
	}
}

// shortDetail is a failed check's detail for people: AWS's AccessDenied
// message repeats the action and resource the check already names, so
// only its reason is kept (JSON keeps the whole message).
func shortDetail(c Check) string {
	d := c.Detail
	if !strings.HasPrefix(d, "User: ") || !strings.Contains(d, " is not authorized to perform: ") {
		return d
	}
	if i := strings.Index(d, " because "); i >= 0 {
		return "denied: " + d[i+len(" because "):]
	}
	if i := strings.Index(d, " with an explicit deny "); i >= 0 {
		return "denied: an explicit deny " + d[i+len(" with an explicit deny "):]
	}
	return d
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func workloadLine(wl Workload) string {
	s := wl.Kind + " " + wl.Name
	var parts []string
	if wl.Cluster != "" {
		parts = append(parts, "cluster "+wl.Cluster)
	}
	switch {
	case wl.TaskDefinition == "":
	case wl.Kind == "service":
		parts = append(parts, "task definition "+wl.TaskDefinition)
	case wl.Kind == "daemon":
		parts = append(parts, "daemon task definition "+wl.TaskDefinition)
	}
	if wl.Platform != "" {
		parts = append(parts, string(wl.Platform))
	}
	if wl.NetworkMode != "" {
		parts = append(parts, wl.NetworkMode)
	}
	if len(parts) > 0 {
		s += " (" + strings.Join(parts, ", ") + ")"
	}
	if wl.Source != "" {
		s += " from " + wl.Source
	}
	return s
}

// summaryLine counts roles by status.
func (r *Report) summaryLine() string {
	counts := map[Status]int{}
	needed := 0
	for _, rc := range r.Roles {
		counts[rc.Status]++
		if rc.Needed {
			needed++
		}
	}
	s := fmt.Sprintf("%d %s needed: %d ok, %d failing, %d with warnings, %d not checked",
		needed, plural(needed, "role", "roles"), counts[OK], counts[Fail], counts[Warn], counts[Skipped])
	if r.Failed() {
		s += ". Something this setup needs is missing."
	}
	return s
}

// WriteMarkdown writes the report for a pull request comment.
func (r *Report) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	b.WriteString("## rolecall doctor\n\n")
	fmt.Fprintf(&b, "Account `%s`, region `%s`", r.Account, r.Region)
	if r.Deployer != "" {
		fmt.Fprintf(&b, ", deployer `%s`", r.Deployer)
	}
	b.WriteString(".\n\n")
	if len(r.Workloads) > 0 {
		for _, wl := range r.Workloads {
			b.WriteString("- " + mdEscape(workloadLine(wl)) + "\n")
		}
		b.WriteString("\n")
	}
	anyNeeded := false
	for _, rc := range r.Roles {
		anyNeeded = anyNeeded || rc.Status != NotNeeded
	}
	if anyNeeded {
		b.WriteString("| | Role | Name | Exists | Trust | Permissions | PassRole |\n|---|---|---|---|---|---|---|\n")
	} else {
		b.WriteString("No role is needed by this setup.\n")
	}
	for _, rc := range r.Roles {
		if rc.Status == NotNeeded {
			continue
		}
		name := "—"
		if rc.Name != "" {
			name = "`" + rc.Name + "`"
		}
		cells := []string{mdMark(rc.Status), rc.Title, name}
		for _, a := range []Area{AreaExists, AreaTrust, AreaPermissions, AreaPassRole} {
			_, cell := areaCell(rc, a)
			if a == AreaExists && rc.AreaStatus(AreaExists) == "" {
				if cs := rc.AreaStatus(AreaConfig); cs != "" {
					cell = statusWord(cs) + " (config)"
				}
			}
			cells = append(cells, cell)
		}
		b.WriteString("| " + strings.Join(cells, " | ") + " |\n")
	}
	var notNeeded []string
	for _, rc := range r.Roles {
		if rc.Status == NotNeeded {
			notNeeded = append(notNeeded, "- "+rc.Title+": "+mdEscape(strings.TrimPrefix(rc.Why[0], "not needed: ")))
		}
	}
	if len(notNeeded) > 0 {
		b.WriteString("\n<details><summary>Not needed by this setup</summary>\n\n" + strings.Join(notNeeded, "\n") + "\n\n</details>\n")
	}
	for _, rc := range r.Roles {
		if rc.Status == NotNeeded {
			continue
		}
		title := rc.Title
		if rc.Name != "" {
			title += " `" + rc.Name + "`"
		}
		fmt.Fprintf(&b, "\n### %s %s\n\n", mdMark(rc.Status), title)
		fmt.Fprintf(&b, "Assumed by `%s`", rc.Principal)
		if rc.ManagedPolicy != "" {
			fmt.Fprintf(&b, "; AWS managed policy `%s`", rc.ManagedPolicy)
		}
		b.WriteString(".\n\n")
		for _, why := range rc.Why {
			b.WriteString("- " + mdEscape(why) + "\n")
		}
		var bad []Check
		passing := 0
		for _, c := range rc.Checks {
			if c.Status == OK {
				passing++
			} else {
				bad = append(bad, c)
			}
		}
		if len(bad) > 0 {
			b.WriteString("\n")
			for _, c := range bad {
				fmt.Fprintf(&b, "- %s **%s**: %s", mdMark(c.Status), c.Area, mdEscape(c.What))
				if d := shortDetail(c); d != "" {
					b.WriteString(" — " + mdEscape(d))
				}
				b.WriteString("\n")
			}
		}
		if passing > 0 {
			fmt.Fprintf(&b, "\n%d %s.\n", passing, plural(passing, "check passes", "checks pass"))
		}
		for _, n := range rc.Notes {
			b.WriteString("\n> " + mdEscape(n) + "\n")
		}
		for _, f := range rc.Fixes {
			b.WriteString("\n**Fix:** " + mdEscape(f.Summary) + "\n")
			if len(f.Commands) > 0 {
				b.WriteString("\n```sh\n" + strings.Join(f.Commands, "\n") + "\n```\n")
			}
			if f.Policy != "" {
				b.WriteString("\n<details><summary>policy document</summary>\n\n```json\n" + f.Policy + "\n```\n\n</details>\n")
			}
		}
	}
	if len(r.Notes) > 0 {
		b.WriteString("\n**Notes**\n\n")
		for _, n := range r.Notes {
			b.WriteString("- " + mdEscape(n) + "\n")
		}
	}
	b.WriteString("\n" + r.summaryLine() + "\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func mdMark(s Status) string {
	switch s {
	case OK:
		return "✅"
	case Fail:
		return "❌"
	case Warn:
		return "⚠️"
	case Skipped:
		return "❔"
	}
	return "➖"
}

// mdEscape keeps table pipes and stray markup out of Markdown text.
func mdEscape(s string) string {
	return strings.NewReplacer("|", `\|`, "<", "&lt;", ">", "&gt;", "*", `\*`, "_", `\_`).Replace(s)
}

package console

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/rolecall/rolecall/internal/principal"
)

//go:embed templates
var templateFS embed.FS

// view is what every page's template gets: the frame (who is signed in,
// the notifications, the one-time messages) and the page's own data.
type view struct {
	Title     string
	Nav       string // "home", "iam", "ecs": the section the page is in
	Side      string // the entry of the section's navigation pane the page is under ("roles")
	Account   string
	Alias     string // the account's alias, if it has one and the principal may read it
	Principal string // the signed-in principal's ARN
	User      bool   // the principal is an IAM user (who may change its password)
	CSRF      string
	Region    string   // the Region of a regional page (ECS)
	Regions   []string // the Regions to choose from
	Flash     []flash
	Notes     []noteView
	// Denied is set when the page's own request was refused; Error when it
	// failed otherwise. The page then shows that in place of its content.
	Denied *denial
	Error  string
	Page   any
}

// pages are the parsed templates, one per page, each with the layout.
type pages map[string]*template.Template

var funcs = template.FuncMap{
	"rolePath":   rolePath,
	"userPath":   userPath,
	"groupPath":  groupPath,
	"policyPath": policyPath,
	"date":       formatDate,
	"provider":   providerPath,
	"join":       strings.Join,
	"seconds":    formatSeconds,
	"cluster":    clusterPath,
	"policyType": policyType,
	"task":       taskPath,
	"service":    servicePath,
	"roleCheck":  roleCheckPath,
}

// parsedPages are the pages, parsed on first use (not when rolecall starts)
// and shared: templates do not change once parsed.
var parsedPages = sync.OnceValue(parsePages)

func parsePages() pages {
	shared := []string{"templates/layout.html", "templates/partials.html"}
	names, err := templateFS.ReadDir("templates")
	if err != nil {
		panic(err)
	}
	out := pages{}
	for _, f := range names {
		name := strings.TrimSuffix(f.Name(), ".html")
		if name == "layout" || name == "partials" {
			continue
		}
		t := template.New(f.Name()).Funcs(funcs)
		out[name] = template.Must(t.ParseFS(templateFS, append(shared, "templates/"+f.Name())...))
	}
	return out
}

// render writes page with v in the layout. The page is rendered whole
// before anything is written, so that a template failure answers 500
// rather than half a page.
func (c *Console) render(w http.ResponseWriter, status int, page string, v *view) {
	t, ok := parsedPages()[page]
	if !ok {
		http.Error(w, "console: no page "+page, http.StatusInternalServerError)
		return
	}
	var b bytes.Buffer
	if err := t.ExecuteTemplate(&b, "layout", v); err != nil {
		c.cfg.Log.Error("console: rendering failed", "page", page, "error", err)
		http.Error(w, "console: rendering failed", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(b.Bytes())
}

// renderFragment writes one named template of page on its own (a
// notification the script polls for).
func (c *Console) renderFragment(w http.ResponseWriter, page, name string, data any) {
	var b bytes.Buffer
	if err := parsedPages()[page].ExecuteTemplate(&b, name, data); err != nil {
		c.cfg.Log.Error("console: rendering failed", "fragment", name, "error", err)
		http.Error(w, "console: rendering failed", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Write(b.Bytes())
}

// view starts a page's view for the signed-in principal, taking the
// session's one-time messages and its notifications.
func (q *req) view(title, nav string) *view {
	return &view{Title: title, Nav: nav, Account: q.p.Account, Alias: q.alias(), Principal: q.p.ARN, User: q.p.Kind == principal.User, CSRF: q.s.csrf,
		Flash: q.s.takeFlash(), Notes: q.notes()}
}

// iamView starts a page of the IAM console under item of its navigation
// pane ("dashboard", "groups", "users", "roles", "policies").
func (q *req) iamView(title, item string) *view {
	v := q.view(title, "iam")
	v.Side = item
	return v
}

// page renders a page whose own request failed, or its content.
func (q *req) page(name string, v *view, f *failure) {
	status := http.StatusOK
	if f != nil {
		if f.Denied != nil {
			v.Denied, status = f.Denied, http.StatusForbidden
		} else {
			v.Error, status = f.Error(), f.Err.Status
		}
	}
	q.c.render(q.w, status, name, v)
}

// done answers a form that did what it was asked with a redirect to path
// (post, redirect, get: a reload does not post again), and a message to
// show there.
func (q *req) done(path, msg string) {
	if msg != "" {
		q.s.addFlash(flash{Kind: "success", Text: msg})
	}
	http.Redirect(q.w, q.r, path, http.StatusSeeOther)
}

// incomplete answers a form the console cannot send as it is (nothing
// chosen, a confirmation that does not match) with a redirect to path,
// where text says what to do.
func (q *req) incomplete(path, text string) {
	q.s.addFlash(flash{Kind: "error", Text: text})
	http.Redirect(q.w, q.r, path, http.StatusSeeOther)
}

// failed answers a form whose request failed with a redirect to path,
// where the failure is shown.
func (q *req) failed(path string, f *failure) {
	fl := flash{Kind: "error", Text: f.Error(), Denied: f.Denied}
	q.s.addFlash(fl)
	http.Redirect(q.w, q.r, path, http.StatusSeeOther)
}

// named is the items whose name contains query, in any case: a list
// page's search.
func named[T any](items []T, query string, name func(*T) string) []*T {
	query = strings.ToLower(query)
	out := make([]*T, 0, len(items))
	for i := range items {
		if it := &items[i]; query == "" || strings.Contains(strings.ToLower(name(it)), query) {
			out = append(out, it)
		}
	}
	return out
}

func rolePath(name string) string  { return Prefix + "iam/roles/details/" + pathName(name) }
func userPath(name string) string  { return Prefix + "iam/users/details/" + pathName(name) }
func groupPath(name string) string { return Prefix + "iam/groups/details/" + pathName(name) }

// pathName is an IAM name as a segment of a console path. "." and ".."
// are valid names ([\w+=,.@-]+), but as path segments a browser resolves
// them away, escaped or not (RFC 3986's dot segments; the WHATWG URL
// Standard takes %2E for a dot): they get a "~", which no IAM name has,
// and nameOf takes it off.
func pathName(name string) string {
	if name == "." || name == ".." {
		return name + "~"
	}
	return url.PathEscape(name)
}

// nameOf is the IAM name in a path segment made by pathName (the path's
// {name}, already unescaped).
func nameOf(seg string) string {
	if seg == ".~" || seg == "..~" {
		return seg[:len(seg)-1]
	}
	return seg
}

// name is the IAM name of the path's {name}.
func (q *req) name() string { return nameOf(q.r.PathValue("name")) }

// policyPath is a managed policy's page: its ARN, whose path keeps its
// slashes ("arn:aws:iam::aws:policy/job-function/ViewOnlyAccess").
func policyPath(policyArn string) string {
	segs := strings.Split(policyArn, "/")
	for i, s := range segs {
		segs[i] = pathName(s)
	}
	return Prefix + "iam/policies/details/" + strings.Join(segs, "/")
}

// policyArnOf is the policy ARN of a path made by policyPath (the path's
// {arn...}, already unescaped).
func policyArnOf(path string) string {
	segs := strings.Split(path, "/")
	for i, s := range segs {
		segs[i] = nameOf(s)
	}
	return strings.Join(segs, "/")
}

// formatDate shows a time as the console does, in UTC: "March 1, 2026,
// 14:05 (UTC)".
func formatDate(t any) string {
	switch v := t.(type) {
	case time.Time:
		if v.IsZero() {
			return "-"
		}
		return v.UTC().Format("January 2, 2006, 15:04 (UTC)")
	case *time.Time:
		if v == nil {
			return "-"
		}
		return formatDate(*v)
	}
	return fmt.Sprint(t)
}

// formatSeconds shows a session duration as the role summary does: "1
// hour", "12 hours", "90 minutes".
func formatSeconds(s int32) string {
	switch {
	case s%3600 == 0:
		return plural(int(s/3600), "hour")
	case s%60 == 0:
		return plural(int(s/60), "minute")
	}
	return plural(int(s), "second")
}

// since says how long ago t was, as the console's Last activity column
// does ("12 days ago"); "-" for never.
func since(now time.Time, t *time.Time) string {
	if t == nil || t.IsZero() {
		return "-"
	}
	d := now.Sub(*t)
	switch days := int(d.Hours() / 24); {
	case d < time.Minute:
		return "Just now"
	case d < time.Hour:
		return plural(int(d.Minutes()), "minute") + " ago"
	case d < 24*time.Hour:
		return plural(int(d.Hours()), "hour") + " ago"
	default:
		return plural(days, "day") + " ago"
	}
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}

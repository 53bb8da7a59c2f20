package console

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/rolecall/rolecall/internal/iam"
)

// Deleting a service-linked role is a task: "Watch the IAM console
// notifications to monitor the progress of the service-linked role
// deletion. ... If the task succeeds, then the role is removed from the
// list and a notification of success appears at the top of the page. If
// the task fails, you can choose View details or View Resources from the
// notifications to learn why the deletion failed." (Amazon ECS Developer
// Guide, "Using service-linked roles for Amazon ECS",
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/using-service-linked-roles.html).
// The session keeps the tasks it submitted; every page shows them, as
// GetServiceLinkedRoleDeletionStatus answers for the signed-in principal,
// and the console's script asks again until the task is done (without
// the script, reloading the page does).

// note is a deletion task the session follows.
type note struct {
	ID           int
	Role, TaskID string
}

// noteView is a notification as the page shows it.
type noteView struct {
	ID      int
	Role    string
	Status  string // NOT_STARTED, IN_PROGRESS, SUCCEEDED, FAILED
	Pending bool   // the script should ask again
	Reason  string
	Usage   []iam.Usage // the RoleUsageList of a failed task, by Region
	Denied  *denial     // GetServiceLinkedRoleDeletionStatus was refused
	Error   string
	CSRF    string
	Poll    string // where the script asks
	Back    string // the page to come back to once dismissed
}

// follow adds a deletion task to the session's notifications.
func (q *req) follow(role, taskID string) {
	s := q.s
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, n := range s.notes {
		if n.TaskID == taskID { // DeleteServiceLinkedRole again answers the pending task
			return
		}
	}
	s.nextID++
	s.notes = append(s.notes, &note{ID: s.nextID, Role: role, TaskID: taskID})
}

// notes are the session's notifications, each task's status read now.
func (q *req) notes() []noteView {
	q.s.mu.Lock()
	list := append([]*note(nil), q.s.notes...)
	q.s.mu.Unlock()
	out := make([]noteView, 0, len(list))
	for _, n := range list {
		out = append(out, q.noteStatus(n))
	}
	return out
}

func (q *req) noteStatus(n *note) noteView {
	v := noteView{ID: n.ID, Role: n.Role, CSRF: q.s.csrf, Poll: Prefix + "notifications/" + strconv.Itoa(n.ID), Back: q.back()}
	out, f := q.iam("GetServiceLinkedRoleDeletionStatus", params("DeletionTaskId", n.TaskID))
	if f != nil {
		v.Denied = f.Denied
		if f.Denied == nil {
			v.Error = f.Error()
		}
		return v
	}
	v.Status = member[string](out, "Status")
	v.Pending = v.Status == iam.DeletionNotStarted || v.Status == iam.DeletionInProgress
	v.Reason = member[string](out, "Reason", "Reason")
	v.Usage = member[[]iam.Usage](out, "Reason", "RoleUsageList")
	return v
}

// back is the page a notification is shown on: this request's, or, for
// the script's request of a notification alone, the page that asked.
func (q *req) back() string {
	here := q.r.URL.RequestURI()
	if !strings.HasPrefix(here, Prefix+"notifications/") {
		return here
	}
	if ref, err := url.Parse(q.r.Referer()); err == nil && ref.Host == q.r.Host {
		return safeNext(ref.RequestURI())
	}
	return ""
}

// findNote is the session's note with the path's id.
func (q *req) findNote() *note {
	id, err := strconv.Atoi(q.r.PathValue("id"))
	if err != nil {
		return nil
	}
	q.s.mu.Lock()
	defer q.s.mu.Unlock()
	for _, n := range q.s.notes {
		if n.ID == id {
			return n
		}
	}
	return nil
}

// notificationFragment answers one notification's HTML, for the script
// that replaces it in the page while the task is pending.
func (c *Console) notificationFragment(q *req) {
	n := q.findNote()
	if n == nil {
		http.NotFound(q.w, q.r)
		return
	}
	c.renderFragment(q.w, "home", "note", q.noteStatus(n))
}

// dismissNotification stops following a task.
func (c *Console) dismissNotification(q *req) {
	if n := q.findNote(); n != nil {
		q.s.mu.Lock()
		for i, o := range q.s.notes {
			if o == n {
				q.s.notes = append(q.s.notes[:i], q.s.notes[i+1:]...)
				break
			}
		}
		q.s.mu.Unlock()
	}
	back := safeNext(q.r.PostFormValue("back"))
	if back == "" {
		back = Prefix + "iam/roles"
	}
	http.Redirect(q.w, q.r, back, http.StatusSeeOther)
}

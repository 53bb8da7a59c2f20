package doctor

// Status is the outcome of one check, and of a role (its worst check).
type Status string

// The statuses, from best to worst.
const (
	// NotNeeded: the setup does not need this role.
	NotNeeded Status = "not-needed"
	// Skipped: not checked (no IAM source, no deployer, a role in another
	// account).
	Skipped Status = "skipped"
	OK      Status = "ok"
	// Warn: works, but something is off (unused, a guess, propagation).
	Warn Status = "warn"
	// Fail: something the setup needs is missing or denied.
	Fail Status = "fail"
)

func (s Status) rank() int {
	switch s {
	case OK:
		return 1
	case Skipped:
		return 2
	case Warn:
		return 3
	case Fail:
		return 4
	}
	return 0
}

// worse returns the worse of two statuses.
func worse(a, b Status) Status {
	if b.rank() > a.rank() {
		return b
	}
	return a
}

// Area is what a check is about: the report's columns.
type Area string

// The areas.
const (
	AreaConfig      Area = "config"
	AreaExists      Area = "exists"
	AreaTrust       Area = "trust"
	AreaPermissions Area = "permissions"
	AreaPassRole    Area = "passrole"
)

// Report is the doctor's answer: every role an ECS setup may need, whether
// it needs it, and what is wrong.
type Report struct {
	Account   string      `json:"account"`
	Region    string      `json:"region"`
	Deployer  string      `json:"deployer,omitempty"`
	Workloads []Workload  `json:"workloads"`
	Roles     []*RoleCase `json:"roles"`
	Notes     []string    `json:"notes,omitempty"`
}

// Failed reports whether a needed role has a failing check: what makes
// `rolecall doctor` exit non-zero.
func (r *Report) Failed() bool {
	for _, rc := range r.Roles {
		if rc.Status == Fail {
			return true
		}
	}
	return false
}

// Workload is one thing the doctor inspected: a service (with the task
// definition it runs) or a task definition run on its own, or a capacity
// provider.
type Workload struct {
	Kind           string   `json:"kind"` // "service", "task-definition", "task", "capacity-provider", "scalable-target", "express-service", "daemon"
	Name           string   `json:"name"`
	Cluster        string   `json:"cluster,omitempty"`
	TaskDefinition string   `json:"taskDefinition,omitempty"`
	Platform       Platform `json:"platform,omitempty"`
	NetworkMode    string   `json:"networkMode,omitempty"`
	Source         string   `json:"source,omitempty"`
}

// RoleCase is one role: whether the setup needs it and why, what was
// checked, and how to fix what failed.
type RoleCase struct {
	Kind  RoleKind `json:"kind"`
	Title string   `json:"title"`
	// Name and ARN of the role; empty when the setup names none.
	Name string `json:"name,omitempty"`
	ARN  string `json:"arn,omitempty"`
	// InstanceProfile for instance roles.
	InstanceProfile string   `json:"instanceProfile,omitempty"`
	Needed          bool     `json:"needed"`
	Why             []string `json:"why"`
	// Principal is the service principal that assumes the role.
	Principal string `json:"principal"`
	// ManagedPolicy is the AWS managed policy AWS provides for the role.
	ManagedPolicy string   `json:"managedPolicy,omitempty"`
	Status        Status   `json:"status"`
	Checks        []Check  `json:"checks,omitempty"`
	Fixes         []Fix    `json:"fixes,omitempty"`
	Notes         []string `json:"notes,omitempty"`
}

// AreaStatus is the worst status of the checks in one area; "" when no
// check was made there.
func (rc *RoleCase) AreaStatus(a Area) Status {
	var s Status
	for _, c := range rc.Checks {
		if c.Area == a {
			if s == "" {
				s = c.Status
			} else {
				s = worse(s, c.Status)
			}
		}
	}
	return s
}

// Check is one thing checked about a role.
type Check struct {
	Area   Area   `json:"area"`
	Status Status `json:"status"`
	// What was asked: "exists", "ecs-tasks.amazonaws.com may assume it",
	// "ecr:BatchGetImage on arn:aws:ecr:...".
	What string `json:"what"`
	// Detail: the answer's reason (the deciding statement, or AWS's
	// AccessDenied message).
	Detail string `json:"detail,omitempty"`
	// Why the request is needed.
	Why string `json:"why,omitempty"`
}

// Fix is one remedy: what to do, the AWS CLI commands that do it, and the
// policy document they write (also inline in the commands).
type Fix struct {
	Summary  string   `json:"summary"`
	Commands []string `json:"commands,omitempty"`
	Policy   string   `json:"policy,omitempty"`
}

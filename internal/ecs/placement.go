package ecs

import (
	"fmt"
	"slices"

	"github.com/rolecall/rolecall/internal/ecs/types"
)

// Placement constraints: memberOf places a task only on a container
// instance its expression (query.go) selects; distinctInstance takes no
// expression and places each task of the task group on a different
// container instance, counting the group's tasks whose desired status is
// RUNNING ("Amazon ECS looks at the desired status of the tasks for the
// task placement",
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-placement-constraints.html).
// A task obeys its task definition's constraints and those of the RunTask
// request or the service that launches it; a task definition may not have
// a distinctInstance one. An awsvpc task also needs one of its instance's
// network interfaces (enis.go). Placement on the EC2 launch type honors
// them all.

const (
	constraintMemberOf         = "memberOf"
	constraintDistinctInstance = "distinctInstance"
)

// reasonMemberOf and reasonDistinct are the failures of an instance whose
// attributes a memberOf constraint rejects, or that runs a task of the
// group already (the ECS developer guide's API failure reasons; RunTask
// failures and service events quoted in public troubleshooting notes,
// aws/containers-roadmap #723 for distinctInstance's). reasonENI: an
// instance with no network interface left for an awsvpc task ("RESOURCE:ENI",
// API failure reasons; aws/aws-app-mesh-examples #342 for the service
// event).
const (
	reasonMemberOf = "MemberOf placement constraint unsatisfied."
	reasonDistinct = "DistinctInstance placement constraint unsatisfied."
	reasonENI      = "RESOURCE:ENI"
)

// constraint is one placement constraint as a request or a task
// definition gives it.
type constraint struct{ kind, expression string }

func requestConstraints(in []types.PlacementConstraint) []constraint {
	out := make([]constraint, len(in))
	for i, c := range in {
		out[i] = constraint{c.Type, c.Expression}
	}
	return out
}

func definitionConstraints(in []types.TaskDefinitionPlacementConstraint) []constraint {
	out := make([]constraint, len(in))
	for i, c := range in {
		out[i] = constraint{c.Type, c.Expression}
	}
	return out
}

// rules are what placing a launch's tasks obeys: the memberOf queries;
// distinct, one task of group per instance; awsvpc, a network interface
// for each task.
type rules struct {
	queries  []query
	distinct bool
	group    string
	awsvpc   bool
}

// constraintsOf parses constraints into the rules a placement must
// satisfy, refusing those ECS refuses.
func constraintsOf(sets ...[]constraint) (rules, error) {
	var out rules
	for _, set := range sets {
		for _, c := range set {
			switch c.kind {
			case constraintDistinctInstance:
				if c.expression != "" {
					return rules{}, errDistinctInstanceExpression()
				}
				out.distinct = true
			case constraintMemberOf:
				q, ok := parseQuery(c.expression)
				if !ok {
					return rules{}, errQueryExpression(c.expression)
				}
				out.queries = append(out.queries, q)
			}
		}
	}
	return out, nil
}

// rulesFor are the rules of a launch's tasks: its task definition's
// constraints and the request's or service's.
func rulesFor(l *launch, given []types.PlacementConstraint) (rules, error) {
	r, err := constraintsOf(definitionConstraints(l.def.Def.PlacementConstraints), requestConstraints(given))
	r.group, r.awsvpc = l.taskGroup(), l.awsvpc()
	return r, err
}

// selects: every memberOf query selects h.
func (r rules) selects(h *host) bool {
	for _, q := range r.queries {
		if !q(h) {
			return false
		}
	}
	return true
}

// refusal is why h cannot take one more task under the rules, "" when it
// can.
func (r rules) refusal(h *host) string {
	switch {
	case !r.selects(h):
		return reasonMemberOf
	case r.distinct && slices.Contains(h.wanted, r.group):
		return reasonDistinct
	case r.awsvpc && !h.eniFree():
		return reasonENI
	}
	return ""
}

// place chooses the instances of n tasks among hosts (least busy first):
// in turn among those the rules allow, each placement counted on its
// instance (its group, its network interface) before the next. When fewer
// than n could be placed, failures say for each instance why it took no
// more, in the order of hosts.
func place(hosts []*host, r rules, n int) (on []*host, failures []types.Failure) {
	next := 0
	for range n {
		var h *host
		for k := range hosts {
			if c := hosts[(next+k)%len(hosts)]; r.refusal(c) == "" {
				h, next = c, (next+k+1)%len(hosts)
				break
			}
		}
		if h == nil {
			for _, c := range hosts {
				failures = append(failures, types.Failure{Arn: c.rec.Instance.ContainerInstanceArn, Reason: r.refusal(c)})
			}
			break
		}
		on = append(on, h)
		r.take(h)
	}
	return on, failures
}

// take counts on h one more task placed under the rules.
func (r rules) take(h *host) {
	h.tasks++
	h.wanted = append(h.wanted, r.group)
	if r.awsvpc {
		h.enis++
	}
}

// admit keeps the tasks whose instances (hosts, as read in the
// transaction that stores them) the rules still allow, counting each on
// its instance; the others are failures with the instance's reason.
func admit(hosts map[string]*host, r rules, tasks []*taskRecord) (kept []*taskRecord, failures []types.Failure) {
	failures = []types.Failure{}
	for _, t := range tasks {
		if h := hosts[t.Task.ContainerInstanceArn]; h != nil {
			if why := r.refusal(h); why != "" {
				failures = append(failures, types.Failure{Arn: t.Task.ContainerInstanceArn, Reason: why})
				continue
			}
			r.take(h)
		}
		kept = append(kept, t)
	}
	return kept, failures
}

// closest is the failure of the instance that came closest to taking the
// task: the least busy of those that passed the most of refusal's checks.
func closest(failures []types.Failure) types.Failure {
	rank := func(f types.Failure) int {
		return slices.Index([]string{reasonMemberOf, reasonDistinct, reasonENI}, f.Reason)
	}
	best := failures[0]
	for _, f := range failures[1:] {
		if rank(f) > rank(best) {
			best = f
		}
	}
	return best
}

// eventUnplaceable is a service's event when no instance can take its
// task, naming the closest and why it could not.
func eventUnplaceable(service string, closest types.Failure) string {
	return fmt.Sprintf("(service %s) was unable to place a task because no container instance met all of its requirements. The closest matching (container-instance %s) encountered error %q. For more information, see the Troubleshooting section of the Amazon ECS Developer Guide.",
		service, taskIDOf(closest.Arn), closest.Reason)
}

package ecs

import (
	"fmt"

	"github.com/rolecall/rolecall/internal/ecs/types"
)

// Placement constraints: memberOf places a task only on a container
// instance its expression (query.go) selects; distinctInstance takes no
// expression
// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-placement-constraints.html).
// A task obeys its task definition's constraints and those of the RunTask
// request or the service that launches it. Placement on the EC2 launch type
// honors them; a distinctInstance constraint is checked, not yet enforced.

const (
	constraintMemberOf         = "memberOf"
	constraintDistinctInstance = "distinctInstance"
)

// reasonMemberOf is the failure of an instance whose attributes a memberOf
// constraint rejects (the ECS developer guide's API failure reasons;
// RunTask failures and service events quoted in public troubleshooting
// notes).
const reasonMemberOf = "MemberOf placement constraint unsatisfied."

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

// memberOf parses constraints into the queries a placement must satisfy,
// refusing those ECS refuses.
func memberOf(sets ...[]constraint) ([]query, error) {
	var out []query
	for _, set := range sets {
		for _, c := range set {
			switch c.kind {
			case constraintDistinctInstance:
				if c.expression != "" {
					return nil, errDistinctInstanceExpression()
				}
			case constraintMemberOf:
				q, ok := parseQuery(c.expression)
				if !ok {
					return nil, errQueryExpression(c.expression)
				}
				out = append(out, q)
			}
		}
	}
	return out, nil
}

// satisfy splits hosts into those every query selects and the others, in
// the order given.
func satisfy(hosts []*host, qs []query) (fit, rejected []*host) {
	for _, h := range hosts {
		ok := true
		for _, q := range qs {
			ok = ok && q(h)
		}
		if ok {
			fit = append(fit, h)
		} else {
			rejected = append(rejected, h)
		}
	}
	return fit, rejected
}

// memberOfFailures are RunTask's failures when no instance satisfies the
// constraints: one for each instance rejected.
func memberOfFailures(rejected []*host) []types.Failure {
	out := make([]types.Failure, len(rejected))
	for i, h := range rejected {
		out[i] = types.Failure{Arn: h.rec.Instance.ContainerInstanceArn, Reason: reasonMemberOf}
	}
	return out
}

// eventUnplaceable is a service's event when no instance satisfies its
// constraints, naming the closest (the least busy).
func eventUnplaceable(service string, closest *host) string {
	return fmt.Sprintf("(service %s) was unable to place a task because no container instance met all of its requirements. The closest matching (container-instance %s) encountered error %q. For more information, see the Troubleshooting section of the Amazon ECS Developer Guide.",
		service, taskIDOf(closest.rec.Instance.ContainerInstanceArn), reasonMemberOf)
}

package ecs

import (
	"context"
	"fmt"

	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/ecs/types"
	"github.com/rolecall/rolecall/internal/ecsroles"
)

// What ECS does with a role for a service's load balancers: it validates
// them when the service is created, and registers each task it starts. The
// legacy service role (ecsServiceRole) is assumed by ecs.amazonaws.com in
// a session named ecs-service-scheduler (the ECS developer guide names it
// as the CloudTrail roleSessionName of ECS's load balancer calls); without
// one ECS acts through AWSServiceRoleForECS. Either way the calls are
// authorized against the acting role's own policies (AmazonEC2ContainerServiceRole
// and AmazonECSServiceRolePolicy grant them), and recorded as its use.

// serviceRoleSession is the session name of ECS's load balancer calls with
// a service's role.
const serviceRoleSession = ecsroles.SessionServiceScheduler

// classic: the load balancer is a Classic Load Balancer (named, no target
// group).
func classic(lb types.LoadBalancer) bool { return lb.TargetGroupArn == "" && lb.LoadBalancerName != "" }

// lbValidation is what ECS checks its role may do with a service's load
// balancers when the service is created: describe them, and register and
// deregister tasks.
func lbValidation(c Call, service string, lbs []types.LoadBalancer) []RoleAction {
	var out []RoleAction
	for _, lb := range lbs {
		out = append(out, ecsroles.LoadBalancerNeeds(envOf(c), lb, service)...)
	}
	return out
}

// lbRegistration is the call that registers a load balancer's new tasks.
func lbRegistration(c Call, service string, lb types.LoadBalancer) []RoleAction {
	var out []RoleAction
	for _, n := range ecsroles.LoadBalancerNeeds(envOf(c), lb, service) {
		if n.Step == ecsroles.StepLoadBalancerRegister {
			out = append(out, n)
		}
	}
	return out
}

// eniCreation is what ECS does with AWSServiceRoleForECS for an awsvpc
// task's network interface.
func eniCreation(c Call, t *taskRecord) []RoleAction {
	for _, a := range t.Task.Attachments {
		for _, d := range a.Details {
			if d.Name == "networkInterfaceId" {
				return ecsroles.NetworkInterfaceNeeds(envOf(c), d.Value, "task "+taskIDOf(t.Task.TaskArn))
			}
		}
	}
	return nil
}

// errServiceRoleFor is AWS's answer when ECS cannot assume a service's role
// or the role may not use its load balancer: the target group text, or for
// a Classic Load Balancer the listeners text (a 2017 Terraform report
// quotes it: "InvalidParameterException: Unable to assume role and
// validate the listeners configured on your load balancer. Please verify
// that the ECS service role being passed has the proper permissions.";
// 2016 reports had "Please verify the role being passed has the proper
// permissions.", hashicorp/terraform #4609).
func errServiceRoleFor(lbs []types.LoadBalancer) error {
	if len(lbs) > 0 && classic(lbs[0]) {
		return invalidParameter("Unable to assume role and validate the listeners configured on your load balancer. Please verify that the ECS service role being passed has the proper permissions.")
	}
	return errServiceRole()
}

// registerTasks has ECS register a service's started tasks with its load
// balancers, with the service's role or AWSServiceRoleForECS, and for
// awsvpc tasks create their network interfaces with the latter. It returns
// the service's events, as AWS words them: "(service NAME) registered N
// targets in (target-group ARN)" (aws/copilot-cli's tests of AWS's
// events), "(service NAME) registered N instances in (elb NAME)" (convox's
// recorded DescribeServices answers, 2015), and on a refusal "(service
// NAME) failed to register targets in (target-group ARN) with (error
// MESSAGE)" (boltops/ufo's docs quote it); the Classic Load Balancer
// failure is rolecall's wording by analogy.
func (s *Service) registerTasks(ctx context.Context, c Call, svc *types.Service, awsvpc bool, started []*taskRecord) ([]string, error) {
	if len(started) == 0 || (!awsvpc && len(svc.LoadBalancers) == 0) {
		return nil, nil
	}
	name, n := svc.ServiceName, len(started)
	if svc.RoleArn == "" {
		var acts []RoleAction
		if awsvpc {
			for _, t := range started {
				acts = append(acts, eniCreation(c, t)...)
			}
		}
		for _, lb := range svc.LoadBalancers {
			acts = append(acts, lbRegistration(c, name, lb)...)
		}
		if err := s.roles.LinkedRoleUsed(ctx, c, PrincipalECS, acts...); err != nil {
			return nil, err // AmazonECSServiceRolePolicy allows them all
		}
		return registeredEvents(name, n, svc.LoadBalancers), nil
	}
	_, assumeErr := s.roles.AssumeAsService(ctx, c, PrincipalECS, svc.RoleArn, serviceRoleSession, svc.ServiceArn)
	var events []string
	for _, lb := range svc.LoadBalancers {
		err := assumeErr
		if err == nil {
			err = s.roles.RoleAllows(ctx, c, svc.RoleArn, serviceRoleSession, lbRegistration(c, name, lb)...)
		}
		if err != nil {
			if !awserr.IsClient(err) {
				return nil, err
			}
			msg := awserr.As(err).Message
			if classic(lb) {
				events = append(events, fmt.Sprintf("(service %s) failed to register instances in (elb %s) with (error %s)", name, lb.LoadBalancerName, msg))
			} else {
				events = append(events, fmt.Sprintf("(service %s) failed to register targets in (target-group %s) with (error %s)", name, lb.TargetGroupArn, msg))
			}
			continue
		}
		events = append(events, registeredEvents(name, n, []types.LoadBalancer{lb})...)
	}
	return events, nil
}

func registeredEvents(name string, n int, lbs []types.LoadBalancer) []string {
	var out []string
	for _, lb := range lbs {
		switch {
		case classic(lb):
			out = append(out, fmt.Sprintf("(service %s) registered %d instances in (elb %s)", name, n, lb.LoadBalancerName))
		case lb.TargetGroupArn != "":
			out = append(out, fmt.Sprintf("(service %s) registered %d targets in (target-group %s)", name, n, lb.TargetGroupArn))
		}
	}
	return out
}

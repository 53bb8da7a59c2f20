package appautoscaling

import (
	"context"

	"github.com/rolecall/rolecall/internal/appautoscaling/records"
	"github.com/rolecall/rolecall/internal/appautoscaling/schedule"
	"github.com/rolecall/rolecall/internal/appautoscaling/types"
	"github.com/rolecall/rolecall/internal/model/shapecopy"
	"github.com/rolecall/rolecall/internal/store"
)

// PutScheduledAction creates or updates a scheduled action of a
// registered target ("If you leave a parameter unspecified when updating
// a scheduled action, the corresponding value remains unchanged",
// PutScheduledAction reference). Its schedule and time zone are read
// first (a bad one is refused), and it runs from then on (scheduler.go):
// a change counts from the time it is put. Its ARN is
// arn:aws:autoscaling:REGION:ACCOUNT:scheduledAction:UUID:resource/ecs/
// service/CLUSTER/SERVICE:scheduledActionName/NAME (AWS's answers quoted
// in public reports; moto's AWS-verified test of the form).
func (s *Service) PutScheduledAction(ctx context.Context, c Call, in *types.PutScheduledActionRequest) (*types.PutScheduledActionResponse, error) {
	r := refOf(c, in.ServiceNamespace, in.ResourceId, in.ScalableDimension)
	if !r.consistent() {
		return nil, errUnsupported()
	}
	if a := in.ScalableTargetAction; a != nil && a.MinCapacity == nil && a.MaxCapacity == nil {
		return nil, errScheduleCapacity()
	}
	if a := in.ScalableTargetAction; a != nil && a.MinCapacity != nil && a.MaxCapacity != nil && *a.MinCapacity > *a.MaxCapacity {
		return nil, errMinAboveMax(*a.MinCapacity, *a.MaxCapacity)
	}
	if in.Schedule != "" {
		if _, err := schedule.Parse(in.Schedule); err != nil {
			return nil, errInvalidSchedule(err.Error())
		}
	}
	if in.Timezone != "" {
		if _, err := schedule.LoadZone(in.Timezone); err != nil {
			return nil, errInvalidTimezone(err.Error())
		}
	}
	id := s.gen.UUID() // before the transaction, which may run more than once
	now := s.now()
	err := s.update(ctx, c, func(tx store.Tx) error {
		var t targetRecord
		found, err := store.GetJSON(tx, bucketTargets, r.storeKey(c), &t)
		if err != nil {
			return err
		}
		if !found {
			return errNotRegistered(r)
		}
		k := memberKey(c, r, in.ScheduledActionName)
		var rec scheduledRecord
		exists, err := store.GetJSON(tx, bucketScheduled, k, &rec)
		if err != nil {
			return err
		}
		a := rec.wire()
		if !exists {
			switch {
			case in.Schedule == "":
				return errScheduleRequired()
			case in.ScalableTargetAction == nil:
				return errScheduleCapacity()
			}
			resource := t.Target.ResourceId
			a = types.ScheduledAction{ScheduledActionName: in.ScheduledActionName, ServiceNamespace: r.Namespace, ResourceId: resource, ScalableDimension: r.Dimension,
				ScheduledActionARN: "arn:aws:autoscaling:" + c.Region + ":" + c.Account + ":scheduledAction:" + id + ":resource/" + r.Namespace + "/" + resource +
					":scheduledActionName/" + in.ScheduledActionName,
				CreationTime: &now}
		}
		if in.Schedule != "" {
			a.Schedule = in.Schedule
		}
		if in.Timezone != "" {
			a.Timezone = in.Timezone
		}
		if in.StartTime != nil {
			a.StartTime = in.StartTime
		}
		if in.EndTime != nil {
			a.EndTime = in.EndTime
		}
		if in.ScalableTargetAction != nil {
			a.ScalableTargetAction = in.ScalableTargetAction
		}
		rec.Action = shapecopy.Convert[records.ScheduledAction](a)
		rec.Since = now
		return store.PutJSON(tx, bucketScheduled, k, &rec)
	})
	if err != nil {
		return nil, err
	}
	s.touch()
	return &types.PutScheduledActionResponse{}, nil
}

// DeleteScheduledAction deletes a scheduled action.
func (s *Service) DeleteScheduledAction(ctx context.Context, c Call, in *types.DeleteScheduledActionRequest) (*types.DeleteScheduledActionResponse, error) {
	r := refOf(c, in.ServiceNamespace, in.ResourceId, in.ScalableDimension)
	if err := s.deleteMember(ctx, c, bucketScheduled, r, in.ScheduledActionName, errScheduledActionNotFound(r, in.ScheduledActionName)); err != nil {
		return nil, err
	}
	s.touch()
	return &types.DeleteScheduledActionResponse{}, nil
}

// DescribeScheduledActions lists the Region's scheduled actions of a
// namespace, by target and name.
func (s *Service) DescribeScheduledActions(ctx context.Context, c Call, in *types.DescribeScheduledActionsRequest) (*types.DescribeScheduledActionsResponse, error) {
	actions, next, err := describeMembers[types.ScheduledAction, scheduledRecord](ctx, s, c, bucketScheduled, in.ServiceNamespace, in.ScalableDimension, in.ResourceId, in.ScheduledActionNames,
		in.NextToken, in.MaxResults, pageTargets)
	if err != nil {
		return nil, err
	}
	return &types.DescribeScheduledActionsResponse{ScheduledActions: actions, NextToken: next}, nil
}

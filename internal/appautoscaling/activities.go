package appautoscaling

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/rolecall/rolecall/internal/appautoscaling/records"
	"github.com/rolecall/rolecall/internal/appautoscaling/types"
	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/store"
)

// Scaling activities, in AWS's words:
//
//   - a scheduled action: Description "Setting min capacity to 5 and max
//     capacity to 10", Cause "scheduled action name NAME was triggered",
//     StatusMessage "Successfully set min capacity to 5 and max capacity
//     to 10", no EndTime (Application Auto Scaling User Guide, "Managing
//     scheduled scaling", describe-scaling-activities output:
//     https://docs.aws.amazon.com/autoscaling/application/userguide/scheduled-scaling-additional-cli-commands.html).
//     An action that sets only one of them is worded after it
//     (unverified);
//   - the desired count it brings within them: "Setting desired count to
//     1.", Cause "minimum capacity was set to 1", "Successfully set
//     desired count to 1. Change successfully fulfilled by ecs." (an ECS
//     Fargate scheduled scaling write-up's describe-scaling-activities,
//     2021; the user guide's "Scaling activities" example for the
//     message); "maximum capacity was set to N" after the DynamoDB
//     example of the same page;
//   - a failure: StatusCode Failed, "Failed to set desired count to 30"
//     (Amazon ElastiCache User Guide, auto scaling example), with
//     ". Reason: " and the target service's refusal as DynamoDB's failed
//     activities give it ("Failed to set write capacity units to 45000.
//     Reason: The requested WriteCapacityUnits, 45000, is above the per
//     table maximum ...", an AWS Health notice). ECS's refusals in that
//     form are unverified.
const (
	statusSuccessful = "Successful"
	statusFailed     = "Failed"

	causeScheduled = "scheduled action name %s was triggered"
	causeMin       = "minimum capacity was set to %d"
	causeMax       = "maximum capacity was set to %d"
)

// activityRetention: "You can look up scaling activities from the last
// six weeks" (user guide, "Scaling activities for Application Auto
// Scaling").
const activityRetention = 6 * 7 * 24 * time.Hour

// activity is a scaling activity about to be recorded.
type activity struct {
	description, cause, status, message string
	start, end                          time.Time // end zero: none
	// desired: a change of the desired count, listed before the change of
	// capacities that caused it when both start at once.
	desired bool
}

// capacities words what a scheduled action sets: "min capacity to 5 and
// max capacity to 10".
func capacities(min, max *int32) string {
	var parts []string
	if min != nil {
		parts = append(parts, fmt.Sprintf("min capacity to %d", *min))
	}
	if max != nil {
		parts = append(parts, fmt.Sprintf("max capacity to %d", *max))
	}
	return strings.Join(parts, " and ")
}

// setCapacities is the activity of a scheduled action setting a target's
// capacities; refused is the reason it could not, if any.
func setCapacities(name string, min, max *int32, at time.Time, refused error) activity {
	a := activity{description: "Setting " + capacities(min, max), cause: fmt.Sprintf(causeScheduled, name), start: at,
		status: statusSuccessful, message: "Successfully set " + capacities(min, max)}
	if refused != nil {
		a.status, a.message = statusFailed, "Failed to set "+capacities(min, max)+". Reason: "+reason(refused)
	}
	return a
}

// setDesired is the activity of setting the desired count to n for cause,
// from start to end; refused is the target service's refusal, if any.
func setDesired(n int32, cause string, start, end time.Time, refused error) activity {
	a := activity{description: fmt.Sprintf("Setting desired count to %d.", n), cause: cause, start: start, end: end, desired: true,
		status: statusSuccessful, message: fmt.Sprintf("Successfully set desired count to %d. Change successfully fulfilled by ecs.", n)}
	if refused != nil {
		a.status, a.message = statusFailed, fmt.Sprintf("Failed to set desired count to %d. Reason: %s", n, reason(refused))
	}
	return a
}

// reason is the message of the error a service answered.
func reason(err error) string { return awserr.As(err).Message }

// activityOrder keys a target's activities newest first, a change of the
// desired count before the change of capacities that caused it.
func activityOrder(a activity, id string) string {
	rank := 1
	if a.desired {
		rank = 0
	}
	return fmt.Sprintf("%019d%d%s", math.MaxInt64-a.start.UnixNano(), rank, id)
}

// putActivity records activity a, whose ID is id, of target t (kept under
// targetKey), and forgets the target's activities older than AWS keeps.
func putActivity(tx store.Tx, targetKey string, t *records.ScalableTarget, a activity, id string) error {
	start := a.start
	rec := activityRecord{Activity: records.ScalingActivity{ActivityId: id, ServiceNamespace: t.ServiceNamespace, ResourceId: t.ResourceId,
		ScalableDimension: t.ScalableDimension, Description: a.description, Cause: a.cause, StartTime: &start,
		StatusCode: a.status, StatusMessage: a.message}}
	if !a.end.IsZero() {
		end := a.end
		rec.Activity.EndTime = &end
	}
	if err := store.PutJSON(tx, bucketActivities, targetKey+"\x00"+activityOrder(a, id), &rec); err != nil {
		return err
	}
	// Keys from here on are older than six weeks before this one.
	old := targetKey + "\x00" + activityOrder(activity{start: start.Add(-activityRetention - time.Nanosecond), desired: true}, "")
	var stale []string
	err := tx.Scan(bucketActivities, targetKey+"\x00", old, func(k string, _ []byte) bool { stale = append(stale, k); return true })
	if err != nil {
		return err
	}
	for _, k := range stale {
		if err := tx.Delete(bucketActivities, k); err != nil {
			return err
		}
	}
	return nil
}

// DescribeScalingActivities lists the Region's scaling activities of a
// namespace from the last six weeks, newest first, of the target a
// resource ID names ("" for all) and of a dimension ("" for any). A
// target deregistered keeps its activities. IncludeNotScaledActivities
// adds nothing: rolecall records no decision not to scale.
func (s *Service) DescribeScalingActivities(ctx context.Context, c Call, in *types.DescribeScalingActivitiesRequest) (*types.DescribeScalingActivitiesResponse, error) {
	var ids []string
	if in.ResourceId != "" {
		ids = []string{in.ResourceId}
	}
	match, err := filter(c, in.ServiceNamespace, in.ScalableDimension, ids)
	if err != nil {
		return nil, err
	}
	cutoff := s.now().Add(-activityRetention)
	var found []keyed[types.ScalingActivity]
	err = s.view(ctx, c, func(tx store.Tx) error {
		found = nil
		return store.ScanJSON(tx, bucketActivities, regionKey(c)+in.ServiceNamespace+"/", func(k string, r *activityRecord) bool {
			target, order, _ := strings.Cut(strings.TrimPrefix(k, regionKey(c)), "\x00")
			if match(target, r.Activity.ScalableDimension) && r.Activity.StartTime != nil && !r.Activity.StartTime.Before(cutoff) {
				found = append(found, keyed[types.ScalingActivity]{order + "\x00" + target, r.wire()})
			}
			return true
		})
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(found, func(a, b keyed[types.ScalingActivity]) int { return strings.Compare(a.key, b.key) })
	acts, next, err := page(found, in.NextToken, in.MaxResults, pageTargets)
	if err != nil {
		return nil, err
	}
	return &types.DescribeScalingActivitiesResponse{ScalingActivities: acts, NextToken: next}, nil
}

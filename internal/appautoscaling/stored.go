package appautoscaling

import (
	"time"

	"github.com/rolecall/rolecall/internal/appautoscaling/records"
	"github.com/rolecall/rolecall/internal/appautoscaling/types"
	"github.com/rolecall/rolecall/internal/model/shapecopy"
)

// What the domain keeps is written with rolecall's own record shapes
// (internal/appautoscaling/records, frozen with the state format), not
// with the wire shapes it answers with, so that regenerating the wire
// shapes from a newer model cannot change the state file.

// targetRecord is a scalable target and its tags.
type targetRecord struct {
	Target records.ScalableTarget
	Tags   map[string]string `json:",omitempty"`
}

// policyRecord is a scaling policy.
type policyRecord struct {
	Policy records.ScalingPolicy
}

// scheduledRecord is a scheduled action, and where its schedule stands.
type scheduledRecord struct {
	Action records.ScheduledAction
	// Since is when the action was last put: nothing due at or before it
	// runs, and a rate without a StartTime counts from it. Zero in an
	// action kept before rolecall ran them: its CreationTime stands in.
	Since time.Time `json:",omitzero"`
	// Ran is the last time the action was due, run or (while scheduled
	// scaling was suspended) passed over.
	Ran time.Time `json:",omitzero"`
}

// activityRecord is a scaling activity.
type activityRecord struct {
	Activity records.ScalingActivity
}

func (r *targetRecord) wire() types.ScalableTarget {
	return shapecopy.Convert[types.ScalableTarget](r.Target)
}

func (r *policyRecord) wire() types.ScalingPolicy {
	return shapecopy.Convert[types.ScalingPolicy](r.Policy)
}

func (r *scheduledRecord) wire() types.ScheduledAction {
	return shapecopy.Convert[types.ScheduledAction](r.Action)
}

func (r *activityRecord) wire() types.ScalingActivity {
	return shapecopy.Convert[types.ScalingActivity](r.Activity)
}

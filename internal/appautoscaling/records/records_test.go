package records

import (
	"testing"

	"github.com/rolecall/rolecall/internal/appautoscaling/types"
	"github.com/rolecall/rolecall/internal/model/shapecopy/shapecopytest"
)

// TestRecordsMatchTheWire: every stored shape has every member of its
// wire shape and no other. When a newer model adds a member to a stored
// wire shape, the conversion panics here: store it with a new state
// format (and regenerate the records, internal/appautoscaling/types/gen
// -records), or it would be lost on the way to disk.
func TestRecordsMatchTheWire(t *testing.T) {
	shapecopytest.RoundTrip[types.ScalableTarget, ScalableTarget](t)
	shapecopytest.RoundTrip[types.ScalingPolicy, ScalingPolicy](t)
	shapecopytest.RoundTrip[types.ScheduledAction, ScheduledAction](t)
	shapecopytest.RoundTrip[types.ScalingActivity, ScalingActivity](t)
	if got := len(Roots); got != 4 {
		t.Errorf("%d roots: add the new one here", got)
	}
}

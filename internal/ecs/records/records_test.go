package records

import (
	"testing"

	"github.com/rolecall/rolecall/internal/ecs/types"
	"github.com/rolecall/rolecall/internal/model/shapecopy/shapecopytest"
)

// TestRecordsMatchTheWire: every stored shape has every member of its
// wire shape and no other. When a newer model adds a member to a stored
// wire shape, Convert panics here: store it with a new state format (and
// regenerate the records, internal/ecs/types/gen -records), or it would
// be lost on the way to disk.
func TestRecordsMatchTheWire(t *testing.T) {
	shapecopytest.RoundTrip[types.CapacityProvider, CapacityProvider](t)
	shapecopytest.RoundTrip[types.Cluster, Cluster](t)
	shapecopytest.RoundTrip[types.ContainerInstance, ContainerInstance](t)
	shapecopytest.RoundTrip[types.Service, Service](t)
	shapecopytest.RoundTrip[types.ServiceEvent, ServiceEvent](t)
	shapecopytest.RoundTrip[types.Tag, Tag](t)
	shapecopytest.RoundTrip[types.Task, Task](t)
	shapecopytest.RoundTrip[types.TaskDefinition, TaskDefinition](t)
	if got := len(Roots); got != 8 {
		t.Errorf("%d roots: add the new one here", got)
	}
}

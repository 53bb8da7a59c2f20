// Package records holds the ECS resources as rolecall stores them
// (shapes.go, frozen: see its header), and the conversion between them and
// the wire shapes the ECS domain works on (internal/ecs/types). The two
// have the same members, by name; a test keeps it so, and fails when a new
// model adds a member to a stored shape (which then needs a new state
// format) rather than letting it be dropped on the way to disk.
package records

import "github.com/rolecall/rolecall/internal/model/shapecopy"

// Roots are the shapes the ECS domain stores; shapes.go has them and all
// they reach.
var Roots = []string{"CapacityProvider", "Cluster", "ContainerInstance", "Service", "ServiceEvent", "Tag", "Task", "TaskDefinition"}

// Convert copies src into a new D, member by member by name, deeply: a
// wire shape into its record, or back (internal/model/shapecopy).
func Convert[D, S any](src S) D { return shapecopy.Convert[D](src) }

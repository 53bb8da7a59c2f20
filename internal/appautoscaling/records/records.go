// Package records holds the Application Auto Scaling resources as
// rolecall stores them (shapes.go, frozen: see its header). They have the
// members of the wire shapes (internal/appautoscaling/types) by name, and
// internal/model/shapecopy converts between the two; a test keeps it so,
// and fails when a new model adds a member to a stored shape (which then
// needs a new state format) rather than letting it be dropped on the way
// to disk.
package records

// Roots are the shapes the domain stores; shapes.go has them and all they
// reach.
var Roots = []string{"ScalableTarget", "ScalingPolicy", "ScheduledAction", "ScalingActivity"}

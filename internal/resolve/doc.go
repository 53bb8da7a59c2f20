// Package resolve turns what a request names (a role name, a policy ARN,
// a cluster, a task definition family) into the authorizer's Targets: the
// resources as they are stored. It is the one place that holds the rule
// the authorizer depends on: a target is the stored entity -- its
// canonical ARN (the name as created, its path), its owning account, its
// tags -- never the request's spelling of it. A name IAM finds
// case-insensitively is authorized as the entity it finds, so "ADMIN"
// cannot dodge a Deny on role/Admin; a name that resolves to nothing is
// authorized on the ARN AWS would form, and the operation then answers
// NoSuchEntity as AWS does.
//
// The API bindings (internal/api/iamapi, internal/api/ecsapi) declare
// their operations' resources with these functions, and internal/app uses
// them for the roles ECS is handed. What is read is kept while the store
// has not been written (Cache).
package resolve

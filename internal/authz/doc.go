// Package authz is rolecall's one authorizer. Every decision goes through
// Decide, whoever asks: the server for an API call, STS for sts:AssumeRole
// (the role's trust policy is the resource policy, and must allow), ECS for
// iam:PassRole, for ecs-tasks.amazonaws.com assuming a task's roles, and
// for the calls it makes with a role it holds.
//
// A decision is asked as a Request: who (a principal.Principal), which
// action, on which Targets, with which request keys. A Target is the
// stored resource (its canonical ARN, owning account, tags, resource
// policy), never the request's spelling of a name: operations declare
// beside their bindings how their input resolves to targets (internal/api,
// internal/resolve), and Decide only evaluates. It builds the request
// context AWS builds (IAM User Guide, "AWS global condition context
// keys"; the Service Authorization Reference for the service's keys),
// gathers the caller's identity, boundary and session policies from IAM
// (Directory), asks the policy engine (internal/policy), records the
// decision (AuditLog: the audit log, and the ring that `rolecall
// explain-denied` reads), notes allowed use for Access Advisor, and applies
// the mode (--enforce on, audit or off) to every decision alike.
//
// It knows no wire format, no store and no service's domain: it imports
// the policy engine, the principal, and the Service Authorization
// Reference, and reads IAM through the small Directory interface that
// internal/app wires.
package authz

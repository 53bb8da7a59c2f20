// Package authz is rolecall's authorizer: for every IAM, STS and ECS
// operation it builds the request context AWS builds (the action, the
// resource ARNs of the operation's resource types in the Service
// Authorization Reference, the global and service condition keys), asks the
// policy engine (internal/policy) with the caller's identity, boundary and
// session policies, and answers AccessDenied in AWS's words when the engine
// denies. It also records every decision (the audit log, and a bounded
// in-memory ring that `rolecall explain-denied` reads through
// /_rolecall/decisions/REQUEST_ID), notes allowed use for Access Advisor,
// and evaluates iam:PassRole for services that receive a role (PassRole).
//
// The server calls Authorize between decoding a request and running its
// operation. Domain packages know nothing of it; STS decides sts:AssumeRole
// itself (the trust policy must allow even in the role's own account), so
// the authorizer leaves AssumeRole to it, and GetCallerIdentity and
// GetSessionToken need no permission at all in AWS.
//
// What it needs of the store it reads through a Versioned store: a counter
// of committed writes, under which the principal's compiled policies and
// the resources' paths and tags are cached, so that an authorized request
// costs a few microseconds once warm.
package authz

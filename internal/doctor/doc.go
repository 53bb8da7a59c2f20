// Package doctor answers the question behind ECS's roles: which roles does
// this setup need, and is anything wrong with them? It is pure: Diagnose
// takes a Setup (task definitions, services, clusters, capacity providers,
// scalable targets, Express services, daemons, and a RoleReader for the
// IAM side) and returns a Report; reading a live account or files is
// package source's job.
//
// For every role an ECS setup may need (AWSServiceRoleForECS, the task
// execution role, the task role, the container instance role and its
// instance profile, the legacy ecsServiceRole, the service auto scaling
// service-linked role, AWSServiceRoleForECSCompute with the Managed
// Instances infrastructure role and instance profile, the EBS volume,
// Service Connect TLS and Express service infrastructure roles) the report
// says whether the setup needs it and why, and checks:
//
//   - that it exists (and, for a service-linked role, has the
//     service-linked path);
//   - its trust policy, evaluated by the policy engine as the role's
//     resource policy for sts:AssumeRole by the service principal, with the
//     condition keys the service sends;
//   - each request the setup makes with it (the action, the resource ARN
//     filled from the Service Authorization Reference's format, the
//     condition keys), evaluated against the role's policies and boundary;
//   - that the deployer may iam:PassRole it with the right
//     iam:PassedToService;
//
// and gives the fix: AWS CLI commands and the policy documents they write,
// themselves verified with the engine (an AWS managed policy from the
// embedded catalog when it covers what is missing, an inline policy with
// exactly the rest).
//
// Explain recognizes ECS and IAM role error texts and "who wins"
// questions; Indirect lists what each principal reaches through
// service-linked roles and roles it may pass.
package doctor

// Package ecsroles is the one model of what Amazon ECS does with IAM roles:
// for a task definition, a service, a capacity provider or a scalable
// target, which roles are involved, which service principal assumes each
// (with the aws:SourceAccount and aws:SourceArn it sends), the requests
// each must be allowed (action, resource, condition keys), and the text AWS
// gives when one is refused.
//
// The ECS control plane (package ecs) acts on it at the moment AWS does:
// a task's launch assumes its execution role and makes the execution
// role's requests, and a refusal stops the task with AWS's stoppedReason.
// The doctor (package doctor) checks a setup against the same model, so
// that what the doctor says of a setup is what the server does with it.
//
// The model follows the ECS Developer Guide's role pages
// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/security-ecs-iam-role-overview.html
// and the pages it links: the task execution role, the task role, the
// container instance role, the service-linked roles, the infrastructure
// roles) and the AWS managed policies each page names. It reads the ECS
// shapes generated from AWS's model (package ecs/types) and knows no
// storage, no wire format and no policy engine.
package ecsroles

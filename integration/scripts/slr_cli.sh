#!/usr/bin/env bash
# Drives rolecall's service-linked roles through the real aws CLI: create
# the ECS role, look at it, fail to delete it as an ordinary role, delete it
# as AWS does (a task), and poll the task until it succeeds.
# Usage: AWS_ENDPOINT_URL=http://127.0.0.1:4566 integration/scripts/slr_cli.sh
# (integration/scripts_test.go runs it against an in-process server.)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

role=AWSServiceRoleForECS
arn=$(aws iam create-service-linked-role --aws-service-name ecs.amazonaws.com --query Role.Arn --output text)
expect_eq "role ARN" "$arn" "arn:aws:iam::000000000000:role/aws-service-role/ecs.amazonaws.com/$role"
expect_error InvalidInput "Service role name $role has been taken in this account, please try a different suffix." \
  iam create-service-linked-role --aws-service-name ecs.amazonaws.com

# What AWS shows of it (each aws call costs a second or more: one get-role
# for everything): its service's trust, its path, the session default, no
# description; the service's managed policy attached.
expect_eq "get-role" "$(aws iam get-role --role-name "$role" --output text \
  --query '[Role.AssumeRolePolicyDocument.Statement[0].Principal.Service, Role.Path, Role.MaxSessionDuration, Role.Description]')" \
  "$(printf 'ecs.amazonaws.com\t/aws-service-role/ecs.amazonaws.com/\t3600\tNone')"
expect_eq "attached" "$(aws iam list-attached-role-policies --role-name "$role" --query 'AttachedPolicies[0].PolicyArn' --output text)" \
  arn:aws:iam::aws:policy/aws-service-role/AmazonECSServiceRolePolicy

# Only AWS may change or delete it as a role.
expect_error UnmodifiableEntity "Cannot perform the operation on the protected role '$role' - this role is only modifiable by AWS" \
  iam delete-role --role-name "$role"

# Deleting it is a task; poll it as the IAM user guide says.
task=$(aws iam delete-service-linked-role --role-name "$role" --query DeletionTaskId --output text)
case "$task" in
  "task/aws-service-role/ecs.amazonaws.com/$role/"????????-????-????-????-????????????) pass=$((pass + 1)) ;;
  *) fail "deletion task id [$task]" ;;
esac
status=
for _ in $(seq 1 50); do
  status=$(aws iam get-service-linked-role-deletion-status --deletion-task-id "$task" --query Status --output text)
  case "$status" in
    SUCCEEDED | FAILED) break ;;
    NOT_STARTED | IN_PROGRESS) sleep 0.2 ;;
    *) fail "deletion status [$status]" ;;
  esac
done
expect_eq "deletion status" "$status" SUCCEEDED
expect_error NoSuchEntity "The role with name $role cannot be found." iam get-role --role-name "$role"

echo "slr_cli.sh: $pass passed, 0 failed"

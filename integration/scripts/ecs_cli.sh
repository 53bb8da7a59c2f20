#!/usr/bin/env bash
# Drives rolecall's ECS through the real aws CLI along the ECS developer
# guide's clean-up before deleting AWSServiceRoleForECS ("Using
# service-linked roles for Amazon ECS", "Cleaning up a service-linked
# role"): the first cluster creates the role; deleting it fails while the
# cluster is in use, the task's RoleUsageList naming the cluster by Region;
# then, in the page's order, scale the service to 0, delete it,
# force-deregister the container instance, delete the cluster; the deletion
# submitted again succeeds.
# Usage: AWS_ENDPOINT_URL=http://127.0.0.1:4566 integration/scripts/ecs_cli.sh
# (integration/scripts_test.go runs it against an in-process server.)
set -euo pipefail
. "$(dirname "$0")/lib.sh"
export AWS_DEFAULT_REGION=eu-west-1
# delete_slr submits the role's deletion, polls its task until it is done
# and prints the outcome: the status, the failure's reason, the Regions and
# the resources of its RoleUsageList.
delete_slr() {
  local task status
  task=$(aws iam delete-service-linked-role --role-name AWSServiceRoleForECS --query DeletionTaskId --output text)
  for _ in $(seq 1 50); do
    status=$(aws iam get-service-linked-role-deletion-status --deletion-task-id "$task" --output text \
      --query '[Status, Reason.Reason, join(`,`, Reason.RoleUsageList[].Region || `[]`), join(`,`, Reason.RoleUsageList[].Resources[] || `[]`)]')
    case "$status" in
      SUCCEEDED* | FAILED*) echo "$status"; return ;;
      *) sleep 0.2 ;;
    esac
  done
  fail "deletion task $task did not complete: $status"
}

cluster=arn:aws:ecs:eu-west-1:000000000000:cluster/shop

# A new account's first cluster: ECS creates its service-linked role.
expect_eq "cluster" "$(aws ecs create-cluster --cluster-name shop --query cluster.clusterArn --output text)" "$cluster"
aws ecs register-task-definition --family web --query taskDefinition.revision --output text \
  --container-definitions '[{"name":"web","image":"nginx","memory":128}]' >/dev/null
instance=$(aws ecs register-container-instance --cluster shop --query containerInstance.containerInstanceArn --output text \
  --instance-identity-document '{"instanceId":"i-0abc1234567890def","region":"eu-west-1"}')
expect_eq "service" "$(aws ecs create-service --cluster shop --service-name web --task-definition web --desired-count 1 \
  --query 'service.[status, desiredCount]' --output text)" "$(printf 'ACTIVE\t1')"

# The role cannot go while the cluster exists, in any Region.
expect_eq "deletion while in use" "$(delete_slr)" \
  "$(printf 'FAILED\tSLR [AWSServiceRoleForECS] is in use by other resources\teu-west-1\t%s' "$cluster")"

# The clean-up: scale the service to 0, delete it, force-deregister the
# container instance, delete the cluster.
aws ecs update-service --cluster shop --service web --desired-count 0 --query service.desiredCount --output text >/dev/null
expect_eq "delete service" "$(aws ecs delete-service --cluster shop --service web --query service.status --output text)" DRAINING
expect_eq "deregister" "$(aws ecs deregister-container-instance --cluster shop --container-instance "$instance" --force \
  --query containerInstance.status --output text)" INACTIVE
status=
for _ in $(seq 1 20); do
  # Tasks the service stopped may still be STOPPING for a moment.
  if status=$(aws ecs delete-cluster --cluster shop --query cluster.status --output text 2>&1); then break; fi
  case "$status" in
    *ClusterContainsTasksException*) sleep 0.3 ;;
    *) fail "delete-cluster: $status" ;;
  esac
done
expect_eq "delete cluster" "$status" INACTIVE

# Submitted again, the deletion succeeds.
expect_eq "deletion after clean-up" "$(delete_slr)" "$(printf 'SUCCEEDED\tNone\t\t')"
expect_error NoSuchEntity "The role with name AWSServiceRoleForECS cannot be found." iam get-role --role-name AWSServiceRoleForECS

echo "ecs_cli.sh: $pass passed, 0 failed"

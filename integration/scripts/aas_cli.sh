#!/usr/bin/env bash
# Drives rolecall's Application Auto Scaling through the real aws CLI, as
# the ECS developer guide sets up service auto scaling: register the
# service's desired count (Application Auto Scaling creates its
# service-linked role), a target tracking policy (with its two CloudWatch
# alarms), a scheduled action; the role cannot be deleted while the target
# is registered.
# Usage: AWS_ENDPOINT_URL=http://127.0.0.1:4566 integration/scripts/aas_cli.sh
# (integration/scripts_test.go runs it against an in-process server.)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

aws ecs create-cluster --cluster-name prod --query cluster.status --output text >/dev/null
aws ecs register-task-definition --family web --requires-compatibilities FARGATE --network-mode awsvpc --cpu 256 --memory 512 \
  --container-definitions '[{"name":"web","image":"nginx"}]' --query taskDefinition.revision --output text >/dev/null
aws ecs create-service --cluster prod --service-name web --task-definition web --desired-count 1 --launch-type FARGATE \
  --network-configuration 'awsvpcConfiguration={subnets=[subnet-0123456789abcdef0]}' --query service.status --output text >/dev/null

target=(--service-namespace ecs --scalable-dimension ecs:service:DesiredCount --resource-id service/prod/web)
expect_error ValidationException "ECS service doesn't exist: service/prod/api" \
  application-autoscaling register-scalable-target --service-namespace ecs --scalable-dimension ecs:service:DesiredCount \
  --resource-id service/prod/api --min-capacity 1 --max-capacity 4
arn=$(aws application-autoscaling register-scalable-target "${target[@]}" --min-capacity 1 --max-capacity 4 --query ScalableTargetARN --output text)
case "$arn" in
  arn:aws:application-autoscaling:us-east-1:000000000000:scalable-target/????????????????????????????????????) pass=$((pass + 1)) ;;
  *) fail "ScalableTargetARN [$arn]" ;;
esac
role=AWSServiceRoleForApplicationAutoScaling_ECSService
expect_eq "service-linked role" "$(aws iam get-role --role-name $role --query Role.Path --output text)" \
  /aws-service-role/ecs.application-autoscaling.amazonaws.com/
expect_eq "target" "$(aws application-autoscaling describe-scalable-targets --service-namespace ecs --resource-ids service/prod/web \
  --query 'ScalableTargets[0].[MinCapacity, MaxCapacity, RoleARN]' --output text)" \
  "$(printf '1\t4\tarn:aws:iam::000000000000:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/%s' $role)"

# Target tracking on CPU: AWS creates the alarms that drive it.
expect_eq "alarms" "$(aws application-autoscaling put-scaling-policy "${target[@]}" --policy-name cpu75 --policy-type TargetTrackingScaling \
  --target-tracking-scaling-policy-configuration '{"TargetValue":75,"PredefinedMetricSpecification":{"PredefinedMetricType":"ECSServiceAverageCPUUtilization"},"ScaleOutCooldown":60,"ScaleInCooldown":60}' \
  --query 'join(`,`, Alarms[].AlarmName)' --output text | sed -E 's/-[0-9a-f-]{36}//g')" \
  "TargetTracking-service/prod/web-AlarmHigh,TargetTracking-service/prod/web-AlarmLow"
expect_eq "policies" "$(aws application-autoscaling describe-scaling-policies --service-namespace ecs \
  --query 'ScalingPolicies[].[PolicyName, PolicyType, TargetTrackingScalingPolicyConfiguration.TargetValue]' --output text)" \
  "$(printf 'cpu75\tTargetTrackingScaling\t75.0')"
aws application-autoscaling put-scheduled-action "${target[@]}" --scheduled-action-name night --schedule 'cron(0 22 * * ? *)' \
  --scalable-target-action MinCapacity=0,MaxCapacity=0
expect_eq "scheduled" "$(aws application-autoscaling describe-scheduled-actions --service-namespace ecs \
  --query 'ScheduledActions[].[ScheduledActionName, Schedule, ScalableTargetAction.MaxCapacity]' --output text)" \
  "$(printf 'night\tcron(0 22 * * ? *)\t0')"

# The role stays while the target uses it.
task=$(aws iam delete-service-linked-role --role-name $role --query DeletionTaskId --output text)
status=
for _ in $(seq 1 50); do
  status=$(aws iam get-service-linked-role-deletion-status --deletion-task-id "$task" --output text \
    --query '[Status, Reason.Reason, join(`,`, Reason.RoleUsageList[].Resources[] || `[]`)]')
  case "$status" in
    SUCCEEDED* | FAILED*) break ;;
    *) sleep 0.2 ;;
  esac
done
expect_eq "deletion while in use" "$status" "$(printf 'FAILED\tSLR [%s] is in use by other resources\t%s' $role "$arn")"

aws application-autoscaling deregister-scalable-target "${target[@]}"
expect_eq "policies after deregistering" "$(aws application-autoscaling describe-scaling-policies --service-namespace ecs \
  --query 'length(ScalingPolicies)' --output text)" 0

echo "aas_cli.sh: $pass passed, 0 failed"

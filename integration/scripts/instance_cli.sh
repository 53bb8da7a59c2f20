#!/usr/bin/env bash
# The aws CLI on an EC2 instance with an instance profile: no keys, no
# profile, no files; the credentials come from the instance metadata
# service (IMDSv2) alone, as botocore's credential chain reads them. The
# caller is the instance role's session named after the instance, and the
# ECS agent's RegisterContainerInstance with it registers that instance.
# Usage: AWS_ENDPOINT_URL=... AWS_EC2_METADATA_SERVICE_ENDPOINT=http://127.0.0.1:PORT/
#        INSTANCE_ID=i-... integration/scripts/instance_cli.sh
# (integration/instances_test.go launches the instance, with an instance
# profile holding ecsInstanceRole, and runs it.)
set -euo pipefail
. "$(dirname "$0")/lib.sh"
: "${AWS_EC2_METADATA_SERVICE_ENDPOINT:?set AWS_EC2_METADATA_SERVICE_ENDPOINT to the metadata service of the instance}"
: "${INSTANCE_ID:?set INSTANCE_ID to the instance}"
# EC2's own API, as the account's root (lib.sh's keys): the instance as
# EC2 describes it, and another launched with the profile and terminated.
expect_eq "described" "$(aws ec2 describe-instances --instance-ids "$INSTANCE_ID" \
  --query 'Reservations[0].Instances[0].[State.Name,IamInstanceProfile.Arn]' --output text)" \
  "$(printf 'running\tarn:aws:iam::000000000000:instance-profile/ecsInstanceRole')"
second=$(aws ec2 run-instances --image-id ami-0123456789abcdef0 --count 1 --iam-instance-profile Name=ecsInstanceRole \
  --query 'Instances[0].InstanceId' --output text)
expect_eq "terminated" "$(aws ec2 terminate-instances --instance-ids "$second" \
  --query 'TerminatingInstances[0].[PreviousState.Name,CurrentState.Name]' --output text)" "$(printf 'running\tterminated')"
expect_error InvalidInstanceID.Malformed 'Invalid id: "i-nope" (expecting "i-...")' ec2 describe-instances --instance-ids i-nope

# What `rolecall instance env` prints (lib.sh set root's keys: gone).
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_PROFILE AWS_WEB_IDENTITY_TOKEN_FILE AWS_ROLE_ARN AWS_ROLE_SESSION_NAME
unset AWS_CONTAINER_CREDENTIALS_FULL_URI AWS_CONTAINER_CREDENTIALS_RELATIVE_URI AWS_CONTAINER_AUTHORIZATION_TOKEN AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE
unset AWS_EC2_METADATA_DISABLED
export AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE=IPv4 AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1

expect_eq "caller" "$(aws sts get-caller-identity --query Arn --output text)" \
  "arn:aws:sts::000000000000:assumed-role/ecsInstanceRole/$INSTANCE_ID"
expect_eq "registered instance" "$(aws ecs register-container-instance --cluster default \
  --query 'containerInstance.[ec2InstanceId,status]' --output text)" "$(printf '%s\tACTIVE' "$INSTANCE_ID")"
expect_error ClientException "The instance identity document names instance i-0fedcba9876543210, but the request is signed with the instance role credentials of instance $INSTANCE_ID." \
  ecs register-container-instance --cluster default --instance-identity-document '{"instanceId":"i-0fedcba9876543210"}'
# AmazonEC2ContainerServiceforEC2Role does not allow describing instances.
expect_error_encoded UnauthorizedOperation "You are not authorized to perform this operation. User: arn:aws:sts::000000000000:assumed-role/ecsInstanceRole/$INSTANCE_ID is not authorized to perform: ec2:DescribeInstances because no identity-based policy allows the ec2:DescribeInstances action" \
  ec2 describe-instances
echo "instance_cli.sh: $pass passed, 0 failed"

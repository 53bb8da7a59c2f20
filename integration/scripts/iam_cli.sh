#!/usr/bin/env bash
# Drives rolecall's IAM through the real aws CLI and checks AWS's answers.
# Usage: AWS_ENDPOINT_URL=http://127.0.0.1:4566 integration/scripts/iam_cli.sh
# (integration/cli_test.go runs it against an in-process server.)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat >"$tmp/trust.json" <<'JSON'
{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
JSON
role=cli-app-$RANDOM

# The README's first steps.
arn=$(aws iam create-role --role-name "$role" --path /ecs/ --assume-role-policy-document "file://$tmp/trust.json" --query Role.Arn --output text)
expect_eq "role ARN" "$arn" "arn:aws:iam::000000000000:role/ecs/$role"
aws iam attach-role-policy --role-name "$role" --policy-arn arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy
expect_eq "attached" "$(aws iam list-attached-role-policies --role-name "$role" --query 'AttachedPolicies[0].PolicyName' --output text)" AmazonECSTaskExecutionRolePolicy

# The CLI decodes the URL-encoded trust policy back into JSON.
expect_eq "trust principal" "$(aws iam get-role --role-name "$role" --query 'Role.AssumeRolePolicyDocument.Statement[0].Principal.Service' --output text)" ecs-tasks.amazonaws.com
expect_eq "max session" "$(aws iam get-role --role-name "$role" --query 'Role.MaxSessionDuration' --output text)" 3600

# Names are unique regardless of case.
expect_error EntityAlreadyExists "Role with name ${role^^} already exists." iam create-role --role-name "${role^^}" --assume-role-policy-document "file://$tmp/trust.json"
expect_error NoSuchEntity "The role with name nope-$role cannot be found." iam get-role --role-name "nope-$role"
expect_error MalformedPolicyDocument "This policy contains invalid Json" iam create-role --role-name bad-$role --assume-role-policy-document '{not json'
expect_error ValidationError "1 validation error detected: Value at 'roleName' failed to satisfy constraint: Member must have length less than or equal to 64" \
  iam create-role --role-name "$(printf 'r%.0s' {1..65})" --assume-role-policy-document "file://$tmp/trust.json"

# A role with an attached managed policy cannot be deleted.
expect_error DeleteConflict "Cannot delete entity, must detach all policies first." iam delete-role --role-name "$role"
aws iam detach-role-policy --role-name "$role" --policy-arn arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy

# Inline policies round-trip their documents, and block deletion too.
aws iam put-role-policy --role-name "$role" --policy-name logs --policy-document '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"logs:CreateLogStream","Resource":"*"}]}'
expect_eq "inline policy" "$(aws iam get-role-policy --role-name "$role" --policy-name logs --query 'PolicyDocument.Statement[0].Action' --output text)" logs:CreateLogStream
expect_error DeleteConflict "Cannot delete entity, must delete policies first." iam delete-role --role-name "$role"
aws iam delete-role-policy --role-name "$role" --policy-name logs

# Instance profiles hold a role and block its deletion.
aws iam create-instance-profile --instance-profile-name "ip-$role" >/dev/null
aws iam add-role-to-instance-profile --instance-profile-name "ip-$role" --role-name "$role"
expect_error DeleteConflict "Cannot delete entity, must remove roles from instance profile first." iam delete-role --role-name "$role"
aws iam remove-role-from-instance-profile --instance-profile-name "ip-$role" --role-name "$role"
aws iam delete-instance-profile --instance-profile-name "ip-$role"
aws iam delete-role --role-name "$role"
expect_error NoSuchEntity "The role with name $role cannot be found." iam get-role --role-name "$role"

# Customer managed policies and versions.
parn=$(aws iam create-policy --policy-name "p-$role" --policy-document '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}' --query Policy.Arn --output text)
expect_eq "policy ARN" "$parn" "arn:aws:iam::000000000000:policy/p-$role"
aws iam create-policy-version --policy-arn "$parn" --set-as-default --policy-document '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:PutObject","Resource":"*"}]}' >/dev/null
expect_eq "default version" "$(aws iam get-policy --policy-arn "$parn" --query Policy.DefaultVersionId --output text)" v2
aws iam delete-policy-version --policy-arn "$parn" --version-id v1
aws iam delete-policy --policy-arn "$parn"
expect_error NoSuchEntity "Policy $parn was not found." iam get-policy --policy-arn "$parn"

# AWS managed policies exist in every account.
expect_eq "managed policy path" "$(aws iam get-policy --policy-arn arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy --query Policy.Path --output text)" /service-role/

# Users, groups and keys.
aws iam create-user --user-name "u-$role" >/dev/null
key=$(aws iam create-access-key --user-name "u-$role" --query AccessKey.AccessKeyId --output text)
case "$key" in AKIA*) pass=$((pass + 1)) ;; *) fail "access key id $key does not start with AKIA" ;; esac
aws iam create-group --group-name "g-$role" >/dev/null
aws iam add-user-to-group --group-name "g-$role" --user-name "u-$role"
expect_eq "group members" "$(aws iam get-group --group-name "g-$role" --query 'Users[0].UserName' --output text)" "u-$role"
expect_error DeleteConflict "Cannot delete entity, must delete access keys first." iam delete-user --user-name "u-$role"

expect_eq "account summary" "$(aws iam get-account-summary --query 'SummaryMap.RolesQuota' --output text)" 1000

# Console passwords: the account policy and a login profile.
expect_error NoSuchEntity "The Password Policy with domain name 000000000000 cannot be found." iam get-account-password-policy
aws iam update-account-password-policy --minimum-password-length 12 --require-numbers --allow-users-to-change-password
expect_error PasswordPolicyViolation "Password does not conform to the account password policy." \
  iam create-login-profile --user-name "u-$role" --password 'no-digits-here'
expect_eq "login profile" "$(aws iam create-login-profile --user-name "u-$role" --password 'Long-enough-1' --password-reset-required --query LoginProfile.PasswordResetRequired --output text)" True
expect_error InvalidUserType "Only IAM Users can change their own password." iam change-password --old-password 'Long-enough-1' --new-password 'Long-enough-2'

echo "iam_cli.sh: $pass passed, 0 failed"

#!/usr/bin/env bash
# Drives rolecall's ECS account settings through the real aws CLI, as the
# ECS developer guide's "Account setting management using the AWS CLI"
# does: the account default, a principal's own setting over it, the
# effective settings, and the values AWS no longer takes; a new cluster's
# Container Insights follow the setting.
# Usage: AWS_ENDPOINT_URL=http://127.0.0.1:4566 integration/scripts/ecs_settings_cli.sh
# (integration/scripts_test.go runs it against an in-process server.)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

root=arn:aws:iam::000000000000:root

# A new account: AWS's defaults, named by the principal asking.
expect_eq "default containerInsights" "$(aws ecs list-account-settings --effective-settings --name containerInsights \
  --query 'settings[0].[name, value, principalArn, type]' --output text)" "$(printf 'containerInsights\tdisabled\t%s\tuser' "$root")"
# Ten a page: the CLI follows nextToken.
expect_eq "effective settings" "$(aws ecs list-account-settings --effective-settings --query 'settings[].name' --output text | wc -w)" 12

# The account default.
expect_eq "put-account-setting-default" "$(aws ecs put-account-setting-default --name containerInsights --value enhanced \
  --query 'setting.[value, principalArn]' --output text)" "$(printf 'enhanced\t%s' "$root")"
expect_eq "new cluster's insights" "$(aws ecs create-cluster --cluster-name web \
  --query 'cluster.settings[?name==`containerInsights`].value | [0]' --output text)" enhanced
expect_eq "set explicitly" "$(aws ecs create-cluster --cluster-name quiet --settings name=containerInsights,value=disabled \
  --query 'cluster.settings[0].value' --output text)" disabled

# The root user's own setting is the default; deleting it brings AWS's back.
expect_eq "own settings" "$(aws ecs list-account-settings --query 'settings[].name' --output text)" containerInsights
expect_eq "delete-account-setting" "$(aws ecs delete-account-setting --name containerInsights --query setting.value --output text)" enhanced
expect_eq "after delete" "$(aws ecs list-account-settings --effective-settings --name containerInsights \
  --query 'settings[0].value' --output text)" disabled

# What AWS no longer takes, and values a setting does not take.
expect_error InvalidParameterException "You can no longer disable Long Arn settings" \
  ecs put-account-setting-default --name serviceLongArnFormat --value disabled
expect_error InvalidParameterException "Invalid setting 'value'" \
  ecs put-account-setting --name tagResourceAuthorization --value enabled
expect_error InvalidParameterException "Invalid setting 'value'" \
  ecs put-account-setting-default --name fargateTaskRetirementWaitPeriod --value 30

echo "ecs_settings_cli.sh: $pass passed, 0 failed"

#!/usr/bin/env bash
# Drives rolecall's STS and authentication through the real aws CLI and
# checks AWS's answers: who am I, assume a role, use the returned
# credentials, and the errors for a wrong secret, an unknown key and root.
# Usage: AWS_ENDPOINT_URL=http://127.0.0.1:4566 integration/scripts/sts_cli.sh
# (integration/scripts_test.go runs it against an in-process server.)
set -euo pipefail
. "$(dirname "$0")/lib.sh"
# as KEY SECRET [TOKEN] -- aws-args...: run aws with other credentials.
as() {
  local key=$1 secret=$2 token=${3:-}
  shift 3
  AWS_ACCESS_KEY_ID=$key AWS_SECRET_ACCESS_KEY=$secret AWS_SESSION_TOKEN=$token aws "$@"
}

mismatch="The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
invalid="The security token included in the request is invalid"

# The root user of the default account.
expect_eq "root" "$(aws sts get-caller-identity --query '[Arn,UserId,Account]' --output text)" "arn:aws:iam::000000000000:root	000000000000	000000000000"

# Wrong secret, unknown key.
out=$(AWS_SECRET_ACCESS_KEY=wrong aws sts get-caller-identity 2>&1) && fail "wrong secret accepted"
case "$out" in *"(SignatureDoesNotMatch)"*": $mismatch") pass=$((pass + 1)) ;; *) fail "wrong secret: [$out]" ;; esac
out=$(AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE aws sts get-caller-identity 2>&1) && fail "unknown key accepted"
case "$out" in *"(InvalidClientTokenId)"*": $invalid") pass=$((pass + 1)) ;; *) fail "unknown key: [$out]" ;; esac

# A stale signing date: the aws CLI's own driver, its signing clock set 20
# minutes back (the CLI has no option for it). AWS answers with its window:
# "Signature expired: SIGNED is now earlier than NOW-15 (NOW - 15 min.)".
# Needs the CLI v1 (Python); v2 is a frozen binary that cannot be patched.
if python3 -c 'import awscli.clidriver' 2>/dev/null; then
  stale=$(date -u -d '-20 min' +%Y%m%dT%H%M%SZ)
  out=$(STALE="$stale" python3 - --endpoint-url "$AWS_ENDPOINT_URL" sts get-caller-identity 2>&1 <<'PY'
import datetime, os, sys
from unittest import mock
import botocore.auth
from awscli.clidriver import main
at = datetime.datetime.strptime(os.environ["STALE"], "%Y%m%dT%H%M%SZ")
with mock.patch("botocore.auth.get_current_datetime", return_value=at):
    sys.exit(main())
PY
  ) && fail "stale signature accepted"
  re="^An error occurred \(SignatureDoesNotMatch\) when calling the GetCallerIdentity operation: Signature expired: $stale is now earlier than ([0-9T]+Z) \(([0-9T]+Z) - 15 min\.\)$"
  out=$(echo "$out" | grep -v '^$')
  [[ "$out" =~ $re ]] || fail "stale signature: [$out]"
  stamp() { date -u -d "$(sed -E 's/(....)(..)(..)T(..)(..)(..)Z/\1-\2-\3 \4:\5:\6Z/' <<<"$1")" +%s; }
  earliest=$(stamp "${BASH_REMATCH[1]}") server_now=$(stamp "${BASH_REMATCH[2]}")
  [ $((server_now - earliest)) -eq 900 ] || fail "stale signature window: [$out]"
  [ $((server_now - $(date -u +%s))) -le 120 ] && [ $(($(date -u +%s) - server_now)) -le 120 ] || fail "stale signature: server time in [$out]"
  pass=$((pass + 1))
else
  echo "sts_cli.sh: the aws CLI v2 cannot be given a stale signing date; skipping that check (boto3 covers it)" >&2
fi

# A user with a key, allowed to assume roles; a role that trusts the account.
user=cli-user-$RANDOM
aws iam create-user --user-name "$user" >/dev/null
aws iam put-user-policy --user-name "$user" --policy-name assume \
  --policy-document '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}'
read -r key secret < <(aws iam create-access-key --user-name "$user" --query 'AccessKey.[AccessKeyId,SecretAccessKey]' --output text)
expect_eq "user arn" "$(as "$key" "$secret" "" sts get-caller-identity --query Arn --output text)" "arn:aws:iam::000000000000:user/$user"

role=cli-role-$RANDOM
aws iam create-role --role-name "$role" --max-session-duration 7200 \
  --assume-role-policy-document '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:root"},"Action":"sts:AssumeRole"}]}' >/dev/null
role_arn=arn:aws:iam::000000000000:role/$role
# The session reads IAM below: as in AWS, only with a policy that allows it.
aws iam put-role-policy --role-name "$role" --policy-name read \
  --policy-document '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetRole","Resource":"*"}]}'

expect_error AccessDenied "Roles may not be assumed by root accounts." sts assume-role --role-arn "$role_arn" --role-session-name cli
read -r sk ss st assumed < <(as "$key" "$secret" "" sts assume-role --role-arn "$role_arn" --role-session-name cli --duration-seconds 7200 \
  --query '[Credentials.AccessKeyId,Credentials.SecretAccessKey,Credentials.SessionToken,AssumedRoleUser.Arn]' --output text)
expect_eq "assumed role arn" "$assumed" "arn:aws:sts::000000000000:assumed-role/$role/cli"
case "$sk" in ASIA*) pass=$((pass + 1)) ;; *) fail "session access key $sk does not start with ASIA" ;; esac

# The session's credentials work, for STS and IAM.
expect_eq "session arn" "$(as "$sk" "$ss" "$st" sts get-caller-identity --query Arn --output text)" "arn:aws:sts::000000000000:assumed-role/$role/cli"
expect_eq "session reads IAM; role last used" "$(as "$sk" "$ss" "$st" iam get-role --role-name "$role" --query '[Role.RoleName,Role.RoleLastUsed.Region]' --output text)" "$role	us-east-1"
# ...but not without their token.
out=$(as "$sk" "$ss" "" sts get-caller-identity 2>&1) && fail "session key without token accepted"
case "$out" in *"(InvalidClientTokenId)"*": $invalid") pass=$((pass + 1)) ;; *) fail "no token: [$out]" ;; esac

# Role chaining is capped at an hour.
out=$(as "$sk" "$ss" "$st" sts assume-role --role-arn "$role_arn" --role-session-name again --duration-seconds 3601 2>&1) && fail "chained 3601 s accepted"
case "$out" in *"(ValidationError)"*": The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.") pass=$((pass + 1)) ;; *) fail "chaining: [$out]" ;; esac

# Denied (as the user: root may assume no role at all). The Go tests cover
# the other texts; each aws CLI run costs a second.
AWS_ACCESS_KEY_ID=$key AWS_SECRET_ACCESS_KEY=$secret expect_error AccessDenied "User: arn:aws:iam::000000000000:user/$user is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::000000000000:role/nope" \
  sts assume-role --role-arn arn:aws:iam::000000000000:role/nope --role-session-name cli

echo "sts_cli.sh: $pass passed, 0 failed"

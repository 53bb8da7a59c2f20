# Shared by the aws CLI scripts (sourced, not run): the CLI's environment,
# pointed at rolecall and at nothing of the developer's, and the checks.
script=$(basename "$0")
if ! command -v aws >/dev/null 2>&1; then
  echo "$script: the aws CLI is not installed (pip install awscli, or apt-get install awscli); it is needed for this test" >&2
  exit 1
fi
: "${AWS_ENDPOINT_URL:?set AWS_ENDPOINT_URL to a running rolecall}"
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=us-east-1
export AWS_PAGER="" AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
unset AWS_PROFILE AWS_SESSION_TOKEN
aws() { command aws --endpoint-url "$AWS_ENDPOINT_URL" "$@"; }

pass=0
fail() { echo "FAIL: $*" >&2; exit 1; }
expect_eq() { # expect_eq WHAT GOT WANT
  [ "$2" == "$3" ] || fail "$1: got [$2], want [$3]"
  pass=$((pass + 1))
}
expect_error_encoded() { # expect_error_encoded CODE MESSAGE aws-args...: EC2's MESSAGE, then its encoded authorization message
  local code=$1 msg=$2; shift 2
  local out
  if out=$(aws "$@" 2>&1); then fail "aws $*: succeeded, want $code"; fi
  case "$out" in
    *"($code)"*": $msg Encoded authorization failure message: "?*) pass=$((pass + 1)) ;;
    *) fail "aws $*: got [$out], want ($code) $msg Encoded authorization failure message: ..." ;;
  esac
}
expect_error() { # expect_error CODE MESSAGE aws-args...: the message exactly
  local code=$1 msg=$2; shift 2
  local out
  if out=$(aws "$@" 2>&1); then fail "aws $*: succeeded, want $code"; fi
  case "$out" in
    *"($code)"*": $msg") pass=$((pass + 1)) ;;
    *) fail "aws $*: got [$out], want ($code) $msg" ;;
  esac
}

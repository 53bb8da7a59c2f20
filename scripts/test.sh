#!/usr/bin/env bash
# rolecall's test command (the README's, and the only thing CI runs).
# Checks formatting and vet, then runs every Go test with the race detector,
# including the integration tests that drive rolecall through the aws CLI and
# boto3. Installs what a fresh machine lacks when it can, and says what is
# missing when it cannot.
set -euo pipefail
cd "$(dirname "$0")/.."

need() { # need COMMAND WHAT-FOR DEBIAN-PACKAGE
  command -v "$1" >/dev/null 2>&1 && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && [ -n "$3" ]; then
    echo "test.sh: $1 is missing ($2); installing Debian package $3" >&2
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$3" >/dev/null
  fi
  command -v "$1" >/dev/null 2>&1 || { echo "test.sh: $1 is missing: $2. Install it (Debian: apt-get install $3) and run again." >&2; exit 1; }
}
need go "rolecall is written in Go 1.26" ""
need aws "the aws CLI drives integration/scripts/iam_cli.sh" awscli
need python3 "boto3 drives integration/scripts/iam_boto3.py" python3-boto3
if ! python3 -c 'import boto3' 2>/dev/null; then
  echo "test.sh: python3 cannot import boto3, which drives integration/scripts/iam_boto3.py. Install it (pip install boto3, or Debian: apt-get install python3-boto3) and run again." >&2
  exit 1
fi

need openssl "the README's encrypted SAML assertion example makes a key pair with it" openssl

# The web console's browser tests (internal/console) drive Debian's headless
# Chromium; they fail rather than skip here.
need chromium "the web console's browser tests drive headless Chromium" chromium
export ROLECALL_REQUIRE_BROWSER=1

# The policy engine's differential test (internal/policy/oracle) asks
# @cloud-copilot/iam-simulate, pinned, for its decisions. It is AGPL: it is
# installed here, at test time, outside the repository, and never vendored.
oracle_version=0.1.173
export ROLECALL_ORACLE_DIR="${ROLECALL_ORACLE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/rolecall/oracle}"
export ROLECALL_REQUIRE_ORACLE=1
need node "the policy engine's differential test runs @cloud-copilot/iam-simulate" nodejs
need npm "it installs @cloud-copilot/iam-simulate for the policy engine's differential test" npm
if [ "$(node -p "require('$ROLECALL_ORACLE_DIR/node_modules/@cloud-copilot/iam-simulate/package.json').version" 2>/dev/null)" != "$oracle_version" ]; then
  echo "test.sh: installing @cloud-copilot/iam-simulate@$oracle_version into $ROLECALL_ORACLE_DIR" >&2
  npm install --prefix "$ROLECALL_ORACLE_DIR" --no-audit --no-fund --silent "@cloud-copilot/iam-simulate@$oracle_version" >/dev/null ||
    { echo "test.sh: npm could not install @cloud-copilot/iam-simulate@$oracle_version into $ROLECALL_ORACLE_DIR (offline?); the policy engine's differential test needs it. Install it by hand and run again." >&2; exit 1; }
fi

unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then
  echo "test.sh: gofmt would change:" >&2; echo "$unformatted" >&2; exit 1
fi
go vet ./...
go test -race -count=1 ./...

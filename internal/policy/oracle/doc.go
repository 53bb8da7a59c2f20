// Package oracle holds the differential test of internal/policy against an
// independent engine, the npm package @cloud-copilot/iam-simulate.
//
// The package is AGPL-licensed: rolecall commits none of its code or test
// cases and uses it only as an external oracle at test time.
// scripts/test.sh installs it (pinned) under
// $XDG_CACHE_HOME/rolecall/oracle and exports ROLECALL_ORACLE_DIR;
// testdata/driver.cjs, rolecall's own script, feeds it JSON cases on stdin
// and prints its decisions. oracle_test.go generates a seeded corpus of
// policies and requests, evaluates each with both engines and fails on any
// disagreement that is not in its list of known, AWS-documented
// differences.
//
// Run it alone:
//
//	npm install --prefix ~/.cache/rolecall/oracle @cloud-copilot/iam-simulate@0.1.173
//	ROLECALL_ORACLE_DIR=~/.cache/rolecall/oracle go test ./internal/policy/oracle/ -v
//
// Without ROLECALL_ORACLE_DIR the test skips, unless ROLECALL_REQUIRE_ORACLE=1
// (scripts/test.sh, CI), where it fails.
package oracle

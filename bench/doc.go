// Package bench measures rolecall: Go benchmarks that drive an in-process
// server over HTTP with the aws-sdk-go-v2 IAM client (go test -bench . ./bench),
// and, in bench/load and bench/run.sh, a load generator that compares a
// running rolecall with moto_server side by side; bench/cpu measures server
// CPU per request against rolecall, a replaying floor server and moto.
package bench

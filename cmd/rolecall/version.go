package main

import (
	"fmt"
	"runtime/debug"
	"strings"
)

// version is set at build time with -ldflags "-X main.version=...";
// otherwise rolecall's version is the one Go recorded in the binary
// (versionOf).
var version = "dev"

// versionOf is rolecall's version: the -ldflags value when one was given,
// else the main module's version as Go recorded it (v1.2.3 when installed
// with `go install ...@v1.2.3`, a pseudo-version such as
// v0.0.0-20260301120000-0d7eaa0d4009+dirty when built in a checkout), else
// "dev".
func versionOf(ldflags string, bi *debug.BuildInfo) string {
	if ldflags != "" && ldflags != "dev" {
		return ldflags
	}
	if bi != nil && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

// versionText is what `rolecall version` prints: the version, then the
// VCS revision, whether the tree had changes, and the commit's time, as
// `go build` recorded them (https://pkg.go.dev/runtime/debug#BuildSetting),
// and the Go toolchain.
func versionText(ldflags string, bi *debug.BuildInfo) string {
	var b strings.Builder
	fmt.Fprintf(&b, "rolecall %s\n", versionOf(ldflags, bi))
	if bi == nil {
		return b.String()
	}
	settings := map[string]string{}
	for _, s := range bi.Settings {
		settings[s.Key] = s.Value
	}
	if rev := settings["vcs.revision"]; rev != "" {
		if settings["vcs.modified"] == "true" {
			rev += " (modified)"
		}
		fmt.Fprintf(&b, "revision %s\n", rev)
	}
	if t := settings["vcs.time"]; t != "" {
		fmt.Fprintf(&b, "committed %s\n", t)
	}
	if bi.GoVersion != "" {
		fmt.Fprintf(&b, "built with %s\n", bi.GoVersion)
	}
	return b.String()
}

// buildInfo is the binary's build information; nil when it has none.
func buildInfo() *debug.BuildInfo {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return nil
	}
	return bi
}

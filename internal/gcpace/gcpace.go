// Package gcpace paces the garbage collector of a server whose live heap
// is small, the usual rolecall: its models, catalogs and caches are a few
// MiB that every collection marks anew, and with GOGC's default of 100 a
// collection comes every few MiB of requests' garbage. Measured on GetRole,
// that made a rolecall process with a do-nothing handler cost 7-11% more
// CPU per request than a bare net/http server; letting the heap grow by a
// fixed headroom past what is live before collecting brought it to 2-5%.
//
// The Go runtime's own knobs are GOGC (a ratio: a large one multiplies a
// large heap too) and GOMEMLIMIT (a ceiling: a live heap past it makes the
// collector run without pause). Keep adjusts the ratio to the live heap
// instead: a small heap gets the headroom, a large one GOGC's default.
// See https://go.dev/doc/gc-guide.
package gcpace

import (
	"os"
	"runtime/debug"
	"runtime/metrics"
	"time"
)

// Percent is the GOGC that lets a heap of live bytes grow by headroom
// before the next collection, kept between 100 (GOGC's default, for a heap
// larger than headroom) and most.
func Percent(live, headroom uint64, most int) int {
	if live == 0 {
		return most
	}
	return int(min(max(headroom*100/live, 100), uint64(most)))
}

// mostPercent bounds the ratio: a heap a fifth of headroom or less grows
// to five times its size at most.
const mostPercent = 400

const liveMetric = "/gc/heap/live:bytes"

// Keep paces the collector for headroom, looking at the live heap every
// period, until stop is called. It does nothing when the environment sets
// GOGC (the user's choice stands).
func Keep(headroom uint64, period time.Duration) (stop func()) {
	if _, set := os.LookupEnv("GOGC"); set {
		return func() {}
	}
	sample := []metrics.Sample{{Name: liveMetric}}
	current := 100
	pace := func() {
		metrics.Read(sample)
		if sample[0].Value.Kind() != metrics.KindUint64 {
			return
		}
		if p := Percent(sample[0].Value.Uint64(), headroom, mostPercent); p != current {
			current = p
			debug.SetGCPercent(p)
		}
	}
	pace()
	quit, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(period)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				pace()
			case <-quit:
				return
			}
		}
	}()
	return func() { close(quit); <-done; debug.SetGCPercent(100) }
}

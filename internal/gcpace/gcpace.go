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
// instead, and only while requests keep the collector busy, so that a
// server at rest (and its start-up, which makes most of its garbage at
// once) keeps GOGC's default footprint. See https://go.dev/doc/gc-guide.
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

const (
	// mostPercent bounds the ratio: a heap a fifth of headroom or less
	// grows to five times its size at most.
	mostPercent = 400
	// busyCycles collections in one period mean requests are making
	// garbage: the pace is set for them.
	busyCycles = 2
	// idlePeriods periods without a collection mean they have stopped:
	// back to GOGC's default.
	idlePeriods = 10
)

// pacer decides the pace each period from the live heap and the count of
// collections so far.
type pacer struct {
	headroom uint64
	percent  int    // the pace set
	cycles   uint64 // collections counted at the last period
	idle     int    // periods in a row without a collection
}

func (p *pacer) next(live, cycles uint64) int {
	ran := cycles - p.cycles
	p.cycles = cycles
	if ran == 0 {
		p.idle++
	} else {
		p.idle = 0
	}
	switch {
	case ran >= busyCycles || p.percent > 100 && p.idle < idlePeriods:
		p.percent = Percent(live, p.headroom, mostPercent)
	default:
		p.percent = 100
	}
	return p.percent
}

const (
	liveMetric   = "/gc/heap/live:bytes"
	cyclesMetric = "/gc/cycles/total:gc-cycles"
)

// Keep paces the collector for headroom, looking every period, until stop
// is called. It does nothing when the environment sets GOGC (the user's
// choice stands).
func Keep(headroom uint64, period time.Duration) (stop func()) {
	if _, set := os.LookupEnv("GOGC"); set {
		return func() {}
	}
	samples := []metrics.Sample{{Name: liveMetric}, {Name: cyclesMetric}}
	read := func() (live, cycles uint64) {
		metrics.Read(samples)
		for i, v := range []*uint64{&live, &cycles} {
			if samples[i].Value.Kind() == metrics.KindUint64 {
				*v = samples[i].Value.Uint64()
			}
		}
		return live, cycles
	}
	_, cycles := read()
	p := &pacer{headroom: headroom, percent: 100, cycles: cycles}
	quit, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(period)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				was := p.percent
				if now := p.next(read()); now != was {
					debug.SetGCPercent(now)
				}
			case <-quit:
				return
			}
		}
	}()
	return func() {
		close(quit)
		<-done
		if p.percent != 100 {
			debug.SetGCPercent(100)
		}
	}
}

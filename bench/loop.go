package bench

import (
	"errors"
	"sync/atomic"
	"time"
)

// ClosedLoop runs concurrency workers for d, each calling once(w), w its
// number, again as soon as the last call returns (a closed loop: a worker
// sends its next request when its answer has come), and counts the calls
// that succeeded. A worker stops at its first error; the workers' errors
// are joined.
func ClosedLoop(d time.Duration, concurrency int, once func(w int) error) (int64, error) {
	var n atomic.Int64
	errs := make(chan error, concurrency)
	end := time.Now().Add(d)
	for w := range concurrency {
		go func() {
			for time.Now().Before(end) {
				if err := once(w); err != nil {
					errs <- err
					return
				}
				n.Add(1)
			}
			errs <- nil
		}()
	}
	var err error
	for range concurrency {
		err = errors.Join(err, <-errs)
	}
	return n.Load(), err
}

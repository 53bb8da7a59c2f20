package bench

import (
	"errors"
	"fmt"
	"testing"
	"time"
)

// TestClosedLoop: each worker is called with its own number, again after
// each success, and not after its error; the successes are counted and
// the errors joined. (Each worker ends by its error, long before d.)
func TestClosedLoop(t *testing.T) {
	var calls [3]int // each worker's own: no two workers share one
	errs := make([]error, 3)
	for w := range errs {
		errs[w] = fmt.Errorf("worker %d refused", w)
	}
	n, err := ClosedLoop(time.Hour, 3, func(w int) error {
		calls[w]++
		if calls[w] > 10*w {
			return errs[w]
		}
		return nil
	})
	if n != 0+10+20 {
		t.Errorf("counted %d successes, want 30", n)
	}
	for w, e := range errs {
		if !errors.Is(err, e) {
			t.Errorf("err = %v, lacks %v", err, e)
		}
		if calls[w] != 10*w+1 {
			t.Errorf("worker %d called %d times, want %d", w, calls[w], 10*w+1)
		}
	}
}

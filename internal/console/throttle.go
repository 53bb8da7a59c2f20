package console

import (
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/rolecall/rolecall/internal/ids"
)

// Password sign-in slows guessing down. IAM locks no user out (its
// password policy has no such setting: UpdateAccountPasswordPolicy,
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_UpdateAccountPasswordPolicy.html),
// and neither does rolecall: after freeFailures failed attempts in a row
// for a user name from one address, the next attempt from there waits
// firstWait, twice as long after each further failure, up to maxWait. An
// attempt that comes too early is refused without the password being
// checked (it is no guess, and costs no key derivation) and says how long
// to wait; other addresses, and other user names, are not slowed. The
// rule is rolecall's own: AWS does not publish its sign-in page's.
const (
	freeFailures   = 5
	firstWait      = time.Second
	maxWait        = 5 * time.Minute
	forgetFailures = time.Hour // failures older than this are forgotten
	maxThrottled   = 10000     // user names and addresses followed at once
)

// throttle follows failed password sign-ins, by address and user name.
type throttle struct {
	clock ids.Clock
	mu    sync.Mutex
	by    map[string]*failures
}

type failures struct {
	n    int       // failed attempts in a row
	last time.Time // the last one
}

func newThrottle(clock ids.Clock) *throttle {
	return &throttle{clock: clock, by: map[string]*failures{}}
}

// throttleKey is who tries: the client's address and the user name, in
// any case (IAM's names are case-insensitive).
func throttleKey(r *http.Request, userName string) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	return host + "\x00" + strings.ToLower(userName)
}

// attempt is how long an attempt under key must still wait, 0 when it
// may go on. One that goes on counts as failed until passed says
// otherwise: attempts sent at once cannot all slip in before the first
// failure is noted.
func (t *throttle) attempt(key string) time.Duration {
	now := t.clock.Now()
	t.mu.Lock()
	defer t.mu.Unlock()
	f := t.live(key, now)
	if f != nil && f.n >= freeFailures {
		if wait := f.last.Add(backoff(f.n)).Sub(now); wait > 0 {
			return wait
		}
	}
	if f == nil {
		if len(t.by) >= maxThrottled {
			for k := range t.by {
				t.live(k, now)
			}
		}
		if len(t.by) >= maxThrottled {
			return 0 // full of recent failures: this key goes unslowed
		}
		f = &failures{}
		t.by[key] = f
	}
	f.n++
	f.last = now
	return 0
}

// backoff is the wait after n failures in a row (n >= freeFailures).
func backoff(n int) time.Duration {
	d := firstWait
	for i := freeFailures; i < n && d < maxWait; i++ {
		d *= 2
	}
	return min(d, maxWait)
}

// live is key's failures, nil when there are none or they are forgotten.
func (t *throttle) live(key string, now time.Time) *failures {
	f := t.by[key]
	if f != nil && now.Sub(f.last) > forgetFailures {
		delete(t.by, key)
		return nil
	}
	return f
}

// passed forgets key's failures: the password was right.
func (t *throttle) passed(key string) {
	t.mu.Lock()
	delete(t.by, key)
	t.mu.Unlock()
}

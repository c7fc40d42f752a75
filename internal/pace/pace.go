// Package pace holds doorkit's client-side rate limit: a transport that
// waits for a golang.org/x/time/rate token before every attempt.
package pace

import (
	"net/http"
	"time"

	"github.com/doorkit/doorkit/internal/unsent"
	"golang.org/x/time/rate"
)

// Transport paces every request it sends with a rate.Limiter. It sits
// under the retry loop and under the auth transport, so retries and token
// fetches are paced too, and one limiter serves every request of a client.
//
// Callers take their turn one at a time and reserve a token only when their
// turn comes, rather than all reserving future slots at once: reserved slots
// are kept even when the process was stalled past them (a GC pause, a busy
// machine), and would then all go out together, far beyond the burst a
// server allows. Taking turns, at most burst+1 requests leave together
// after a stall.
type Transport struct {
	base    http.RoundTripper
	limiter *rate.Limiter
	turn    chan struct{} // holds one value while a caller waits for a token
}

// New returns base paced by a limiter allowing limit requests per second
// with bursts of burst, or base itself when limit is rate.Inf.
func New(base http.RoundTripper, limit rate.Limit, burst int) http.RoundTripper {
	if limit == rate.Inf {
		return base
	}
	return &Transport{base: base, limiter: rate.NewLimiter(limit, burst), turn: make(chan struct{}, 1)}
}

// RoundTrip waits for its turn and a token within the request's context,
// then sends. A context that ends first returns its own error (errors.Is
// matches it), marked as not sent so that rest does not report a call that
// never left as of unknown outcome.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := t.wait(req); err != nil {
		closeBody(req)
		if err != errNoBurst {
			err = &unsent.Error{Err: err}
		}
		return nil, err
	}
	return t.base.RoundTrip(req)
}

func (t *Transport) wait(req *http.Request) error {
	ctx := req.Context()
	select {
	case t.turn <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-t.turn }()
	r := t.limiter.Reserve()
	if !r.OK() {
		return errNoBurst
	}
	wait := r.Delay()
	if wait == 0 {
		return nil
	}
	timer := time.NewTimer(wait)
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		r.Cancel() // give the token back
		return ctx.Err()
	}
}

func closeBody(req *http.Request) {
	if req.Body != nil {
		_ = req.Body.Close()
	}
}

type errString string

func (e errString) Error() string { return string(e) }

const errNoBurst = errString("pace: the rate limit's burst is zero: no request can be sent")

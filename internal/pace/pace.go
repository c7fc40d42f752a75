// Package pace holds doorkit's client-side rate limit: a transport that
// waits for a golang.org/x/time/rate token before every attempt.
package pace

import (
	"net/http"
	"time"

	"golang.org/x/time/rate"
)

// Transport paces every request it sends with Limiter. It sits under the
// retry loop and under the auth transport, so retries and token fetches are
// paced too, and one limiter serves every request of a client.
type Transport struct {
	Base    http.RoundTripper
	Limiter *rate.Limiter
}

// New returns base paced by a limiter allowing limit requests per second
// with bursts of burst, or base itself when limit is rate.Inf.
func New(base http.RoundTripper, limit rate.Limit, burst int) http.RoundTripper {
	if limit == rate.Inf {
		return base
	}
	return &Transport{Base: base, Limiter: rate.NewLimiter(limit, burst)}
}

// RoundTrip waits for the limiter within the request's context, then sends.
// A context that ends first returns its own error, and the token it had
// reserved goes back to the limiter.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	r := t.Limiter.Reserve()
	if !r.OK() {
		closeBody(req)
		return nil, errNoBurst
	}
	if wait := r.Delay(); wait > 0 {
		timer := time.NewTimer(wait)
		select {
		case <-timer.C:
		case <-req.Context().Done():
			timer.Stop()
			r.Cancel()
			closeBody(req)
			return nil, req.Context().Err()
		}
	}
	return t.Base.RoundTrip(req)
}

func closeBody(req *http.Request) {
	if req.Body != nil {
		_ = req.Body.Close()
	}
}

type errString string

func (e errString) Error() string { return string(e) }

const errNoBurst = errString("pace: the rate limit's burst is zero: no request can be sent")

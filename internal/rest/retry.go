package rest

import (
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"syscall"
	"time"
)

// Policy is doorkit's retry policy.
//
// Idempotent requests (GET, HEAD, PUT, DELETE, and calls marked Idempotent)
// are retried on connection errors and on 429, 502, 503 and 504. Other
// requests (POST, PATCH) are retried only when the failure proves the server
// did not act on them: the connection could not be dialled, or the server
// answered 429 or 503 with a Retry-After header. A Retry-After longer than
// MaxRetryAfter is not waited out: the response goes back to the caller,
// whose error carries the delay.
type Policy struct {
	MaxRetries    int           // retries after the first attempt
	MinWait       time.Duration // first backoff; doubles each retry
	MaxWait       time.Duration // backoff ceiling
	MaxRetryAfter time.Duration // longest Retry-After honoured
}

// DefaultPolicy is used when a vendor client is given no other.
var DefaultPolicy = Policy{
	MaxRetries:    3,
	MinWait:       250 * time.Millisecond,
	MaxWait:       5 * time.Second,
	MaxRetryAfter: 30 * time.Second,
}

// isIdempotent reports whether the call of ctx may be resent after it
// reached the server (see callInfo); retryablehttp hands CheckRetry the
// request's context but not the request.
func isIdempotent(ctx context.Context) bool {
	ci := callOf(ctx)
	return ci != nil && ci.idempotent
}

// IdempotentMethod reports whether method may be resent by default.
func IdempotentMethod(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPut, http.MethodDelete, http.MethodOptions:
		return true
	}
	return false
}

// checkRetry is the retryablehttp.CheckRetry for p.
func (p Policy) checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctxErr := ctx.Err(); ctxErr != nil {
		if err != nil && errors.Is(err, ctxErr) {
			// Keep the attempt's own error: a layer under rest (pacing,
			// a token wait) may prove the request was never sent.
			return false, nil
		}
		return false, ctxErr
	}
	idempotent := isIdempotent(ctx)
	if err != nil {
		if provedNotSent(err) {
			// A layer under rest (the auth transport's token fetch) gave
			// up with its own retries: resending would repeat them.
			return false, nil
		}
		if isDialError(err) {
			return true, nil
		}
		return idempotent && isConnectionError(err), nil
	}
	switch resp.StatusCode {
	case http.StatusTooManyRequests, http.StatusServiceUnavailable:
		wait, ok := RetryAfter(resp.Header, time.Now())
		if ok && wait > p.MaxRetryAfter {
			return false, nil
		}
		if ok {
			stateOf(ctx).markDeclined()
		}
		return idempotent || ok, nil
	case http.StatusBadGateway, http.StatusGatewayTimeout:
		return idempotent, nil
	}
	return false, nil
}

// backoff is the retryablehttp.Backoff for p: Retry-After when the server
// sent one, plus jitter, else exponential from min to max with equal jitter.
func (p Policy) backoff(minWait, maxWait time.Duration, attempt int, resp *http.Response) time.Duration {
	if resp != nil {
		if wait, ok := RetryAfter(resp.Header, time.Now()); ok {
			wait = min(wait, p.MaxRetryAfter)
			return wait + retryAfterJitter(wait, minWait)
		}
	}
	if minWait <= 0 {
		return 0
	}
	wait := maxWait
	if attempt < 62 {
		if d := minWait << attempt; d > 0 && d < maxWait {
			wait = d
		}
	}
	half := wait / 2
	return half + rand.N(half+1)
}

// notSent is implemented by errors of layers under rest that prove
// the request was not sent: auth's TokenError and unsent.Error.
type notSent interface{ NotSent() bool }

// provedNotSent reports an error that proves the request was not sent.
func provedNotSent(err error) bool {
	var ns notSent
	return errors.As(err, &ns) && ns.NotSent()
}

// isDialError reports a failure to connect: the request never left.
func isDialError(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

// isConnectionError reports a transport failure worth retrying for a request
// that may be resent. TLS verification failures and errors raised by the
// client itself (auth, bad URL) are not.
func isConnectionError(err error) bool {
	var netErr net.Error
	switch {
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.ECONNREFUSED),
		errors.Is(err, syscall.EPIPE):
		return true
	case errors.As(err, &netErr):
		var op *net.OpError
		return netErr.Timeout() || errors.As(err, &op)
	}
	return false
}

// retryAfterJitter spreads the clients a server told to come back at the
// same time: up to a fifth of the wait, and at least up to half of minWait
// (so "Retry-After: 0" spreads too), so 50 workers told "Retry-After: 1" do
// not all wake in the same millisecond.
func retryAfterJitter(wait, minWait time.Duration) time.Duration {
	spread := max(wait/5, minWait/2)
	if spread <= 0 {
		return 0
	}
	return rand.N(spread + 1)
}

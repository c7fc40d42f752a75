// Package fakeserver holds what every in-memory vendor fake shares: a
// bounded request log with exact per-endpoint counts, injected faults (a
// status with Retry-After, or a dropped connection), a token-bucket rate
// limit and added latency, applied in front of the fake's handler.
package fakeserver

import (
	"bytes"
	"context"
	"io"
	"log"
	"math"
	"net/http"
	"os"
	"strconv"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Fault makes the next Count requests matching Path (any path when empty)
// fail: with Status (and Retry-After when set), by closing the connection
// without an answer when Drop is set, or, when LoseAnswer is set, by
// performing the request and then closing the connection before any of
// the answer is sent, so the client cannot tell whether it took effect.
//
// Held and Hold let a test order events without sleeping: each matching
// request is first sent to Held (when set), then held until Hold is closed
// (when set). A request whose client goes away meanwhile is dropped
// unperformed, unless Detached is set: then it is performed once Hold is
// closed all the same, as a server does with a request it has received
// (its answer goes nowhere). After the hold it fails as the other fields
// say, or, when none is set, is performed normally.
type Fault struct {
	Path       string
	Method     string // any method when empty
	Count      int
	Status     int
	RetryAfter time.Duration
	Drop       bool
	LoseAnswer bool
	Held       chan<- Request
	Hold       <-chan struct{}
	Detached   bool
}

// Request is one request a fake received.
type Request struct {
	Method string
	Path   string
	Query  string
	Header http.Header
	Body   []byte
}

// DefaultLogLimit is how many requests a Front keeps by default.
const DefaultLogLimit = 10_000

// Front records requests and applies faults, a rate limit and latency. Its
// zero value is ready to use; it is safe for concurrent use.
//
// The log keeps the last DefaultLogLimit requests (SetLogLimit changes it),
// so a fake can serve a benchmark of any length; Count stays exact however
// many requests the log has forgotten.
type Front struct {
	mu        sync.Mutex
	faults    []Fault
	latency   time.Duration
	limiter   *rate.Limiter
	throttled int
	log       []Request // a ring once it holds logLimit requests
	next      int       // where the ring writes next
	logLimit  int       // 0: DefaultLogLimit
	counts    map[endpoint]int
}

type endpoint struct{ method, path string }

// Inject queues a fault.
func (f *Front) Inject(fault Fault) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.faults = append(f.faults, fault)
}

// FailNext makes the next n requests answer status, with Retry-After when
// retryAfter is positive.
func (f *Front) FailNext(n, status int, retryAfter time.Duration) {
	f.Inject(Fault{Count: n, Status: status, RetryAfter: retryAfter})
}

// SetLatency delays every answer by d.
func (f *Front) SetLatency(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.latency = d
}

// SetRateLimit answers 429 Too Many Requests, with Retry-After in whole
// seconds, to requests beyond a token bucket refilled at perSecond with
// room for burst. A perSecond of zero or less removes the limit. A
// throttled request is logged and counted but takes no queued Fault.
func (f *Front) SetRateLimit(perSecond float64, burst int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if perSecond <= 0 {
		f.limiter = nil
		return
	}
	f.limiter = rate.NewLimiter(rate.Limit(perSecond), max(burst, 1))
}

// Throttled returns how many requests the rate limit answered 429.
func (f *Front) Throttled() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.throttled
}

// SetLogLimit sets how many of the latest requests Requests returns (at
// least one), forgetting older ones beyond it.
func (f *Front) SetLogLimit(n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	kept := f.ordered()
	f.logLimit = max(n, 1)
	if len(kept) > f.logLimit {
		kept = kept[len(kept)-f.logLimit:]
	}
	f.log, f.next = kept, 0
}

// Requests returns the latest requests received, oldest first.
func (f *Front) Requests() []Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.ordered()
}

// ordered copies the log oldest first. Callers hold f.mu.
func (f *Front) ordered() []Request {
	out := make([]Request, 0, len(f.log))
	out = append(out, f.log[f.next:]...)
	return append(out, f.log[:f.next]...)
}

// Count returns how many requests had method and path since the last
// ResetLog, including those the bounded log no longer holds.
func (f *Front) Count(method, path string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.counts[endpoint{method, path}]
}

// ResetLog forgets the requests received so far, their counts and the
// number throttled.
func (f *Front) ResetLog() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.log, f.next, f.counts, f.throttled = nil, 0, nil, 0
}

// record logs r. Callers hold f.mu.
func (f *Front) record(r Request) {
	if f.counts == nil {
		f.counts = make(map[endpoint]int)
	}
	f.counts[endpoint{r.Method, r.Path}]++
	limit := f.logLimit
	if limit == 0 {
		limit = DefaultLogLimit
	}
	if len(f.log) < limit {
		f.log = append(f.log, r)
		return
	}
	f.log[f.next] = r
	f.next = (f.next + 1) % limit
}

// throttle reports whether the rate limit refuses a request now, and how
// long until it would accept one. Callers hold f.mu.
func (f *Front) throttle(now time.Time) (time.Duration, bool) {
	if f.limiter == nil {
		return 0, false
	}
	r := f.limiter.ReserveN(now, 1)
	wait := r.DelayFrom(now)
	if wait == 0 {
		return 0, false
	}
	r.CancelAt(now) // refused requests take no token
	f.throttled++
	return wait, true
}

// Wrap returns next behind the front. writeError writes a fault's status in
// the vendor's error format.
func (f *Front) Wrap(next http.Handler, writeError func(w http.ResponseWriter, status int)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		req := Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Header: r.Header.Clone(), Body: body}
		f.mu.Lock()
		f.record(req)
		wait, throttled := f.throttle(time.Now())
		latency := f.latency
		var fault Fault
		var faulted bool
		if !throttled {
			fault, faulted = f.take(r.Method, r.URL.Path)
		}
		f.mu.Unlock()
		if throttled {
			w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
			writeError(w, http.StatusTooManyRequests)
			return
		}
		if latency > 0 {
			select {
			case <-time.After(latency):
			case <-r.Context().Done():
				return
			}
		}
		if !faulted {
			next.ServeHTTP(w, r)
			return
		}
		if fault.Detached {
			r = r.WithContext(context.WithoutCancel(r.Context()))
		}
		if !hold(r, req, fault) {
			return // the client went away: nothing is performed
		}
		if fault.Status == 0 && !fault.Drop && !fault.LoseAnswer {
			next.ServeHTTP(w, r)
			return
		}
		if fault.LoseAnswer {
			next.ServeHTTP(discardWriter{header: make(http.Header)}, r)
			dropConnection(w)
			return
		}
		if fault.Drop {
			dropConnection(w)
			return
		}
		if fault.RetryAfter > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(fault.RetryAfter.Seconds()))))
		}
		writeError(w, fault.Status)
	})
}

// hold reports req to fault.Held and waits for fault.Hold; false when the
// client went away first.
func hold(r *http.Request, req Request, fault Fault) bool {
	if fault.Held != nil {
		select {
		case fault.Held <- req:
		case <-r.Context().Done():
			return false
		}
	}
	if fault.Hold != nil {
		select {
		case <-fault.Hold:
		case <-r.Context().Done():
			return false
		}
	}
	return true
}

// dropConnection closes the client's connection without an answer.
func dropConnection(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler)
}

// discardWriter lets a handler perform a request whose answer is lost.
type discardWriter struct{ header http.Header }

func (d discardWriter) Header() http.Header         { return d.header }
func (d discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (d discardWriter) WriteHeader(int)             {}

// take pops a fault for method and path. Callers hold f.mu.
func (f *Front) take(method, path string) (Fault, bool) {
	for i := range f.faults {
		fault := &f.faults[i]
		if fault.Count > 0 && (fault.Path == "" || fault.Path == path) && (fault.Method == "" || fault.Method == method) {
			fault.Count--
			out := *fault
			if fault.Count == 0 {
				f.faults = append(f.faults[:i], f.faults[i+1:]...)
			}
			return out, true
		}
	}
	return Fault{}, false
}

// ErrorLog is the log a fake's http.Server writes its errors to: stderr,
// without the TLS handshake errors of connections a client's pool was
// still dialling when the fake closed, which say nothing about a test and
// break the lines of a benchmark's output.
func ErrorLog() *log.Logger {
	return log.New(dropHandshakeErrors{os.Stderr}, "", log.LstdFlags)
}

type dropHandshakeErrors struct{ w io.Writer }

func (d dropHandshakeErrors) Write(p []byte) (int, error) {
	if bytes.Contains(p, []byte("TLS handshake error")) {
		return len(p), nil
	}
	return d.w.Write(p)
}

// Package fakeserver holds what every in-memory vendor fake shares: a
// request log, injected faults (a status with Retry-After, or a dropped
// connection) and added latency, applied in front of the fake's handler.
package fakeserver

import (
	"bytes"
	"io"
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Fault makes the next Count requests matching Path (any path when empty)
// fail: with Status (and Retry-After when set), by closing the connection
// without an answer when Drop is set, or, when LoseAnswer is set, by
// performing the request and then closing the connection before any of
// the answer is sent, so the client cannot tell whether it took effect.
type Fault struct {
	Path       string
	Method     string // any method when empty
	Count      int
	Status     int
	RetryAfter time.Duration
	Drop       bool
	LoseAnswer bool
}

// Request is one request a fake received.
type Request struct {
	Method string
	Path   string
	Query  string
	Header http.Header
	Body   []byte
}

// Front records requests and applies faults and latency. Its zero value is
// ready to use; it is safe for concurrent use.
type Front struct {
	mu      sync.Mutex
	faults  []Fault
	latency time.Duration
	log     []Request
}

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

// Requests returns the requests received so far.
func (f *Front) Requests() []Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Request(nil), f.log...)
}

// Count returns how many requests had method and path.
func (f *Front) Count(method, path string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, r := range f.log {
		if r.Method == method && r.Path == path {
			n++
		}
	}
	return n
}

// ResetLog forgets the requests received so far.
func (f *Front) ResetLog() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.log = nil
}

// Wrap returns next behind the front. writeError writes a fault's status in
// the vendor's error format.
func (f *Front) Wrap(next http.Handler, writeError func(w http.ResponseWriter, status int)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		f.mu.Lock()
		f.log = append(f.log, Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Header: r.Header.Clone(), Body: body})
		latency := f.latency
		fault, faulted := f.take(r.Method, r.URL.Path)
		f.mu.Unlock()
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

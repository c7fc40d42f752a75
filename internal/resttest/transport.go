package resttest

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
)

// RoundTripFunc is an http.RoundTripper made of a function.
type RoundTripFunc func(*http.Request) (*http.Response, error)

// RoundTrip calls f.
func (f RoundTripFunc) RoundTrip(req *http.Request) (*http.Response, error) { return f(req) }

// NoRequests is a transport that fails the test if anything is sent: for
// checks that bad input is refused before any request.
func NoRequests(t testing.TB) http.RoundTripper {
	return RoundTripFunc(func(req *http.Request) (*http.Response, error) {
		t.Errorf("unexpected request %s %s", req.Method, req.URL)
		return nil, errors.New("no requests expected")
	})
}

// Answer is one canned response: a status, a JSON body and headers.
type Answer struct {
	Status int
	Body   string
	Header map[string]string
}

// Answers is a transport that answers successive requests with answers, in
// order, and fails the test on a request more.
func Answers(t testing.TB, answers ...Answer) http.RoundTripper {
	var mu sync.Mutex
	return RoundTripFunc(func(req *http.Request) (*http.Response, error) {
		mu.Lock()
		defer mu.Unlock()
		if len(answers) == 0 {
			t.Errorf("unexpected request %s %s", req.Method, req.URL)
			return nil, errors.New("no more answers")
		}
		a := answers[0]
		answers = answers[1:]
		h := http.Header{"Content-Type": {"application/json"}}
		for k, v := range a.Header {
			h.Set(k, v)
		}
		return &http.Response{StatusCode: a.Status, Status: http.StatusText(a.Status), Header: h, Request: req,
			Body: io.NopCloser(strings.NewReader(a.Body)), ContentLength: int64(len(a.Body))}, nil
	})
}

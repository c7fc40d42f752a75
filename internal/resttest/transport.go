package resttest

import (
	"errors"
	"net/http"
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

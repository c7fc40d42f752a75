package rest

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/internal/auth"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"
)

// failingSource fails every fetch with err and counts the fetches.
type failingSource struct {
	err     error
	fetches atomic.Int32
}

func (s *failingSource) TokenContext(context.Context) (*oauth2.Token, error) {
	s.fetches.Add(1)
	return nil, s.err
}
func (s *failingSource) Current() *oauth2.Token   { return nil }
func (s *failingSource) Invalidate(*oauth2.Token) {}

// vendorErr stands for a vendor's typed error behind a failed token fetch.
type vendorErr struct{}

func (vendorErr) Error() string { return "vendor refused" }

// A request whose token could not be obtained was not sent: it is not
// resent on top of the token request's own retries, and it is never of
// unknown outcome, even when the token request's own outcome was.
func TestTokenFailureIsNotSentAndNotRetried(t *testing.T) {
	base, _ := url.Parse("https://api.example.com/")
	tokenOutcomeUnknown := &RequestError{Method: "POST", URL: "https://api.example.com/oauth/token",
		Class: access.ErrOutcomeUnknown, Err: errors.Join(syscall.ECONNRESET, vendorErr{})}

	for _, tc := range []struct {
		name string
		err  error
		is   []error
		not  []error
	}{
		{"token request of unknown outcome", tokenOutcomeUnknown,
			[]error{access.ErrUnavailable}, []error{access.ErrOutcomeUnknown}},
		{"dial failure", &RequestError{Class: access.ErrUnavailable, Err: syscall.ECONNREFUSED},
			[]error{access.ErrUnavailable}, []error{access.ErrOutcomeUnknown}},
		{"refused credentials", access.ErrUnauthorized,
			[]error{access.ErrUnauthorized}, []error{access.ErrOutcomeUnknown, access.ErrUnavailable}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			network := &fakeTransport{respond: func(int, *http.Request) (*http.Response, error) {
				return response(200, jsonHeader(), `{}`), nil
			}}
			src := &failingSource{err: tc.err}
			c := New(Config{BaseURL: base, Transport: &auth.Transport{Base: network, Source: src},
				Policy: Policy{MaxRetries: 3, MinWait: time.Millisecond, MaxWait: time.Millisecond}})

			for _, call := range []*Call{Post("grants"), Get("grants")} {
				src.fetches.Store(0)
				_, err := c.Do(context.Background(), call, nil)
				require.Error(t, err)
				assert.Equal(t, int32(1), src.fetches.Load(), "%s: one fetch, not one per retry", call.Method)
				for _, want := range tc.is {
					assert.ErrorIs(t, err, want, call.Method)
				}
				for _, not := range tc.not {
					assert.NotErrorIs(t, err, not, call.Method)
				}
			}
			assert.Zero(t, network.calls(), "nothing reached the vendor")
		})
	}

	t.Run("the vendor's error stays reachable", func(t *testing.T) {
		src := &failingSource{err: tokenOutcomeUnknown}
		c := New(Config{BaseURL: base, Transport: &auth.Transport{Base: failing(syscall.ECONNRESET), Source: src}})
		_, err := c.Do(context.Background(), Post("grants"), nil)
		var ve vendorErr
		assert.ErrorAs(t, err, &ve)
		var te *auth.TokenError
		assert.ErrorAs(t, err, &te)
	})
}

package rest

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/doorkit/doorkit/access"
)

// bearer adds Authorization to every attempt, as the auth transport does.
type bearer struct{ base http.RoundTripper }

func (b bearer) RoundTrip(req *http.Request) (*http.Response, error) {
	out := req.Clone(req.Context())
	out.Header.Set("Authorization", "Bearer SECRET-TOKEN")
	return b.base.RoundTrip(out)
}

// recorder is an httptest handler that records what reached it.
type recorder struct {
	mu     sync.Mutex
	hits   []recorded
	answer func(w http.ResponseWriter, r *http.Request)
}

type recorded struct {
	Method, Path, Auth, Body string
}

func (rec *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rec.mu.Lock()
	rec.hits = append(rec.hits, recorded{r.Method, r.URL.Path, r.Header.Get("Authorization"), string(body)})
	rec.mu.Unlock()
	if rec.answer != nil {
		rec.answer(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = io.WriteString(w, `{"id":"stolen","name":"other"}`)
}

func (rec *recorder) got() []recorded {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return append([]recorded(nil), rec.hits...)
}

func newServerClient(t *testing.T, base string, rt http.RoundTripper) *Client {
	t.Helper()
	u, err := url.Parse(base)
	require.NoError(t, err)
	return New(Config{BaseURL: u, Transport: bearer{rt}, Policy: Policy{}, DecodeError: decodeTestError})
}

// redirector answers every request with status to target+path.
func redirector(status int, target string) *recorder {
	return &recorder{answer: func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target+r.URL.Path+"?token=ONE-TIME", status)
	}}
}

func TestRedirectToAnotherOriginIsRefused(t *testing.T) {
	other := &recorder{}
	otherSrv := httptest.NewServer(other)
	defer otherSrv.Close()
	otherURL, _ := url.Parse(otherSrv.URL)

	tests := []struct {
		name   string
		target string // where the base server redirects to
		tls    bool
	}{
		{"another port", otherSrv.URL, false},
		{"another host", "http://localhost:" + otherURL.Port(), false},
		{"to http", otherSrv.URL, true},
	}
	for _, tt := range tests {
		for _, status := range []int{http.StatusFound, http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
			for _, method := range []string{http.MethodGet, http.MethodPut, http.MethodPost} {
				t.Run(tt.name+"/"+http.StatusText(status)+"/"+method, func(t *testing.T) {
					other.mu.Lock()
					other.hits = nil
					other.mu.Unlock()
					start := httptest.NewServer
					if tt.tls {
						start = httptest.NewTLSServer
					}
					srv := start(redirector(status, tt.target))
					defer srv.Close()
					c := newServerClient(t, srv.URL+"/v1/", srv.Client().Transport)

					var out beacon
					resp, err := c.Do(context.Background(),
						NewCall(method, "beacons/%v", "b1").WithBody(map[string]string{"password": "SECRET-PW"}), &out)
					require.Error(t, err)
					assert.Empty(t, other.got(), "nothing reaches the other origin: no token, no body")
					assert.Equal(t, beacon{}, out)
					require.NotNil(t, resp)
					assert.Equal(t, status, resp.StatusCode)

					var rerr *RedirectError
					require.True(t, errors.As(err, &rerr), "%v", err)
					if method == http.MethodPost {
						assert.ErrorIs(t, err, access.ErrOutcomeUnknown)
					} else {
						assert.Contains(t, err.Error(), "another origin")
						assert.ErrorIs(t, err, access.ErrUnavailable)
						assert.NotErrorIs(t, err, access.ErrOutcomeUnknown)
					}
					assert.NotContains(t, err.Error(), "ONE-TIME", "the location's query is redacted")
				})
			}
		}
	}
}

func TestRedirectOfNonIdempotentCallIsNotFollowed(t *testing.T) {
	for _, status := range []int{http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther, http.StatusTemporaryRedirect} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			rec := &recorder{}
			rec.answer = func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/v1/grants" {
					http.Redirect(w, r, "/v1/elsewhere", status)
					return
				}
				_, _ = io.WriteString(w, `{"id":"g1"}`)
			}
			srv := httptest.NewServer(rec)
			defer srv.Close()
			c := newServerClient(t, srv.URL+"/v1/", srv.Client().Transport)

			var out beacon
			_, err := c.Do(context.Background(), Post("grants").WithBody(map[string]string{"name": "visitor"}), &out)
			require.Error(t, err, "a redirected create is not a success")
			assert.ErrorIs(t, err, access.ErrOutcomeUnknown)
			assert.Contains(t, err.Error(), "redirected")
			assert.Equal(t, []recorded{{"POST", "/v1/grants", "Bearer SECRET-TOKEN", `{"name":"visitor"}`}}, rec.got(),
				"the POST is not turned into a GET")

			// A GET marked Once (it spends a one-time token) is not followed either.
			_, err = c.Do(context.Background(), Get("grants").Once(), nil)
			assert.ErrorIs(t, err, access.ErrOutcomeUnknown)
			assert.Len(t, rec.got(), 2)
		})
	}
}

func TestSameOriginRedirectOfIdempotentCallIsFollowed(t *testing.T) {
	rec := &recorder{}
	rec.answer = func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/v1/old":
			http.Redirect(w, r, "/v1/new", http.StatusTemporaryRedirect)
		case "/v1/loop":
			http.Redirect(w, r, "/v1/loop", http.StatusFound)
		default:
			_, _ = io.WriteString(w, `{"id":"b1"}`)
		}
	}
	srv := httptest.NewServer(rec)
	defer srv.Close()
	c := newServerClient(t, srv.URL+"/v1/", srv.Client().Transport)

	var out beacon
	_, err := c.Do(context.Background(), Put("old").WithBody(map[string]string{"name": "n"}), &out)
	require.NoError(t, err)
	assert.Equal(t, "b1", out.ID)
	got := rec.got()
	require.Len(t, got, 2)
	assert.Equal(t, recorded{"PUT", "/v1/new", "Bearer SECRET-TOKEN", `{"name":"n"}`}, got[1], "307 keeps method and body")

	_, err = c.Do(context.Background(), Get("loop"), nil)
	var rerr *RedirectError
	require.True(t, errors.As(err, &rerr), "%v", err)
	assert.Contains(t, rerr.Reason, "redirects")
	assert.Len(t, rec.got(), 2+1+maxRedirects)
}

func TestRedirectGuardAppliesToCallersTransport(t *testing.T) {
	// The caller's http.Client would follow anything; only its transport is used.
	other := &recorder{}
	otherSrv := httptest.NewServer(other)
	defer otherSrv.Close()
	srv := httptest.NewServer(redirector(http.StatusFound, otherSrv.URL))
	defer srv.Close()
	caller := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return nil }}
	c := newServerClient(t, srv.URL, caller.Transport)
	if caller.Transport == nil {
		c = newServerClient(t, srv.URL, http.DefaultTransport)
	}
	_, err := c.Do(context.Background(), Get("x"), nil)
	require.Error(t, err)
	assert.Empty(t, other.got())
	assert.True(t, strings.Contains(err.Error(), "credentials go only to"), err.Error())
}

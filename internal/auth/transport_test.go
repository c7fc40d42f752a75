package auth

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/doorkit/doorkit/internal/rest"
)

type sent struct {
	Auth   string
	Body   []byte
	Header http.Header
}

// base is the transport under the auth transport: it records each attempt
// and answers through respond.
type base struct {
	respond func(n int, req *http.Request) *http.Response

	mu   sync.Mutex
	sent []sent
}

func (b *base) RoundTrip(req *http.Request) (*http.Response, error) {
	s := sent{Auth: req.Header.Get("Authorization"), Header: req.Header.Clone()}
	if req.Body != nil {
		s.Body, _ = io.ReadAll(req.Body)
		_ = req.Body.Close()
	}
	b.mu.Lock()
	b.sent = append(b.sent, s)
	n := len(b.sent)
	b.mu.Unlock()
	resp := b.respond(n, req)
	resp.Request = req
	return resp, nil
}

func (b *base) attempts() []sent {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]sent(nil), b.sent...)
}

func answer(status int, body string) *http.Response {
	return &http.Response{
		StatusCode: status,
		Status:     http.StatusText(status),
		Header:     make(http.Header),
		Body:       io.NopCloser(strings.NewReader(body)),
	}
}

// acceptOnly answers 200 to "Bearer <good>" and 401 to anything else.
func acceptOnly(good string) *base {
	return &base{respond: func(_ int, req *http.Request) *http.Response {
		if req.Header.Get("Authorization") == "Bearer "+good {
			return answer(200, `{"ok":true}`)
		}
		return answer(401, `{"error":"invalid_token"}`)
	}}
}

func postRequest(t *testing.T, body string) *http.Request {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, "https://api.example.test/v1/grants", bytes.NewReader([]byte(body)))
	require.NoError(t, err)
	require.NotNil(t, req.GetBody)
	req.Header.Set("Content-Type", "application/json")
	return req
}

func TestTransportSetsBearer(t *testing.T) {
	var c counter
	b := acceptOnly("tok-1")
	tr := &Transport{Base: b, Source: NewSource(c.fetch, 0, nil)}
	req, err := http.NewRequest(http.MethodGet, "https://api.example.test/v1/doors", nil)
	require.NoError(t, err)
	req.Header.Set("X-Keep", "yes")

	resp, err := tr.RoundTrip(req)
	require.NoError(t, err)
	assert.Equal(t, 200, resp.StatusCode)
	got := b.attempts()
	require.Len(t, got, 1)
	assert.Equal(t, "Bearer tok-1", got[0].Auth)
	assert.Equal(t, "yes", got[0].Header.Get("X-Keep"))
	assert.Empty(t, req.Header.Get("Authorization"), "the caller's request is not modified")

	_, err = tr.RoundTrip(req)
	require.NoError(t, err)
	assert.Equal(t, int32(1), c.calls.Load(), "the token is reused")
}

// A layer under the auth transport that adds to the headers it is given
// (Header.Add appends) changes neither the caller's request nor the next
// request's header, though header values are shared with both.
func TestTransportHeaderIsTheAttemptsOwn(t *testing.T) {
	var c counter
	b := &base{respond: func(_ int, req *http.Request) *http.Response {
		req.Header.Add("Authorization", "mutated")
		req.Header.Add("X-Keep", "mutated")
		return answer(200, `{}`)
	}}
	tr := &Transport{Base: b, Source: NewSource(c.fetch, 0, nil)}
	req, err := http.NewRequest(http.MethodGet, "https://api.example.test/v1/doors", nil)
	require.NoError(t, err)
	req.Header["X-Keep"] = append(make([]string, 0, 4), "yes") // room to append in place
	for range 3 {
		_, err := tr.RoundTrip(req)
		require.NoError(t, err)
	}
	for _, s := range b.attempts() {
		assert.Equal(t, []string{"Bearer tok-1"}, s.Header.Values("Authorization"))
		assert.Equal(t, []string{"yes"}, s.Header.Values("X-Keep"))
	}
	assert.Equal(t, []string{"yes"}, req.Header.Values("X-Keep"), "the caller's request is not modified")
	assert.Empty(t, req.Header["X-Keep"][:2][1], "nothing written into the caller's array past its length")
	assert.Empty(t, req.Header.Get("Authorization"))
}

func TestTransportRefreshesOnceOn401AndResendsBody(t *testing.T) {
	const body = `{"doorIds":["d1"],"holder":"a@b.c"}`
	var c counter
	b := acceptOnly("tok-2")
	src := NewSource(c.fetch, 0, nil)
	tr := &Transport{Base: b, Source: src}

	resp, err := tr.RoundTrip(postRequest(t, body))
	require.NoError(t, err)
	assert.Equal(t, 200, resp.StatusCode)
	got, _ := io.ReadAll(resp.Body)
	assert.JSONEq(t, `{"ok":true}`, string(got))

	assert.Equal(t, int32(2), c.calls.Load(), "one fetch, one refresh")
	attempts := b.attempts()
	require.Len(t, attempts, 2)
	assert.Equal(t, "Bearer tok-1", attempts[0].Auth)
	assert.Equal(t, "Bearer tok-2", attempts[1].Auth)
	assert.Equal(t, body, string(attempts[0].Body))
	assert.Equal(t, body, string(attempts[1].Body), "the same body is resent")
	assert.Equal(t, "application/json", attempts[1].Header.Get("Content-Type"))
	assert.Equal(t, "tok-2", src.Current().AccessToken)
}

func TestTransportSecond401IsReturned(t *testing.T) {
	var c counter
	b := acceptOnly("never")
	tr := &Transport{Base: b, Source: NewSource(c.fetch, 0, nil)}
	resp, err := tr.RoundTrip(postRequest(t, `{"a":1}`))
	require.NoError(t, err, "a 401 is an answer, not a transport error")
	require.NotNil(t, resp)
	assert.Equal(t, 401, resp.StatusCode)
	got, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	assert.JSONEq(t, `{"error":"invalid_token"}`, string(got), "the second 401 is readable")
	assert.Len(t, b.attempts(), 2, "refreshed once, not in a loop")
	assert.Equal(t, int32(2), c.calls.Load())
}

func TestTransportTokenErrorClosesBody(t *testing.T) {
	boom := errors.New("login failed")
	b := acceptOnly("x")
	tr := &Transport{Base: b, Source: NewSource(func(context.Context, *oauth2.Token) (*oauth2.Token, error) {
		return nil, boom
	}, 0, nil)}
	body := &closeTracker{Reader: strings.NewReader(`{"a":1}`)}
	req, err := http.NewRequest(http.MethodPost, "https://api.example.test/v1/grants", body)
	require.NoError(t, err)

	resp, err := tr.RoundTrip(req)
	assert.Nil(t, resp)
	assert.ErrorIs(t, err, boom)
	assert.True(t, body.closed.Load(), "RoundTrip closes the body even on error")
	assert.Empty(t, b.attempts(), "nothing is sent without a token")
}

func TestTransportRefreshErrorAfter401(t *testing.T) {
	boom := errors.New("refresh token revoked")
	var calls atomic.Int32
	src := NewSource(func(context.Context, *oauth2.Token) (*oauth2.Token, error) {
		if calls.Add(1) == 1 {
			return token("t1"), nil
		}
		return nil, boom
	}, 0, nil)
	answerBody := &closeTracker{Reader: strings.NewReader("expired")}
	b := &base{respond: func(int, *http.Request) *http.Response {
		resp := answer(401, "")
		resp.Body = answerBody
		return resp
	}}
	tr := &Transport{Base: b, Source: src}
	resp, err := tr.RoundTrip(postRequest(t, `{}`))
	assert.Nil(t, resp)
	assert.ErrorIs(t, err, boom)
	assert.True(t, answerBody.closed.Load(), "the 401 answer is closed")
	assert.Len(t, b.attempts(), 1)
}

func TestTransportSameTokenAfterRefreshIsNotResent(t *testing.T) {
	var calls atomic.Int32
	src := NewSource(func(context.Context, *oauth2.Token) (*oauth2.Token, error) {
		calls.Add(1)
		return token("same"), nil // a server that hands the same token back
	}, 0, nil)
	b := acceptOnly("other")
	tr := &Transport{Base: b, Source: src}
	resp, err := tr.RoundTrip(postRequest(t, `{"a":1}`))
	require.NoError(t, err)
	assert.Equal(t, 401, resp.StatusCode)
	got, _ := io.ReadAll(resp.Body)
	assert.Equal(t, `{"error":"invalid_token"}`, string(got), "the 401 is returned unread")
	assert.Len(t, b.attempts(), 1, "not resent with the same token")
	assert.Equal(t, int32(2), calls.Load())
}

func TestTransportUnrewindableBodyIsNotResent(t *testing.T) {
	var c counter
	b := acceptOnly("tok-2")
	tr := &Transport{Base: b, Source: NewSource(c.fetch, 0, nil)}
	req, err := http.NewRequest(http.MethodPost, "https://api.example.test/v1/grants", io.NopCloser(strings.NewReader("stream")))
	require.NoError(t, err)
	require.Nil(t, req.GetBody)
	resp, err := tr.RoundTrip(req)
	require.NoError(t, err)
	assert.Equal(t, 401, resp.StatusCode)
	assert.Len(t, b.attempts(), 1)
	assert.Equal(t, int32(1), c.calls.Load(), "no refresh when the request cannot be resent")
}

func TestTransportBodylessRequestIsResent(t *testing.T) {
	for name, body := range map[string]io.Reader{"nil body": nil, "NoBody": http.NoBody} {
		t.Run(name, func(t *testing.T) {
			var c counter
			b := acceptOnly("tok-2")
			tr := &Transport{Base: b, Source: NewSource(c.fetch, 0, nil)}
			req, err := http.NewRequest(http.MethodDelete, "https://api.example.test/v1/grants/g1", body)
			require.NoError(t, err)
			req.GetBody = nil
			resp, err := tr.RoundTrip(req)
			require.NoError(t, err)
			assert.Equal(t, 200, resp.StatusCode)
			assert.Len(t, b.attempts(), 2)
		})
	}
}

func TestTransportCustomApply(t *testing.T) {
	var c counter
	b := &base{respond: func(_ int, req *http.Request) *http.Response {
		if req.Header.Get("X-Access-Token") == "tok-2" {
			return answer(200, "ok")
		}
		return answer(401, "no")
	}}
	tr := &Transport{
		Base:   b,
		Source: NewSource(c.fetch, 0, nil),
		Apply:  func(req *http.Request, tok *oauth2.Token) { req.Header.Set("X-Access-Token", tok.AccessToken) },
	}
	resp, err := tr.RoundTrip(postRequest(t, `{"x":1}`))
	require.NoError(t, err)
	assert.Equal(t, 200, resp.StatusCode)
	attempts := b.attempts()
	require.Len(t, attempts, 2)
	for _, a := range attempts {
		assert.Empty(t, a.Auth, "Apply replaces the Bearer header")
		assert.Equal(t, `{"x":1}`, string(a.Body))
	}
	assert.Equal(t, "tok-1", attempts[0].Header.Get("X-Access-Token"))
	assert.Equal(t, "tok-2", attempts[1].Header.Get("X-Access-Token"))
}

func TestTransportConcurrent401sRefreshOnce(t *testing.T) {
	const n = 50
	var c counter
	src := NewSource(c.fetch, 0, nil)
	_, err := src.Token() // everyone starts with tok-1
	require.NoError(t, err)
	b := acceptOnly("tok-2")
	tr := &Transport{Base: b, Source: src}

	reqs := make([]*http.Request, n)
	for i := range reqs {
		reqs[i] = postRequest(t, `{}`)
	}
	var wg sync.WaitGroup
	var ok atomic.Int32
	for _, req := range reqs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := tr.RoundTrip(req)
			if err == nil && resp.StatusCode == 200 {
				ok.Add(1)
			}
		}()
	}
	wg.Wait()
	assert.Equal(t, int32(n), ok.Load())
	assert.Equal(t, int32(2), c.calls.Load(), "the stale token is refreshed once for all requests")
}

func TestTransportFetchOutlivesCallerContext(t *testing.T) {
	// The first caller gives up while the token is being fetched: it gets its
	// context's error at once, while the fetch runs on the source's own
	// context and the second caller still gets the token.
	started := make(chan struct{})
	release := make(chan struct{})
	var fetchCtxErr atomic.Value
	src := NewSource(func(ctx context.Context, _ *oauth2.Token) (*oauth2.Token, error) {
		close(started)
		<-release
		if err := ctx.Err(); err != nil {
			fetchCtxErr.Store(err)
		}
		return token("t"), nil
	}, time.Minute, nil)
	b := acceptOnly("t")
	tr := &Transport{Base: b, Source: src}

	ctx1, cancel1 := context.WithCancel(context.Background())
	req1, _ := http.NewRequestWithContext(ctx1, http.MethodGet, "https://api.example.test/v1/a", nil)
	req2, _ := http.NewRequest(http.MethodGet, "https://api.example.test/v1/b", nil)

	type result struct {
		resp *http.Response
		err  error
	}
	r1, r2 := make(chan result, 1), make(chan result, 1)
	go func() { resp, err := tr.RoundTrip(req1); r1 <- result{resp, err} }()
	<-started
	go func() { resp, err := tr.RoundTrip(req2); r2 <- result{resp, err} }()
	waitForWaiters(t, 2)
	cancel1()

	select {
	case r := <-r1:
		assert.ErrorIs(t, r.err, context.Canceled, "the cancelled caller returns while the fetch still runs")
		assert.Nil(t, r.resp)
	case <-time.After(10 * time.Second):
		t.Fatal("the cancelled RoundTrip did not return")
	}
	assert.Empty(t, b.attempts(), "nothing was sent yet")
	close(release)

	select {
	case r := <-r2:
		require.NoError(t, r.err)
		assert.Equal(t, 200, r.resp.StatusCode)
	case <-time.After(10 * time.Second):
		t.Fatal("RoundTrip did not return")
	}
	assert.Nil(t, fetchCtxErr.Load(), "cancelling a caller's request did not cancel the fetch")
	assert.Len(t, b.attempts(), 1, "only the second request went out")
}

func TestTransportWithoutRefresh(t *testing.T) {
	var c counter
	b := acceptOnly("tok-2")
	src := NewSource(c.fetch, 0, nil)
	tr := &Transport{Base: b, Source: src}
	ping := func(ctx context.Context) (*http.Response, error) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "https://api.example.test/v1/ping", nil)
		return tr.RoundTrip(req)
	}

	_, err := ping(WithoutRefresh(context.Background()))
	assert.ErrorIs(t, err, ErrNoToken, "no token is fetched for it")
	assert.Zero(t, c.calls.Load())

	t1, err := src.Token()
	require.NoError(t, err)
	resp, err := ping(WithoutRefresh(context.Background()))
	require.NoError(t, err)
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode, "the rejection is returned, not repaired")
	assert.Equal(t, int32(1), c.calls.Load(), "no refresh")
	require.Len(t, b.attempts(), 1)
	assert.Equal(t, "Bearer "+t1.AccessToken, b.attempts()[0].Auth)

	resp, err = ping(context.Background())
	require.NoError(t, err)
	assert.Equal(t, 200, resp.StatusCode)
	assert.Len(t, b.attempts(), 2, "the rejected token was invalidated: the next request renews it first")
	assert.Equal(t, int32(2), c.calls.Load())
}

type closeTracker struct {
	io.Reader
	closed atomic.Bool
}

func (c *closeTracker) Close() error {
	c.closed.Store(true)
	return nil
}

// rest's Do builds its requests for itself, so the token goes on them in
// place; a request a caller holds (rest's NewRequest, then Send) keeps no
// token after it was sent.
func TestTransportLeavesTheCallersRequestAlone(t *testing.T) {
	var c counter
	b := acceptOnly("tok-1")
	u, err := url.Parse("https://api.example.test/")
	require.NoError(t, err)
	api := rest.New(rest.Config{BaseURL: u, Transport: &Transport{Base: b, Source: NewSource(c.fetch, 0, nil)}})
	ctx := context.Background()

	_, err = api.Do(ctx, rest.Get("v1/doors"), nil)
	require.NoError(t, err)
	req, err := api.NewRequest(ctx, rest.Get("v1/doors"))
	require.NoError(t, err)
	_, err = api.Send(req, nil)
	require.NoError(t, err)
	got := b.attempts()
	require.Len(t, got, 2)
	for _, s := range got {
		assert.Equal(t, "Bearer tok-1", s.Auth)
	}
	assert.Empty(t, req.Header.Values("Authorization"), "the caller's request carries no token")
}

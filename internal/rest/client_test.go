package rest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/doorkit/doorkit/access"
)

type beacon struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// countingBody counts how often it is marshalled.
type countingBody struct {
	calls *atomic.Int32
	Name  string
}

func (b countingBody) MarshalJSON() ([]byte, error) {
	b.calls.Add(1)
	return json.Marshal(map[string]any{"name": b.Name, "n": 1})
}

func TestDoDecodesSuccess(t *testing.T) {
	rt := always(200, jsonHeader(), `{"id":"b1","name":"Front"}`)
	c := newTestClient(rt, fastPolicy)

	var out beacon
	resp, err := c.Do(context.Background(), Get("api/mobile/beacon/%v", "b1"), &out)
	require.NoError(t, err)
	require.NotNil(t, resp)
	assert.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, beacon{ID: "b1", Name: "Front"}, out)

	require.Equal(t, 1, rt.calls())
	a := rt.attempt(0)
	assert.Equal(t, http.MethodGet, a.Method)
	assert.Equal(t, testBase+"api/mobile/beacon/b1", a.URL.String())
	assert.False(t, a.HadBody)
}

func TestDoDecodesIntoPointerSliceAndMap(t *testing.T) {
	c := newTestClient(always(200, jsonHeader(), `[{"id":"a"},{"id":"b"}]`), fastPolicy)
	var list []beacon
	_, err := c.Do(context.Background(), Get("beacons"), &list)
	require.NoError(t, err)
	assert.Equal(t, []beacon{{ID: "a"}, {ID: "b"}}, list)

	c = newTestClient(always(200, jsonHeader(), `{"id":"a"}`), fastPolicy)
	var ptr *beacon
	_, err = c.Do(context.Background(), Get("beacon"), &ptr)
	require.NoError(t, err)
	require.NotNil(t, ptr)
	assert.Equal(t, "a", ptr.ID)

	c = newTestClient(always(200, jsonHeader(), "  {\"k\":1}\n\n"), fastPolicy)
	var m map[string]int
	_, err = c.Do(context.Background(), Get("map"), &m)
	require.NoError(t, err, "surrounding whitespace is fine")
	assert.Equal(t, map[string]int{"k": 1}, m)
}

func TestDoNilOutDiscardsBody(t *testing.T) {
	c := newTestClient(always(200, jsonHeader(), `not even json`), fastPolicy)
	resp, err := c.Do(context.Background(), Post("doors/%v/open", "d1"), nil)
	require.NoError(t, err)
	assert.Equal(t, 200, resp.StatusCode)
}

func TestDoMalformedSuccessBodies(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		isEmpty bool
	}{
		{"malformed", `{"id":`, false},
		{"html", `<html>proxy error</html>`, false},
		{"wrong type", `{"id":5}`, false},
		{"null", `null`, true},
		{"null with spaces", " \n null \n", true},
		{"empty", ``, true},
		{"whitespace only", " \n\t", true},
		{"trailing value", `{"id":"a"} {"id":"b"}`, false},
		{"trailing garbage", `{"id":"a"}x`, false},
		{"trailing brace", `{"id":"a"}}`, false},
	}
	outs := map[string]func() any{
		"struct":           func() any { return new(beacon) },
		"pointer":          func() any { return new(*beacon) },
		"slice":            func() any { return new([]beacon) },
		"map":              func() any { return new(map[string]any) },
		"interface":        func() any { return new(any) },
		"pointer to slice": func() any { return new(*[]beacon) },
	}
	for _, tt := range tests {
		for outName, newOut := range outs {
			if tt.name == "wrong type" && outName != "struct" && outName != "pointer" {
				continue // only meaningful for the struct shape
			}
			t.Run(tt.name+"/"+outName, func(t *testing.T) {
				rt := always(200, jsonHeader(), tt.body)
				c := newTestClient(rt, fastPolicy)
				resp, err := c.Do(context.Background(), Get("api/mobile/beacon/%v", "b1"), newOut())
				require.Error(t, err)
				require.NotNil(t, resp, "the response is returned with the decode error")
				assert.Equal(t, 200, resp.StatusCode)
				assert.Contains(t, err.Error(), "api/mobile/beacon/b1")
				if tt.isEmpty {
					assert.ErrorIs(t, err, ErrEmptyBody)
				} else {
					assert.NotErrorIs(t, err, ErrEmptyBody)
				}
				assert.Equal(t, 1, rt.calls(), "a bad 2xx body is not retried")
			})
		}
	}
}

func TestDoSendsJSONBodyOnceMarshalledAndResendsIt(t *testing.T) {
	var marshals atomic.Int32
	rt := &fakeTransport{respond: func(n int, _ *http.Request) (*http.Response, error) {
		if n < 3 {
			return response(503, nil, "busy"), nil
		}
		return response(200, jsonHeader(), `{"id":"ok"}`), nil
	}}
	c := newTestClient(rt, fastPolicy)
	var out beacon
	_, err := c.Do(context.Background(), Put("doors/%v", "d1").WithBody(countingBody{calls: &marshals, Name: "Front"}), &out)
	require.NoError(t, err)
	assert.Equal(t, "ok", out.ID)

	assert.Equal(t, int32(1), marshals.Load(), "the body is marshalled once for all attempts")
	require.Equal(t, 3, rt.calls())
	first := rt.attempt(0)
	assert.JSONEq(t, `{"name":"Front","n":1}`, string(first.Body))
	for i := range 3 {
		a := rt.attempt(i)
		assert.Equal(t, first.Body, a.Body, "attempt %d body", i+1)
		assert.Equal(t, int64(len(first.Body)), a.ContentLength, "attempt %d length", i+1)
		assert.Equal(t, "application/json", a.Header.Get("Content-Type"))
	}
}

func TestDoSendsRawBodies(t *testing.T) {
	for name, body := range map[string]any{
		"bytes":       []byte(`{"raw":true}`),
		"raw message": json.RawMessage(`{"raw":true}`),
	} {
		t.Run(name, func(t *testing.T) {
			rt := always(204, nil, "")
			c := newTestClient(rt, fastPolicy)
			_, err := c.Do(context.Background(), Post("raw").WithBody(body), nil)
			require.NoError(t, err)
			a := rt.attempt(0)
			assert.Equal(t, `{"raw":true}`, string(a.Body), "sent as is, not marshalled as base64 or re-encoded")
			assert.Equal(t, "application/json", a.Header.Get("Content-Type"))
		})
	}
}

func TestDoBodyMarshalError(t *testing.T) {
	rt := always(200, nil, "{}")
	c := newTestClient(rt, fastPolicy)
	resp, err := c.Do(context.Background(), Post("x").WithBody(map[string]any{"ch": make(chan int)}), nil)
	require.Error(t, err)
	assert.Nil(t, resp)
	assert.Contains(t, err.Error(), "encode POST x body")
	assert.Zero(t, rt.calls())
}

func TestDoQuery(t *testing.T) {
	type listOptions struct {
		Page   int      `url:"page"`
		Name   string   `url:"name,omitempty"`
		Sites  []string `url:"site"`
		Hidden string   `url:"-"`
	}
	tests := []struct {
		name  string
		query any
		want  url.Values
		raw   string // exact RawQuery when not empty
	}{
		{"url.Values", url.Values{"b": {"2"}, "a": {"1 2"}}, url.Values{"a": {"1 2"}, "b": {"2"}}, "a=1+2&b=2"},
		{"struct", listOptions{Page: 2, Name: "front door", Sites: []string{"s1", "s2"}, Hidden: "x"},
			url.Values{"page": {"2"}, "name": {"front door"}, "site": {"s1", "s2"}}, ""},
		{"struct pointer omitempty", &listOptions{Page: 1}, url.Values{"page": {"1"}}, "page=1"},
		{"special characters", url.Values{"q": {"a&b=c#d"}}, url.Values{"q": {"a&b=c#d"}}, "q=a%26b%3Dc%23d"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rt := always(200, nil, "{}")
			c := newTestClient(rt, fastPolicy)
			_, err := c.Do(context.Background(), Get("doors").WithQuery(tt.query), nil)
			require.NoError(t, err)
			a := rt.attempt(0)
			assert.Equal(t, "/v1/doors", a.URL.Path)
			assert.Equal(t, tt.want, a.URL.Query())
			if tt.raw != "" {
				assert.Equal(t, tt.raw, a.URL.RawQuery)
			}
		})
	}

	t.Run("empty query adds no question mark", func(t *testing.T) {
		rt := always(200, nil, "{}")
		c := newTestClient(rt, fastPolicy)
		_, err := c.Do(context.Background(), Get("doors").WithQuery(url.Values{}), nil)
		require.NoError(t, err)
		assert.Equal(t, testBase+"doors", rt.attempt(0).URL.String())
	})

	t.Run("unsupported query type", func(t *testing.T) {
		rt := always(200, nil, "{}")
		c := newTestClient(rt, fastPolicy)
		_, err := c.Do(context.Background(), Get("doors").WithQuery(42), nil)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "encode query")
		assert.Zero(t, rt.calls())
	})
}

func TestDoQueryOverHTTP(t *testing.T) {
	type opts struct {
		From string `url:"from"`
		Tag  string `url:"tag"`
	}
	var got url.Values
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		got = r.URL.Query()
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"id":"x"}`)
	}))
	defer srv.Close()
	u, err := url.Parse(srv.URL + "/base")
	require.NoError(t, err)
	c := New(Config{BaseURL: u, Transport: srv.Client().Transport, Policy: fastPolicy})
	var out beacon
	_, err = c.Do(context.Background(), Get("items").WithQuery(opts{From: "2024-01-01T00:00:00+01:00", Tag: "a b&c"}), &out)
	require.NoError(t, err)
	assert.Equal(t, int32(1), calls.Load())
	assert.Equal(t, "2024-01-01T00:00:00+01:00", got.Get("from"), "a + in a value survives the round trip")
	assert.Equal(t, "a b&c", got.Get("tag"))
	assert.Equal(t, "x", out.ID)
}

func TestDoHeaders(t *testing.T) {
	u, err := url.Parse("https://api.example.test/v1") // no trailing slash
	require.NoError(t, err)
	cfgHeader := http.Header{"X-Api-Version": {"2"}, "X-Tenant": {"t1"}}
	rt := always(200, nil, "{}")
	c := New(Config{BaseURL: u, Transport: rt, Policy: fastPolicy, UserAgent: "doorkit/0.1", Header: cfgHeader})
	cfgHeader.Set("X-Api-Version", "changed after New")
	assert.Equal(t, "https://api.example.test/v1/", c.BaseURL())

	t.Run("GET without body", func(t *testing.T) {
		_, err := c.Do(context.Background(), Get("/doors"), nil)
		require.NoError(t, err)
		a := rt.attempt(rt.calls() - 1)
		assert.Equal(t, "https://api.example.test/v1/doors", a.URL.String(), "a leading slash stays under the base")
		assert.Equal(t, "application/json", a.Header.Get("Accept"))
		assert.Empty(t, a.Header.Get("Content-Type"), "no Content-Type without a body")
		assert.Equal(t, "doorkit/0.1", a.Header.Get("User-Agent"))
		assert.Equal(t, "2", a.Header.Get("X-Api-Version"), "the config header is copied by New")
		assert.Equal(t, "t1", a.Header.Get("X-Tenant"))
		assert.False(t, a.HadBody)
	})

	t.Run("POST with body and call header", func(t *testing.T) {
		call := Post("doors/%v/open", "d 1").
			WithBody(map[string]int{"duration": 5}).
			WithHeader("X-Request-Id", "r1").
			WithHeader("X-Request-Id", "r2").
			WithHeader("X-Tenant", "override")
		_, err := c.Do(context.Background(), call, nil)
		require.NoError(t, err)
		a := rt.attempt(rt.calls() - 1)
		assert.Equal(t, "/v1/doors/d 1/open", a.URL.Path)
		assert.Equal(t, "/v1/doors/d%201/open", a.URL.EscapedPath())
		assert.Equal(t, "application/json", a.Header.Get("Content-Type"))
		assert.Equal(t, "application/json", a.Header.Get("Accept"))
		assert.Equal(t, []string{"r1", "r2"}, a.Header.Values("X-Request-Id"))
		assert.Equal(t, []string{"override"}, a.Header.Values("X-Tenant"), "a call header replaces the client's")
		assert.JSONEq(t, `{"duration":5}`, string(a.Body))
	})

	t.Run("call header does not leak into later calls", func(t *testing.T) {
		_, err := c.Do(context.Background(), Get("doors"), nil)
		require.NoError(t, err)
		a := rt.attempt(rt.calls() - 1)
		assert.Empty(t, a.Header.Get("X-Request-Id"))
		assert.Equal(t, "t1", a.Header.Get("X-Tenant"))
	})
}

func TestDoNoUserAgentConfigured(t *testing.T) {
	rt := always(200, nil, "{}")
	u, _ := url.Parse(testBase)
	c := New(Config{BaseURL: u, Transport: rt})
	_, err := c.Do(context.Background(), Get("doors"), nil)
	require.NoError(t, err)
	assert.NotEqual(t, "doorkit-test/1.0", rt.attempt(0).Header.Get("User-Agent"))
}

func TestDoEmptyBody(t *testing.T) {
	t.Run("transport sees a zero-length body", func(t *testing.T) {
		rt := always(200, nil, "{}")
		c := newTestClient(rt, fastPolicy)
		_, err := c.Do(context.Background(), Post("doors/%v/open", "d1").EmptyBody(), nil)
		require.NoError(t, err)
		a := rt.attempt(0)
		assert.Zero(t, a.ContentLength)
		assert.Empty(t, a.Body)
		assert.Equal(t, "application/json", a.Header.Get("Content-Type"))
	})

	t.Run("server sees Content-Length: 0", func(t *testing.T) {
		type seen struct {
			header        string
			contentLength int64
			body          []byte
			chunked       bool
		}
		got := make(chan seen, 8)
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			got <- seen{r.Header.Get("Content-Length"), r.ContentLength, b, len(r.TransferEncoding) > 0}
			w.WriteHeader(http.StatusNoContent)
		}))
		defer srv.Close()
		u, _ := url.Parse(srv.URL)
		c := New(Config{BaseURL: u, Transport: srv.Client().Transport, Policy: fastPolicy})
		for _, method := range []string{http.MethodPost, http.MethodPut, http.MethodDelete} {
			_, err := c.Do(context.Background(), NewCall(method, "doors/%v", "d1").EmptyBody(), nil)
			require.NoError(t, err, method)
			s := <-got
			assert.Equal(t, "0", s.header, method)
			assert.Zero(t, s.contentLength, method)
			assert.Empty(t, s.body, method)
			assert.False(t, s.chunked, method)
		}
	})

	t.Run("retried attempts keep Content-Length: 0", func(t *testing.T) {
		var calls atomic.Int32
		lengths := make(chan string, 8)
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			lengths <- r.Header.Get("Content-Length")
			if calls.Add(1) == 1 {
				w.WriteHeader(http.StatusServiceUnavailable)
				return
			}
			w.WriteHeader(http.StatusNoContent)
		}))
		defer srv.Close()
		u, _ := url.Parse(srv.URL)
		c := New(Config{BaseURL: u, Transport: srv.Client().Transport, Policy: fastPolicy})
		_, err := c.Do(context.Background(), Delete("grants/%v", "g1").EmptyBody(), nil)
		require.NoError(t, err)
		require.Equal(t, int32(2), calls.Load())
		assert.Equal(t, "0", <-lengths)
		assert.Equal(t, "0", <-lengths)
	})

	t.Run("a real body wins", func(t *testing.T) {
		rt := always(200, nil, "{}")
		c := newTestClient(rt, fastPolicy)
		_, err := c.Do(context.Background(), Post("x").WithBody([]byte(`{}`)).EmptyBody(), nil)
		require.NoError(t, err)
		assert.Equal(t, "{}", string(rt.attempt(0).Body))
		assert.Equal(t, int64(2), rt.attempt(0).ContentLength)
	})
}

func TestDoErrorResponse(t *testing.T) {
	rt := always(404, http.Header{"Content-Type": {"application/json"}}, `{"message":"no such door"}`)
	c := newTestClient(rt, fastPolicy)
	var out beacon
	resp, err := c.Do(context.Background(), Get("doors/%v", "d9"), &out)
	require.Error(t, err)
	require.NotNil(t, resp)
	assert.Equal(t, 404, resp.StatusCode)
	var te *testError
	require.ErrorAs(t, err, &te)
	assert.Equal(t, 404, te.Status)
	assert.JSONEq(t, `{"message":"no such door"}`, string(te.Body))
	assert.Equal(t, beacon{}, out, "out is left alone on an error")
	assert.Equal(t, 1, rt.calls())
}

func TestDoErrorBodyIsBounded(t *testing.T) {
	big := strings.Repeat("x", MaxErrorBody+4096)
	rt := always(400, nil, big)
	c := newTestClient(rt, fastPolicy)
	_, err := c.Do(context.Background(), Get("doors"), nil)
	var te *testError
	require.ErrorAs(t, err, &te)
	assert.Len(t, te.Body, MaxErrorBody)
	assert.Equal(t, big[:MaxErrorBody], string(te.Body))
}

func TestDoDefaultErrorDecoder(t *testing.T) {
	rt := always(500, nil, "oops")
	u, _ := url.Parse(testBase)
	c := New(Config{BaseURL: u, Transport: rt, Policy: fastPolicy})
	resp, err := c.Do(context.Background(), Get("doors/%v", "d1"), nil)
	require.Error(t, err)
	require.NotNil(t, resp)
	assert.Equal(t, "GET /v1/doors/d1: 500 Internal Server Error", err.Error())
	assert.ErrorIs(t, err, access.ErrUnavailable)

	c = New(Config{BaseURL: u, Transport: always(404, nil, ""), Policy: fastPolicy})
	_, err = c.Do(context.Background(), Post("doors"), nil)
	assert.ErrorIs(t, err, access.ErrNotFound)
}

func TestDoCancelledContextSendsNothing(t *testing.T) {
	rt := always(200, nil, "{}")
	c := newTestClient(rt, fastPolicy)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	resp, err := c.Do(ctx, Get("doors"), nil)
	assert.Nil(t, resp)
	assert.ErrorIs(t, err, context.Canceled)
	assert.Zero(t, rt.calls())
}

func TestDoBadPathParamSendsNothing(t *testing.T) {
	rt := always(200, nil, "{}")
	c := newTestClient(rt, fastPolicy)
	resp, err := c.Do(context.Background(), Delete("grants/%v", "../doors"), nil)
	assert.Nil(t, resp)
	assert.ErrorIs(t, err, access.ErrInvalid)
	assert.Zero(t, rt.calls())
}

func TestDoRefusedCallSendsNothing(t *testing.T) {
	rt := always(200, nil, "{}")
	c := newTestClient(rt, fastPolicy)
	first := access.Invalid("version", "malformed")
	resp, err := c.Do(context.Background(), Get("doors").Refuse(first).Refuse(errors.New("second")), nil)
	assert.Nil(t, resp)
	assert.Same(t, first, err)
	assert.Zero(t, rt.calls())
}

func TestDoTransportErrorHasNoResponse(t *testing.T) {
	boom := errors.New("boom")
	rt := failing(boom)
	c := newTestClient(rt, fastPolicy)
	resp, err := c.Do(context.Background(), Get("doors"), nil)
	assert.Nil(t, resp)
	assert.ErrorIs(t, err, boom)
	assert.Equal(t, 1, rt.calls(), "an unknown error is not a connection error")
}

func TestNewRequestBuildsWithoutSending(t *testing.T) {
	rt := always(200, nil, "{}")
	c := newTestClient(rt, fastPolicy)
	req, err := c.NewRequest(context.Background(), Patch("grants/%v", "g1").WithBody(map[string]string{"label": "x"}))
	require.NoError(t, err)
	assert.Equal(t, http.MethodPatch, req.Method)
	assert.Equal(t, testBase+"grants/g1", req.URL.String())
	require.NotNil(t, req.GetBody)
	body, err := req.GetBody()
	require.NoError(t, err)
	b, _ := io.ReadAll(body)
	assert.JSONEq(t, `{"label":"x"}`, string(b))
	assert.Zero(t, rt.calls())

	_, err = c.NewRequest(context.Background(), Get("grants/%v", "a/b"))
	assert.ErrorIs(t, err, access.ErrInvalid)
}

func TestSendHTTPKeepsPolicy(t *testing.T) {
	for _, tt := range []struct {
		method string
		calls  int
	}{
		{http.MethodGet, 4},
		{http.MethodPost, 1},
	} {
		t.Run(tt.method, func(t *testing.T) {
			rt := always(503, nil, "busy")
			c := newTestClient(rt, fastPolicy)
			req, err := http.NewRequestWithContext(context.Background(), tt.method, testBase+"raw", bytes.NewReader([]byte(`{"a":1}`)))
			require.NoError(t, err)
			resp, err := c.SendHTTP(req, nil)
			require.NotNil(t, resp)
			var te *testError
			require.ErrorAs(t, err, &te)
			assert.Equal(t, 503, te.Status)
			assert.Equal(t, tt.calls, rt.calls())
			for i := range rt.calls() {
				assert.Equal(t, `{"a":1}`, string(rt.attempt(i).Body))
			}
		})
	}

	t.Run("NewRequest marks an idempotent POST", func(t *testing.T) {
		rt := always(503, nil, "busy")
		c := newTestClient(rt, fastPolicy)
		rr, err := c.NewRequest(context.Background(), Post("search").Idempotent())
		require.NoError(t, err)
		_, err = c.SendHTTP(rr.Request, nil)
		require.Error(t, err)
		assert.Equal(t, 4, rt.calls())
	})
}

func TestCallBuilders(t *testing.T) {
	for method, call := range map[string]*Call{
		http.MethodGet:    Get("a/%v", 1),
		http.MethodPost:   Post("a/%v", 1),
		http.MethodPut:    Put("a/%v", 1),
		http.MethodPatch:  Patch("a/%v", 1),
		http.MethodDelete: Delete("a/%v", 1),
	} {
		assert.Equal(t, method, call.Method)
		assert.Equal(t, "a/%v", call.Template)
		assert.Equal(t, []any{1}, call.Params)
		assert.Equal(t, IdempotentMethod(method), call.idempotent, method)
	}
	c := Post("x")
	assert.False(t, c.idempotent)
	assert.Same(t, c, c.Idempotent())
	assert.True(t, c.idempotent)
	assert.Same(t, c, c.EmptyBody())
	assert.True(t, c.bodyless)
}

func TestDrainAndClose(t *testing.T) {
	DrainAndClose(nil) // no panic
	b := &trackingBody{Reader: strings.NewReader("rest of body")}
	DrainAndClose(b)
	assert.True(t, b.closed)
	n, _ := b.Read(make([]byte, 1))
	assert.Zero(t, n, "drained")
}

type trackingBody struct {
	io.Reader
	closed bool
}

func (b *trackingBody) Close() error { b.closed = true; return nil }

// Result never hands back a value half decoded from a broken body.
func TestResultIsZeroOnError(t *testing.T) {
	type thing struct{ A, B int }
	c := newTestClient(always(200, jsonHeader(), `{"A": 1, "B": `), fastPolicy)
	got, resp, err := Result[thing](context.Background(), c, Get("things"))
	require.Error(t, err)
	assert.NotNil(t, resp)
	assert.Equal(t, thing{}, got)

	c = newTestClient(always(200, jsonHeader(), `{"A": 1, "B": 2}`), fastPolicy)
	got, _, err = Result[thing](context.Background(), c, Get("things"))
	require.NoError(t, err)
	assert.Equal(t, thing{A: 1, B: 2}, got)
}

func TestNewHTTPRequest(t *testing.T) {
	ft := always(200, jsonHeader(), `{}`)
	c := newTestClient(ft, fastPolicy)
	req, err := c.NewHTTPRequest(context.Background(), "POST", "things/7", map[string]int{"n": 1})
	require.NoError(t, err)
	assert.Equal(t, "https://api.example.test/v1/things/7", req.URL.String())
	_, err = c.SendHTTP(req, nil)
	require.NoError(t, err)
	assert.JSONEq(t, `{"n": 1}`, string(ft.attempt(0).Body))
	assert.Equal(t, "application/json", ft.attempt(0).Header.Get("Content-Type"))
}

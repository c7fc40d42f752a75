package fakeserver

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLoseAnswerPerformsThenDrops(t *testing.T) {
	var performed atomic.Int32
	var front Front
	srv := httptest.NewServer(front.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		performed.Add(1)
		w.WriteHeader(http.StatusCreated)
		_, _ = w.Write([]byte(`{"id":1}`))
	}), func(w http.ResponseWriter, status int) { w.WriteHeader(status) }))
	defer srv.Close()

	front.Inject(Fault{Method: http.MethodPost, Path: "/keys", Count: 1, LoseAnswer: true})

	// A GET to the same path does not match the fault's method.
	resp, err := http.Get(srv.URL + "/keys")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, int32(1), performed.Load())

	_, err = http.Post(srv.URL+"/keys", "application/json", strings.NewReader(`{}`))
	require.Error(t, err, "the answer is lost")
	assert.Equal(t, int32(2), performed.Load(), "but the request was performed")

	resp, err = http.Post(srv.URL+"/keys", "application/json", strings.NewReader(`{}`))
	require.NoError(t, err, "the fault is spent")
	resp.Body.Close()
	assert.Equal(t, http.StatusCreated, resp.StatusCode)
	assert.Equal(t, 3, front.Count(http.MethodPost, "/keys")+front.Count(http.MethodGet, "/keys"))
}

func TestDropAnswersNothing(t *testing.T) {
	var performed atomic.Int32
	var front Front
	srv := httptest.NewServer(front.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		performed.Add(1)
	}), func(w http.ResponseWriter, status int) { w.WriteHeader(status) }))
	defer srv.Close()
	front.Inject(Fault{Count: 1, Drop: true})
	_, err := http.Get(srv.URL + "/x")
	require.Error(t, err)
	assert.Equal(t, int32(0), performed.Load())
}

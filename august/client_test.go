package august

import (
	"context"
	"io"
	"net/http"
	"testing"

	"github.com/doorkit/doorkit/access"
	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The raw escape hatch sends its body with the API key, the access token
// and Accept-Version, decodes the answer, and keeps the token the answer
// rotates.
func TestNewRequestAndDo(t *testing.T) {
	mock := httpmock.NewMockTransport()
	var sent string
	mock.RegisterResponder("POST", testBase+"/undocumented/7", func(req *http.Request) (*http.Response, error) {
		b, _ := io.ReadAll(req.Body)
		sent = string(b)
		assert.Equal(t, testAPIKey, req.Header.Get(headerAPIKey))
		assert.Equal(t, testToken, req.Header.Get(headerAccessToken))
		assert.Equal(t, "2.0.0", req.Header.Get(headerAcceptVersion), "the caller's header wins")
		assert.Equal(t, "application/json", req.Header.Get("Content-Type"))
		resp := httpmock.NewStringResponse(200, `{"id": "7"}`)
		resp.Header.Set("Content-Type", "application/json")
		resp.Header.Set(headerAccessToken, "access-token-2")
		return resp, nil
	})
	c := newTestClient(t, mock)
	req, err := c.NewRequest(context.Background(), "POST", "undocumented/7", map[string]string{"note": "hi"})
	require.NoError(t, err)
	req.Header.Set(headerAcceptVersion, "2.0.0")
	var out struct{ ID string }
	resp, err := c.Do(req, &out)
	require.NoError(t, err)
	assert.Equal(t, 200, resp.StatusCode)
	assert.JSONEq(t, `{"note": "hi"}`, sent)
	assert.Equal(t, "7", out.ID)
	assert.Equal(t, "access-token-2", c.Tokens().AccessToken.Reveal())
}

// A raw request with a bad path is refused before anything is sent.
func TestNewRequestRefusesBadPath(t *testing.T) {
	c := newTestClient(t, noRequests(t))
	_, err := c.NewRequest(context.Background(), "GET", "locks/%zz", nil)
	require.ErrorIs(t, err, access.ErrInvalid)
}

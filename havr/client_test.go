package havr

import (
	"context"
	"io"
	"net/http"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The raw escape hatch sends its body, with the client's auth, and decodes
// the answer.
func TestNewRequestAndDo(t *testing.T) {
	mock := httpmock.NewMockTransport()
	var sent string
	mock.RegisterResponder("POST", testBase+"/v1/undocumented/7", func(req *http.Request) (*http.Response, error) {
		b, _ := io.ReadAll(req.Body)
		sent = string(b)
		assert.Equal(t, "Bearer "+testAccess, req.Header.Get("Authorization"))
		assert.Equal(t, "application/json", req.Header.Get("Content-Type"))
		resp := httpmock.NewStringResponse(200, `{"id": 7}`)
		resp.Header.Set("Content-Type", "application/json")
		return resp, nil
	})
	c := newTestClient(t, mock)
	req, err := c.NewRequest(context.Background(), "POST", "v1/undocumented/7", map[string]string{"note": "hi"})
	require.NoError(t, err)
	var out struct{ ID ID }
	resp, err := c.Do(req, &out)
	require.NoError(t, err)
	assert.Equal(t, 200, resp.StatusCode)
	assert.JSONEq(t, `{"note": "hi"}`, sent)
	assert.Equal(t, ID(7), out.ID)
}

package primis

import (
	"context"
	"crypto/x509"
	"fmt"
	"github.com/doorkit/doorkit/access"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	testBase    = "https://primis.test:8443"
	testPhoneID = "9F58395D-7963-469C-BB8F-5C39A31B2B6Z"
	testJWT     = "access-token-1"
	testRefresh = "refresh-token-1"
)

// newTestClient returns a client with tokens already set, sending through a
// fresh httpmock transport, with fast retries.
func newTestClient(t *testing.T, opts ...Option) (*Client, *httpmock.MockTransport) {
	t.Helper()
	mock := httpmock.NewMockTransport()
	all := append([]Option{
		WithBaseURL(testBase),
		WithPhoneID(testPhoneID),
		WithTokens(testJWT, testRefresh),
		WithHTTPClient(&http.Client{Transport: mock}),
		WithRetry(3, time.Millisecond, 4*time.Millisecond),
	}, opts...)
	c, err := New(all...)
	require.NoError(t, err)
	return c, mock
}

func fixture(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", "primis", name))
	require.NoError(t, err)
	return string(b)
}

// jsonResponder answers status with body, as JSON.
func jsonResponder(status int, body string) httpmock.Responder {
	return func(req *http.Request) (*http.Response, error) {
		resp := httpmock.NewStringResponse(status, body)
		resp.Header.Set("Content-Type", "application/json")
		resp.Request = req
		return resp, nil
	}
}

func TestNewValidatesOptions(t *testing.T) {
	cases := map[string][]Option{
		"no base URL":        {WithPhoneID("p"), WithPassword("a@b.c", "Pw1234")},
		"plain http":         {WithBaseURL("http://10.0.0.5:8080"), WithPhoneID("p"), WithPassword("a@b.c", "Pw1234")},
		"no phone id":        {WithBaseURL(testBase), WithPassword("a@b.c", "Pw1234")},
		"no credentials":     {WithBaseURL(testBase), WithPhoneID("p")},
		"empty password":     {WithBaseURL(testBase), WithPhoneID("p"), WithPassword("a@b.c", "")},
		"bad retry":          {WithBaseURL(testBase), WithPhoneID("p"), WithTokens("a", "b"), WithRetry(-1, 0, 0)},
		"short open":         {WithBaseURL(testBase), WithPhoneID("p"), WithTokens("a", "b"), WithOpenDuration(time.Millisecond)},
		"bad CA PEM":         {WithBaseURL(testBase), WithPhoneID("p"), WithTokens("a", "b"), WithCACertPEM([]byte("nope"))},
		"empty user agent":   {WithBaseURL(testBase), WithPhoneID("p"), WithTokens("a", "b"), WithUserAgent("")},
		"display name":       {WithBaseURL(testBase), WithPhoneID("p"), WithPassword("Ada <ada@example.com>", "Pw1234")},
		"two emails":         {WithBaseURL(testBase), WithPhoneID("p"), WithPassword("ada@example.com,bob@example.com", "Pw1234")},
		"email with CR LF":   {WithBaseURL(testBase), WithPhoneID("p"), WithPassword("ada@example.com\r\n", "Pw1234")},
		"not an email":       {WithBaseURL(testBase), WithPhoneID("p"), WithPassword("ada", "Pw1234")},
		"query in base URL":  {WithBaseURL(testBase + "?x=1"), WithPhoneID("p"), WithTokens("a", "b")},
		"nil HTTP client":    {WithBaseURL(testBase), WithPhoneID("p"), WithTokens("a", "b"), WithHTTPClient(nil)},
		"CAs and own client": {WithBaseURL(testBase), WithPhoneID("p"), WithTokens("a", "b"), WithHTTPClient(http.DefaultClient), WithRootCAs(x509.NewCertPool())},
	}
	for name, opts := range cases {
		t.Run(name, func(t *testing.T) {
			c, err := New(opts...)
			assert.Error(t, err)
			assert.Nil(t, c)
		})
	}
}

func TestNewMakesNoRequest(t *testing.T) {
	mock := httpmock.NewMockTransport()
	_, err := New(WithBaseURL(testBase), WithPhoneID("p"), WithPassword("a@b.c", "Pw1234"),
		WithHTTPClient(&http.Client{Transport: mock}))
	require.NoError(t, err)
	assert.Zero(t, mock.GetTotalCallCount())
}

func TestStringHidesSecrets(t *testing.T) {
	c, _ := newTestClient(t, WithPassword("ada@example.com", "S3cretPass"))
	for _, s := range []string{c.String(), fmtAll(c), fmtAll(c.Tokens())} {
		assert.NotContains(t, s, "S3cretPass")
		assert.NotContains(t, s, testJWT)
		assert.NotContains(t, s, testRefresh)
	}
	assert.Equal(t, testJWT, c.Tokens().AccessToken.Reveal())
}

func TestBaseURLWithPathPrefix(t *testing.T) {
	c, mock := newTestClient(t, WithBaseURL(testBase+"/primis/"))
	mock.RegisterResponder(http.MethodGet, testBase+"/primis/api/mobile/beacons", jsonResponder(200, "[]"))
	beacons, _, err := c.Beacons.List(context.Background())
	require.NoError(t, err)
	assert.Empty(t, beacons)
	assert.NotNil(t, beacons)
	assert.True(t, strings.HasSuffix(c.BaseURL(), "/primis/"))
}

func fmtAll(v any) string { return fmt.Sprintf("%v %+v %#v", v, v, v) }

// The raw escape hatch sends its body, with the client's auth, and decodes
// the answer.
func TestNewRequestAndDo(t *testing.T) {
	c, mock := newTestClient(t)
	var sent string
	mock.RegisterResponder("POST", testBase+"/api/mobile/undocumented", func(req *http.Request) (*http.Response, error) {
		b, _ := io.ReadAll(req.Body)
		sent = string(b)
		assert.Equal(t, "Bearer "+testJWT, req.Header.Get("Authorization"))
		return jsonResponder(200, `{"status": "ok"}`)(req)
	})
	req, err := c.NewRequest(context.Background(), "POST", "api/mobile/undocumented", map[string]string{"zone-id": "1"})
	require.NoError(t, err)
	var out struct{ Status string }
	_, err = c.Do(req, &out)
	require.NoError(t, err)
	assert.JSONEq(t, `{"zone-id": "1"}`, sent)
	assert.Equal(t, "ok", out.Status)
}

// Only "Granted" opens and only "Denied" is a refusal: a result the document
// does not name says nothing about the door (issue 12, evidence).
func TestOpenDoorUnknownResultIsOutcomeUnknown(t *testing.T) {
	for result, want := range map[string]error{"Granted": nil, "Denied": access.ErrDenied, "Pending": access.ErrOutcomeUnknown, "": access.ErrOutcomeUnknown} {
		c, mock := newTestClient(t)
		mock.RegisterResponder(http.MethodPost, testBase+"/api/mobile/user/unlock_zone",
			jsonResponder(200, `{"status":"ok","result":"`+result+`"}`))
		err := c.OpenDoor(context.Background(), "110000000001")
		if want == nil {
			assert.NoError(t, err, result)
			continue
		}
		assert.ErrorIs(t, err, want, result)
		if want == access.ErrOutcomeUnknown {
			assert.NotErrorIs(t, err, access.ErrDenied, result)
		}
	}
}

package august

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/doorkit/doorkit/internal/rest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func postTo(h http.Handler, target, token, body string) int {
	req := httptest.NewRequest(http.MethodPost, target, strings.NewReader(body))
	if token != "" {
		req.Header.Set(hookHeader, token)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w.Code
}

// The handler takes a call carrying the registered header token or, without
// the header, the URL secret; every other call is refused before the body
// is read.
func TestWebhookHandlerURLSecret(t *testing.T) {
	const secret = "an-explicit-url-secret-0001"
	h := newHandler(t, WithURLSecret(secret))
	body := harness.Body(t, "event_pincommand.json")
	with := func(v string) string { return "/august/hooks?" + url.Values{URLSecretParam: {v}}.Encode() }

	assert.Equal(t, http.StatusOK, postTo(h, with(secret), "", body), "the URL secret, no header")
	assert.Equal(t, http.StatusOK, postTo(h, "/august/hooks", hookToken, harness.Body(t, "event_operation.json")), "the header")
	assert.Equal(t, http.StatusForbidden, postTo(h, with(secret+"x"), "", body))
	assert.Equal(t, http.StatusForbidden, postTo(h, with(secret[:len(secret)-1]), "", body))
	assert.Equal(t, http.StatusUnauthorized, postTo(h, "/august/hooks", "", body))
	assert.Equal(t, http.StatusUnauthorized, postTo(h, "/august/hooks?"+URLSecretParam+"=", "", body))
	assert.Equal(t, http.StatusUnauthorized, postTo(h, with(secret)+"&"+URLSecretParam+"="+secret, "", body), "two secrets")
	assert.Equal(t, http.StatusForbidden, postTo(h, with(secret), "wrong-token-but-long-enough", body),
		"a wrong header is refused whatever the URL says")
	assert.Equal(t, uint64(2), h.Stats().Received)
	assert.Equal(t, uint64(6), h.Stats().Refused)

	// Without WithURLSecret the secret is derived from the header token,
	// so replicas that share the token agree.
	d1, d2 := newHandler(t), newHandler(t)
	assert.Equal(t, d1.secret.value, d2.secret.value)
	assert.Equal(t, DeriveURLSecret(hookToken), d1.secret.value)
	assert.NotContains(t, d1.secret.value, hookToken)
	assert.NotContains(t, sprintAll(h), secret, "printing the handler does not show the secret")
	assert.Equal(t, http.StatusOK, postTo(d1, "/august/hooks?"+url.Values{URLSecretParam: {DeriveURLSecret(hookToken)}}.Encode(), "", body))

	_, err := NewWebhookHandler(hookHeader, hookToken, WithURLSecret("short"))
	assert.Error(t, err)
}

// The client adds the URL secret to the webhook URL of its commands, and
// URL redaction hides it.
func TestCommandWebhookURL(t *testing.T) {
	h := newHandler(t, WithURLSecret("an-explicit-url-secret-0001"))
	c := newTestClient(t, noRequests(t), WithWebhook(testHookURL+"?tenant=7", h))
	u, err := url.Parse(c.webhookURL)
	require.NoError(t, err)
	assert.Equal(t, "an-explicit-url-secret-0001", u.Query().Get(URLSecretParam))
	assert.Equal(t, "7", u.Query().Get("tenant"))
	assert.NotContains(t, rest.RedactURL(u), "an-explicit-url-secret-0001", "the parameter's name marks it secret")
	assert.Contains(t, rest.RedactURL(u), "tenant=7")
	assert.NotContains(t, sprintAll(c), "an-explicit-url-secret-0001", "printing the client does not show it")

	c = newTestClient(t, noRequests(t), WithWebhook(testHookURL, nil))
	assert.Equal(t, testHookURL, c.webhookURL, "no handler, no secret given: the URL as given")
	c = newTestClient(t, noRequests(t), WithWebhook(testHookURL, nil), WithWebhookURLSecret("given-url-secret-000001"))
	assert.Contains(t, c.webhookURL, URLSecretParam+"=given-url-secret-000001")
}

// An error answer that echoes the command's webhook URL does not show the
// URL secret.
func TestCommandWebhookURLScrubbedFromErrors(t *testing.T) {
	const secret = "an-explicit-url-secret-0001"
	h := newHandler(t, WithURLSecret(secret))
	var c *Client
	rt := roundTripFunc(func(req *http.Request) (*http.Response, error) {
		return jsonResponse(req, 400, `{"code":"InvalidArgument","message":"webhook `+c.webhookURL+` is not reachable"}`), nil
	})
	c = newTestClient(t, rt, WithWebhook(testHookURL, h))
	_, _, err := c.PINs.Load(context.Background(), testLockID, loadCommand(), c.webhookURL, nil)
	require.Error(t, err)
	var aerr *Error
	require.ErrorAs(t, err, &aerr)
	assert.NotContains(t, sprintAll(err), secret)
	assert.NotContains(t, string(aerr.Body), secret)
}

package rest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"testing"

	"github.com/doorkit/doorkit/access"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestScrubText(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		secrets  []string
		want     string
	}{
		{"a PIN in a sentence", "PIN 482913 is in use", []string{"482913"}, "PIN [REDACTED] is in use"},
		{"a PIN run on to letters", "PIN482913", []string{"482913"}, "PIN[REDACTED]"},
		{"a PIN inside a longer number", "lock 14829130 and 482913", []string{"482913"}, "lock 14829130 and [REDACTED]"},
		{"a password as a word", "Invalid password hunter22", []string{"hunter22"}, "Invalid password [REDACTED]"},
		{"a code that holds the password", "invalid_password", []string{"password"}, "invalid_password"},
		{"edges that are not word characters", "token=+ab/c+&x", []string{"+ab/c+"}, "token=[REDACTED]&x"},
		{"URL-escaped", "GET /x?token=a%2Fb%3Dc", []string{"a/b=c"}, "GET /x?token=[REDACTED]"},
		{"JSON-escaped", `said "p\"w<d"`, []string{`p"w<d`}, `said "[REDACTED]"`},
		{"longest first", "12345 and 1234", []string{"12345", "1234"}, "[REDACTED] and [REDACTED]"},
		{"nothing to do", "all well", []string{"secret"}, "all well"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, scrubText(tc.in, tc.secrets))
		})
	}
}

func TestScrubBodyKeepsJSONValid(t *testing.T) {
	body := `{"code": 409, "message": "PIN 482913 taken", "pin": 482913, "list": ["x 482913"], "n": 4829130}`
	got := scrubBody([]byte(body), []string{"482913"})
	require.True(t, json.Valid(got), "%s", got)
	assert.JSONEq(t, `{"code": 409, "message": "PIN [REDACTED] taken", "pin": "[REDACTED]", "list": ["x [REDACTED]"], "n": 4829130}`, string(got))

	same := []byte(`{"message": "nothing secret"}`)
	assert.Equal(t, string(same), string(scrubBody(same, []string{"482913"})), "kept byte for byte")

	text := scrubBody([]byte("<html>PIN 482913 refused</html>"), []string{"482913"})
	assert.Equal(t, "<html>PIN [REDACTED] refused</html>", string(text))
}

// sentSecrets finds what the request sent: by type (access.Secret in the
// call's parameters, query and body), by name in the query, headers and
// JSON or form body, and the vendor's own secret fields.
func TestSentSecrets(t *testing.T) {
	base, _ := url.Parse("https://api.example.com/")
	c := New(Config{BaseURL: base, SecretFields: []string{"code"}})
	type body struct {
		Holder  string        `json:"holder"`
		Digits  access.Secret `json:"digits"` // a name no rule knows: found by type
		Code    string        `json:"code"`   // a vendor secret field
		Comment string        `json:"password_hint"`
	}
	type query struct {
		OTP access.Secret `url:"otp"`
	}
	call := Post("locks/%v/pin/%v", "L1", access.Secret("55667788")).
		WithQuery(query{OTP: "one-time-9"}).
		WithBody(body{Holder: "ada", Digits: "918273", Code: "auth-code-7", Comment: "hint-hint"})
	req, err := c.NewRequest(context.Background(), call)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer tok-123456")
	got := sentSecrets(req.Request, c.fields)
	for _, want := range []string{"55667788", "one-time-9", "918273", "auth-code-7", "hint-hint", "tok-123456", "Bearer tok-123456"} {
		assert.Contains(t, got, want)
	}
	assert.NotContains(t, got, "ada")
	for i := 1; i < len(got); i++ {
		assert.GreaterOrEqual(t, len(got[i-1]), len(got[i]), "longest first: %v", got)
	}

	form, err := http.NewRequest(http.MethodPost, "https://api.example.com/oauth2/token",
		strings.NewReader("grant_type=client_credentials&client_secret=cs-0001&client_id=me"))
	require.NoError(t, err)
	form.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	assert.Equal(t, []string{"cs-0001"}, sentSecrets(form, nil))

	basic, err := http.NewRequest(http.MethodPost, "https://api.example.com/login", nil)
	require.NoError(t, err)
	basic.SetBasicAuth("ada@example.com", "pw-Secret-1")
	assert.Contains(t, sentSecrets(basic, nil), "pw-Secret-1", "a Basic password, not only its base64")
}

// A vendor's error decoder sees the answer scrubbed of what the request
// sent, so the secrets are in neither its message nor its body; a
// transport error and a broken 2xx answer are scrubbed too.
func TestAnswersAreScrubbedOfSentSecrets(t *testing.T) {
	base, _ := url.Parse("https://api.example.com/")
	const pin = "482913"
	call := func() *Call {
		return Post("locks/%v/pins", "L1").WithBody(map[string]any{"commands": []any{map[string]any{"pin": pin}}})
	}
	t.Run("error answer", func(t *testing.T) {
		var seen []byte
		ft := &fakeTransport{respond: func(int, *http.Request) (*http.Response, error) {
			return response(409, http.Header{"Content-Type": {"application/json"}}, `{"message":"PIN 482913 is taken"}`), nil
		}}
		c := New(Config{BaseURL: base, Transport: ft, DecodeError: func(resp *http.Response, body []byte) error {
			seen = body
			return errors.New(string(body))
		}})
		_, err := c.Do(context.Background(), call(), nil)
		require.Error(t, err)
		assert.JSONEq(t, `{"message":"PIN [REDACTED] is taken"}`, string(seen))
	})
	t.Run("transport error quoting the body", func(t *testing.T) {
		ft := &fakeTransport{respond: func(int, *http.Request) (*http.Response, error) {
			return nil, fmt.Errorf("proxy refused pin 482913: %w", syscall.ECONNREFUSED)
		}}
		c := New(Config{BaseURL: base, Transport: ft})
		_, err := c.Do(context.Background(), call(), nil)
		require.Error(t, err)
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
			assert.NotContains(t, fmt.Sprintf(verb, err), pin, verb)
		}
	})
	t.Run("2xx decode error quoting the answer", func(t *testing.T) {
		ft := &fakeTransport{respond: func(int, *http.Request) (*http.Response, error) {
			return response(200, http.Header{"Content-Type": {"application/json"}}, `{"id": "482913"}`), nil
		}}
		c := New(Config{BaseURL: base, Transport: ft})
		var out struct {
			ID quotingID `json:"id"`
		}
		_, err := c.Do(context.Background(), call(), &out)
		require.Error(t, err)
		for _, verb := range []string{"%v", "%+v", "%#v"} {
			assert.NotContains(t, fmt.Sprintf(verb, err), pin, verb)
		}
	})
	t.Run("logged bodies", func(t *testing.T) {
		var logs bytes.Buffer
		logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
		ft := &fakeTransport{respond: func(int, *http.Request) (*http.Response, error) {
			return response(200, http.Header{"Content-Type": {"application/json"}}, `{"note":"loaded 482913"}`), nil
		}}
		c := New(Config{BaseURL: base, Transport: &LogTransport{Base: ft, Logger: logger, Bodies: true}})
		// Sent under a key no rule knows: found by its type.
		_, err := c.Do(context.Background(), Post("x").WithBody(struct {
			Code access.Secret `json:"c"`
		}{pin}), nil)
		require.NoError(t, err)
		assert.NotContains(t, logs.String(), pin)
		assert.Contains(t, logs.String(), `loaded [REDACTED]`)
		assert.Contains(t, logs.String(), `\"c\":\"[REDACTED]\"`)
	})
}

// quotingID is a decoder that quotes what it could not read, as vendor
// decoders do.
type quotingID string

func (q *quotingID) UnmarshalJSON(b []byte) error { return fmt.Errorf("id %s is not a number", b) }

// %#v of a *RequestError shows neither the query's values nor the secrets
// kept to scrub them (fmt's own %#v would print that unexported field).
func TestRequestErrorGoSyntaxIsRedacted(t *testing.T) {
	base, _ := url.Parse("https://api.example.com/")
	ft := &fakeTransport{respond: func(_ int, req *http.Request) (*http.Response, error) {
		return nil, fmt.Errorf("no responder for %s: %w", req.URL, syscall.ECONNREFUSED)
	}}
	c := New(Config{BaseURL: base, Transport: ft})
	_, err := c.Do(context.Background(), Get("users/verify_email").WithQuery(url.Values{"token": {"ONE-TIME-77"}}), nil)
	var rerr *RequestError
	require.True(t, errors.As(err, &rerr))
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
		out := fmt.Sprintf(verb, err)
		assert.NotContains(t, out, "ONE-TIME-77", verb)
		assert.NotContains(t, out, fmt.Sprintf("%x", "ONE-TIME-77"), verb)
	}
	assert.Contains(t, fmt.Sprintf("%#v", err), `&rest.RequestError{Method:"GET", URL:"https://api.example.com/users/verify_email?token=[REDACTED]"`)
	assert.Equal(t, err.Error(), fmt.Sprintf("%v", *rerr), "a value prints its message too")
}

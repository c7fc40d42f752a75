package rest

import (
	"encoding/json"
	"mime"
	"net/http"
	"net/url"
	"strings"
)

// Redacted replaces every secret value in logs.
const Redacted = "[REDACTED]"

// IsSecretKey reports whether a header, JSON or form key names a secret:
// passwords, tokens, client secrets, API keys and PINs.
func IsSecretKey(key string) bool {
	k := strings.Map(func(r rune) rune {
		switch {
		case r >= 'A' && r <= 'Z':
			return r + ('a' - 'A')
		case r == '-' || r == '_' || r == '.':
			return -1
		}
		return r
	}, key)
	for _, word := range []string{"password", "passowrd", "passwd", "token", "secret", "jwt", "authorization", "apikey", "cookie"} {
		if strings.Contains(k, word) {
			return true
		}
	}
	return strings.HasPrefix(k, "pin") || strings.HasSuffix(k, "pin")
}

// RedactHeader returns a copy of h with secret values replaced.
func RedactHeader(h http.Header) http.Header {
	out := make(http.Header, len(h))
	for k, vs := range h {
		if IsSecretKey(k) {
			out[k] = []string{Redacted}
			continue
		}
		out[k] = vs
	}
	return out
}

// RedactURL returns u as a string with secret query values replaced.
func RedactURL(u *url.URL) string {
	if u == nil {
		return ""
	}
	if u.RawQuery == "" && u.User == nil {
		return u.String()
	}
	c := *u
	c.User = nil
	if c.RawQuery != "" {
		c.RawQuery = redactValues(c.Query()).Encode()
	}
	return c.String()
}

func redactValues(v url.Values) url.Values {
	out := make(url.Values, len(v))
	for k, vs := range v {
		if IsSecretKey(k) {
			out[k] = []string{Redacted}
			continue
		}
		out[k] = vs
	}
	return out
}

// RedactBody renders a JSON or form body for a log line with secret values
// replaced. Other bodies are summarised by size only.
func RedactBody(contentType string, body []byte) string {
	if len(body) == 0 {
		return ""
	}
	media, _, _ := mime.ParseMediaType(contentType)
	switch {
	case media == "application/x-www-form-urlencoded":
		v, err := url.ParseQuery(string(body))
		if err != nil {
			return "[unparsable form body]"
		}
		return redactValues(v).Encode()
	case media == "application/json" || strings.HasSuffix(media, "+json") || media == "":
		var v any
		if err := json.Unmarshal(body, &v); err != nil {
			return "[non-JSON body]"
		}
		out, _ := json.Marshal(redactJSON(v))
		return string(out)
	}
	return "[" + media + " body]"
}

func redactJSON(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, val := range t {
			if IsSecretKey(k) {
				t[k] = Redacted
				continue
			}
			t[k] = redactJSON(val)
		}
	case []any:
		for i, val := range t {
			t[i] = redactJSON(val)
		}
	}
	return v
}

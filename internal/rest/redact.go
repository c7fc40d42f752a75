package rest

import (
	"encoding/json"
	"mime"
	"net/http"
	"net/url"
	"sort"
	"strings"
)

// Redacted replaces every secret value in logs.
const Redacted = "[REDACTED]"

// IsSecretKey reports whether a header, JSON or form key names a secret:
// passwords, tokens, client secrets, API keys and PINs.
func IsSecretKey(key string) bool {
	k := normalizeKey(key)
	for _, word := range []string{"password", "passowrd", "passwd", "token", "secret", "jwt", "authorization", "apikey", "cookie"} {
		if strings.Contains(k, word) {
			return true
		}
	}
	return strings.HasPrefix(k, "pin") || strings.HasSuffix(k, "pin")
}

// RedactHeader returns a copy of h with secret values replaced.
func RedactHeader(h http.Header) http.Header { return redactBy(h, IsSecretKey) }

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

func redactValues(v url.Values) url.Values { return redactBy(v, IsSecretKey) }

// redactBy copies a header or a query with the values of secret keys
// replaced.
func redactBy[M ~map[string][]string](m M, secret func(string) bool) M {
	out := make(M, len(m))
	for k, vs := range m {
		if secret(k) {
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
	return redactBodyBy(contentType, body, IsSecretKey)
}

func redactBodyBy(contentType string, body []byte, secret func(string) bool) string {
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
		return redactBy(v, secret).Encode()
	case media == "application/json" || strings.HasSuffix(media, "+json") || media == "":
		var v any
		if err := json.Unmarshal(body, &v); err != nil {
			return "[non-JSON body]"
		}
		out, _ := json.Marshal(redactJSON(v, secret))
		return string(out)
	}
	return "[" + media + " body]"
}

func redactJSON(v any, secret func(string) bool) any {
	switch t := v.(type) {
	case map[string]any:
		for k, val := range t {
			if secret(k) {
				t[k] = Redacted
				continue
			}
			t[k] = redactJSON(val, secret)
		}
	case []any:
		for i, val := range t {
			t[i] = redactJSON(val, secret)
		}
	}
	return v
}

// RedactQuery returns u as a string for an error message: without user
// info or fragment, and with every query value replaced, since a query may
// carry a one-time token under any name (Havr verify_email?token=...).
func RedactQuery(u *url.URL) string {
	if u == nil {
		return ""
	}
	c := *u
	c.User, c.Fragment, c.RawFragment, c.RawQuery = nil, "", "", ""
	s := c.String()
	if u.RawQuery == "" {
		return s
	}
	q, _ := url.ParseQuery(u.RawQuery)
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(url.QueryEscape(k))
		b.WriteString("=" + Redacted)
	}
	return s + "?" + b.String()
}

// normalizeKey lower-cases key and drops '-', '_' and '.'.
func normalizeKey(key string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'A' && r <= 'Z':
			return r + ('a' - 'A')
		case r == '-' || r == '_' || r == '.':
			return -1
		}
		return r
	}, key)
}

// IsPersonalKey reports whether a JSON or form key names personal data kept
// out of logged bodies: email addresses and phone numbers.
func IsPersonalKey(key string) bool {
	k := normalizeKey(key)
	return strings.Contains(k, "email") || strings.Contains(k, "phone")
}

// bodySecret returns the key test for logged bodies and queries: secret
// and personal keys, and the vendor's own secret fields.
func bodySecret(fields []string) func(string) bool {
	secret := secretKeys(fields)
	return func(k string) bool { return secret(k) || IsPersonalKey(k) }
}

// secretKeys returns the test for secret keys: IsSecretKey, or one of the
// vendor's own secret fields (compared like IsSecretKey: case, '-', '_'
// and '.' ignored).
func secretKeys(fields []string) func(string) bool {
	if len(fields) == 0 {
		return IsSecretKey
	}
	extra := make(map[string]bool, len(fields))
	for _, f := range fields {
		extra[normalizeKey(f)] = true
	}
	return func(k string) bool { return IsSecretKey(k) || extra[normalizeKey(k)] }
}

package rest

import (
	"bytes"
	"context"
	"encoding/json"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/doorkit/doorkit/internal/redact"
)

// A vendor may echo what it was sent in free text ("PIN 482913 is already
// in use"), where no key names it a secret. Redaction by key cannot see
// that, but the client knows the secrets its own request sent: they are
// scrubbed from the answer wherever it shows up (a vendor error's message
// and body, a *RequestError's message, a logged body).

// minScrubbed is the shortest secret value scrubbed from an answer: PINs
// have four digits at least, and shorter values would mangle an answer
// more than they hide.
const minScrubbed = 4

type sentKey struct{}

// withSent records in ctx the secret values only call's types tell (the
// access.Secret values of its path parameters, query and body), for
// sentSecrets. Calls that hold none add nothing.
func withSent(ctx context.Context, call *Call) context.Context {
	var typed []string
	for _, p := range call.Params {
		typed = append(typed, redact.Secrets(p)...)
	}
	typed = append(typed, redact.Secrets(call.Query)...)
	if _, raw := call.Body.([]byte); !raw {
		typed = append(typed, redact.Secrets(call.Body)...)
	}
	if len(typed) == 0 {
		return ctx
	}
	return context.WithValue(ctx, sentKey{}, typed)
}

// sentSecrets returns the secret values req sends, longest first: those
// its call's types tell (withSent), and by name (IsSecretKey or one of
// fields) the values in its query, headers and JSON or form body, the
// credentials of its Authorization header and a Basic password. It reads the body through
// GetBody, so it is meant for the paths that need it: an error, a logged
// body.
func sentSecrets(req *http.Request, fields []string) []string {
	if req == nil {
		return nil
	}
	secret := secretKeys(fields)
	var out []string
	add := func(vs ...string) {
		for _, v := range vs {
			if len(v) >= minScrubbed {
				out = append(out, v)
			}
		}
	}
	if typed, ok := req.Context().Value(sentKey{}).([]string); ok {
		add(typed...)
	}
	if req.URL != nil && req.URL.RawQuery != "" {
		for k, vs := range req.URL.Query() {
			if secret(k) {
				add(vs...)
			}
		}
	}
	for k, vs := range req.Header {
		if !IsSecretKey(k) {
			continue
		}
		for _, v := range vs {
			add(v)
			if _, cred, ok := strings.Cut(v, " "); ok { // "Bearer <token>"
				add(strings.TrimSpace(cred))
			}
		}
	}
	if _, password, ok := req.BasicAuth(); ok {
		add(password)
	}
	if req.GetBody != nil && req.ContentLength != 0 {
		if body, err := req.GetBody(); err == nil {
			b := ReadBounded(body, MaxErrorBody)
			body.Close()
			add(bodySecrets(req.Header.Get("Content-Type"), b, secret)...)
		}
	}
	slices.SortFunc(out, func(a, b string) int { return len(b) - len(a) }) // "1234" must not cut "12345"
	return slices.Compact(out)
}

// bodySecrets returns the values of secret keys in a JSON or form body.
func bodySecrets(contentType string, body []byte, secret func(string) bool) []string {
	media, _, _ := mime.ParseMediaType(contentType)
	var out []string
	switch {
	case media == "application/x-www-form-urlencoded":
		v, err := url.ParseQuery(string(body))
		if err != nil {
			return nil
		}
		for k, vs := range v {
			if secret(k) {
				out = append(out, vs...)
			}
		}
	case media == "application/json" || strings.HasSuffix(media, "+json") || media == "":
		var v any
		if json.Unmarshal(body, &v) != nil {
			return nil
		}
		collectJSON(v, false, secret, &out)
	}
	return out
}

// collectJSON appends the strings and numbers under secret keys of v.
func collectJSON(v any, under bool, secret func(string) bool, out *[]string) {
	switch t := v.(type) {
	case map[string]any:
		for k, val := range t {
			collectJSON(val, under || secret(k), secret, out)
		}
	case []any:
		for _, val := range t {
			collectJSON(val, under, secret, out)
		}
	case string:
		if under {
			*out = append(*out, t)
		}
	case float64:
		if under {
			b, _ := json.Marshal(t)
			*out = append(*out, string(b))
		}
	}
}

// ScrubAnswer returns body, an answer to req, with every secret value req
// sent (see sentSecrets; fields are the vendor's own secret keys) replaced
// by Redacted. Send does this for every non-2xx answer before the vendor's
// DecodeError sees it; a vendor that reads an answer outside Send (a token
// endpoint reached through golang.org/x/oauth2) calls it itself.
func ScrubAnswer(req *http.Request, body []byte, fields ...string) []byte {
	return scrubBody(body, sentSecrets(req, fields))
}

// ScrubText returns s, a vendor's free text about a request, with each of
// secrets (the request's PIN, say) replaced by Redacted where it stands
// whole (see scrubText); secrets shorter than four bytes are left, as for
// answers.
func ScrubText(s string, secrets ...string) string {
	var long []string
	for _, v := range secrets {
		if len(v) >= minScrubbed {
			long = append(long, v)
		}
	}
	slices.SortFunc(long, func(a, b string) int { return len(b) - len(a) })
	return scrubText(s, long)
}

// scrubBody replaces secrets in body. A JSON body stays valid JSON: the
// secrets are replaced inside its strings, and a number that is a secret
// becomes the string Redacted. Any other body is scrubbed as text, the
// secrets' URL- and JSON-escaped forms included.
func scrubBody(body []byte, secrets []string) []byte {
	if len(secrets) == 0 || len(body) == 0 {
		return body
	}
	if json.Valid(body) {
		return scrubJSON(body, secrets)
	}
	return []byte(scrubText(string(body), secrets))
}

// scrubJSON rewrites the string and number tokens of a valid JSON document
// that hold secrets; everything else is kept byte for byte.
func scrubJSON(body []byte, secrets []string) []byte {
	var out []byte // nil until something changes
	keep := 0      // body[keep:] is not yet in out
	for i := 0; i < len(body); {
		c := body[i]
		switch {
		case c == '"':
			end := i + 1
			for end < len(body) && body[end] != '"' {
				if body[end] == '\\' {
					end++
				}
				end++
			}
			end++ // past the closing quote
			var s string
			if json.Unmarshal(body[i:end], &s) == nil {
				if scrubbed := scrubText(s, secrets); scrubbed != s {
					out = append(append(out, body[keep:i]...), encodeJSONString(scrubbed)...)
					keep = end
				}
			}
			i = end
		case c == '-' || (c >= '0' && c <= '9'):
			end := i + 1
			for end < len(body) && strings.IndexByte("0123456789.eE+-", body[end]) >= 0 {
				end++
			}
			if slices.Contains(secrets, string(body[i:end])) {
				out = append(append(out, body[keep:i]...), `"`+Redacted+`"`...)
				keep = end
			}
			i = end
		default:
			i++
		}
	}
	if out == nil {
		return body
	}
	return append(out, body[keep:]...)
}

func encodeJSONString(s string) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

// scrubText replaces every secret in s, and its URL- and JSON-escaped
// forms, where it stands as a whole: a secret that starts or ends with a
// letter, digit or '_' is not replaced where it runs on into one, so an
// error code "invalid_password" keeps its meaning when the password sent
// is "password". A secret of digits only (a PIN) is cut off by digits
// alone: "PIN1234" is scrubbed, "lock 12345678" keeps its number when the
// PIN is "1234".
func scrubText(s string, secrets []string) string {
	for _, secret := range secrets {
		forms := []string{secret}
		for _, f := range []string{url.QueryEscape(secret), url.PathEscape(secret), string(encodeJSONString(secret))} {
			f = strings.TrimSuffix(strings.TrimPrefix(f, `"`), `"`)
			if !slices.Contains(forms, f) {
				forms = append(forms, f)
			}
		}
		joins := isWordChar
		if allDigits(secret) {
			joins = isDigit
		}
		for _, f := range forms {
			s = replaceWhole(s, f, joins)
		}
	}
	return s
}

// replaceWhole replaces the occurrences of secret in s that no character
// for which joins is true runs on into, at an edge where secret itself has
// such a character.
func replaceWhole(s, secret string, joins func(byte) bool) string {
	if secret == "" || !strings.Contains(s, secret) {
		return s
	}
	checkStart, checkEnd := joins(secret[0]), joins(secret[len(secret)-1])
	var b strings.Builder
	for {
		i := strings.Index(s, secret)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		end := i + len(secret)
		if (checkStart && i > 0 && joins(s[i-1])) || (checkEnd && end < len(s) && joins(s[end])) {
			b.WriteString(s[:i+1]) // part of a longer word or number: keep it, look on
			s = s[i+1:]
			continue
		}
		b.WriteString(s[:i])
		b.WriteString(Redacted)
		s = s[end:]
	}
}

func allDigits(s string) bool {
	for i := range len(s) {
		if !isDigit(s[i]) {
			return false
		}
	}
	return s != ""
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isWordChar(c byte) bool {
	return isDigit(c) || c == '_' || (c|0x20 >= 'a' && c|0x20 <= 'z')
}

package rest

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/doorkit/doorkit/access"
)

// BuildPath fills a path template such as "api/mobile/beacon/%v" with
// escaped parameters. A parameter that would change the shape of the path
// (empty, "." or "..", or holding '/', '\\', '?', '#' or a control character)
// is rejected before any request is made. A parameter of type access.Secret
// (a PIN in August's DELETE /locks/:lockID/pin/:pin) is sent as its value
// and shown as [REDACTED] wherever the client logs the path or quotes it in
// an error.
func BuildPath(template string, params ...any) (string, error) {
	path, _, err := buildPath("", template, "", "", params)
	return path, err
}

// buildPath returns prefix, the filled template, sep and query in one
// string (the request's URL is built with one allocation) and, when a
// parameter is an access.Secret, prefix and the path as it may be shown;
// shown is "" otherwise.
func buildPath(prefix, template, sep, query string, params []any) (path, shown string, err error) {
	if len(params) == 0 {
		if strings.Contains(template, "%") {
			return "", "", fmt.Errorf("rest: path template %q expects parameters", template)
		}
		return prefix + template + sep + query, "", nil
	}
	var buf [4]string // no allocation for up to four parameters
	escaped := buf[:0]
	secrets := 0
	for i, p := range params {
		s, isSecret := paramString(p)
		if err := checkSegment(s); err != nil {
			if pe, ok := err.(*PathParamError); ok && isSecret {
				err = &PathParamError{Value: Redacted, Reason: pe.Reason}
			}
			return "", "", fmt.Errorf("path parameter %d of %q: %w", i+1, template, err)
		}
		if isSecret {
			secrets |= 1 << min(i, 62)
		}
		escaped = append(escaped, url.PathEscape(s))
	}
	path, ok := fill(prefix, template, sep, query, escaped, 0)
	if !ok {
		return "", "", fmt.Errorf("rest: path template %q does not take %d parameters", template, len(params))
	}
	if secrets != 0 {
		shown, _ = fill(prefix, template, "", "", escaped, secrets)
	}
	return path, shown, nil
}

// paramString is fmt.Sprint(p) without fmt for the usual parameters
// (strings, ids with a String method, integers), and whether p is a
// secret, whose value it reveals.
func paramString(p any) (string, bool) {
	switch v := p.(type) {
	case access.Secret:
		return v.Reveal(), true
	case string:
		return v, false
	case fmt.Formatter, error:
		return fmt.Sprint(p), false // what fmt prefers to String
	case fmt.Stringer:
		return v.String(), false
	case int:
		return strconv.Itoa(v), false
	case int64:
		return strconv.FormatInt(v, 10), false
	}
	return fmt.Sprint(p), false
}

// fill puts params in the "%v" verbs of template, in order, with the ones
// whose bit is set in redact shown as Redacted, between prefix and sep
// followed by query;
// ok is false when the verbs are not exactly one "%v" per parameter. A
// template with other verbs is filled by fmt.Sprintf.
func fill(prefix, template, sep, query string, params []string, redact int) (string, bool) {
	if strings.Count(template, "%") != strings.Count(template, "%v") {
		args := make([]any, len(params))
		for i, p := range params {
			args[i] = p
			if redact&(1<<min(i, 62)) != 0 {
				args[i] = Redacted
			}
		}
		out := fmt.Sprintf(template, args...)
		return prefix + out + sep + query, !strings.Contains(out, "%!")
	}
	if strings.Count(template, "%v") != len(params) {
		return "", false
	}
	if template == "%v" && redact == 0 && prefix == "" && sep == "" && query == "" {
		return params[0], true // a lone segment (a vendor checking an id) needs no copy
	}
	n := len(prefix) + len(template) + len(sep) + len(query)
	for _, p := range params {
		n += len(p)
	}
	var b strings.Builder
	b.Grow(n)
	b.WriteString(prefix)
	for i, p := range params {
		j := strings.Index(template, "%v")
		b.WriteString(template[:j])
		if redact&(1<<min(i, 62)) != 0 {
			p = Redacted
		}
		b.WriteString(p)
		template = template[j+2:]
	}
	b.WriteString(template)
	b.WriteString(sep)
	b.WriteString(query)
	return b.String(), true
}

// PathParamError reports a path parameter that was refused.
type PathParamError struct {
	Value  string
	Reason string
}

func (e *PathParamError) Error() string {
	return fmt.Sprintf("invalid path parameter %q: %s", e.Value, e.Reason)
}

// Is makes a refused parameter match access.ErrInvalid.
func (e *PathParamError) Is(target error) bool { return target == access.ErrInvalid }

// shownPath is a request's path and the same path with its secret
// parameters redacted. A redirect keeps the context but not the path, so
// the shown path applies only while the path is the one built.
type shownPath struct{ real, shown string }

// ShownPath returns req's URL path as it may be logged or quoted in an
// error: with path parameters that were access.Secret values redacted.
func ShownPath(req *http.Request) string { return shownURL(req).Path }

// shownURL is req's URL with ShownPath as its path.
func shownURL(req *http.Request) *url.URL {
	ci := callOf(req.Context())
	if ci == nil || ci.shown.shown == "" || ci.shown.real != req.URL.Path {
		return req.URL
	}
	sp := ci.shown
	u := *req.URL
	u.Path, u.RawPath = sp.shown, ""
	return &u
}

func checkSegment(s string) error {
	switch s {
	case "":
		return &PathParamError{Value: s, Reason: "empty"}
	case ".", "..":
		return &PathParamError{Value: s, Reason: "is a relative path element"}
	}
	for _, r := range s {
		switch {
		case r == '/' || r == '\\':
			return &PathParamError{Value: s, Reason: "contains a path separator"}
		case r == '?' || r == '#':
			return &PathParamError{Value: s, Reason: "contains a query or fragment delimiter"}
		case r < 0x20 || r == 0x7f:
			return &PathParamError{Value: s, Reason: "contains a control character"}
		}
	}
	return nil
}

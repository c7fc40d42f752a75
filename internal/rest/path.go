package rest

import (
	"fmt"
	"net/http"
	"net/url"
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
	path, _, err := buildPath(template, params)
	return path, err
}

// buildPath returns the path and, when a parameter is an access.Secret, the
// path as it may be shown; shown is "" otherwise.
func buildPath(template string, params []any) (path, shown string, err error) {
	if len(params) == 0 {
		if strings.Contains(template, "%") {
			return "", "", fmt.Errorf("rest: path template %q expects parameters", template)
		}
		return template, "", nil
	}
	escaped := make([]any, len(params))
	var masked []any // the parameters as shown, once one is a secret
	for i, p := range params {
		secret, isSecret := p.(access.Secret)
		s := fmt.Sprint(p)
		if isSecret {
			s = secret.Reveal()
		}
		if err := checkSegment(s); err != nil {
			if pe, ok := err.(*PathParamError); ok && isSecret {
				err = &PathParamError{Value: Redacted, Reason: pe.Reason}
			}
			return "", "", fmt.Errorf("path parameter %d of %q: %w", i+1, template, err)
		}
		escaped[i] = url.PathEscape(s)
		if isSecret && masked == nil {
			masked = make([]any, len(params))
			copy(masked, escaped[:i])
		}
		if masked != nil {
			masked[i] = escaped[i]
			if isSecret {
				masked[i] = Redacted
			}
		}
	}
	path = fmt.Sprintf(template, escaped...)
	if strings.Contains(path, "%!") {
		return "", "", fmt.Errorf("rest: path template %q does not take %d parameters", template, len(params))
	}
	if masked != nil {
		shown = fmt.Sprintf(template, masked...)
	}
	return path, shown, nil
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

type shownPathKey struct{}

// shownPath is a request's path and the same path with its secret
// parameters redacted. A redirect keeps the context but not the path, so
// the shown path applies only while the path is the one built.
type shownPath struct{ real, shown string }

// ShownPath returns req's URL path as it may be logged or quoted in an
// error: with path parameters that were access.Secret values redacted.
func ShownPath(req *http.Request) string { return shownURL(req).Path }

// shownURL is req's URL with ShownPath as its path.
func shownURL(req *http.Request) *url.URL {
	sp, ok := req.Context().Value(shownPathKey{}).(shownPath)
	if !ok || sp.real != req.URL.Path {
		return req.URL
	}
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

package rest

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/doorkit/doorkit/access"
)

// BuildPath fills a path template such as "api/mobile/beacon/%v" with
// escaped parameters. A parameter that would change the shape of the path
// (empty, "." or "..", or holding '/', '\\', '?', '#' or a control character)
// is rejected before any request is made.
func BuildPath(template string, params ...any) (string, error) {
	if len(params) == 0 {
		if strings.Contains(template, "%") {
			return "", fmt.Errorf("rest: path template %q expects parameters", template)
		}
		return template, nil
	}
	escaped := make([]any, len(params))
	for i, p := range params {
		s := fmt.Sprint(p)
		if err := checkSegment(s); err != nil {
			return "", fmt.Errorf("path parameter %d of %q: %w", i+1, template, err)
		}
		escaped[i] = url.PathEscape(s)
	}
	path := fmt.Sprintf(template, escaped...)
	if strings.Contains(path, "%!") {
		return "", fmt.Errorf("rest: path template %q does not take %d parameters", template, len(params))
	}
	return path, nil
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

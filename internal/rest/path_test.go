package rest

import (
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/doorkit/doorkit/access"
)

type stringer struct{ s string }

func (s stringer) String() string { return s.s }

func TestBuildPathEscapes(t *testing.T) {
	tests := []struct {
		name     string
		template string
		params   []any
		want     string
	}{
		{"no params", "api/mobile/beacons", nil, "api/mobile/beacons"},
		{"plain", "api/mobile/beacon/%v", []any{"abc123"}, "api/mobile/beacon/abc123"},
		{"two params", "api/%v/areas/%v", []any{"p1", "z2"}, "api/p1/areas/z2"},
		{"int", "api/groups/%v", []any{42}, "api/groups/42"},
		{"stringer", "api/groups/%v", []any{stringer{"g-1"}}, "api/groups/g-1"},
		{"%s verb", "api/groups/%s", []any{"g 1"}, "api/groups/g%201"},
		{"space", "doors/%v", []any{"front door"}, "doors/front%20door"},
		{"unicode", "doors/%v", []any{"Voordeur ë"}, "doors/Voordeur%20%C3%AB"},
		{"emoji", "doors/%v", []any{"🚪"}, "doors/%F0%9F%9A%AA"},
		{"percent", "doors/%v", []any{"50%"}, "doors/50%25"},
		{"already escaped stays literal", "doors/%v", []any{"a%2Fb"}, "doors/a%252Fb"},
		{"semicolon and comma", "doors/%v", []any{"a;b,c"}, "doors/a%3Bb%2Cc"},
		{"unreserved kept", "doors/%v", []any{"A-z_0.9~"}, "doors/A-z_0.9~"},
		{"sub-delims kept", "doors/%v", []any{"a+b=c&d@e:f$"}, "doors/a+b=c&d@e:f$"},
		{"dots inside a name", "doors/%v", []any{"..."}, "doors/..."},
		{"dot prefix", "doors/%v", []any{".hidden"}, "doors/.hidden"},
		{"exclamation", "doors/%v", []any{"%!"}, "doors/%25%21"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := BuildPath(tt.template, tt.params...)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestBuildPathRejectsParams(t *testing.T) {
	tests := []struct {
		name  string
		param any
	}{
		{"empty", ""},
		{"dot", "."},
		{"dot dot", ".."},
		{"slash", "a/b"},
		{"leading slash", "/etc"},
		{"traversal", "../admin"},
		{"backslash", `a\b`},
		{"backslash traversal", `..\admin`},
		{"question mark", "a?admin=1"},
		{"hash", "a#frag"},
		{"NUL", "a\x00b"},
		{"newline", "a\nb"},
		{"carriage return", "a\rb"},
		{"tab", "a\tb"},
		{"DEL", "a\x7fb"},
		{"stringer with slash", stringer{"x/y"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := BuildPath("api/doors/%v/open", tt.param)
			require.Error(t, err)
			assert.Empty(t, got)
			assert.ErrorIs(t, err, access.ErrInvalid)
			var pe *PathParamError
			require.ErrorAs(t, err, &pe)
			assert.NotEmpty(t, pe.Reason)
			assert.Contains(t, err.Error(), "path parameter 1")
			assert.Contains(t, err.Error(), "api/doors/%v/open")
		})
	}
}

func TestBuildPathRejectsSecondParam(t *testing.T) {
	_, err := BuildPath("api/%v/areas/%v", "ok", "..")
	require.Error(t, err)
	assert.ErrorIs(t, err, access.ErrInvalid)
	assert.Contains(t, err.Error(), "path parameter 2")
	var pe *PathParamError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, "..", pe.Value)
}

func TestBuildPathParamCount(t *testing.T) {
	tests := []struct {
		name     string
		template string
		params   []any
	}{
		{"template expects params, none given", "api/doors/%v", nil},
		{"too few", "api/%v/areas/%v", []any{"a"}},
		{"too many", "api/doors/%v", []any{"a", "b"}},
		{"params for a fixed template", "api/doors", []any{"a"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := BuildPath(tt.template, tt.params...)
			require.Error(t, err)
			assert.Empty(t, got)
			assert.Contains(t, err.Error(), tt.template)
			// A template mistake is a programming error, not a bad value.
			var pe *PathParamError
			assert.False(t, errors.As(err, &pe))
		})
	}
}

func TestPathParamErrorMessage(t *testing.T) {
	err := &PathParamError{Value: "a/b", Reason: "contains a path separator"}
	assert.Equal(t, `invalid path parameter "a/b": contains a path separator`, err.Error())
	assert.True(t, errors.Is(err, access.ErrInvalid))
	assert.False(t, errors.Is(err, access.ErrNotFound))
}

func FuzzBuildPath(f *testing.F) {
	for _, seed := range []string{
		"abc", "", ".", "..", "...", "a/b", `a\b`, "a?b", "a#b", "a b", "ë", "%", "%2F", "%!", "%v",
		"\x00", "\x7f", "\xff\xfe", "🚪", "a;b", "+", "~", "./", "%2e%2e",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := BuildPath("a/%v/b", s)
		if err != nil {
			if !errors.Is(err, access.ErrInvalid) {
				t.Fatalf("BuildPath(%q) error %v does not match access.ErrInvalid", s, err)
			}
			return
		}
		if !strings.HasPrefix(got, "a/") || !strings.HasSuffix(got, "/b") || len(got) < len("a//b") {
			t.Fatalf("BuildPath(%q) = %q: shape changed", s, got)
		}
		middle := got[len("a/") : len(got)-len("/b")]
		if strings.ContainsAny(middle, `/\?#`) {
			t.Fatalf("BuildPath(%q) = %q: segment %q holds a delimiter", s, got, middle)
		}
		if middle == "." || middle == ".." {
			t.Fatalf("BuildPath(%q) = %q: dot segment", s, got)
		}
		back, err := url.PathUnescape(middle)
		if err != nil {
			t.Fatalf("BuildPath(%q) = %q: segment does not unescape: %v", s, got, err)
		}
		if back != s {
			t.Fatalf("BuildPath(%q) = %q: segment unescapes to %q", s, got, back)
		}
	})
}

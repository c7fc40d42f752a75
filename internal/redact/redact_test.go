package redact_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/internal/redact"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// mark starts every planted secret; no output may contain it.
const mark = "S3CRET"

// inner has no methods of its own: only its container's redact it.
type inner struct {
	Token access.Secret `json:"token"`
	Note  string        `json:"note"`
}

type Embedded struct {
	PIN access.Secret `json:"pin"`
}

type outer struct {
	Name  string            `json:"name"`
	Inner inner             `json:"inner"`
	Ptr   *inner            `json:"ptr"`
	Nil   *inner            `json:"nil"`
	List  []inner           `json:"list"`
	ByKey map[string]*inner `json:"by_key"`
	Any   any               `json:"any"`
	Query access.Secret     `url:"q"`
	Skip  access.Secret     `json:"-"`
	Plain access.Secret
	Embedded
	hidden access.Secret
}

func (o outer) LogValue() slog.Value          { return redact.LogValue(o) }
func (o outer) Format(f fmt.State, verb rune) { redact.Format(f, verb, o) }

// node can point to itself.
type node struct {
	Secret access.Secret `json:"secret"`
	Next   *node         `json:"next"`
	Items  []any         `json:"items"`
}

func (n node) LogValue() slog.Value          { return redact.LogValue(n) }
func (n node) Format(f fmt.State, verb rune) { redact.Format(f, verb, n) }

// tokens is a named collection with its own methods, as vendors define.
type tokens map[int]inner

func (t tokens) LogValue() slog.Value          { return redact.LogValue(t) }
func (t tokens) Format(f fmt.State, verb rune) { redact.Format(f, verb, t) }

func planted() outer {
	return outer{
		Name:     "front door",
		Inner:    inner{Token: mark + "-1", Note: "kept"},
		Ptr:      &inner{Token: mark + "-2"},
		List:     []inner{{Token: mark + "-3"}},
		ByKey:    map[string]*inner{"b": {Token: mark + "-4"}, "a": nil},
		Any:      inner{Token: mark + "-5"},
		Query:    mark + "-6",
		Skip:     mark + "-7",
		Plain:    mark + "-8",
		Embedded: Embedded{PIN: mark + "-9"},
		hidden:   mark + "-10",
	}
}

var verbs = []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%10v", "%-40s"}

func TestFormatRedactsEveryVerb(t *testing.T) {
	o := planted()
	raw, err := json.Marshal(o)
	require.NoError(t, err)
	require.Contains(t, string(raw), mark, "encoding/json sees the real values: the test can fail")
	for _, x := range []any{o, &o, []outer{o}, map[string]*outer{"k": &o}, struct{ O outer }{o}} {
		for _, verb := range verbs {
			out := fmt.Sprintf(verb, x)
			assert.NotContains(t, out, mark, "%s of %T: %s", verb, x, out)
			assert.NotContains(t, out, fmt.Sprintf("%x", mark), "%s of %T in hex", verb, x)
		}
	}
}

func TestFormatRendersFieldsByJSONName(t *testing.T) {
	v := inner{Token: mark, Note: "kept"}
	w := struct {
		In  inner   `json:"in"`
		Ptr *inner  `json:"ptr"`
		Out []inner `json:"out"`
	}{In: v, Ptr: &v, Out: []inner{v}}
	got := redact.String(w)
	assert.Equal(t, "{in:{token:[redacted] note:kept} ptr:{token:[redacted] note:kept} out:{0:{token:[redacted] note:kept}}}", got)

	o := outer{Name: "n", Plain: mark, ByKey: map[string]*inner{"z": nil, "a": {Note: "x"}}}
	assert.Equal(t, "{name:n inner:{token: note:} ptr:<nil> nil:<nil> list:[] by_key:{a:{token: note:x} z:<nil>} any:<nil> q: Plain:[redacted] pin:}", fmt.Sprint(o))
	assert.Equal(t, "redact_test.outer"+fmt.Sprint(o), fmt.Sprintf("%#v", o))
	assert.Equal(t, fmt.Sprintf("%q", fmt.Sprint(o)), fmt.Sprintf("%q", o))
	assert.Equal(t, fmt.Sprintf("%x", fmt.Sprint(o)), fmt.Sprintf("%x", o))
	assert.Equal(t, fmt.Sprintf("%-300s|", fmt.Sprint(o)), fmt.Sprintf("%-300s|", o), "width and flags apply to the text")
}

func handlers() map[string]func(*bytes.Buffer) slog.Handler {
	opts := &slog.HandlerOptions{Level: slog.LevelDebug}
	return map[string]func(*bytes.Buffer) slog.Handler{
		"text": func(b *bytes.Buffer) slog.Handler { return slog.NewTextHandler(b, opts) },
		"json": func(b *bytes.Buffer) slog.Handler { return slog.NewJSONHandler(b, opts) },
	}
}

func TestLogValueRedactsThroughHandlers(t *testing.T) {
	o := planted()
	for name, h := range handlers() {
		// A struct of the caller's own that holds one is encoded by
		// encoding/json (slog does not ask its fields): the helper covers it.
		for _, x := range []any{o, &o} {
			var buf bytes.Buffer
			log := slog.New(h(&buf))
			log.Debug("value", "v", x)
			log.Debug("attr", slog.Any("v", x))
			log.Debug("group", slog.Group("g", slog.Any("v", x)))
			log.Debug("helper", "v", redact.LogValue(struct{ O []outer }{[]outer{o}}))
			out := buf.String()
			assert.NotContains(t, out, mark, "%s %T: %s", name, x, out)
			assert.Contains(t, out, "[redacted]", name)
			if name == "json" {
				for line := range strings.Lines(out) {
					assert.True(t, json.Valid([]byte(line)), line)
				}
			}
		}
	}
}

func TestLogValueKeepsTheRest(t *testing.T) {
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("x", "o", planted())
	var got struct {
		O map[string]any `json:"o"`
	}
	require.NoError(t, json.Unmarshal(buf.Bytes(), &got))
	want := map[string]any{
		"name":   "front door",
		"inner":  map[string]any{"token": "[redacted]", "note": "kept"},
		"ptr":    map[string]any{"token": "[redacted]", "note": ""},
		"nil":    nil,
		"list":   map[string]any{"0": map[string]any{"token": "[redacted]", "note": ""}},
		"by_key": map[string]any{"a": nil, "b": map[string]any{"token": "[redacted]", "note": ""}},
		"any":    map[string]any{"token": "[redacted]", "note": ""},
		"q":      "[redacted]",
		"Plain":  "[redacted]",
		"pin":    "[redacted]", // embedded fields are flattened, as encoding/json does
	}
	assert.Equal(t, want, got.O)
}

// Values held in interfaces are looked at: a map[string]any of a log call
// holding a Secret, or a struct in it.
func TestLogValueLooksIntoInterfaces(t *testing.T) {
	for _, v := range []any{
		map[string]any{"password": access.Secret(mark)},
		[]any{inner{Token: mark}},
		struct{ V any }{&inner{Token: mark}},
	} {
		for name, h := range handlers() {
			var buf bytes.Buffer
			slog.New(h(&buf)).Info("x", "v", redact.LogValue(v))
			assert.NotContains(t, buf.String(), mark, name)
			assert.Contains(t, buf.String(), "[redacted]", name)
		}
		assert.NotContains(t, redact.String(v), mark)
	}
	// Nothing to hide: the value goes to slog as it is.
	plain := map[string]any{"n": 1}
	assert.Equal(t, slog.AnyValue(plain).Any(), redact.LogValue(struct{ V any }{plain}).Group()[0].Value.Any())
}

func TestNilsAndEmpties(t *testing.T) {
	var nilOuter *outer
	assert.Equal(t, "<nil>", fmt.Sprintf("%v", nilOuter))
	assert.Equal(t, slog.KindAny, redact.LogValue(nilOuter).Kind())
	assert.Nil(t, redact.LogValue(nilOuter).Any())
	assert.Nil(t, redact.LogValue(nil).Any())
	assert.Equal(t, "", redact.LogValue(access.Secret("")).String())
	assert.Equal(t, "[redacted]", redact.LogValue(access.Secret(mark)).String())

	// An empty collection whose LogValue is written with redact must not
	// send slog back to that LogValue.
	for name, h := range handlers() {
		var buf bytes.Buffer
		slog.New(h(&buf)).Info("x", "empty", tokens{}, "nil", tokens(nil), "one", tokens{1: {Token: mark}})
		out := buf.String()
		assert.NotContains(t, out, "LogValue", name+": "+out)
		assert.NotContains(t, out, mark, name)
		assert.Contains(t, out, "[redacted]", name)
	}
	assert.Equal(t, "map[]", fmt.Sprint(tokens{}))
	assert.Equal(t, "{1:{token:[redacted] note:}}", fmt.Sprint(tokens{1: {Token: mark}}))
}

func TestCyclesEnd(t *testing.T) {
	n := &node{Secret: mark}
	n.Next = n
	n.Items = []any{n, "x"}
	// *n is copied at the root, so it is met once more below.
	assert.Equal(t, "{secret:[redacted] next:{secret:[redacted] next:[cycle] items:{0:[cycle] 1:x}} items:{0:{secret:[redacted] next:[cycle] items:[cycle]} 1:x}}", fmt.Sprint(*n))
	assert.Equal(t, "{A:{secret:[redacted] next:[cycle] items:{0:[cycle] 1:x}}}", redact.String(struct{ A *node }{n}))
	for name, h := range handlers() {
		var buf bytes.Buffer
		slog.New(h(&buf)).Info("x", "n", n)
		assert.NotContains(t, buf.String(), mark, name)
		assert.Contains(t, buf.String(), redact.Cycle, name)
	}

	// A value met twice side by side is no cycle.
	shared := &inner{Token: mark}
	assert.Equal(t, "{A:{token:[redacted] note:} B:{token:[redacted] note:}}", redact.String(struct{ A, B *inner }{shared, shared}))
}

func TestHoldsSecret(t *testing.T) {
	for _, c := range []struct {
		v    any
		want bool
	}{
		{access.Secret(""), true},
		{inner{}, true},
		{&inner{}, true},
		{[]inner{}, true},
		{[2]*inner{}, true},
		{map[access.Secret]int{}, true},
		{map[string][]*inner{}, true},
		{node{}, true},
		{outer{}, true},
		{struct{ N *node }{}, true},
		{"", false},
		{struct{ A any }{}, false}, // only known at run time
		{struct{ a access.Secret }{}, false},
	} {
		v, want := c.v, c.want
		assert.Equal(t, want, redact.HoldsSecret(reflect.TypeOf(v)), "%T", v)
	}
}

func TestRedactedCopies(t *testing.T) {
	o := planted()
	before := fmt.Sprintf("%#v", struct{ O any }{o.Ptr}) // pointer printed, not followed
	c := redact.Redacted(o)
	raw, err := json.Marshal(c)
	require.NoError(t, err)
	assert.NotContains(t, string(raw), mark)
	assert.Contains(t, string(raw), `"token":"[redacted]"`)
	assert.Contains(t, string(raw), `"note":"kept"`)
	// The original is untouched, pointers and maps included.
	assert.Equal(t, access.Secret(mark+"-2"), o.Ptr.Token)
	assert.Equal(t, access.Secret(mark+"-3"), o.List[0].Token)
	assert.Equal(t, access.Secret(mark+"-4"), o.ByKey["b"].Token)
	assert.Equal(t, access.Secret(mark+"-5"), o.Any.(inner).Token)
	assert.Equal(t, before, fmt.Sprintf("%#v", struct{ O any }{o.Ptr}))
	assert.Equal(t, access.Secret(""), redact.Redacted(inner{}).Token, "an empty secret stays empty")

	n := &node{Secret: mark}
	n.Next = n
	cn := redact.Redacted(n)
	assert.Same(t, cn, cn.Next, "a cycle stays a cycle")
	assert.NotSame(t, n, cn)
	assert.Equal(t, access.Secret("[redacted]"), cn.Secret)
	assert.Equal(t, access.Secret(mark), n.Secret)
}

// Types are planned once, from many goroutines at a time (go test -race).
func TestConcurrentUse(t *testing.T) {
	type fresh struct {
		A access.Secret `json:"a"`
		B []inner       `json:"b"`
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 50 {
				v := fresh{A: mark, B: []inner{{Token: mark}}}
				assert.NotContains(t, redact.String(v), mark)
				_ = redact.Redacted(v)
			}
		})
	}
	wg.Wait()
}

func BenchmarkLogValue(b *testing.B) {
	o := planted()
	h := slog.NewJSONHandler(discard{}, nil)
	log := slog.New(h)
	b.ReportAllocs()
	for b.Loop() {
		log.Info("x", "o", o)
	}
}

func BenchmarkFormat(b *testing.B) {
	o := planted()
	b.ReportAllocs()
	for b.Loop() {
		_ = fmt.Sprint(o)
	}
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

// Secrets finds every Secret a value holds through exported fields,
// pointers, slices, maps and interfaces, once each, and nothing else.
func TestSecrets(t *testing.T) {
	got := redact.Secrets(planted())
	assert.ElementsMatch(t, []string{mark + "-1", mark + "-2", mark + "-3", mark + "-4", mark + "-5",
		mark + "-6", mark + "-7", mark + "-8", mark + "-9"}, got, "the unexported one is not sent")
	n := &node{Secret: mark}
	n.Next = n
	assert.Equal(t, []string{mark}, redact.Secrets(n), "a cycle ends")
	assert.Empty(t, redact.Secrets(struct{ Name string }{"x"}))
	assert.Empty(t, redact.Secrets(nil))
	assert.Equal(t, []string{"1234"}, redact.Secrets(access.Secret("1234")))
}

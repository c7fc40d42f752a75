package august

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
)

// WebhookHandler receives August's webhook calls. It is an http.Handler
// that depends on no web framework: mount it at the URL registered with
// Webhooks.Register.
//
// August signs nothing. A call is taken to come from August when it
// carries either of two secrets, each compared in constant time before the
// body is read:
//
//   - the static header and token chosen at registration (Webhooks.Register),
//     which August documents for lock webhooks (POST /webhook/:lockID);
//   - the URL secret, a query value (URLSecretParam) in the webhook URL the
//     client hands August with each command (WithWebhook). August documents
//     no header for the per-command results it posts to that URL, so the
//     handler cannot count on one there.
//
// A call with neither is answered 401; a wrong header token, or a wrong URL
// secret without a header, 403. The handler decodes each event (one object
// or an array of them), drops repeated deliveries (by eventID, else by
// body; remembering a bounded number), passes new events to the function
// given with WithEventFunc, and hands them to callers waiting with Expect,
// ExpectFunc or Wait.
type WebhookHandler struct {
	header   string
	tokenSum [sha256.Size]byte
	secret   *urlSecret // never printed: see Format
	maxBody  int64
	onEvent  func(context.Context, *Event)

	seed    maphash.Seed
	mu      sync.Mutex
	seen    map[uint64]struct{}
	ring    []uint64 // the remembered deliveries, oldest first from next
	next    int
	waiters map[WaitKey][]*Pending
	// observers see every dispatched event (the client's access layer).
	observers []func(*Event)

	received, duplicates, refused atomic.Uint64
}

// HandlerOption configures a WebhookHandler.
type HandlerOption func(*WebhookHandler)

// WithEventFunc calls fn with every new event, on the request's goroutine
// before the handler answers August. fn must not keep the event past the
// call's return unless it copies it, and should be quick: August waits.
func WithEventFunc(fn func(context.Context, *Event)) HandlerOption {
	return func(h *WebhookHandler) { h.onEvent = fn }
}

// WithDedupeWindow sets how many deliveries are remembered to drop repeats
// (default DefaultDedupeWindow). Memory is about 50 bytes per delivery.
func WithDedupeWindow(n int) HandlerOption {
	return func(h *WebhookHandler) {
		if n > 0 {
			h.ring = make([]uint64, 0, n)
		}
	}
}

// WithMaxEventBody bounds a webhook body (default DefaultMaxEventBody);
// larger ones are refused with 413.
func WithMaxEventBody(n int64) HandlerOption {
	return func(h *WebhookHandler) {
		if n > 0 {
			h.maxBody = n
		}
	}
}

// urlSecret is the URL secret and its hash.
type urlSecret struct {
	value string
	sum   [sha256.Size]byte
}

// WithURLSecret sets the URL secret the handler accepts (see
// WebhookHandler): at least 16 characters, the same on every replica of an
// account, and kept as secret as the header token. Without it the handler
// derives one from the header token (HMAC-SHA256 of a fixed label keyed by
// the token), so replicas sharing the token agree without more
// configuration.
func WithURLSecret(secret string) HandlerOption {
	return func(h *WebhookHandler) { h.secret = &urlSecret{value: secret} }
}

// URLSecretParam is the query parameter that carries the URL secret in the
// webhook URL of each command. Its name marks it as a secret, so doorkit's
// URL redaction (logs, errors) hides its value.
const URLSecretParam = "doorkit_secret"

// DeriveURLSecret returns the URL secret a handler made with this header
// token uses when not given WithURLSecret: give it to WithWebhookURLSecret
// in a process that sends commands but does not receive their results.
func DeriveURLSecret(token string) string {
	mac := hmac.New(sha256.New, []byte(token))
	mac.Write([]byte("doorkit august webhook URL secret v1"))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// Defaults of WebhookHandler.
const (
	DefaultDedupeWindow = 10000
	DefaultMaxEventBody = 256 << 10
)

// NewWebhookHandler returns a handler that accepts calls carrying token in
// the header headerName, as registered with Webhooks.Register.
func NewWebhookHandler(headerName, token string, opts ...HandlerOption) (*WebhookHandler, error) {
	if !validHeaderName(headerName) {
		return nil, errors.New("august: NewWebhookHandler: the header name is not an HTTP header name")
	}
	if len(token) < 16 {
		return nil, errors.New("august: NewWebhookHandler: the token must have at least 16 characters")
	}
	h := &WebhookHandler{
		header:   http.CanonicalHeaderKey(headerName),
		tokenSum: sha256.Sum256([]byte(token)),
		maxBody:  DefaultMaxEventBody,
		seed:     maphash.MakeSeed(),
		waiters:  map[WaitKey][]*Pending{},
	}
	for _, o := range opts {
		o(h)
	}
	if h.secret == nil {
		h.secret = &urlSecret{value: DeriveURLSecret(token)}
	}
	if len(h.secret.value) < 16 {
		return nil, errors.New("august: NewWebhookHandler: the URL secret must have at least 16 characters")
	}
	h.secret.sum = sha256.Sum256([]byte(h.secret.value))
	if h.ring == nil {
		h.ring = make([]uint64, 0, DefaultDedupeWindow)
	}
	h.seen = make(map[uint64]struct{}, cap(h.ring))
	return h, nil
}

// Format prints the handler as august.WebhookHandler{Header: ...} under
// every verb: its fields hold the URL secret.
func (h *WebhookHandler) Format(f fmt.State, verb rune) {
	_, _ = fmt.Fprintf(f, "august.WebhookHandler{Header: %q}", h.header)
}

// WebhookStats counts what the handler received.
type WebhookStats struct {
	Received   uint64 // new events
	Duplicates uint64 // repeated deliveries dropped
	Refused    uint64 // calls refused: bad token, method, body
}

// Stats returns the handler's counters.
func (h *WebhookHandler) Stats() WebhookStats {
	return WebhookStats{Received: h.received.Load(), Duplicates: h.duplicates.Load(), Refused: h.refused.Load()}
}

func (h *WebhookHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost && r.Method != http.MethodPut {
		h.refused.Add(1)
		w.Header().Set("Allow", "POST, PUT")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if status, msg := h.authenticate(r); status != 0 {
		h.refused.Add(1)
		http.Error(w, msg, status)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, h.maxBody+1))
	if err != nil {
		h.refused.Add(1)
		http.Error(w, "cannot read body", http.StatusBadRequest)
		return
	}
	if int64(len(body)) > h.maxBody {
		h.refused.Add(1)
		http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
		return
	}
	events, err := decodeEvents(body)
	if err != nil {
		h.refused.Add(1)
		http.Error(w, "body is not a JSON event", http.StatusBadRequest)
		return
	}
	for i := range events {
		h.deliver(r.Context(), &events[i], body, len(events) == 1)
	}
	w.WriteHeader(http.StatusOK)
}

// authenticate checks the header token, else the URL secret: it returns 0
// for a call that carries either, else the status to refuse it with.
func (h *WebhookHandler) authenticate(r *http.Request) (int, string) {
	if got, present := r.Header[h.header]; present {
		if len(got) != 1 || got[0] == "" {
			return http.StatusUnauthorized, "missing webhook token"
		}
		if !equalSum(got[0], &h.tokenSum) {
			return http.StatusForbidden, "wrong webhook token"
		}
		return 0, ""
	}
	got, present := r.URL.Query()[URLSecretParam]
	if !present || len(got) != 1 || got[0] == "" {
		return http.StatusUnauthorized, "missing webhook token"
	}
	if !equalSum(got[0], &h.secret.sum) {
		return http.StatusForbidden, "wrong webhook token"
	}
	return 0, ""
}

// equalSum compares v with a secret's hash in constant time: hashing first
// makes the time independent of the secret's length as well as its content.
func equalSum(v string, want *[sha256.Size]byte) bool {
	sum := sha256.Sum256([]byte(v))
	return subtle.ConstantTimeCompare(sum[:], want[:]) == 1
}

// commandURL returns webhookURL with the URL secret added, for the
// commands the client sends.
func commandURL(webhookURL, secret string) (string, error) {
	u, err := url.Parse(webhookURL)
	if err != nil {
		return "", err
	}
	q := u.Query()
	q.Set(URLSecretParam, secret)
	u.RawQuery = q.Encode()
	return u.String(), nil
}

func decodeEvents(body []byte) ([]Event, error) {
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	if len(trimmed) > 0 && trimmed[0] == '[' {
		var evs []Event
		if err := json.Unmarshal(trimmed, &evs); err != nil {
			return nil, err
		}
		return evs, nil
	}
	evs := make([]Event, 1)
	if err := json.Unmarshal(trimmed, &evs[0]); err != nil {
		return nil, err
	}
	return evs, nil
}

// deliver handles one decoded event; body is the whole delivery, which
// identifies a single event without an eventID.
func (h *WebhookHandler) deliver(ctx context.Context, ev *Event, body []byte, single bool) {
	var id uint64
	switch {
	case ev.EventID != "":
		id = maphash.String(h.seed, "id\x00"+ev.EventID)
	case single:
		id = maphash.Bytes(h.seed, body)
	default:
		b, _ := json.Marshal(ev)
		id = maphash.Bytes(h.seed, b)
	}
	if !h.remember(id) {
		h.duplicates.Add(1)
		return
	}
	h.received.Add(1)
	if h.onEvent != nil {
		h.onEvent(ctx, ev)
	}
	h.Dispatch(ev)
}

// remember records id and reports whether it is new.
func (h *WebhookHandler) remember(id uint64) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, dup := h.seen[id]; dup {
		return false
	}
	if len(h.ring) < cap(h.ring) {
		h.ring = append(h.ring, id)
	} else {
		delete(h.seen, h.ring[h.next])
		h.ring[h.next] = id
		h.next = (h.next + 1) % len(h.ring)
	}
	h.seen[id] = struct{}{}
	return true
}

// Dispatch hands ev to the callers waiting for it, as if it had arrived by
// webhook (for events received another way, such as push messages). It does
// not de-duplicate.
func (h *WebhookHandler) Dispatch(ev *Event) {
	h.mu.Lock()
	observers := h.observers
	h.mu.Unlock()
	for _, fn := range observers {
		fn(ev)
	}
	keys := ev.keys()
	if len(keys) == 0 {
		return
	}
	h.mu.Lock()
	var ready []*Pending
	for _, k := range keys {
		ready = append(ready, h.waiters[k]...)
	}
	h.mu.Unlock()
	// accept runs outside the lock, so it may call back into the handler.
	for _, p := range ready {
		if p.accept != nil && !p.accept(ev) {
			continue
		}
		p.resolve(ev)
		p.Cancel()
	}
}

// observe adds fn to the functions that see every dispatched event.
func (h *WebhookHandler) observe(fn func(*Event)) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.observers = append(h.observers[:len(h.observers):len(h.observers)], fn)
}

// Pending is a result a caller expects. Create it with Expect before sending
// the command, so a result arriving before Wait is called is not missed.
type Pending struct {
	h      *WebhookHandler
	key    WaitKey
	accept func(*Event) bool // nil takes the first event for key
	once   sync.Once
	done   chan struct{}
	ev     *Event
}

func (p *Pending) resolve(ev *Event) {
	p.once.Do(func() { p.ev = ev; close(p.done) })
}

// Expect registers interest in the next event for key.
func (h *WebhookHandler) Expect(key WaitKey) *Pending { return h.ExpectFunc(key, nil) }

// ExpectFunc registers interest in the next event for key that accept
// returns true for; the others leave the wait as it was. accept is called
// on the goroutine that dispatches the event, possibly concurrently, and
// should be quick. A nil accept takes the first event, as Expect does.
func (h *WebhookHandler) ExpectFunc(key WaitKey, accept func(*Event) bool) *Pending {
	p := &Pending{h: h, key: key, accept: accept, done: make(chan struct{})}
	h.mu.Lock()
	h.waiters[key] = append(h.waiters[key], p)
	h.mu.Unlock()
	return p
}

// ErrCommandFailed is returned by Pending.Wait when the event reports a
// failed command; the error also carries the event's reason.
var ErrCommandFailed = errors.New("august: command failed")

// CommandError is a failed command's event.
type CommandError struct {
	Event  *Event
	Reason string
}

func (e *CommandError) Error() string { return "august: command failed: " + e.Reason }

// Is matches ErrCommandFailed.
func (e *CommandError) Is(target error) bool { return target == ErrCommandFailed }

// Wait returns the event when it arrives, or ctx's error. An event that
// reports a failure is returned with a *CommandError matching
// ErrCommandFailed.
func (p *Pending) Wait(ctx context.Context) (*Event, error) {
	select {
	case <-p.done:
	case <-ctx.Done():
		p.Cancel()
		select {
		case <-p.done: // arrived at the same time
		default:
			return nil, ctx.Err()
		}
	}
	if failed, reason := p.ev.Failed(); failed {
		return p.ev, &CommandError{Event: p.ev, Reason: reason}
	}
	return p.ev, nil
}

// Cancel stops waiting and releases the registration.
func (p *Pending) Cancel() {
	h := p.h
	h.mu.Lock()
	defer h.mu.Unlock()
	list := h.waiters[p.key]
	for i, q := range list {
		if q == p {
			list = append(list[:i], list[i+1:]...)
			break
		}
	}
	if len(list) == 0 {
		delete(h.waiters, p.key)
	} else {
		h.waiters[p.key] = list
	}
}

// Wait waits for the next event for key arriving after the call; see
// Expect to avoid missing one that arrives before.
func (h *WebhookHandler) Wait(ctx context.Context, key WaitKey) (*Event, error) {
	return h.Expect(key).Wait(ctx)
}

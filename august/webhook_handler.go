package august

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/doorkit/doorkit/access"
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
// or an array of at most WithMaxEvents of them; null is not an event),
// drops repeated deliveries (by eventID, else by the event's fields, for
// WithDedupeTTL), passes new events to the function given with
// WithEventFunc, and hands them to callers waiting with Expect, ExpectFunc
// or Wait.
//
// What it receives lives in its result store (WithResultStore): the
// de-duplication marks, and every result under a name computed from its
// WaitKey, for OperationResultTTL or PINResultTTL. Give every replica's
// handler the same store and a result August delivers to any replica
// reaches the caller waiting on another, a repeat delivered to another
// replica is dropped, and a failed PIN load shows on every replica. A call
// the store cannot record is answered 503, so August delivers it again.
type WebhookHandler struct {
	header    string
	tokenSum  [sha256.Size]byte
	secret    *urlSecret // never printed: see Format
	maxBody   int64
	maxEvents int
	onEvent   func(context.Context, *Event)

	// results holds de-duplication marks and every event for its waiters,
	// shared by the replicas given the same store.
	results   access.ResultStore
	dedupeTTL time.Duration
	rescan    time.Duration // how often a waiter looks below its slot

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

// WithResultStore sets where the handler keeps what it receives: the
// de-duplication marks and each event, under a name a waiter computes from
// its WaitKey. Give every replica of an account the same store (a
// *redisstore.Store) and a result delivered to any replica reaches the
// waiter on any other, and a repeat delivered to another replica is
// dropped. The default, access.NewMemoryResultStore, serves one process.
func WithResultStore(store access.ResultStore) HandlerOption {
	return func(h *WebhookHandler) {
		if store != nil {
			h.results = store
		}
	}
}

// WithDedupeTTL sets how long a delivery is remembered to drop repeats
// (default DefaultDedupeTTL).
func WithDedupeTTL(d time.Duration) HandlerOption {
	return func(h *WebhookHandler) {
		if d > 0 {
			h.dedupeTTL = d
		}
	}
}

// WithMaxEvents bounds the events in one body (default DefaultMaxEvents);
// a body with more is refused with 413 and none of its events is taken.
func WithMaxEvents(n int) HandlerOption {
	return func(h *WebhookHandler) {
		if n > 0 {
			h.maxEvents = n
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

// urlSecret is the URL secret and its hash, and the header token, which
// the client sends when it registers the webhook itself (hookRegistrar).
type urlSecret struct {
	value       string
	sum         [sha256.Size]byte
	headerToken string
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
	DefaultDedupeTTL    = 24 * time.Hour
	DefaultMaxEventBody = 256 << 10
	DefaultMaxEvents    = 100
	// OperationResultTTL is how long an unlock's (or any operation's)
	// result is kept for its waiter; PINResultTTL a PIN command's, which
	// is also how long a failed load is remembered (GetGrant shows it).
	OperationResultTTL = 10 * time.Minute
	PINResultTTL       = 7 * 24 * time.Hour
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
		header:    http.CanonicalHeaderKey(headerName),
		tokenSum:  sha256.Sum256([]byte(token)),
		maxBody:   DefaultMaxEventBody,
		maxEvents: DefaultMaxEvents,
		dedupeTTL: DefaultDedupeTTL,
		rescan:    rescanEvery,
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
	h.secret.headerToken = token
	if h.results == nil {
		h.results = access.NewMemoryResultStore()
	}
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
	events, err := decodeEvents(body, h.maxEvents)
	if errors.Is(err, errTooManyEvents) {
		h.refused.Add(1)
		http.Error(w, "too many events in one body", http.StatusRequestEntityTooLarge)
		return
	}
	if err != nil {
		h.refused.Add(1)
		http.Error(w, "body is not a JSON event", http.StatusBadRequest)
		return
	}
	for i := range events {
		if err := h.deliver(r.Context(), &events[i]); err != nil {
			// Not recorded: August delivers again (its repeat is then new).
			http.Error(w, "cannot record the event now", http.StatusServiceUnavailable)
			return
		}
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

var errTooManyEvents = errors.New("too many events")

// decodeEvents reads one event object or an array of at most max of them;
// null, as the body or an element, is not an event.
func decodeEvents(body []byte, max int) ([]Event, error) {
	trimmed := bytes.TrimSpace(body)
	var raws []json.RawMessage
	if len(trimmed) > 0 && trimmed[0] == '[' {
		if err := json.Unmarshal(trimmed, &raws); err != nil {
			return nil, err
		}
		if len(raws) > max {
			return nil, errTooManyEvents
		}
	} else {
		raws = []json.RawMessage{trimmed}
	}
	evs := make([]Event, len(raws))
	for i, raw := range raws {
		if t := bytes.TrimSpace(raw); len(t) == 0 || t[0] != '{' {
			return nil, errors.New("an event is not a JSON object")
		}
		if err := json.Unmarshal(raw, &evs[i]); err != nil {
			return nil, err
		}
	}
	return evs, nil
}

// identity names an event for de-duplication: its eventID, else its
// fields as decoded (so a repeat re-serialised, with other spacing or key
// order, is the same event).
func identity(ev *Event) (string, error) {
	if ev.EventID != "" {
		return "august:event:id:" + ev.EventID, nil
	}
	b, err := json.Marshal(ev)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(b)
	return "august:event:sum:" + hex.EncodeToString(sum[:]), nil
}

// deliver handles one decoded event: the store's first-wins put drops a
// repeat, on whichever replica the first arrived.
func (h *WebhookHandler) deliver(ctx context.Context, ev *Event) error {
	id, err := identity(ev)
	if err != nil {
		return err
	}
	first, err := h.results.PutResult(ctx, id, []byte{1}, h.dedupeTTL)
	if err != nil {
		return err
	}
	if !first {
		h.duplicates.Add(1)
		return nil
	}
	h.received.Add(1)
	if h.onEvent != nil {
		h.onEvent(ctx, ev)
	}
	return h.dispatch(ctx, ev)
}

// Dispatch hands ev to the callers waiting for it, as if it had arrived by
// webhook (for events received another way, such as push messages). It does
// not de-duplicate.
func (h *WebhookHandler) Dispatch(ev *Event) {
	ctx, cancel := context.WithTimeout(context.Background(), dispatchTimeout)
	defer cancel()
	_ = h.dispatch(ctx, ev)
}

// dispatchTimeout bounds Dispatch's puts, which have no caller's context.
const dispatchTimeout = 10 * time.Second

// storedEvent is an event as kept in the result store, with when it was
// put there.
type storedEvent struct {
	At    time.Time `json:"at"`
	Event *Event    `json:"event"`
}

// maxSlots bounds the results kept under one WaitKey at a time.
const maxSlots = 1024

// dispatch stores ev under each WaitKey it satisfies, in the first free
// slot (see slotName).
func (h *WebhookHandler) dispatch(ctx context.Context, ev *Event) error {
	keys := ev.keys()
	if len(keys) == 0 {
		return nil
	}
	b, err := json.Marshal(storedEvent{At: time.Now(), Event: ev})
	if err != nil {
		return err
	}
	for _, k := range keys {
		if err := h.store(ctx, k, b); err != nil {
			return err
		}
	}
	return nil
}

func (h *WebhookHandler) store(ctx context.Context, k WaitKey, b []byte) error {
	for n := range maxSlots {
		first, err := h.results.PutResult(ctx, slotName(k, n), b, k.ttl())
		if err != nil || first {
			return err
		}
	}
	return fmt.Errorf("august: more than %d results for %v", maxSlots, k)
}

// slotName is where the n-th result for k is kept. Results for a key take
// slots 0, 1, ... in turn (the store's first-wins put decides the turn), so
// a waiter on any replica computes the names from its WaitKey alone: it
// waits on the first slot empty when it began, and the ones after. Finding
// the first empty slot reads every result kept for the key (a few for a
// PIN key; one per unlock of the door in the last OperationResultTTL for an
// operation key). Slots freed by expiry are used again: a result put just
// as the lowest slot expires may land below the slot a waiter chose; the
// waiter finds it when it looks again below its slot (every rescanEvery),
// by the slot's content having changed since Expect.
func slotName(k WaitKey, n int) string {
	return "august:result:" + url.PathEscape(k.LockID) + "/" + url.PathEscape(string(k.Kind)) + "/" +
		url.PathEscape(k.Action) + "/" + url.PathEscape(k.User) + "/" + strconv.Itoa(n)
}

func (k WaitKey) ttl() time.Duration {
	if k.Kind == EventPINCommand {
		return PINResultTTL
	}
	return OperationResultTTL
}

// firstFreeSlot returns the first slot of k with no result, and the hash
// of each result below it (to tell a slot refilled after expiry later).
func firstFreeSlot(ctx context.Context, store access.ResultStore, k WaitKey) (int, [][sha256.Size]byte, error) {
	var before [][sha256.Size]byte
	for n := range maxSlots {
		b, err := store.GetResult(ctx, slotName(k, n))
		if errors.Is(err, access.ErrNotFound) {
			return n, before, nil
		}
		if err != nil {
			return 0, nil, err
		}
		before = append(before, sha256.Sum256(b))
	}
	return maxSlots, before, nil
}

// results returns the results stored for k, oldest first.
func storedResults(ctx context.Context, store access.ResultStore, k WaitKey) ([]storedEvent, error) {
	var out []storedEvent
	for n := range maxSlots {
		b, err := store.GetResult(ctx, slotName(k, n))
		if errors.Is(err, access.ErrNotFound) {
			break
		}
		if err != nil {
			return nil, err
		}
		var se storedEvent
		if json.Unmarshal(b, &se) == nil && se.Event != nil {
			out = append(out, se)
		}
	}
	slices.SortStableFunc(out, func(a, b storedEvent) int { return a.At.Compare(b.At) })
	return out, nil
}

// Pending is a result a caller expects. Create it with Expect before sending
// the command, so a result arriving before Wait is called is not missed.
type Pending struct {
	h      *WebhookHandler
	key    WaitKey
	accept func(*Event) bool // nil takes the first event for key
	since  time.Time         // results put before, less ClockSkewAllowance, are older ones
	next   int               // the slot to wait on next
	err    error             // why the first free slot is not known
	// before holds the hash of each slot below the first free one at
	// Expect; a slot whose result changes since was refilled after expiry
	// (see slotName), and its new result may be the one awaited.
	before [][sha256.Size]byte

	mu sync.Mutex
	ev *Event // the result, once taken
}

// Expect registers interest in the next event for key.
func (h *WebhookHandler) Expect(key WaitKey) *Pending { return h.ExpectFunc(key, nil) }

// ExpectFunc registers interest in the next event for key that accept
// returns true for; the others leave the wait as it was. accept is called
// on the goroutine that calls Wait, and should be quick. A nil accept
// takes the first event, as Expect does. The result may arrive at any
// replica whose handler shares this one's result store.
func (h *WebhookHandler) ExpectFunc(key WaitKey, accept func(*Event) bool) *Pending {
	p := &Pending{h: h, key: key, accept: accept, since: time.Now().Add(-ClockSkewAllowance)}
	ctx, cancel := context.WithTimeout(context.Background(), dispatchTimeout)
	defer cancel()
	p.next, p.before, p.err = firstFreeSlot(ctx, h.results, key)
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
// ErrCommandFailed. A result store that cannot be read gives an error
// matching access.ErrUnavailable.
func (p *Pending) Wait(ctx context.Context) (*Event, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ev == nil {
		ev, err := p.take(ctx)
		if err != nil {
			return nil, err
		}
		p.ev = ev
	}
	if failed, reason := p.ev.Failed(); failed {
		return p.ev, &CommandError{Event: p.ev, Reason: reason}
	}
	return p.ev, nil
}

func (p *Pending) take(ctx context.Context) (*Event, error) {
	if p.err != nil {
		return nil, fmt.Errorf("august: reading webhook results: %w: %w", access.ErrUnavailable, p.err)
	}
	for p.next < maxSlots {
		wctx, cancel := context.WithTimeout(ctx, p.h.rescan)
		b, err := p.h.results.WaitResult(wctx, slotName(p.key, p.next))
		cancel()
		if err == nil {
			p.next++
			if ev := p.take1(b); ev != nil {
				return ev, nil
			}
			continue
		}
		if ctxErr := ctx.Err(); ctxErr != nil {
			return nil, ctxErr
		}
		if errors.Is(err, context.DeadlineExceeded) {
			// Nothing in the awaited slot yet: a result may have landed
			// in a slot refilled below it.
			if ev, err := p.rescan(ctx); ev != nil || err != nil {
				return ev, err
			}
			continue
		}
		return nil, fmt.Errorf("august: reading webhook results: %w: %w", access.ErrUnavailable, err)
	}
	return nil, fmt.Errorf("august: more than %d results for %v: %w", maxSlots, p.key, access.ErrUnavailable)
}

// rescanEvery is how often a waiter looks below its slot (see slotName).
const rescanEvery = 5 * time.Second

// take1 returns the stored result b if it is the one awaited.
func (p *Pending) take1(b []byte) *Event {
	var se storedEvent
	if json.Unmarshal(b, &se) != nil || se.Event == nil || se.At.Before(p.since) {
		return nil // not this command's: older, or not an event
	}
	if p.accept != nil && !p.accept(se.Event) {
		return nil
	}
	return se.Event
}

// rescan reads the slots that held a result at Expect and takes a new
// result found in one refilled since.
func (p *Pending) rescan(ctx context.Context) (*Event, error) {
	for n, was := range p.before {
		b, err := p.h.results.GetResult(ctx, slotName(p.key, n))
		if errors.Is(err, access.ErrNotFound) {
			continue
		}
		if err != nil {
			if ctxErr := ctx.Err(); ctxErr != nil {
				return nil, ctxErr
			}
			return nil, fmt.Errorf("august: reading webhook results: %w: %w", access.ErrUnavailable, err)
		}
		sum := sha256.Sum256(b)
		if sum == was {
			continue
		}
		p.before[n] = sum // looked at once
		if ev := p.take1(b); ev != nil {
			return ev, nil
		}
	}
	return nil, nil
}

// seen runs the results already stored for the key through accept,
// without waiting, and reports whether one was taken: for a caller whose
// command failed on its way, to learn what arrived meanwhile (accept sees
// every event, as in Wait).
func (p *Pending) seen(ctx context.Context) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ev != nil {
		return true
	}
	if p.err != nil {
		return false
	}
	for ; p.next < maxSlots; p.next++ {
		b, err := p.h.results.GetResult(ctx, slotName(p.key, p.next))
		if err != nil {
			return false
		}
		if ev := p.take1(b); ev != nil {
			p.ev = ev
			p.next++
			return true
		}
	}
	return false
}

// Cancel stops waiting. Nothing is held for a Pending in the handler, so
// it only documents that the caller is done with it.
func (p *Pending) Cancel() {}

// Wait waits for the next event for key arriving after the call; see
// Expect to avoid missing one that arrives before.
func (h *WebhookHandler) Wait(ctx context.Context, key WaitKey) (*Event, error) {
	return h.Expect(key).Wait(ctx)
}

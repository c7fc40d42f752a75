package august

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/doorkit/doorkit/access"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	hookHeader = "X-Partner-Token"
	hookToken  = "a-long-random-webhook-token"
)

func newHandler(t testing.TB, opts ...HandlerOption) *WebhookHandler {
	t.Helper()
	h, err := NewWebhookHandler(hookHeader, hookToken, opts...)
	require.NoError(t, err)
	return h
}

func post(h http.Handler, token, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, "/august/hooks", strings.NewReader(body))
	if token != "" {
		req.Header.Set(hookHeader, token)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w
}

func TestWebhookHandlerRefusesWithoutToken(t *testing.T) {
	var events int
	h := newHandler(t, WithEventFunc(func(context.Context, *Event) { events++ }))
	body := harness.Body(t, "event_operation.json")
	assert.Equal(t, http.StatusUnauthorized, post(h, "", body).Code)
	assert.Equal(t, http.StatusForbidden, post(h, "a-long-random-webhook-tokeN", body).Code)
	assert.Equal(t, http.StatusForbidden, post(h, hookToken+"x", body).Code)
	assert.Equal(t, http.StatusForbidden, post(h, "short", body).Code)

	req := httptest.NewRequest(http.MethodGet, "/august/hooks", nil)
	req.Header.Set(hookHeader, hookToken)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	assert.Equal(t, http.StatusMethodNotAllowed, w.Code)

	req = httptest.NewRequest(http.MethodPost, "/august/hooks", strings.NewReader(body))
	req.Header.Add(hookHeader, hookToken)
	req.Header.Add(hookHeader, "other")
	w = httptest.NewRecorder()
	h.ServeHTTP(w, req)
	assert.Equal(t, http.StatusUnauthorized, w.Code, "two token headers are refused")

	assert.Equal(t, 0, events)
	assert.Equal(t, uint64(6), h.Stats().Refused)

	assert.Equal(t, http.StatusBadRequest, post(h, hookToken, `{"eventID":`).Code)
	small := newHandler(t, WithMaxEventBody(16))
	assert.Equal(t, http.StatusRequestEntityTooLarge, post(small, hookToken, body).Code)

	_, err := NewWebhookHandler("X Bad", hookToken)
	assert.Error(t, err)
	_, err = NewWebhookHandler(hookHeader, "short")
	assert.Error(t, err)
}

func TestWebhookHandlerDecodesTypedEvents(t *testing.T) {
	var got []*Event
	h := newHandler(t, WithEventFunc(func(_ context.Context, e *Event) { got = append(got, e) }))
	for _, f := range []string{"event_operation.json", "event_battery.json", "event_systemstatus.json",
		"event_configuration.json", "event_pincommand.json", "event_pincommand_failed.json", "activity_v4.json"} {
		require.Equal(t, http.StatusOK, post(h, hookToken, harness.Body(t, f)).Code, f)
	}
	require.Len(t, got, 7)
	kinds := make([]EventKind, len(got))
	for i, e := range got {
		kinds[i] = e.Kind()
		assert.Equal(t, testLockID, e.Lock())
	}
	assert.Equal(t, []EventKind{EventOperation, EventBattery, EventSystemStatus, EventConfiguration, EventPINCommand,
		EventPINCommand, EventOperation}, kinds)
	op := got[0]
	assert.Equal(t, LockUnlocked, LockState(op.Status).Normalize())
	assert.Equal(t, DoorClosed, op.DoorState.Normalize())
	assert.Equal(t, "tx-async-1", op.Info.Context.TransactionID)
	assert.InDelta(t, 0.18, *got[1].Battery, 1e-9)
	assert.Equal(t, time.UnixMilli(1739628000000).UTC(), got[1].DateTime.Time)
	assert.Equal(t, "65771c7a29b82c470a1b3257", got[2].BridgeID)
	pin := got[4]
	assert.Equal(t, "booking-42", pin.PartnerUserID)
	assert.Equal(t, int64(5), pin.Slot)
	assert.NotContains(t, sprintAll(pin), "048213")
	failed, reason := got[5].Failed()
	assert.True(t, failed)
	assert.Equal(t, "keypad did not answer", reason)
	ok, _ := pin.Failed()
	assert.False(t, ok)
}

func TestWebhookHandlerDeduplicates(t *testing.T) {
	var n int
	h := newHandler(t, WithEventFunc(func(context.Context, *Event) { n++ }))
	a, b, c := harness.Body(t, "event_operation.json"), harness.Body(t, "event_battery.json"), harness.Body(t, "event_pincommand.json")
	post(h, hookToken, a)
	post(h, hookToken, a) // repeated delivery
	assert.Equal(t, 1, n)
	// Same eventID, different body (a redelivery stamped anew): a repeat.
	post(h, hookToken, strings.Replace(a, `"dateTime": "2025-02-15T14:00:03.000Z"`, `"dateTime": "2025-02-15T14:00:09.000Z"`, 1))
	assert.Equal(t, 1, n)
	// Without eventID the event's fields identify it.
	noID := `{"notificationType":"battery","lockID":"` + testLockID + `","battery":0.5}`
	post(h, hookToken, noID)
	post(h, hookToken, noID)
	assert.Equal(t, 2, n)
	post(h, hookToken, b)
	post(h, hookToken, c)
	post(h, hookToken, a)
	assert.Equal(t, 4, n)
	assert.Equal(t, uint64(4), h.Stats().Duplicates)
	// An array of events is several deliveries.
	post(h, hookToken, "["+harness.Body(t, "event_configuration.json")+","+harness.Body(t, "event_systemstatus.json")+"]")
	assert.Equal(t, 6, n)
}

func TestWebhookHandlerWaiters(t *testing.T) {
	h := newHandler(t)
	ctx := context.Background()

	// Expect before the command: a result arriving before Wait is kept.
	p := h.Expect(PINKey(testLockID, PINActionLoad, "booking-42"))
	post(h, hookToken, harness.Body(t, "event_pincommand.json"))
	ev, err := p.Wait(ctx)
	require.NoError(t, err)
	assert.Equal(t, "loaded", ev.State)

	// A failed PIN command is a *CommandError with the reason.
	p = h.Expect(PINKey(testLockID, PINActionLoad, "visitor-9"))
	post(h, hookToken, harness.Body(t, "event_pincommand_failed.json"))
	ev, err = p.Wait(ctx)
	assert.ErrorIs(t, err, ErrCommandFailed)
	assert.ErrorContains(t, err, "keypad did not answer")
	assert.NotNil(t, ev)

	// An async unlock, by lock and command; several waiters all get it.
	var wg sync.WaitGroup
	ready := make(chan struct{}, 3)
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			pend := h.Expect(OperationKey(testLockID, CommandUnlock))
			ready <- struct{}{}
			e, err := pend.Wait(ctx)
			assert.NoError(t, err)
			assert.Equal(t, "e-op-1", e.EventID)
		}()
	}
	for range 3 {
		<-ready
	}
	post(h, hookToken, harness.Body(t, "event_operation.json"))
	wg.Wait()

	// The lock's own events satisfy the key of its command only.
	other := h.Expect(OperationKey(testLockID, CommandLock))
	post(h, hookToken, strings.Replace(harness.Body(t, "event_operation.json"), "e-op-1", "e-op-2", 1))
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	_, err = other.Wait(cctx)
	assert.ErrorIs(t, err, context.Canceled)

	// Dispatch hands over events that came another way (push messages).
	p = h.Expect(OperationKey("LOCKID", CommandUnlock))
	h.Dispatch(&Event{Status: "kAugLockState_Unlocked", Info: &EventInfo{OperateInfo: OperateInfo{LockID: "LOCKID"}}})
	_, err = p.Wait(ctx)
	assert.NoError(t, err)
	assert.NotErrorIs(t, err, access.ErrOutcomeUnknown)
}

// BenchmarkWebhookHandler measures events per second through ServeHTTP
// (token check, body read, decode, de-duplication, dispatch to observers
// and waiters), each event new, and reports allocations per event. The
// request and recorder are reused, so what is counted is the handler's.
func BenchmarkWebhookHandler(b *testing.B) {
	h := newHandler(b)
	body := harness.Body(b, "event_pincommand.json")
	bodies := make([][]byte, 4096)
	for i := range bodies {
		// Each a new event for a user of its own, as each grant's load
		// result is: results for one key within its TTL cost a read each.
		id := strconv.Itoa(i) + "-" + strconv.Itoa(b.N)
		ev := strings.Replace(body, `"e-pin-1"`, `"e-pin-`+id+`"`, 1)
		ev = strings.Replace(ev, `"booking-42"`, `"booking-`+id+`"`, 1)
		bodies[i] = []byte(strings.Replace(ev, `"7b14406f-6e5e-4539-9241-498262c20b44"`, `"user-`+id+`"`, 1))
	}
	req := httptest.NewRequest(http.MethodPost, "/hooks", nil)
	req.Header.Set(hookHeader, hookToken)
	w := &discardResponse{header: http.Header{}}
	r := &resettableBody{}
	req.Body = r
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for i := range b.N {
		r.Reset(bodies[i%len(bodies)])
		h.ServeHTTP(w, req)
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "events/s")
	if w.status != http.StatusOK {
		b.Fatalf("status %d", w.status)
	}
}

type resettableBody struct{ bytes.Reader }

func (r *resettableBody) Close() error { return nil }

type discardResponse struct {
	header http.Header
	status int
}

func (d *discardResponse) Header() http.Header         { return d.header }
func (d *discardResponse) Write(p []byte) (int, error) { return len(p), nil }
func (d *discardResponse) WriteHeader(s int)           { d.status = s }

// One 256 KiB body of small events cannot flood the de-duplication memory:
// a body with more than WithMaxEvents events is refused whole (413), and an
// event seen before is still a repeat after it.
func TestWebhookHandlerBoundsEventsPerBody(t *testing.T) {
	var n int
	h := newHandler(t, WithEventFunc(func(context.Context, *Event) { n++ }))
	first := `{"eventID":"first","lockID":"` + testLockID + `","notificationType":"battery"}`
	require.Equal(t, http.StatusOK, post(h, hookToken, first).Code)
	var b strings.Builder
	b.WriteString("[")
	for i := 0; b.Len() < DefaultMaxEventBody-32; i++ {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(`{"eventID":"` + strconv.Itoa(i) + `"}`)
	}
	b.WriteString("]")
	assert.Equal(t, http.StatusRequestEntityTooLarge, post(h, hookToken, b.String()).Code)
	assert.Equal(t, 1, n, "no event of a refused body is taken")
	post(h, hookToken, first)
	assert.Equal(t, 1, n, "still a repeat")
	assert.Equal(t, uint64(1), h.Stats().Duplicates)

	many := "[" + strings.Repeat(`{"lockID":"`+testLockID+`"},`, DefaultMaxEvents) + `{"eventID":"x"}]`
	assert.Equal(t, http.StatusRequestEntityTooLarge, post(h, hookToken, many).Code)
	h2 := newHandler(t, WithMaxEvents(DefaultMaxEvents+1))
	assert.Equal(t, http.StatusOK, post(h2, hookToken, many).Code)
}

// null is not an event, as the body or in an array.
func TestWebhookHandlerRefusesNull(t *testing.T) {
	var n int
	h := newHandler(t, WithEventFunc(func(context.Context, *Event) { n++ }))
	for _, body := range []string{"null", " null\n", "[null]", `[{"eventID":"a"},null]`, `"text"`, "42", "[1]"} {
		assert.Equal(t, http.StatusBadRequest, post(h, hookToken, body).Code, body)
	}
	assert.Zero(t, n)
	assert.Zero(t, h.Stats().Received)
}

// An event without an eventID is identified by its fields: the same event
// re-serialised (other key order, spacing) is a repeat.
func TestWebhookHandlerDeduplicatesByFields(t *testing.T) {
	var n int
	h := newHandler(t, WithEventFunc(func(context.Context, *Event) { n++ }))
	post(h, hookToken, `{"lockID":"`+testLockID+`","notificationType":"battery","battery":0.5}`)
	post(h, hookToken, `{ "battery": 0.50, "notificationType": "battery",  "lockID": "`+testLockID+`" }`)
	post(h, hookToken, `[{"battery":0.5,"lockID":"`+testLockID+`","notificationType":"battery"}]`)
	assert.Equal(t, 1, n)
	assert.Equal(t, uint64(2), h.Stats().Duplicates)
	post(h, hookToken, `{"lockID":"`+testLockID+`","notificationType":"battery","battery":0.4}`)
	assert.Equal(t, 2, n, "another value is another event")
}

// expiringStore is a result store whose values the test expires by hand.
type expiringStore struct {
	access.ResultStore
	mu      sync.Mutex
	expired map[string]bool
	values  map[string][]byte
}

func newExpiringStore() *expiringStore {
	return &expiringStore{ResultStore: access.NewMemoryResultStore(), expired: map[string]bool{}, values: map[string][]byte{}}
}

// The memory store cannot forget a value early, so this one keeps its own
// values and uses the memory store only to wake waiters.
func (s *expiringStore) PutResult(ctx context.Context, name string, v []byte, ttl time.Duration) (bool, error) {
	s.mu.Lock()
	if _, ok := s.values[name]; ok {
		s.mu.Unlock()
		return false, nil
	}
	s.values[name] = v
	s.mu.Unlock()
	_, err := s.ResultStore.PutResult(ctx, name+"#wake", v, ttl)
	return true, err
}

func (s *expiringStore) GetResult(ctx context.Context, name string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if v, ok := s.values[name]; ok {
		return v, nil
	}
	return nil, access.ErrNotFound
}

func (s *expiringStore) WaitResult(ctx context.Context, name string) ([]byte, error) {
	if v, err := s.GetResult(ctx, name); err == nil {
		return v, nil
	}
	if _, err := s.ResultStore.WaitResult(ctx, name+"#wake"); err != nil {
		return nil, err
	}
	return s.GetResult(ctx, name)
}

func (s *expiringStore) expire(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.values, name)
}

// A result that lands in a slot freed by expiry below the waiter's slot
// still reaches the waiter: it looks below its slot again.
func TestWaiterFindsResultInRefilledSlot(t *testing.T) {
	store := newExpiringStore()
	a := newHandler(t, WithResultStore(store))
	b := newHandler(t, WithResultStore(store))
	b.rescan = time.Millisecond
	key := PINKey(testLockID, PINActionLoad, "booking-42")
	pin := harness.Body(t, "event_pincommand.json")
	require.Equal(t, http.StatusOK, post(a, hookToken, pin).Code) // slot 0
	p := b.Expect(key)                                            // waits on slot 1
	store.expire(slotName(key, 0))
	require.Equal(t, http.StatusOK, post(a, hookToken, strings.Replace(pin, "e-pin-1", "e-pin-2", 1)).Code) // slot 0 again
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ev, err := p.Wait(ctx)
	require.NoError(t, err)
	assert.Equal(t, "e-pin-2", ev.EventID)
}

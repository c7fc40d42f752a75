package access

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"iter"
	"reflect"
	"sync"
	"sync/atomic"
	"time"
)

// This file holds the interfaces behind everything doorkit remembers
// between calls: grant keys (KeyStore, KeyLister), per-key turns (Locker),
// tokens (TokenStore), the rate budget (RateBudget) and webhook results
// (ResultStore). Each has an in-memory default that lasts as long as the
// process and serves one replica; package
// github.com/doorkit/doorkit/redisstore implements all of them on Redis for
// a fleet of replicas that restarts on every deploy. None of them is package
// state: a replica's memory belongs to values its owner configures, so two
// replicas in one process share nothing but the stores they are given.

// ErrKeyUnknown reports that a KeyStore has no record of a key and cannot
// prove that no grant carries it: a store that does not outlive the process
// (NewMemoryKeyStore) cannot tell a key it never saw from one a previous
// process recorded. It does not match ErrNotFound. EnsureGrant takes it as
// "no grant" and creates (a booking's first trigger must work; after a
// restart that can make a second grant, which a durable store prevents);
// EnsureRevokedByKey returns it rather than reporting a revocation done.
var ErrKeyUnknown = errors.New("access: the key store has no record of this key and cannot prove that no grant carries it (revoke by the grant id you stored, or use a durable KeyStore)")

// KeyEntry is one key a KeyStore records and the value it maps to: a grant
// id, or the mark of a create under way or whose outcome is unknown
// (Pending).
type KeyEntry struct {
	Key     string
	GrantID string
}

// Pending reports whether the entry marks a create under way or whose
// outcome is unknown rather than naming a grant (see CreateWithKeyStore).
func (e KeyEntry) Pending() bool {
	_, ok := pendingSince(e.GrantID)
	return ok
}

// KeyLister is a KeyStore that lists the keys it records, in key order.
// Vendors that cannot list their grants (resivo) list the keys instead, and
// reconcile finds the keys an integration owns by their prefix ("" lists
// every key). A durable store implements it through an index, not a scan.
type KeyLister interface {
	ListKeys(ctx context.Context, prefix string) iter.Seq2[KeyEntry, error]
}

// Locker hands out leases on names, one holder at a time across every
// process that shares it. EnsureGrant and EnsureRevokedByKey take a lease on
// the grant key, so two replicas handling one booking's triggers take turns;
// vendors take leases on what they must not change twice at once (a Havr
// member's key to a door).
//
// Lock waits for the lease until ctx ends. The lease's Context is derived
// from ctx and ends when the lease is released or lost (a shared lock whose
// renewal failed): work done under it uses that context, so a holder that
// lost its turn stops. Fence numbers grow with every lease granted on a
// name; a store that records under a lease (KeyStore.Put) refuses a write
// whose fence is older than one it has seen, so a holder that lost its
// lease cannot overwrite its successor's record.
type Locker interface {
	Lock(ctx context.Context, name string) (Lease, error)
}

// Lease is a held turn on a name.
type Lease interface {
	// Context ends when the lease is released or lost; it carries the
	// lease, so LeaseFromContext finds it.
	Context() context.Context
	// Fence is the lease's fencing number, larger than any earlier
	// lease's on the same name.
	Fence() uint64
	// Release gives the turn to the next waiter. Releasing twice, or a
	// lease already lost, is not an error.
	Release(ctx context.Context) error
}

type leaseKey struct{}

// ContextWithLease returns ctx carrying lease, for Locker implementations
// whose Lease.Context is built from scratch.
func ContextWithLease(ctx context.Context, lease Lease) context.Context {
	return context.WithValue(ctx, leaseKey{}, lease)
}

// LeaseFromContext returns the innermost lease ctx carries: a store that
// fences its writes reads the fence number from it.
func LeaseFromContext(ctx context.Context) (Lease, bool) {
	l, ok := ctx.Value(leaseKey{}).(Lease)
	return l, ok
}

// LockerProvider is implemented by clients that carry a Locker (every
// vendor client's WithLocker option; a Directory's). EnsureGrant and
// EnsureRevokedByKey take their turns from it unless the call names one
// with WithLocker.
type LockerProvider interface {
	Locker() Locker
}

// NewMemoryLocker returns a Locker for one process: waiters take turns in
// no particular order, a lease is never lost, and a name's state is dropped
// when its last holder or waiter leaves. Its leases are PendingLeases: a
// holder that sent a vendor call whose outcome it did not learn (its caller
// gave up mid-create, an answer was lost) leaves the name pending for
// MemoryPendingWindow, as redisstore's leases do for their TTL.
func NewMemoryLocker() Locker {
	return &memoryLocker{held: map[string]*memoryTurn{}, pending: map[string]time.Time{}, now: time.Now}
}

// MemoryPendingWindow is how long a memory Locker keeps a name pending
// after a holder released it with KeepPending: the time a vendor is taken
// to need, at most, to act on a request it received (redisstore's default
// lease TTL).
const MemoryPendingWindow = 30 * time.Second

type memoryLocker struct {
	mu      sync.Mutex
	held    map[string]*memoryTurn
	pending map[string]time.Time // names left pending, until when
	fence   uint64
	now     func() time.Time
}

type memoryTurn struct {
	token   chan struct{} // holds a value while a holder has the turn
	waiters int           // holders and waiters
}

func (m *memoryLocker) Lock(ctx context.Context, name string) (Lease, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m.mu.Lock()
	tn := m.held[name]
	if tn == nil {
		tn = &memoryTurn{token: make(chan struct{}, 1)}
		m.held[name] = tn
	}
	tn.waiters++
	m.mu.Unlock()
	select {
	case tn.token <- struct{}{}:
	case <-ctx.Done():
		m.leave(name, tn)
		return nil, ctx.Err()
	}
	m.mu.Lock()
	m.fence++
	l := &memoryLease{fence: m.fence}
	if until, ok := m.pending[name]; ok {
		if m.now().Before(until) {
			l.pendingUntil = until
		} else {
			delete(m.pending, name)
		}
	}
	m.mu.Unlock()
	l.ctx, l.cancel = context.WithCancel(ctx)
	l.ctx = ContextWithLease(l.ctx, l)
	l.release = func() {
		if l.keep.Load() {
			m.keepPending(name, l.pendingUntil)
		}
		<-tn.token
		m.leave(name, tn)
	}
	return l, nil
}

// keepPending leaves name pending for MemoryPendingWindow from now (or
// until the later until an earlier holder left), dropping names whose
// marks lapsed.
func (m *memoryLocker) keepPending(name string, earlier time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	for n, until := range m.pending {
		if !now.Before(until) {
			delete(m.pending, n)
		}
	}
	until := now.Add(MemoryPendingWindow)
	if earlier.After(until) {
		until = earlier
	}
	m.pending[name] = until
}

func (m *memoryLocker) leave(name string, tn *memoryTurn) {
	m.mu.Lock()
	if tn.waiters--; tn.waiters == 0 {
		delete(m.held, name)
	}
	m.mu.Unlock()
}

type memoryLease struct {
	ctx          context.Context
	cancel       context.CancelFunc
	fence        uint64
	once         sync.Once
	release      func()
	pendingUntil time.Time
	keep         atomic.Bool
}

func (l *memoryLease) Context() context.Context { return l.ctx }
func (l *memoryLease) Fence() uint64            { return l.fence }
func (l *memoryLease) PendingUntil() time.Time  { return l.pendingUntil }
func (l *memoryLease) KeepPending()             { l.keep.Store(true) }
func (l *memoryLease) Release(context.Context) error {
	l.once.Do(func() { l.cancel(); l.release() })
	return nil
}

// EnsureOption configures one EnsureGrant, EnsureRevokedByKey or
// EnsureRevoked call.
type EnsureOption func(*ensureConfig)

type ensureConfig struct {
	locker  Locker
	applied AppliedStore
	listed  iter.Seq2[*Grant, error] // the key's grants, listed under its turn (Apply's batch)
}

// WithLocker makes the call take its key's turn from l, overriding the
// granter's own (LockerProvider).
func WithLocker(l Locker) EnsureOption { return func(c *ensureConfig) { c.locker = l } }

func ensureOptions(g any, opts []EnsureOption) ensureConfig {
	var c ensureConfig
	if p, ok := g.(LockerProvider); ok {
		c.locker = p.Locker()
	}
	for _, o := range opts {
		o(&c)
	}
	c.applied = appliedStoreOf(g, c.applied)
	return c
}

// keyTurn is a grant key's turn taken by EnsureGrant, EnsureRevokedByKey
// or Apply: the lease, and what the holder leaves for the key when it
// releases it through a TurnRecorder.
type keyTurn struct {
	ctx      context.Context // the lease's, carrying the turn
	outer    context.Context // the caller's, for the release
	key      string
	lease    Lease        // nil without a locker
	recorder TurnRecorder // the locker, when it records with the release
	record   TurnRecord
	sent     atomic.Bool // a vendor write was sent under the turn
}

// sending notes, before a vendor write for key, that the turn on key ctx
// carries sent one: a turn that ends with ErrOutcomeUnknown is left pending
// only then (a refusal sent nothing).
func sending(ctx context.Context, key string) {
	if t := heldTurnFor(ctx, key); t != nil {
		t.sent.Store(true)
	}
}

// keyTurn takes key's turn from the configured locker. Without one the call
// runs without turns: the caller keeps one booking's triggers apart. A turn
// whose earlier holder left vendor calls pending (PendingLease) is given up
// at once with a *PendingKeyError: what a lookup finds until then proves
// nothing.
func (c ensureConfig) keyTurn(ctx context.Context, key string) (*keyTurn, error) {
	t := &keyTurn{ctx: ctx, outer: ctx, key: key}
	if c.locker == nil {
		return t, nil
	}
	lease, err := c.locker.Lock(ctx, KeyTurnName(key))
	if err != nil {
		return nil, err
	}
	t.lease = lease
	if p, ok := lease.(PendingLease); ok {
		if until := p.PendingUntil(); time.Now().Before(until) {
			_ = lease.Release(context.WithoutCancel(ctx))
			return nil, &PendingKeyError{Key: key, Until: until}
		}
	}
	t.recorder, _ = c.locker.(TurnRecorder)
	t.ctx = context.WithValue(lease.Context(), heldTurnKey{}, &heldTurn{locker: c.locker, key: key, turn: t, outer: heldTurnOf(ctx)})
	return t, nil
}

// records reports whether a write to store of the turn's key can wait for
// the release: store is the locker that granted the turn and records with
// its release.
func (t *keyTurn) records(store any) bool {
	if t == nil || t.recorder == nil || store == nil {
		return false
	}
	ts := reflect.TypeOf(store)
	return ts == reflect.TypeOf(t.recorder) && ts.Comparable() && store == any(t.recorder)
}

// release ends the turn after work that ended with err: work that sent a
// vendor write and ended with ErrOutcomeUnknown leaves the turn's mark
// pending for the next holders (PendingLease), unless a KeyStore keeps the
// key pending already. The record the work left
// for the key is made with the release; an error means it may not have
// been.
func (t *keyTurn) release(err error) error {
	if t.lease == nil {
		return nil
	}
	if t.sent.Load() && errors.Is(err, ErrOutcomeUnknown) && !keyStorePending(err) {
		if p, ok := t.lease.(PendingLease); ok {
			p.KeepPending()
		}
	}
	ctx := context.WithoutCancel(t.outer)
	if t.recorder == nil || t.record == (TurnRecord{}) {
		_ = t.lease.Release(ctx)
		return nil
	}
	return t.recorder.ReleaseRecording(ctx, t.lease, t.key, t.record)
}

// keyStorePending reports whether err says a KeyStore holds the key's
// pending mark (a *PendingKeyError without Until: CreateWithKeyStore's,
// which stays until the key is resolved): the turn need not stay pending
// beside it, and resolving the key settles it.
func keyStorePending(err error) bool {
	var pk *PendingKeyError
	return errors.As(err, &pk) && pk.Until.IsZero()
}

// heldTurnFor returns the turn on key ctx carries, nil when none.
func heldTurnFor(ctx context.Context, key string) *keyTurn {
	for h := heldTurnOf(ctx); h != nil; h = h.outer {
		if h.key == key {
			return h.turn
		}
	}
	return nil
}

// PendingLease is a Lease on a grant key's turn (KeyTurnName) that hands
// its next holders the mark of vendor calls whose outcome a holder did not
// learn: a holder that lost its lease (it may have been cut off in the
// middle of a create), or one that released it after a call whose outcome
// is unknown. A vendor may still act on such a call for a while, and until
// then neither a lookup that finds no grant nor one that finds a grant
// proves what the key will have: EnsureGrant, EnsureRevokedByKey and Apply
// refuse the turn with a *PendingKeyError naming when the mark lapses.
// redisstore's leases on key turns and NewMemoryLocker's leases implement
// it (in memory a lease is never lost, but its holder's caller may give up
// in the middle of a create).
type PendingLease interface {
	Lease
	// PendingUntil returns until when a call an earlier holder sent may
	// still reach the vendor, as read when the lease was taken; zero when
	// none may.
	PendingUntil() time.Time
	// KeepPending makes Release leave the mark for the next holders: this
	// holder sent a call whose outcome it did not learn.
	KeepPending()
}

// TurnRecorder is a KeyStore and AppliedStore that is also the Locker of
// its keys' turns (redisstore's Store): it makes what EnsureGrant leaves
// for a key (the new grant's id, the applied window) with the release of
// the key's turn, one step where Put, SaveApplied and Release would be
// three (three round trips to a remote store). EnsureGrant, Apply and
// CreateWithKeyStore under their turns use it when the store they write to
// is the Locker itself.
type TurnRecorder interface {
	// ReleaseRecording makes rec for key, fenced by lease as Put is, and
	// releases lease, a lease the recorder granted on key's turn. An error
	// means rec may not have been made: the key keeps what it held (a
	// create's pending mark).
	ReleaseRecording(ctx context.Context, lease Lease, key string, rec TurnRecord) error
}

// TurnRecord is what a key's turn leaves for the key; zero fields leave
// what the store holds.
type TurnRecord struct {
	GrantID string  // the grant the key names, recorded as Put does
	Applied *Window // the window applied at the vendor, as SaveApplied does
}

// KeyTurnName is the name a grant key's turn is locked under by
// EnsureGrant, EnsureRevokedByKey and Apply. A Locker that also keeps grant
// keys may read the key's record as it grants the turn (redisstore does,
// which saves a round trip), and a vendor's own turn on a key uses it.
func KeyTurnName(key string) string { return "key:" + key }

// HoldsKeyTurn reports whether ctx carries key's turn taken from l by
// EnsureGrant, EnsureRevokedByKey or Apply. A vendor whose CreateGrant
// takes the key's turn itself when called alone (resivo) skips it under
// the caller's, which a Locker that is not reentrant would otherwise wait
// for forever.
func HoldsKeyTurn(ctx context.Context, l Locker, key string) bool {
	for h := heldTurnOf(ctx); h != nil; h = h.outer {
		if h.key == key && sameLocker(h.locker, l) {
			return true
		}
	}
	return false
}

type heldTurnKey struct{}

// heldTurn is a key's turn a context carries, and the turn around it.
type heldTurn struct {
	locker Locker
	key    string
	turn   *keyTurn
	outer  *heldTurn
}

func heldTurnOf(ctx context.Context) *heldTurn {
	h, _ := ctx.Value(heldTurnKey{}).(*heldTurn)
	return h
}

// sameLocker compares two Lockers without the panic == gives on values
// of a type that cannot be compared.
func sameLocker(a, b Locker) bool {
	ta := reflect.TypeOf(a)
	return ta != nil && ta == reflect.TypeOf(b) && ta.Comparable() && a == b
}

// TokenStore holds one vendor account's tokens for every replica, as bytes
// the vendor package encodes (its Tokens type's JSON form, which carries the
// secrets in clear: a store keeps them at rest, so seal them or protect the
// store). Every vendor client takes one through its WithTokenStore option.
//
// A client reads the store when it has no usable token, and before it
// refreshes: it takes the refresh lease, reads again, adopts a token a peer
// already obtained, and only otherwise refreshes. The save compares and
// swaps on the value it replaced rather than on who holds the lease: a pair
// obtained by spending the stored single-use refresh token is the only valid
// one and must be saved even if the lease was lost meanwhile.
type TokenStore interface {
	// LoadToken returns the stored value, nil when there is none.
	LoadToken(ctx context.Context) ([]byte, error)
	// SwapToken stores next if the stored value still equals old (nil:
	// nothing stored) and reports whether it did.
	SwapToken(ctx context.Context, old, next []byte) (bool, error)
	// LockRefresh takes the account's refresh lease.
	LockRefresh(ctx context.Context) (Lease, error)
}

// NewMemoryTokenStore returns a TokenStore for one process: a value and a
// refresh lease held in memory, safe for concurrent use. Several clients of
// one account in one process (tests, or one program holding many clients)
// share tokens through it as replicas share a durable store; it does not
// outlive the process.
func NewMemoryTokenStore() TokenStore {
	return &memoryTokenStore{locker: NewMemoryLocker()}
}

type memoryTokenStore struct {
	locker Locker
	mu     sync.Mutex
	value  []byte
}

func (m *memoryTokenStore) LoadToken(ctx context.Context) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return bytes.Clone(m.value), nil
}

func (m *memoryTokenStore) SwapToken(ctx context.Context, old, next []byte) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if (old == nil) != (m.value == nil) || !bytes.Equal(old, m.value) {
		return false, nil
	}
	m.value = bytes.Clone(next)
	return true, nil
}

func (m *memoryTokenStore) LockRefresh(ctx context.Context) (Lease, error) {
	return m.locker.Lock(ctx, "refresh")
}

// RateBudget is a request budget shared by every replica of one vendor
// account: the pacing of every client built with the vendor's
// WithRateBudget option draws from it.
type RateBudget interface {
	// Reserve takes one request's slot and says how long to wait before
	// sending (0: now). It never waits itself.
	Reserve(ctx context.Context) (time.Duration, error)
	// Backoff tells the budget that the vendor answered 429 or 503 with a
	// Retry-After of d: every replica slows down.
	Backoff(ctx context.Context, d time.Duration) error
}

// ResultStore keeps short-lived results that reach one replica and are
// awaited by another: a vendor's webhook calls land on any replica. Values
// expire after their ttl; Put wakes waiters, which read the stored value, so
// a waiter that was not listening when it arrived still finds it.
type ResultStore interface {
	// PutResult stores value under name unless a value is already there,
	// and reports whether it was the first (a repeat delivery is not).
	PutResult(ctx context.Context, name string, value []byte, ttl time.Duration) (first bool, err error)
	// GetResult returns the value stored under name, or ErrNotFound.
	GetResult(ctx context.Context, name string) ([]byte, error)
	// WaitResult returns the value under name once there is one, or
	// ctx's error when ctx ends first.
	WaitResult(ctx context.Context, name string) ([]byte, error)
}

// NewMemoryResultStore returns a ResultStore for one process: values are
// kept in memory until their ttl ends (an expired value is dropped when
// read, and swept on later puts), and WaitResult wakes when a value is put.
func NewMemoryResultStore() ResultStore {
	return &memoryResultStore{values: map[string]memoryResult{}, wake: map[string]chan struct{}{}, now: time.Now}
}

type memoryResult struct {
	value   []byte
	expires time.Time
}

type memoryResultStore struct {
	now    func() time.Time
	mu     sync.Mutex
	values map[string]memoryResult
	wake   map[string]chan struct{} // closed by the put that wakes name's waiters
	puts   int
}

func (m *memoryResultStore) PutResult(ctx context.Context, name string, value []byte, ttl time.Duration) (bool, error) {
	if name == "" {
		return false, Invalid("name", "is required")
	}
	if ttl < time.Millisecond {
		return false, Invalid("ttl", "is under a millisecond")
	}
	if err := ctx.Err(); err != nil {
		return false, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	if r, ok := m.values[name]; ok && now.Before(r.expires) {
		return false, nil
	}
	m.puts++
	if m.puts%1024 == 0 { // sweep now and then, so expired values do not pile up
		for k, r := range m.values {
			if !now.Before(r.expires) {
				delete(m.values, k)
			}
		}
	}
	m.values[name] = memoryResult{value: bytes.Clone(value), expires: now.Add(ttl)}
	if ch, ok := m.wake[name]; ok {
		close(ch)
		delete(m.wake, name)
	}
	return true, nil
}

func (m *memoryResultStore) GetResult(ctx context.Context, name string) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	v, _, err := m.getLocked(name, false)
	return v, err
}

// getLocked returns name's value, or ErrNotFound and, for a waiter, the
// channel a put of name closes.
func (m *memoryResultStore) getLocked(name string, wait bool) ([]byte, chan struct{}, error) {
	if r, ok := m.values[name]; ok {
		if m.now().Before(r.expires) {
			return bytes.Clone(r.value), nil, nil
		}
		delete(m.values, name)
	}
	ch, ok := m.wake[name]
	if !ok && wait {
		ch = make(chan struct{})
		m.wake[name] = ch
	}
	return nil, ch, fmt.Errorf("access: result %q: %w", name, ErrNotFound)
}

func (m *memoryResultStore) WaitResult(ctx context.Context, name string) ([]byte, error) {
	if name == "" {
		return nil, Invalid("name", "is required")
	}
	for {
		m.mu.Lock()
		v, ch, err := m.getLocked(name, true)
		m.mu.Unlock()
		if err == nil {
			return v, nil
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-ch:
		}
	}
}

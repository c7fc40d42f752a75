package redisstore

import (
	"context"
	"strings"
	"sync"

	"github.com/doorkit/doorkit/access"
)

// A key's turn (a lease on access.KeyTurnName(key)) comes with a view of
// the key: the lease is taken in the same script that reads the key's
// grant id and applied window, and under the lease the Store answers Get
// and LoadApplied of that key from the view, and skips a SaveApplied that
// would write what the view holds. The holder's own writes update the
// view. This is what saves EnsureGrant its round trips: every write of a
// key by doorkit is made under the key's turn, which is the holder's alone,
// so a second read under it could only find what the first found or what
// the holder wrote itself. A write made without the turn (a caller's own
// Put, resivo's RevokeGrant by id) reaches the view's holder on its next
// turn, as it would have reached it a moment before the turn was taken.

// keyTurnPrefix is access.KeyTurnName's prefix.
var keyTurnPrefix = access.KeyTurnName("")

// grantKeyOfTurn returns the grant key a lease name is the turn of.
func grantKeyOfTurn(name string) (string, bool) {
	key, ok := strings.CutPrefix(name, keyTurnPrefix)
	if !ok || key == "" {
		return "", false
	}
	return key, true
}

// keyView is what a key's turn read of the key, and the holder's writes
// since. Nested turns (on other keys) link to the one around them.
type keyView struct {
	key   string
	outer *keyView

	mu           sync.Mutex
	idKnown      bool // id and idFound hold the key's record
	idFound      bool
	id           string
	appliedKnown bool // applied and appliedFound hold its applied window
	appliedFound bool
	applied      string
}

// viewKey is the context key of a Store's views.
type viewKey struct{ s *Store }

// view returns the view of key a lease of s in ctx holds, or nil.
func (s *Store) view(ctx context.Context, key string) *keyView {
	v, _ := ctx.Value(viewKey{s}).(*keyView)
	for ; v != nil; v = v.outer {
		if v.key == key {
			return v
		}
	}
	return nil
}

// cachedID returns the key's record when the view holds it.
func (v *keyView) cachedID() (id string, found, ok bool) {
	if v == nil {
		return "", false, false
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.id, v.idFound, v.idKnown
}

// setID records a write of the key's record; known false forgets it (a
// write whose outcome is unknown).
func (v *keyView) setID(known, found bool, id string) {
	if v == nil {
		return
	}
	v.mu.Lock()
	v.idKnown, v.idFound, v.id = known, found, id
	v.mu.Unlock()
}

func (v *keyView) cachedApplied() (w string, found, ok bool) {
	if v == nil {
		return "", false, false
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.applied, v.appliedFound, v.appliedKnown
}

func (v *keyView) setApplied(known, found bool, w string) {
	if v == nil {
		return
	}
	v.mu.Lock()
	v.appliedKnown, v.appliedFound, v.applied = known, found, w
	v.mu.Unlock()
}

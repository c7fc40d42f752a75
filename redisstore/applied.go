package redisstore

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/doorkit/doorkit/access"
	"github.com/redis/go-redis/v9"
)

// The applied windows (access.AppliedStore) are one hash, <prefix>:applied,
// grant key -> "<start>/<end>" (RFC 3339, UTC, nanoseconds), with no TTL:
// like the grant keys they must outlive every replica, so that a plan made
// by one replica tells a window edited in the vendor's portal from a moved
// booking whichever replica applied it. They share the key store's epoch
// and the keys' last fences.

var (
	_ access.AppliedStore = (*Store)(nil)
	_ access.TurnRecorder = (*Store)(nil)
	_ access.PendingLease = (*lease)(nil)
)

// LoadApplied returns the window doorkit last applied at the vendor for
// key, or an error matching access.ErrNotFound when there is no record.
// Like Get it checks the epoch: after a loss it answers ErrDataLost (an
// access.ErrUnavailable), never ErrNotFound, and a plan then says the
// record could not be read.
func (s *Store) LoadApplied(ctx context.Context, key string) (access.Window, error) {
	view := s.view(ctx, key)
	if w, found, ok := view.cachedApplied(); ok {
		if err := ctx.Err(); err != nil {
			return access.Window{}, fail("LoadApplied", err)
		}
		if !found {
			return access.Window{}, fmt.Errorf("redisstore: no applied window for key %q: %w", key, access.ErrNotFound)
		}
		return parseWindow(key, w)
	}
	args := append(s.epochArgs(), key)
	res, err := s.scripts.keyGet.Run(ctx, s.rdb, []string{s.key("epoch"), s.key("applied")}, args...).Slice()
	if err != nil {
		return access.Window{}, fail("LoadApplied", err)
	}
	if err := s.sawEpoch(str(res, 0), str(res, 1)); err != nil {
		return access.Window{}, fmt.Errorf("redisstore: LoadApplied %q: %w", key, err)
	}
	found, _ := res[2].(int64)
	view.setApplied(true, found == 1, str(res, 3))
	if found == 0 {
		return access.Window{}, fmt.Errorf("redisstore: no applied window for key %q: %w", key, access.ErrNotFound)
	}
	return parseWindow(key, str(res, 3))
}

// SaveApplied records w as the window applied for key, replacing any
// earlier record. It is fenced like Put: under a lease of a Store on the
// same Redis, a holder that lost its lease cannot replace its successor's
// record (access.ErrConflict). Under the key's turn, a record the turn
// read (or its holder wrote) equal to w is not written again: EnsureGrant
// of an unchanged grant saves what is already there.
func (s *Store) SaveApplied(ctx context.Context, key string, w access.Window) error {
	if err := access.ValidateKey(key); err != nil {
		return err
	}
	if key == "" {
		return access.Invalid("Key", "is required")
	}
	if err := w.Validate(); err != nil {
		return err
	}
	value := formatWindow(w)
	if cur, found, ok := s.view(ctx, key).cachedApplied(); ok && found && cur == value {
		if err := ctx.Err(); err != nil {
			return fail("SaveApplied", err)
		}
		return nil
	}
	return s.writeApplied(ctx, "SaveApplied", "put", key, value)
}

// DeleteApplied drops the record of key; no record is not an error. It is
// fenced like SaveApplied; under the key's turn, a record the turn knows
// is absent (Delete drops it too) is not deleted again.
func (s *Store) DeleteApplied(ctx context.Context, key string) error {
	if _, found, ok := s.view(ctx, key).cachedApplied(); ok && !found {
		if err := ctx.Err(); err != nil {
			return fail("DeleteApplied", err)
		}
		return nil
	}
	return s.writeApplied(ctx, "DeleteApplied", "delete", key, "")
}

func (s *Store) writeApplied(ctx context.Context, op, step, key, value string) error {
	args := append(s.epochArgs(), key, value, leaseFence(ctx), step, fenceTTL.Milliseconds())
	keys := []string{s.key("epoch"), s.key("applied"), s.key("keyfence", key)}
	view := s.view(ctx, key)
	var res []any
	err := s.waitReplicas(ctx, op, func(c redis.Scripter) error {
		var err error
		res, err = s.scripts.appliedWrite.Run(ctx, c, keys, args...).Slice()
		return fail(op, err)
	})
	if err != nil || str(res, 0) == "fenced" {
		view.setApplied(false, false, "") // read it again
	} else {
		view.setApplied(true, step == "put", value)
	}
	if err != nil {
		return err
	}
	if str(res, 0) == "fenced" {
		return fmt.Errorf("redisstore: %s %q under fence %d, older than the key's last write (fence %s): the lease was lost: %w",
			op, key, leaseFence(ctx), str(res, 1), access.ErrConflict)
	}
	_ = s.sawEpoch(str(res, 0), str(res, 1)) // a write is not refused for the epoch
	return nil
}

// leaseFence is the fence of the lease ctx carries when it is one of a
// Store's, else 0 (not fenced).
func leaseFence(ctx context.Context) uint64 {
	if l, ok := access.LeaseFromContext(ctx); ok {
		if ours, ok := l.(*lease); ok {
			return ours.fence
		}
	}
	return 0
}

func formatWindow(w access.Window) string {
	w = w.UTC()
	return w.Start.Format(time.RFC3339Nano) + "/" + w.End.Format(time.RFC3339Nano)
}

func parseWindow(key, v string) (access.Window, error) {
	start, end, ok := strings.Cut(v, "/")
	s, err1 := time.Parse(time.RFC3339Nano, start)
	e, err2 := time.Parse(time.RFC3339Nano, end)
	if !ok || err1 != nil || err2 != nil {
		return access.Window{}, fmt.Errorf("redisstore: the applied window of key %q is not <start>/<end>: %q", key, v)
	}
	return access.Window{Start: s, End: e}, nil
}

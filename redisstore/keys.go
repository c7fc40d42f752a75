package redisstore

import (
	"context"
	"fmt"
	"iter"

	"github.com/doorkit/doorkit/access"
	"github.com/redis/go-redis/v9"
)

// listPage is how many keys one ListKeys round trip reads.
const listPage = 500

// Key store layout: the hash <prefix>:keys maps grant keys to grant ids,
// the sorted set <prefix>:keyindex (every score 0) lists them in byte order
// for ListKeys, <prefix>:epoch marks the store's epoch, and
// <prefix>:keyfence:<key> the last fence written under for a key. The hash,
// the index and the epoch have no TTL; key fences expire after a day.

// epochArgs are the first three arguments of every key store script: the
// epoch last seen, whether the Store may start one, and the one it would
// start.
func (s *Store) epochArgs() []any {
	s.epochMu.Lock()
	seen := s.epoch
	s.epochMu.Unlock()
	auto := "1"
	if s.cfg.explicitInit {
		auto = "0"
	}
	return []any{seen, auto, "0:" + randomID()}
}

// sawEpoch reads a script's epoch status and remembers the epoch it
// answered.
func (s *Store) sawEpoch(status, epoch string) error {
	switch status {
	case "ok":
		s.epochMu.Lock()
		s.epoch = epoch
		s.epochMu.Unlock()
		return nil
	case "lost":
		return ErrDataLost
	case "uninit":
		return ErrNotInitialized
	}
	return fmt.Errorf("redisstore: unexpected epoch status %q", status)
}

// Get returns the grant id recorded for key. A key the store has no record
// of is access.ErrNotFound: the store outlives every process and records
// every key, so it can prove absence, as long as its epoch holds. When the
// epoch is gone or was replaced (the data was lost; see ErrDataLost) Get
// returns ErrDataLost, never ErrNotFound, until Reinitialize. With Redis
// unreachable the error matches access.ErrUnavailable.
//
// Under the key's turn (a lease of this Store on access.KeyTurnName(key))
// Get answers from what the turn read, and what its holder wrote since,
// without a round trip (see the package documentation).
func (s *Store) Get(ctx context.Context, key string) (string, error) {
	view := s.view(ctx, key)
	if id, found, ok := view.cachedID(); ok {
		if err := ctx.Err(); err != nil {
			return "", fail("Get", err)
		}
		if !found {
			return "", fmt.Errorf("redisstore: key %q: %w", key, access.ErrNotFound)
		}
		return id, nil
	}
	args := append(s.epochArgs(), key)
	res, err := s.scripts.keyGet.Run(ctx, s.rdb, []string{s.key("epoch"), s.key("keys")}, args...).Slice()
	if err != nil {
		return "", fail("Get", err)
	}
	if err := s.sawEpoch(str(res, 0), str(res, 1)); err != nil {
		return "", fmt.Errorf("redisstore: Get %q: %w", key, err)
	}
	found, _ := res[2].(int64)
	view.setID(true, found == 1, str(res, 3))
	if found == 0 {
		return "", fmt.Errorf("redisstore: key %q: %w", key, access.ErrNotFound)
	}
	return str(res, 3), nil
}

// Put records key with grantID, or with the mark of a create under way
// (see access.CreateWithKeyStore), which it keeps like any value. Under a context carrying a lease of a Store
// on the same Redis (access.LeaseFromContext), Put refuses with an error
// matching access.ErrConflict a write whose lease's fence is older than the
// last fence the key was written under: a holder that lost its lease cannot
// overwrite its successor's record. Leases of other Lockers carry no fence
// this store can compare and are not checked. Put is not refused when the
// epoch is lost: what it records is true.
func (s *Store) Put(ctx context.Context, key, grantID string) error {
	if err := access.ValidateKey(key); err != nil {
		return err
	}
	if key == "" {
		return access.Invalid("Key", "is required")
	}
	return s.writeKey(ctx, "Put", "put", key, grantID)
}

// Delete removes key; an unknown key is not an error. It is fenced like
// Put. It also drops the key's applied window (see LoadApplied), which
// described the grant the key named.
func (s *Store) Delete(ctx context.Context, key string) error {
	return s.writeKey(ctx, "Delete", "delete", key, "")
}

func (s *Store) writeKey(ctx context.Context, op, step, key, grantID string) error {
	fence := leaseFence(ctx)
	args := append(s.epochArgs(), key, grantID, fence, step, fenceTTL.Milliseconds())
	keys := []string{s.key("epoch"), s.key("keys"), s.key("keyindex"), s.key("keyfence", key), s.key("applied")}
	view := s.view(ctx, key)
	var res []any
	err := s.waitReplicas(ctx, op, func(c redis.Scripter) error {
		var err error
		res, err = s.scripts.keyWrite.Run(ctx, c, keys, args...).Slice()
		return fail(op, err)
	})
	if err != nil || str(res, 0) == "fenced" {
		view.setID(false, false, "") // read it again
	} else {
		view.setID(true, step == "put", grantID)
		if step == "delete" {
			view.setApplied(true, false, "")
		}
	}
	if err != nil {
		return err
	}
	if str(res, 0) == "fenced" {
		return fmt.Errorf("redisstore: %s %q under fence %d, older than the key's last write (fence %s): the lease was lost: %w",
			op, key, fence, str(res, 1), access.ErrConflict)
	}
	_ = s.sawEpoch(str(res, 0), str(res, 1)) // a write is not refused for the epoch
	return nil
}

// ListKeys lists the keys that start with prefix ("" for all) and their
// grant ids, in byte order, through the key index (ZRANGEBYLEX, a page of
// 500 keys per round trip; never SCAN). Each page checks the epoch like
// Get: a lost store yields ErrDataLost. A listing is not a snapshot: keys
// written while it runs may or may not appear.
func (s *Store) ListKeys(ctx context.Context, prefix string) iter.Seq2[access.KeyEntry, error] {
	return func(yield func(access.KeyEntry, error) bool) {
		lo, hi := "-", "+"
		if prefix != "" {
			// Keys are UTF-8, so no key continues prefix with byte 0xff.
			lo, hi = "["+prefix, "("+prefix+"\xff"
		}
		keys := []string{s.key("epoch"), s.key("keys"), s.key("keyindex")}
		for {
			args := append(s.epochArgs(), lo, hi, listPage)
			res, err := s.scripts.keyList.Run(ctx, s.rdb, keys, args...).Slice()
			if err != nil {
				yield(access.KeyEntry{}, fail("ListKeys", err))
				return
			}
			if err := s.sawEpoch(str(res, 0), str(res, 1)); err != nil {
				yield(access.KeyEntry{}, fmt.Errorf("redisstore: ListKeys: %w", err))
				return
			}
			n := (len(res) - 2) / 2
			for i := range n {
				if !yield(access.KeyEntry{Key: str(res, 2+2*i), GrantID: str(res, 3+2*i)}, nil) {
					return
				}
			}
			if n < listPage {
				return
			}
			lo = "(" + str(res, len(res)-2)
		}
	}
}

// Reinitialize starts a new epoch for the account's key store: from now on
// the store takes what it holds as complete, and a key it does not hold as
// absent (access.ErrNotFound). Every replica's Store accepts the new epoch
// on its next call. Call it once before first use when the Store is made
// WithExplicitInit, and after ErrDataLost once the account's grants are
// reconciled with the vendor (every grant's key recorded again) or the
// loss is accepted. It keeps the keys the store holds.
func (s *Store) Reinitialize(ctx context.Context) error {
	e, err := s.scripts.epochStart.Run(ctx, s.rdb, []string{s.key("epoch")}, randomID()).Text()
	if err != nil {
		return fail("Reinitialize", err)
	}
	s.epochMu.Lock()
	s.epoch = e
	s.epochMu.Unlock()
	return nil
}

// str returns res[i] as a string, "" when it is missing or not a string.
func str(res []any, i int) string {
	if i < len(res) {
		if v, ok := res[i].(string); ok {
			return v
		}
	}
	return ""
}

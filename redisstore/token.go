package redisstore

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/redis/go-redis/v9"
)

// The account's token is one string key, <prefix>:token, with no TTL: it
// is replaced in place by every save. Its refresh lease is
// <prefix>:token:lock.

// LoadToken returns the stored token, opened with the Codec if the Store
// has one, or nil when none is stored.
func (s *Store) LoadToken(ctx context.Context) ([]byte, error) {
	raw, err := s.rdb.Get(ctx, s.key("token")).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, nil
	}
	if err != nil {
		return nil, fail("LoadToken", err)
	}
	return s.open(raw)
}

func (s *Store) open(raw []byte) ([]byte, error) {
	if s.cfg.codec == nil {
		return raw, nil
	}
	v, err := s.cfg.codec.Open(raw)
	if err != nil {
		return nil, fmt.Errorf("redisstore: opening the stored token with the codec: %w", err)
	}
	return v, nil
}

// SwapToken stores next if the stored token still equals old (nil: none is
// stored), atomically, and reports whether it did; a nil next removes the
// token. It compares and swaps on the token, not on who holds the refresh
// lease: a token obtained by spending the stored single-use refresh token
// must be saved even by a holder that lost its lease.
//
// With a Codec the stored value is sealed, and sealing may be randomised:
// SwapToken then reads the stored value, opens it, compares it with old,
// and swaps on the sealed bytes it read (two round trips; a peer's save in
// between makes the swap fail). With WithReplicaWait the save then waits
// for the replicas.
func (s *Store) SwapToken(ctx context.Context, old, next []byte) (bool, error) {
	expect := old
	if s.cfg.codec != nil && old != nil {
		raw, err := s.rdb.Get(ctx, s.key("token")).Bytes()
		switch {
		case errors.Is(err, redis.Nil):
			return false, nil
		case err != nil:
			return false, fail("SwapToken", err)
		}
		stored, err := s.open(raw)
		if err != nil {
			return false, err
		}
		if !bytes.Equal(stored, old) {
			return false, nil
		}
		expect = raw
	}
	value, remove := next, "0"
	switch {
	case next == nil:
		remove = "1"
	case s.cfg.codec != nil:
		sealed, err := s.cfg.codec.Seal(next)
		if err != nil {
			return false, fmt.Errorf("redisstore: sealing the token with the codec: %w", err)
		}
		value = sealed
	}
	present := "1"
	if old == nil {
		present = "0"
	}
	var swapped bool
	err := s.waitReplicas(ctx, "SwapToken", func(c redis.Scripter) error {
		n, err := s.scripts.tokenSwap.Run(ctx, c, []string{s.key("token")}, present, expect, value, remove).Int64()
		swapped = n == 1
		return fail("SwapToken", err)
	})
	return swapped, err
}

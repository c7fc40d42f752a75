package redisstore_test

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"slices"
	"sync"
	"testing"

	"github.com/doorkit/doorkit/internal/redistest"
	"github.com/doorkit/doorkit/redisstore"
	"github.com/redis/go-redis/v9"
)

// account returns an account of its own for t, so tests sharing a Redis
// (DOORKIT_REDIS_URL) do not meet.
func account(t testing.TB) redisstore.Account {
	return redisstore.Account{Vendor: "havr", Name: redistest.Name(t), BaseURL: "https://api.havr.test", ClientID: "client-1"}
}

// deployment is one way to run Redis: a single node, a Cluster or a
// primary and its replica under Sentinel.
type deployment struct {
	client   func() redis.UniversalClient // a new client: one replica's
	replicas int                          // how many replicas the primary has
}

// forEachDeployment runs fn against a single node (DOORKIT_REDIS_URL's or
// one started for the test), against a one-node Cluster, which refuses any
// script whose keys span slots, and against a primary with one replica
// under Sentinel, reached through a failover client.
// A Cluster takes two seconds to serve after it starts, so these tests run
// in parallel.
func forEachDeployment(t *testing.T, fn func(t *testing.T, d deployment)) {
	t.Parallel()
	t.Run("node", func(t *testing.T) {
		s := redistest.Start(t)
		fn(t, deployment{client: func() redis.UniversalClient { return s.Client() }})
	})
	t.Run("cluster", func(t *testing.T) {
		s := redistest.StartCluster(t)
		fn(t, deployment{client: func() redis.UniversalClient { return s.ClusterClient() }})
	})
	t.Run("sentinel", func(t *testing.T) {
		s := redistest.StartSentinel(t)
		fn(t, deployment{client: func() redis.UniversalClient { return s.Client() }, replicas: s.Replicas()})
	})
}

// replica returns a Store on a client of its own: one replica's view of
// the account.
func replica(t testing.TB, rdb redis.UniversalClient, acct redisstore.Account, opts ...redisstore.Option) *redisstore.Store {
	t.Helper()
	s, err := redisstore.New(rdb, acct, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// cmdLog records the name of every command a client sends.
type cmdLog struct {
	mu    sync.Mutex
	names []string
}

func (h *cmdLog) DialHook(next redis.DialHook) redis.DialHook { return next }

func (h *cmdLog) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		h.add(cmd)
		return next(ctx, cmd)
	}
}

func (h *cmdLog) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		for _, c := range cmds {
			h.add(c)
		}
		return next(ctx, cmds)
	}
}

func (h *cmdLog) add(c redis.Cmder) {
	h.mu.Lock()
	h.names = append(h.names, c.Name())
	h.mu.Unlock()
}

func (h *cmdLog) sent(name string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Contains(h.names, name)
}

// gcmCodec seals with AES-GCM under a random nonce: sealing one value twice
// gives different bytes.
type gcmCodec struct{ aead cipher.AEAD }

func newGCMCodec(t testing.TB) gcmCodec {
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	block, err := aes.NewCipher(key)
	if err != nil {
		t.Fatal(err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		t.Fatal(err)
	}
	return gcmCodec{aead}
}

func (c gcmCodec) Seal(p []byte) ([]byte, error) {
	nonce := make([]byte, c.aead.NonceSize())
	_, _ = rand.Read(nonce)
	return c.aead.Seal(nonce, nonce, p, nil), nil
}

func (c gcmCodec) Open(s []byte) ([]byte, error) {
	n := c.aead.NonceSize()
	if len(s) < n {
		return nil, errors.New("sealed value too short")
	}
	return c.aead.Open(nil, s[:n], s[n:], nil)
}

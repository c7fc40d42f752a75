package redisstore_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/internal/redistest"
	"github.com/doorkit/doorkit/redisstore"
	"github.com/redis/go-redis/v9"
)

// newRing returns a Ring over the servers (their Unix sockets), closed at
// t's end; up, when not nil, is its shard health check.
func newRing(t *testing.T, servers []*redistest.Server, up func(addr string) bool) *redis.Ring {
	t.Helper()
	opt := &redis.RingOptions{Addrs: map[string]string{}, HeartbeatFrequency: 10 * time.Millisecond,
		NewClient: func(o *redis.Options) *redis.Client { o.Network = "unix"; return redis.NewClient(o) }}
	for i, s := range servers {
		o, err := redis.ParseURL(s.URL)
		if err != nil {
			t.Fatal(err)
		}
		opt.Addrs[string(rune('a'+i))] = o.Addr
	}
	if up != nil {
		opt.HeartbeatFn = func(ctx context.Context, c *redis.Client) bool {
			return up(c.Options().Addr) && c.Ping(ctx).Err() == nil
		}
	}
	r := redis.NewRing(opt)
	t.Cleanup(func() { _ = r.Close() })
	return r
}

// New refuses a Ring: a Ring moves a shard's keys to the others while it
// deems the shard down, each client by its own view, so two replicas can
// both hold one lease and a grant key can read as absent.
func TestRingRefused(t *testing.T) {
	shards := []*redistest.Server{redistest.StartOwn(t, false), redistest.StartOwn(t, false)}
	_, err := redisstore.New(newRing(t, shards, nil), account(t))
	if !errors.Is(err, access.ErrInvalid) {
		t.Fatalf("New on a Ring = %v; want ErrInvalid", err)
	}
}

// Why: replica A's Ring reaches both shards; replica B's cannot reach the
// shard that holds the account (a partition A does not see). B's Ring
// moves the account to the other shard, where a lease A holds is free and
// a key A wrote is absent. Nothing tells either replica.
func TestRingSplitsAnAccount(t *testing.T) {
	shards := []*redistest.Server{redistest.StartOwn(t, false), redistest.StartOwn(t, false)}
	a := newRing(t, shards, nil)
	ctx, cancel := context.WithTimeout(context.Background(), generous)
	defer cancel()
	// The Store's keys all carry the account's hash tag.
	lease, grant := "{doorkit:havr:acme:0123}:lock:key:BK-1", "{doorkit:havr:acme:0123}:keys"
	if ok, err := a.SetNX(ctx, lease, "replica-a", time.Minute).Result(); err != nil || !ok {
		t.Fatalf("A's SET NX = %v, %v", ok, err)
	}
	if err := a.HSet(ctx, grant, "BK-1", "g1").Err(); err != nil {
		t.Fatal(err)
	}
	var home string // the shard that holds the account
	_ = a.ForEachShard(ctx, func(ctx context.Context, c *redis.Client) error {
		if c.Exists(ctx, lease).Val() == 1 {
			home = c.Options().Addr
		}
		return nil
	})
	if home == "" {
		t.Fatal("no shard holds the lease")
	}
	b := newRing(t, shards, func(addr string) bool { return addr != home })
	for {
		ok, err := b.SetNX(ctx, lease, "replica-b", time.Minute).Result()
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			break // B's Ring deemed the home shard down and moved the account
		}
		select {
		case <-ctx.Done():
			t.Fatal("B's Ring never moved the account off the shard it cannot reach")
		case <-time.After(10 * time.Millisecond):
		}
	}
	if holder, err := a.Get(ctx, lease).Result(); err != nil || holder != "replica-a" {
		t.Fatalf("A's lease = %q, %v; want still A's", holder, err)
	}
	if _, err := b.HGet(ctx, grant, "BK-1").Result(); !errors.Is(err, redis.Nil) {
		t.Errorf("B reads the grant key as %v; want it absent (redis.Nil), which is the hazard", err)
	}
}

// New refuses a client that reads from replicas: a lagging replica would
// show a token a peer already replaced. A Cluster or a failover cluster
// client that reads from the primary is taken.
func TestReplicaReadsRefused(t *testing.T) {
	for name, c := range map[string]redis.UniversalClient{
		"ReadOnly":       redis.NewClusterClient(&redis.ClusterOptions{Addrs: []string{"127.0.0.1:1"}, ReadOnly: true}),
		"RouteByLatency": redis.NewClusterClient(&redis.ClusterOptions{Addrs: []string{"127.0.0.1:1"}, RouteByLatency: true}),
		"RouteRandomly":  redis.NewClusterClient(&redis.ClusterOptions{Addrs: []string{"127.0.0.1:1"}, RouteRandomly: true}),
		"failover cluster, replica only": redis.NewFailoverClusterClient(&redis.FailoverOptions{
			MasterName: "m", SentinelAddrs: []string{"127.0.0.1:1"}, ReplicaOnly: true}),
		"universal, route randomly": redis.NewUniversalClient(&redis.UniversalOptions{
			MasterName: "m", Addrs: []string{"127.0.0.1:1"}, RouteRandomly: true}),
	} {
		_, err := redisstore.New(c, account(t))
		if !errors.Is(err, access.ErrInvalid) {
			t.Errorf("%s: New = %v; want ErrInvalid", name, err)
		}
		_ = c.Close()
	}
	for name, c := range map[string]redis.UniversalClient{
		"cluster":          redis.NewClusterClient(&redis.ClusterOptions{Addrs: []string{"127.0.0.1:1"}}),
		"failover cluster": redis.NewFailoverClusterClient(&redis.FailoverOptions{MasterName: "m", SentinelAddrs: []string{"127.0.0.1:1"}}),
	} {
		if _, err := redisstore.New(c, account(t)); err != nil {
			t.Errorf("%s: New = %v", name, err)
		}
		_ = c.Close()
	}
}

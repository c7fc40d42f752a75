package redisstore_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/internal/redistest"
	"github.com/doorkit/doorkit/redisstore"
	"github.com/redis/go-redis/v9"
)

// commandCounter counts the commands a client sends.
type commandCounter struct{ n atomic.Int64 }

func (c *commandCounter) DialHook(next redis.DialHook) redis.DialHook { return next }
func (c *commandCounter) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error { c.n.Add(1); return next(ctx, cmd) }
}
func (c *commandCounter) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error { c.n.Add(int64(len(cmds))); return next(ctx, cmds) }
}

// BenchmarkStore measures each step on a local redis-server (Unix socket)
// next to the in-memory default where there is one, and reports Redis
// commands per operation.
func BenchmarkStore(b *testing.B) {
	srv := redistest.Start(b)
	rdb := srv.Client()
	var cmds commandCounter
	rdb.AddHook(&cmds)
	s, err := redisstore.New(rdb, redisstore.Account{Vendor: "havr", Name: redistest.Name(b), BaseURL: "https://api.havr.test"})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	budget, _ := s.Budget(1e9, 1000)
	_ = s.Put(ctx, "BK-1", "g1")
	if ok, err := s.SwapToken(ctx, nil, []byte("t0")); err != nil || !ok {
		b.Fatal(ok, err)
	}
	mem := access.NewMemoryLocker()
	memKeys := access.NewCompleteMemoryKeyStore()
	_ = memKeys.Put(ctx, "BK-1", "g1")
	run := func(name string, op func(i int) error) {
		b.Run(name, func(b *testing.B) {
			start := cmds.n.Load()
			i := 0
			for b.Loop() {
				if err := op(i); err != nil {
					b.Fatal(err)
				}
				i++
			}
			b.ReportMetric(float64(cmds.n.Load()-start)/float64(i), "cmds/op")
		})
	}
	lockRelease := func(l access.Locker) func(int) error {
		return func(int) error {
			lease, err := l.Lock(ctx, "key:BK-1")
			if err != nil {
				return err
			}
			return lease.Release(ctx)
		}
	}
	run("LockRelease/memory", lockRelease(mem))
	run("LockRelease/redis", lockRelease(s))
	get := func(k access.KeyStore) func(int) error {
		return func(int) error { _, err := k.Get(ctx, "BK-1"); return err }
	}
	run("Get/memory", get(memKeys))
	run("Get/redis", get(s))
	put := func(k access.KeyStore) func(int) error {
		return func(i int) error { return k.Put(ctx, fmt.Sprint("BK-", i%1000), "g") }
	}
	run("Put/memory", put(memKeys))
	run("Put/redis", put(s))
	run("Reserve/redis", func(int) error { _, err := budget.Reserve(ctx); return err })
	run("LoadToken/redis", func(int) error { _, err := s.LoadToken(ctx); return err })
	cur := []byte("t0")
	run("SwapToken/redis", func(i int) error {
		next := []byte(fmt.Sprint("t", i+1))
		ok, err := s.SwapToken(ctx, cur, next)
		if err == nil && !ok {
			err = fmt.Errorf("swap %d lost", i)
		}
		cur = next
		return err
	})
	run("PutResult/redis", func(i int) error {
		_, err := s.PutResult(ctx, fmt.Sprint("r", i), []byte("v"), time.Minute)
		return err
	})
}

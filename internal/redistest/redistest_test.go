package redistest_test

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/doorkit/doorkit/internal/redistest"
)

// recorder is a testing.TB that records a skip or a failure and stops
// like the real one.
type recorder struct {
	testing.TB
	skipped, failed string
}

func (r *recorder) Helper()           {}
func (r *recorder) Cleanup(func())    {}
func (r *recorder) Skip(args ...any)  { r.skipped = fmt.Sprint(args...); runtime.Goexit() }
func (r *recorder) Fatal(args ...any) { r.failed = fmt.Sprint(args...); runtime.Goexit() }
func (r *recorder) Fatalf(format string, args ...any) {
	r.failed = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func run(t *testing.T, start func(testing.TB) *redistest.Server) *recorder {
	r := &recorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		start(r)
	}()
	<-done
	return r
}

// Without DOORKIT_REDIS_URL and without redis-server in PATH the tests
// skip, saying how to run them; with DOORKIT_REQUIRE_REDIS=1 they fail.
func TestNoRedisSkipsOrFails(t *testing.T) {
	t.Setenv(redistest.URLEnv, "")
	t.Setenv("PATH", t.TempDir())
	t.Setenv(redistest.RequireEnv, "")
	r := run(t, redistest.Start)
	if r.skipped == "" || r.failed != "" {
		t.Fatalf("skipped %q, failed %q; want a skip", r.skipped, r.failed)
	}
	for _, hint := range []string{"redis-server", redistest.URLEnv} {
		if !strings.Contains(r.skipped, hint) {
			t.Errorf("the skip message does not mention %s: %q", hint, r.skipped)
		}
	}
	t.Setenv(redistest.RequireEnv, "1")
	r = run(t, redistest.Start)
	if r.failed == "" || r.skipped != "" {
		t.Fatalf("skipped %q, failed %q; want a failure", r.skipped, r.failed)
	}
	r = run(t, func(tb testing.TB) *redistest.Server { return redistest.StartOwn(tb, true) })
	if r.failed == "" {
		t.Error("StartOwn did not fail without redis-server")
	}
	r = run(t, func(tb testing.TB) *redistest.Server { redistest.StartSentinel(tb); return nil })
	if r.failed == "" {
		t.Error("StartSentinel did not fail without redis-server")
	}
}

// A persistent server keeps its data across Restart; another loses it.
func TestRestart(t *testing.T) {
	for _, persistent := range []bool{true, false} {
		s := redistest.StartOwn(t, persistent)
		c := s.Client()
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		if err := c.Set(ctx, "k", "v", 0).Err(); err != nil {
			t.Fatal(err)
		}
		s.Restart()
		n, err := c.Exists(ctx, "k").Result()
		for err != nil && ctx.Err() == nil { // the client dials again
			time.Sleep(20 * time.Millisecond)
			n, err = c.Exists(ctx, "k").Result()
		}
		if err != nil {
			t.Fatal(err)
		}
		if kept := n == 1; kept != persistent {
			t.Errorf("persistent=%v: key kept=%v", persistent, kept)
		}
	}
}

// With DOORKIT_REDIS_URL set, Start uses it.
func TestStartUsesURL(t *testing.T) {
	own := redistest.StartOwn(t, false)
	t.Setenv(redistest.URLEnv, own.URL)
	s := redistest.Start(t)
	if s.URL != own.URL {
		t.Errorf("Start gave %s, want %s", s.URL, own.URL)
	}
	if err := s.Client().Ping(context.Background()).Err(); err != nil {
		t.Error(err)
	}
}

// A Sentinel deployment serves its failover client; Failover swaps the
// roles without losing a write, and the client follows the new primary.
func TestSentinelFailover(t *testing.T) {
	s := redistest.StartSentinel(t)
	c := s.Client()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := c.Set(ctx, "k", "v1", 0).Err(); err != nil {
		t.Fatal(err)
	}
	before := s.Primary().URL
	for i := range 2 { // there and back
		s.Failover()
		if after := s.Primary().URL; after == before {
			t.Fatalf("failover %d: the primary is still %s", i, after)
		} else {
			before = after
		}
		if v, err := c.Get(ctx, "k").Result(); err != nil || v != "v1" {
			t.Fatalf("failover %d: Get = %q, %v", i, v, err)
		}
		if err := c.Set(ctx, "k", "v1", 0).Err(); err != nil {
			t.Fatalf("failover %d: Set on the new primary: %v", i, err)
		}
	}
	if s.Replicas() != 1 {
		t.Errorf("Replicas = %d", s.Replicas())
	}
}

// KillPrimary kills the primary; the sentinel promotes the replica, and
// the failover client writes there.
func TestSentinelKillPrimary(t *testing.T) {
	s := redistest.StartSentinel(t)
	c := s.Client()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	before := s.Primary().URL
	s.KillPrimary()
	if after := s.Primary().URL; after == before {
		t.Fatalf("the primary is still %s", after)
	}
	err := c.Set(ctx, "k", "v", 0).Err()
	for err != nil && ctx.Err() == nil { // the client finds the new primary
		time.Sleep(20 * time.Millisecond)
		err = c.Set(ctx, "k", "v", 0).Err()
	}
	if err != nil {
		t.Fatal(err)
	}
	if s.Replicas() != 0 {
		t.Errorf("Replicas = %d after KillPrimary", s.Replicas())
	}
}

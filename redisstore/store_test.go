package redisstore_test

import (
	"context"
	"errors"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/internal/redistest"
	"github.com/doorkit/doorkit/redisstore"
	"github.com/redis/go-redis/v9"
)

func TestAccountPrefix(t *testing.T) {
	d := nodeDeployment(t)
	rdb := d.client()
	base := redisstore.Account{Vendor: "havr", Name: "acme", BaseURL: "https://api.havr.test", ClientID: "c1"}
	prefix := func(a redisstore.Account) string {
		t.Helper()
		s, err := redisstore.New(rdb, a)
		if err != nil {
			t.Fatal(err)
		}
		return s.Prefix()
	}
	p := prefix(base)
	if !strings.HasPrefix(p, "{doorkit:havr:acme:") || !strings.HasSuffix(p, "}") {
		t.Errorf("prefix %q", p)
	}
	same := base
	same.BaseURL = "HTTPS://API.havr.test/"
	if prefix(same) != p {
		t.Error("a trailing slash or the host's case changed the prefix")
	}
	for name, change := range map[string]func(*redisstore.Account){
		"BaseURL":  func(a *redisstore.Account) { a.BaseURL = "https://staging.havr.test" },
		"ClientID": func(a *redisstore.Account) { a.ClientID = "c2" },
		"Name":     func(a *redisstore.Account) { a.Name = "acme2" },
		"Vendor":   func(a *redisstore.Account) { a.Vendor = "august" },
	} {
		other := base
		change(&other)
		if prefix(other) == p {
			t.Errorf("another %s gives the same prefix", name)
		}
	}
	// Separators cannot make two accounts one.
	x := prefix(redisstore.Account{Vendor: "a:b", Name: "c", BaseURL: "https://x.test"})
	y := prefix(redisstore.Account{Vendor: "a", Name: "b:c", BaseURL: "https://x.test"})
	if x == y {
		t.Error("vendor a:b / name c and vendor a / name b:c share a prefix")
	}
	for _, bad := range []redisstore.Account{
		{Name: "acme", BaseURL: "https://x.test"},
		{Vendor: "havr", BaseURL: "https://x.test"},
		{Vendor: "havr", Name: "acme"},
		{Vendor: "havr", Name: "acme", BaseURL: "x.test"},
		{Vendor: "havr", Name: "ac{me}", BaseURL: "https://x.test"},
		{Vendor: "havr", Name: "ac\nme", BaseURL: "https://x.test"},
	} {
		if _, err := redisstore.New(rdb, bad); !errors.Is(err, access.ErrInvalid) {
			t.Errorf("New(%+v) = %v, want ErrInvalid", bad, err)
		}
	}
	if _, err := redisstore.New(nil, base); !errors.Is(err, access.ErrInvalid) {
		t.Errorf("New(nil) = %v", err)
	}
}

// Every key the Store writes is under its prefix, and everything but the
// grant keys, the epoch and the token expires.
func TestKeysUnderPrefixWithTTL(t *testing.T) {
	t.Parallel()
	srv := redistest.StartOwn(t, false)
	rdb := srv.Client()
	s := replica(t, rdb, account(t))
	ctx := context.Background()
	l, err := s.Lock(ctx, "key:BK-1")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Put(l.Context(), "BK-1", "g1"); err != nil {
		t.Fatal(err)
	}
	_ = l.Release(ctx)
	r, _ := s.LockRefresh(ctx)
	if _, err := s.SwapToken(r.Context(), nil, []byte("t")); err != nil {
		t.Fatal(err)
	}
	b, _ := s.Budget(5, 1)
	if _, err := b.Reserve(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PutResult(ctx, "pin:1", []byte("ok"), time.Minute); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(ctx, "BK-1"); err != nil {
		t.Fatal(err)
	}
	lasting := map[string]bool{":keys": true, ":keyindex": true, ":epoch": true, ":token": true, ":token:lock": true}
	keys := keysOf(t, rdb)
	if len(keys) < 8 {
		t.Errorf("only %d keys: %v", len(keys), keys)
	}
	for _, k := range keys {
		rest, ok := strings.CutPrefix(k, s.Prefix())
		if !ok {
			t.Errorf("key %q is not under %q", k, s.Prefix())
			continue
		}
		ttl, err := rdb.PTTL(ctx, k).Result()
		if err != nil {
			t.Fatal(err)
		}
		if !lasting[rest] && ttl < 0 {
			t.Errorf("%s has no TTL", rest)
		}
		if lasting[rest] && rest != ":token:lock" && ttl >= 0 {
			t.Errorf("%s expires (%v)", rest, ttl)
		}
	}
	_ = r.Release(ctx)
}

// With Redis unreachable every call fails with an error matching
// access.ErrUnavailable, never access.ErrOutcomeUnknown.
func TestRedisDownIsUnavailable(t *testing.T) {
	t.Parallel()
	srv := redistest.StartOwn(t, false)
	rdb := srv.Client()
	s := replica(t, rdb, account(t))
	ctx, cancel := context.WithTimeout(context.Background(), generous)
	defer cancel()
	// Each call with Redis down gets its own deadline: go-redis spends a
	// second or two on its dial retries per call, and under the race
	// detector on a loaded machine the calls together outlast one deadline.
	fresh := func() context.Context {
		c, cancel := context.WithTimeout(context.Background(), generous)
		t.Cleanup(cancel)
		return c
	}
	budget, _ := s.Budget(10, 1)
	if _, err := s.Get(ctx, "BK-1"); !errors.Is(err, access.ErrNotFound) {
		t.Fatal(err)
	}
	srv.Stop()
	check := func(op string, err error) {
		t.Helper()
		if !errors.Is(err, access.ErrUnavailable) || errors.Is(err, access.ErrOutcomeUnknown) {
			t.Errorf("%s with Redis down = %v, want ErrUnavailable and not ErrOutcomeUnknown", op, err)
		}
		var re *redisstore.Error
		if !errors.As(err, &re) {
			t.Errorf("%s: %T is not a *redisstore.Error", op, err)
		}
	}
	_, err := s.Get(fresh(), "BK-1")
	check("Get", err)
	check("Put", s.Put(fresh(), "BK-1", "g"))
	check("Delete", s.Delete(fresh(), "BK-1"))
	var listed int
	for _, err := range s.ListKeys(fresh(), "") {
		check("ListKeys", err)
		listed++
	}
	if listed != 1 {
		t.Errorf("ListKeys yielded %d items, want one error", listed)
	}
	check("Reinitialize", s.Reinitialize(fresh()))
	_, err = s.Lock(fresh(), "x")
	check("Lock", err)
	_, err = s.LockRefresh(fresh())
	check("LockRefresh", err)
	_, err = s.LoadToken(fresh())
	check("LoadToken", err)
	_, err = s.SwapToken(fresh(), nil, []byte("t"))
	check("SwapToken", err)
	_, err = budget.Reserve(fresh())
	check("Reserve", err)
	check("Backoff", budget.Backoff(fresh(), time.Second))
	_, err = s.PutResult(fresh(), "r", []byte("v"), time.Minute)
	check("PutResult", err)
	_, err = s.GetResult(fresh(), "r")
	check("GetResult", err)
	_, err = s.WaitResult(fresh(), "r")
	check("WaitResult", err)
	// And it comes back (go-redis dials again within a second or so).
	srv.Restart()
	back := fresh()
	for {
		_, err := s.GetResult(back, "r")
		if errors.Is(err, access.ErrNotFound) {
			break
		}
		if back.Err() != nil {
			t.Fatalf("after the restart GetResult = %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// The core and the vendor packages do not link a Redis client.
func TestNoRedisInCore(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command in PATH")
	}
	cmd := exec.Command(goBin, "list", "-deps", "./access", "./havr", "./primis", "./august", "./resivo")
	cmd.Dir = ".."
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, pkg := range strings.Fields(string(out)) {
		if strings.Contains(pkg, "redis") {
			t.Errorf("%s is linked by the core or a vendor package", pkg)
		}
	}
}

var _ redis.UniversalClient = (*redis.ClusterClient)(nil)

// Scripts run with EVALSHA and fall back to EVAL when the server lost its
// script cache (SCRIPT FLUSH, a restart, a failover).
func TestScriptCacheFlushed(t *testing.T) {
	d := nodeDeployment(t)
	var log cmdLog
	rdb := d.client()
	rdb.AddHook(&log)
	s := replica(t, rdb, account(t))
	ctx := context.Background()
	if err := s.Put(ctx, "BK-1", "g1"); err != nil {
		t.Fatal(err)
	}
	if err := rdb.ScriptFlush(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	if id, err := s.Get(ctx, "BK-1"); err != nil || id != "g1" {
		t.Fatalf("Get after SCRIPT FLUSH = %q, %v", id, err)
	}
	if !log.sent("evalsha") || !log.sent("eval") {
		t.Errorf("commands %v, want EVALSHA and the EVAL fallback", log.names)
	}
}

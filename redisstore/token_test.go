package redisstore_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/doorkit/doorkit/redisstore"
)

// Two replicas swapping from the same stored token at once: exactly one
// wins, and the store holds the winner's token. With and without a codec.
func TestSwapTokenOneWinner(t *testing.T) {
	forEachDeployment(t, func(t *testing.T, d deployment) {
		for _, sealed := range []bool{false, true} {
			t.Run(fmt.Sprintf("codec=%v", sealed), func(t *testing.T) {
				acct := account(t)
				var opts []redisstore.Option
				if sealed {
					opts = append(opts, redisstore.WithCodec(newGCMCodec(t)))
				}
				a, b := replica(t, d.client(), acct, opts...), replica(t, d.client(), acct, opts...)
				ctx := context.Background()
				if v, err := a.LoadToken(ctx); err != nil || v != nil {
					t.Fatalf("LoadToken of an empty store = %q, %v; want nil, nil", v, err)
				}
				cur := []byte(`{"refresh_token":"r0"}`)
				if ok, err := a.SwapToken(ctx, nil, cur); err != nil || !ok {
					t.Fatalf("first save = %v, %v", ok, err)
				}
				if ok, err := b.SwapToken(ctx, nil, []byte("other")); err != nil || ok {
					t.Fatalf("save over a stored token as if none = %v, %v; want false", ok, err)
				}
				for round := range 20 {
					nexts := [][]byte{[]byte(fmt.Sprintf("a%d", round)), []byte(fmt.Sprintf("b%d", round))}
					won := make([]bool, 2)
					var wg sync.WaitGroup
					for i, st := range []*redisstore.Store{a, b} {
						wg.Go(func() {
							ok, err := st.SwapToken(ctx, cur, nexts[i])
							if err != nil {
								t.Error(err)
							}
							won[i] = ok
						})
					}
					wg.Wait()
					if won[0] == won[1] {
						t.Fatalf("round %d: swaps won %v, want exactly one", round, won)
					}
					winner := nexts[0]
					if won[1] {
						winner = nexts[1]
					}
					got, err := b.LoadToken(ctx)
					if err != nil || !bytes.Equal(got, winner) {
						t.Fatalf("round %d: stored %q, %v; want the winner's %q", round, got, err, winner)
					}
					cur = winner
				}
				if ok, err := a.SwapToken(ctx, cur, nil); err != nil || !ok {
					t.Fatalf("removing = %v, %v", ok, err)
				}
				if v, err := b.LoadToken(ctx); err != nil || v != nil {
					t.Errorf("after removal LoadToken = %q, %v", v, err)
				}
			})
		}
	})
}

// With a codec the token is sealed at rest, opens again, and a Store with
// another key cannot read it.
func TestTokenCodecRoundTrip(t *testing.T) {
	d := nodeDeployment(t)
	acct := account(t)
	s := replica(t, d.client(), acct, redisstore.WithCodec(newGCMCodec(t)))
	ctx := context.Background()
	secret := []byte(`{"access_token":"AT-secret","refresh_token":"RT-secret"}`)
	if ok, err := s.SwapToken(ctx, nil, secret); err != nil || !ok {
		t.Fatal(ok, err)
	}
	raw, err := d.client().Get(ctx, s.Prefix()+":token").Bytes()
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(raw, []byte("secret")) {
		t.Errorf("the stored value holds the token in clear: %q", raw)
	}
	got, err := s.LoadToken(ctx)
	if err != nil || !bytes.Equal(got, secret) {
		t.Errorf("LoadToken = %q, %v; want the token", got, err)
	}
	// The stored bytes differ from a fresh sealing of the same token, and
	// the swap still compares on the token.
	if ok, err := s.SwapToken(ctx, secret, []byte("next")); err != nil || !ok {
		t.Errorf("swap from the sealed token = %v, %v", ok, err)
	}
	wrongKey := replica(t, d.client(), acct, redisstore.WithCodec(newGCMCodec(t)))
	if _, err := wrongKey.LoadToken(ctx); err == nil {
		t.Error("a Store with another key opened the token")
	}
	plain := replica(t, d.client(), acct)
	if v, _ := plain.LoadToken(ctx); bytes.Contains(v, []byte("next")) {
		t.Error("the token is readable without the codec")
	}
}

// WithReplicaWait waits for the replicas; a save fewer acknowledge than
// it asks for is still done, and is logged. Where the primary has
// replicas, a wait for them all logs nothing.
func TestReplicaWaitLogsShortfall(t *testing.T) {
	forEachDeployment(t, func(t *testing.T, d deployment) {
		wants := []int{d.replicas + 1} // one more than there are: a shortfall
		if d.replicas > 0 {
			wants = append(wants, d.replicas)
		}
		for _, want := range wants {
			var logs strings.Builder
			var mu sync.Mutex
			logger := slog.New(slog.NewTextHandler(lockedWriter{&mu, &logs}, nil))
			// A wait that is met returns at once; one that is not takes its timeout.
			timeout := 20 * time.Millisecond
			if want <= d.replicas {
				timeout = 2 * time.Second // under the client's ReadTimeout
			}
			s := replica(t, d.client(), account(t), redisstore.WithReplicaWait(want, timeout), redisstore.WithLogger(logger))
			ctx := context.Background()
			if ok, err := s.SwapToken(ctx, nil, []byte("tok-secret")); err != nil || !ok {
				t.Fatalf("SwapToken = %v, %v", ok, err)
			}
			if err := s.Put(ctx, "BK-1", "g1"); err != nil {
				t.Fatal(err)
			}
			if v, err := s.LoadToken(ctx); err != nil || string(v) != "tok-secret" {
				t.Errorf("LoadToken = %q, %v", v, err)
			}
			mu.Lock()
			out := logs.String()
			mu.Unlock()
			shortfalls := 0
			if want > d.replicas {
				shortfalls = 2
			}
			if n := strings.Count(out, "not acknowledged"); n != shortfalls {
				t.Errorf("waiting for %d of %d replicas: %d shortfalls logged, want %d:\n%s", want, d.replicas, n, shortfalls, out)
			}
			if strings.Contains(out, "tok-secret") {
				t.Error("the log holds the token")
			}
		}
	})
}

type lockedWriter struct {
	mu *sync.Mutex
	b  *strings.Builder
}

func (w lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

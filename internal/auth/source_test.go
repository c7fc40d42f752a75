package auth

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"
)

func token(access string) *oauth2.Token {
	return &oauth2.Token{AccessToken: access, RefreshToken: "refresh-" + access, Expiry: time.Now().Add(time.Hour)}
}

// counter is a FetchFunc that hands out tok-1, tok-2, ... and records what
// it was given.
type counter struct {
	calls    atomic.Int32
	mu       sync.Mutex
	currents []*oauth2.Token
}

func (c *counter) fetch(_ context.Context, current *oauth2.Token) (*oauth2.Token, error) {
	n := c.calls.Add(1)
	c.mu.Lock()
	c.currents = append(c.currents, current)
	c.mu.Unlock()
	return token(fmt.Sprintf("tok-%d", n)), nil
}

// waitForWaiters blocks until n goroutines are parked in Source.wait, the
// select where callers wait for a flight to finish. The fetch itself runs on
// its own goroutine in Source.run, so it is never counted: counting any
// goroutine blocked under Source.Token used to count the fetcher too and let
// a test go on while one caller had not yet joined the flight. It reads
// goroutine stacks instead of sleeping, and fails the test if they do not
// arrive within a generous guard.
func waitForWaiters(t *testing.T, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	buf := make([]byte, 1<<20)
	for {
		for {
			m := runtime.Stack(buf, true)
			if m < len(buf) {
				buf = buf[:m]
				break
			}
			buf = make([]byte, 2*len(buf))
		}
		waiting := 0
		for _, g := range strings.Split(string(buf), "\n\n") {
			header, _, _ := strings.Cut(g, "\n")
			if strings.Contains(header, "[select") && strings.Contains(g, "auth.(*Source).wait(") {
				waiting++
			}
		}
		if waiting >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("only %d of %d goroutines are waiting for the token", waiting, n)
		}
		buf = buf[:cap(buf)]
		runtime.Gosched()
	}
}

func TestSourceCaches(t *testing.T) {
	var c counter
	s := NewSource(c.fetch, 0, nil)
	assert.Nil(t, s.Current())

	first, err := s.Token()
	require.NoError(t, err)
	assert.Equal(t, "tok-1", first.AccessToken)
	for range 5 {
		tok, err := s.Token()
		require.NoError(t, err)
		assert.Same(t, first, tok)
	}
	assert.Equal(t, int32(1), c.calls.Load())
	assert.Same(t, first, s.Current())
}

func TestSourceSingleFlight(t *testing.T) {
	const n = 100
	var fetches atomic.Int32
	release := make(chan struct{})
	s := NewSource(func(ctx context.Context, _ *oauth2.Token) (*oauth2.Token, error) {
		fetches.Add(1)
		<-release
		return token("shared"), nil
	}, 0, nil)

	var wg sync.WaitGroup
	results := make([]*oauth2.Token, n)
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], errs[i] = s.Token()
		}()
	}
	waitForWaiters(t, n) // every caller waits on the one flight
	close(release)
	wg.Wait()

	assert.Equal(t, int32(1), fetches.Load(), "exactly one fetch for %d goroutines", n)
	for i := range n {
		require.NoError(t, errs[i])
		assert.Same(t, results[0], results[i])
	}
	assert.Equal(t, "shared", results[0].AccessToken)
}

func TestSourceSharedFailure(t *testing.T) {
	const n = 20
	boom := errors.New("token endpoint down")
	var fetches atomic.Int32
	release := make(chan struct{})
	fail := atomic.Bool{}
	fail.Store(true)
	s := NewSource(func(ctx context.Context, _ *oauth2.Token) (*oauth2.Token, error) {
		fetches.Add(1)
		if fail.Load() {
			<-release
			return nil, boom
		}
		return token("recovered"), nil
	}, 0, nil)

	var wg sync.WaitGroup
	errs := make([]error, n)
	toks := make([]*oauth2.Token, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			toks[i], errs[i] = s.Token()
		}()
	}
	waitForWaiters(t, n)
	close(release)
	wg.Wait()

	assert.Equal(t, int32(1), fetches.Load(), "the failure is shared by the flight")
	for i := range n {
		assert.ErrorIs(t, errs[i], boom)
		assert.Nil(t, toks[i])
	}
	assert.Nil(t, s.Current(), "a failure installs nothing")

	fail.Store(false)
	tok, err := s.Token()
	require.NoError(t, err)
	assert.Equal(t, "recovered", tok.AccessToken)
	assert.Equal(t, int32(2), fetches.Load(), "the next call fetches again")
}

func TestSourceFailureKeepsPreviousToken(t *testing.T) {
	boom := errors.New("refresh rejected")
	var calls atomic.Int32
	s := NewSource(func(ctx context.Context, _ *oauth2.Token) (*oauth2.Token, error) {
		if calls.Add(1) == 1 {
			return token("t1"), nil
		}
		return nil, boom
	}, 0, nil)
	t1, err := s.Token()
	require.NoError(t, err)
	s.Invalidate(t1)
	_, err = s.Token()
	assert.ErrorIs(t, err, boom)
	assert.Same(t, t1, s.Current())
	_, err = s.Token()
	assert.ErrorIs(t, err, boom, "still invalid: every call tries again")
	assert.Equal(t, int32(3), calls.Load())
}

func TestSourceNilTokenIsAnError(t *testing.T) {
	s := NewSource(func(context.Context, *oauth2.Token) (*oauth2.Token, error) { return nil, nil }, 0,
		func(*oauth2.Token) { t.Error("onChange called without a token") })
	tok, err := s.Token()
	assert.Nil(t, tok)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "no token")
}

func TestSourceInvalidate(t *testing.T) {
	var c counter
	s := NewSource(c.fetch, 0, nil)
	t1, err := s.Token()
	require.NoError(t, err)

	s.Invalidate(nil) // no-op
	tok, _ := s.Token()
	assert.Same(t, t1, tok)

	s.Invalidate(&oauth2.Token{AccessToken: t1.AccessToken}) // matched by value
	t2, err := s.Token()
	require.NoError(t, err)
	assert.Equal(t, "tok-2", t2.AccessToken)
	assert.Equal(t, int32(2), c.calls.Load(), "one refetch")

	// A request that failed with the old token reports it late.
	s.Invalidate(t1)
	tok, err = s.Token()
	require.NoError(t, err)
	assert.Same(t, t2, tok, "invalidating a replaced token is a no-op")
	assert.Equal(t, int32(2), c.calls.Load())

	// Many requests rejecting the same token cause one refresh.
	for range 10 {
		s.Invalidate(t2)
	}
	t3, err := s.Token()
	require.NoError(t, err)
	for range 10 {
		s.Invalidate(t2)
	}
	tok, _ = s.Token()
	assert.Same(t, t3, tok)
	assert.Equal(t, int32(3), c.calls.Load())
}

func TestSourceInvalidateOnEmptySource(t *testing.T) {
	var c counter
	s := NewSource(c.fetch, 0, nil)
	s.Invalidate(token("never-issued"))
	_, err := s.Token()
	require.NoError(t, err)
	assert.Equal(t, int32(1), c.calls.Load())
}

func TestSourceExpiry(t *testing.T) {
	var calls atomic.Int32
	s := NewSource(func(_ context.Context, _ *oauth2.Token) (*oauth2.Token, error) {
		n := calls.Add(1)
		tok := token(fmt.Sprintf("tok-%d", n))
		if n == 1 {
			tok.Expiry = time.Now().Add(5 * time.Second) // inside the 10 s margin, but half its life is left
		}
		return tok, nil
	}, 0, nil)
	t1, err := s.Token()
	require.NoError(t, err)
	assert.Equal(t, "tok-1", t1.AccessToken)
	t2, err := s.Token()
	require.NoError(t, err)
	assert.Same(t, t1, t2, "a token just fetched is used, even when it lives less than the margin")

	s.Init(&oauth2.Token{AccessToken: "persisted", Expiry: time.Now().Add(5 * time.Second)})
	t3, err := s.Token()
	require.NoError(t, err)
	assert.Equal(t, "tok-2", t3.AccessToken, "a persisted token inside the margin is renewed: its lifetime is unknown")
	assert.Equal(t, int32(2), calls.Load())
}

// TestSourceUsable checks the expiry rule on a fixed clock.
func TestSourceUsable(t *testing.T) {
	at := time.Date(2030, 1, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name      string
		tok       *oauth2.Token
		installed time.Time // zero: Init
		invalid   bool
		now       time.Time
		want      bool
	}{
		{"none", nil, at, false, at, false},
		{"no access token", &oauth2.Token{RefreshToken: "r"}, at, false, at, false},
		{"invalidated", &oauth2.Token{AccessToken: "a"}, at, true, at, false},
		{"no expiry", &oauth2.Token{AccessToken: "a"}, at, false, at.Add(1000 * time.Hour), true},
		{"hour: before the 10 s margin", &oauth2.Token{AccessToken: "a", Expiry: at.Add(time.Hour)}, at, false, at.Add(time.Hour - 11*time.Second), true},
		{"hour: inside the 10 s margin", &oauth2.Token{AccessToken: "a", Expiry: at.Add(time.Hour)}, at, false, at.Add(time.Hour - 9*time.Second), false},
		{"4 s: first half", &oauth2.Token{AccessToken: "a", Expiry: at.Add(4 * time.Second)}, at, false, at.Add(1999 * time.Millisecond), true},
		{"4 s: second half", &oauth2.Token{AccessToken: "a", Expiry: at.Add(4 * time.Second)}, at, false, at.Add(2 * time.Second), false},
		{"expired when fetched: used until rejected", &oauth2.Token{AccessToken: "a", Expiry: at.Add(-time.Minute)}, at, false, at.Add(time.Minute), true},
		{"persisted, 20 s left", &oauth2.Token{AccessToken: "a", Expiry: at.Add(20 * time.Second)}, time.Time{}, false, at, true},
		{"persisted, 5 s left", &oauth2.Token{AccessToken: "a", Expiry: at.Add(5 * time.Second)}, time.Time{}, false, at, false},
		{"persisted, expired", &oauth2.Token{AccessToken: "a", Expiry: at.Add(-time.Second)}, time.Time{}, false, at, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &Source{tok: tt.tok, installed: tt.installed, invalid: tt.invalid}
			assert.Equal(t, tt.want, s.usable(tt.now))
		})
	}
}

func TestSourceTokenWithoutExpiryIsKept(t *testing.T) {
	var calls atomic.Int32
	s := NewSource(func(context.Context, *oauth2.Token) (*oauth2.Token, error) {
		calls.Add(1)
		return &oauth2.Token{AccessToken: "forever"}, nil
	}, 0, nil)
	for range 3 {
		_, err := s.Token()
		require.NoError(t, err)
	}
	assert.Equal(t, int32(1), calls.Load())
}

func TestSourceFetcherGetsCurrentToken(t *testing.T) {
	var c counter
	s := NewSource(c.fetch, 0, nil)
	t1, err := s.Token()
	require.NoError(t, err)
	s.Invalidate(t1)
	t2, err := s.Token()
	require.NoError(t, err)
	s.Invalidate(t2)
	_, err = s.Token()
	require.NoError(t, err)

	c.mu.Lock()
	defer c.mu.Unlock()
	require.Len(t, c.currents, 3)
	assert.Nil(t, c.currents[0], "the first fetch has no current token")
	assert.Same(t, t1, c.currents[1])
	assert.Equal(t, "refresh-tok-1", c.currents[1].RefreshToken)
	assert.Same(t, t2, c.currents[2])
}

func TestSourceFetcherGetsInstalledToken(t *testing.T) {
	var c counter
	s := NewSource(c.fetch, 0, nil)
	persisted := &oauth2.Token{AccessToken: "old", RefreshToken: "persisted-refresh", Expiry: time.Now().Add(-time.Hour)}
	s.Init(persisted)
	_, err := s.Token()
	require.NoError(t, err)
	c.mu.Lock()
	defer c.mu.Unlock()
	require.Len(t, c.currents, 1)
	assert.Same(t, persisted, c.currents[0], "an expired persisted token is refreshed with its refresh token")
}

func TestSourceOnChange(t *testing.T) {
	var c counter
	var mu sync.Mutex
	var seen []string
	s := NewSource(c.fetch, 0, func(tok *oauth2.Token) {
		mu.Lock()
		defer mu.Unlock()
		seen = append(seen, tok.AccessToken)
	})
	seenNow := func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), seen...)
	}

	t1, err := s.Token()
	require.NoError(t, err)
	_, _ = s.Token() // cached: no call
	assert.Equal(t, []string{"tok-1"}, seenNow())

	s.Invalidate(t1)
	_, err = s.Token()
	require.NoError(t, err)
	assert.Equal(t, []string{"tok-1", "tok-2"}, seenNow())

	require.NoError(t, s.Set(context.Background(), token("logged-in")))
	assert.Equal(t, []string{"tok-1", "tok-2", "logged-in"}, seenNow(), "Set reports the token")
	tok, err := s.Token()
	require.NoError(t, err)
	assert.Equal(t, "logged-in", tok.AccessToken)

	require.NoError(t, s.Set(context.Background(), nil))
	assert.Len(t, seenNow(), 3, "Set(nil) reports nothing")
	assert.Nil(t, s.Current())

	s.Init(token("restored"))
	assert.Len(t, seenNow(), 3, "Init reports nothing")
	tok, err = s.Token()
	require.NoError(t, err)
	assert.Equal(t, "restored", tok.AccessToken)
	assert.Equal(t, int32(2), c.calls.Load())
}

func TestSourceOnChangeRunsBeforeWaitersResume(t *testing.T) {
	const n = 10
	release := make(chan struct{})
	var changed atomic.Int32
	s := NewSource(func(context.Context, *oauth2.Token) (*oauth2.Token, error) {
		<-release
		return token("new"), nil
	}, 0, func(*oauth2.Token) { changed.Add(1) })

	var wg sync.WaitGroup
	var sawChange atomic.Int32
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := s.Token(); err == nil && changed.Load() == 1 {
				sawChange.Add(1)
			}
		}()
	}
	waitForWaiters(t, n)
	close(release)
	wg.Wait()
	assert.Equal(t, int32(1), changed.Load(), "once per new token")
	assert.Equal(t, int32(n), sawChange.Load())
}

func TestSourceFetchContext(t *testing.T) {
	check := func(t *testing.T, timeout, want time.Duration) {
		var gotDeadline time.Time
		var hadDeadline bool
		var gotErr error
		s := NewSource(func(ctx context.Context, _ *oauth2.Token) (*oauth2.Token, error) {
			gotDeadline, hadDeadline = ctx.Deadline()
			gotErr = ctx.Err()
			return token("t"), nil
		}, timeout, nil)
		before := time.Now()
		_, err := s.Token()
		require.NoError(t, err)
		require.True(t, hadDeadline, "the fetch context has a deadline")
		assert.NoError(t, gotErr)
		assert.False(t, gotDeadline.Before(before.Add(want)), "deadline %v is at least %v away", gotDeadline.Sub(before), want)
		assert.True(t, gotDeadline.Before(time.Now().Add(want+time.Second)), "deadline %v is about %v away", gotDeadline.Sub(before), want)
	}
	t.Run("explicit", func(t *testing.T) { check(t, 5*time.Second, 5*time.Second) })
	t.Run("default", func(t *testing.T) { check(t, 0, DefaultFetchTimeout) })
	t.Run("negative", func(t *testing.T) { check(t, -time.Second, DefaultFetchTimeout) })
}

func TestSourceSatisfiesTokenSource(t *testing.T) {
	var _ oauth2.TokenSource = (*Source)(nil)
	var _ TokenSource = (*Source)(nil)
}

// TestSourceWaitersReturnOnTheirContext: with a fetch that hangs, a caller
// whose deadline passes gets context.DeadlineExceeded and a cancelled one
// context.Canceled, while the one fetch goes on; when it completes, later
// callers get its token without another fetch.
func TestSourceWaitersReturnOnTheirContext(t *testing.T) {
	var fetches, finished atomic.Int32
	release, started := make(chan struct{}), make(chan struct{})
	s := NewSource(func(ctx context.Context, _ *oauth2.Token) (*oauth2.Token, error) {
		if fetches.Add(1) == 1 {
			close(started)
		}
		defer finished.Add(1)
		select {
		case <-release:
			return token("late"), nil
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}, time.Hour, nil)

	ctx := newExpiring()
	first := make(chan error, 1)
	go func() {
		tok, err := s.TokenContext(ctx)
		assert.Nil(t, tok)
		first <- err
	}()
	<-started
	waitForWaiters(t, 1)
	ctx.expire()
	assert.ErrorIs(t, <-first, context.DeadlineExceeded, "the caller that started the fetch returns on its deadline")
	assert.Equal(t, int32(1), fetches.Load())
	assert.Zero(t, finished.Load(), "the fetch is still running")

	ctx2, cancel2 := context.WithCancel(context.Background())
	second := make(chan error, 1)
	go func() { _, err := s.TokenContext(ctx2); second <- err }()
	waitForWaiters(t, 1)
	cancel2()
	assert.ErrorIs(t, <-second, context.Canceled)
	assert.Equal(t, int32(1), fetches.Load(), "the second caller joined the running fetch")
	assert.Zero(t, finished.Load(), "the fetch is still running")

	third := make(chan *oauth2.Token, 1)
	go func() { tok, _ := s.TokenContext(context.Background()); third <- tok }()
	waitForWaiters(t, 1)
	close(release)
	got := <-third
	require.NotNil(t, got)
	assert.Equal(t, "late", got.AccessToken, "a patient caller gets the fetched token")
	tok, err := s.TokenContext(context.Background())
	require.NoError(t, err)
	assert.Same(t, got, tok, "later callers get it from the cache")
	assert.Equal(t, int32(1), fetches.Load())
}

func TestSourceEndedContextStartsNoFetch(t *testing.T) {
	var c counter
	s := NewSource(c.fetch, 0, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := s.TokenContext(ctx)
	assert.ErrorIs(t, err, context.Canceled)
	assert.Zero(t, c.calls.Load())
}

func TestSourceFetchPanicIsAnError(t *testing.T) {
	var calls atomic.Int32
	s := NewSource(func(context.Context, *oauth2.Token) (*oauth2.Token, error) {
		if calls.Add(1) == 1 {
			panic("fetcher bug")
		}
		return token("ok"), nil
	}, 0, nil)
	_, err := s.Token()
	require.ErrorIs(t, err, errFetchPanicked)
	assert.Contains(t, err.Error(), "fetcher bug")
	tok, err := s.Token()
	require.NoError(t, err, "the source recovers")
	assert.Equal(t, "ok", tok.AccessToken)
}

// expiring is a context whose deadline passes when the test says so, so a
// test controls the moment a caller's deadline ends.
type expiring struct {
	context.Context
	done chan struct{}
}

func newExpiring() *expiring {
	return &expiring{Context: context.Background(), done: make(chan struct{})}
}

func (e *expiring) expire()               { close(e.done) }
func (e *expiring) Done() <-chan struct{} { return e.done }
func (e *expiring) Err() error {
	select {
	case <-e.done:
		return context.DeadlineExceeded
	default:
		return nil
	}
}

// A token installed with Set or Init while a fetch runs (an explicit login,
// a logout's Set(nil), primis's Init(nil) after Deregister) is not
// overwritten when that fetch completes, nor is the fetched token reported
// to onChange.
func TestSourceSetDuringFetchWins(t *testing.T) {
	for name, install := range map[string]func(s *Source){
		"Set":       func(s *Source) { _ = s.Set(context.Background(), token("explicit")) },
		"Set(nil)":  func(s *Source) { _ = s.Set(context.Background(), nil) },
		"Init(nil)": func(s *Source) { s.Init(nil) },
	} {
		t.Run(name, func(t *testing.T) {
			started, release := make(chan struct{}), make(chan struct{})
			var fetches atomic.Int32
			var mu sync.Mutex
			var reported []string
			s := NewSource(func(context.Context, *oauth2.Token) (*oauth2.Token, error) {
				if fetches.Add(1) == 1 {
					close(started)
					<-release
					return token("fetched-before"), nil
				}
				return token("fetched-after"), nil
			}, 0, func(tok *oauth2.Token) {
				mu.Lock()
				reported = append(reported, tok.AccessToken)
				mu.Unlock()
			})
			done := make(chan struct{})
			go func() {
				defer close(done)
				tok, err := s.Token()
				assert.NoError(t, err)
				assert.Equal(t, "fetched-before", tok.AccessToken, "the waiter gets its fetch's token")
			}()
			<-started
			install(s)
			want := s.Current()
			close(release)
			<-done
			assert.Equal(t, want, s.Current(), "the token installed during the fetch stays")
			mu.Lock()
			assert.NotContains(t, reported, "fetched-before")
			mu.Unlock()
		})
	}
}

package access_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/doorkit/doorkit/access"
)

func TestMemoryResultStoreFirstWinsAndWakes(t *testing.T) {
	ctx := context.Background()
	s := access.NewMemoryResultStore()
	if _, err := s.GetResult(ctx, "r"); !errors.Is(err, access.ErrNotFound) {
		t.Fatalf("GetResult of nothing = %v, want ErrNotFound", err)
	}
	got := make(chan []byte, 1)
	go func() {
		v, err := s.WaitResult(ctx, "r")
		if err != nil {
			t.Error(err)
		}
		got <- v
	}()
	if first, err := s.PutResult(ctx, "r", []byte("one"), time.Minute); err != nil || !first {
		t.Fatalf("PutResult = %v, %v; want first", first, err)
	}
	if first, err := s.PutResult(ctx, "r", []byte("two"), time.Minute); err != nil || first {
		t.Fatalf("repeat PutResult = %v, %v; want not first", first, err)
	}
	if v := <-got; string(v) != "one" {
		t.Errorf("WaitResult = %q, want one", v)
	}
	if v, err := s.GetResult(ctx, "r"); err != nil || string(v) != "one" {
		t.Errorf("GetResult = %q, %v", v, err)
	}
	short, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := s.WaitResult(short, "never"); !errors.Is(err, context.Canceled) {
		t.Errorf("WaitResult of nothing, cancelled = %v", err)
	}
	if _, err := s.PutResult(ctx, "", nil, time.Minute); !errors.Is(err, access.ErrInvalid) {
		t.Errorf("PutResult without a name = %v, want ErrInvalid", err)
	}
	if _, err := s.PutResult(ctx, "x", nil, 0); !errors.Is(err, access.ErrInvalid) {
		t.Errorf("PutResult without a ttl = %v, want ErrInvalid", err)
	}
}

func TestMemoryResultStoreExpires(t *testing.T) {
	ctx := context.Background()
	now := time.Unix(1000, 0)
	s := access.NewMemoryResultStoreAt(func() time.Time { return now })
	if _, err := s.PutResult(ctx, "r", []byte("one"), time.Minute); err != nil {
		t.Fatal(err)
	}
	now = now.Add(time.Minute)
	if _, err := s.GetResult(ctx, "r"); !errors.Is(err, access.ErrNotFound) {
		t.Fatalf("GetResult after the ttl = %v, want ErrNotFound", err)
	}
	if first, err := s.PutResult(ctx, "r", []byte("two"), time.Minute); err != nil || !first {
		t.Fatalf("PutResult after the ttl = %v, %v; want first", first, err)
	}
}

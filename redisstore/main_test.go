package redisstore_test

import (
	"context"
	"os"
	"testing"

	"github.com/redis/go-redis/v9"
)

// TestMain keeps go-redis's own log quiet: the outage tests kill Redis on
// purpose, and go-redis logs every failed dial of every pooled connection
// to stderr. The errors the tests expect reach them as return values.
func TestMain(m *testing.M) {
	redis.SetLogger(quiet{})
	os.Exit(m.Run())
}

type quiet struct{}

func (quiet) Printf(context.Context, string, ...any) {}

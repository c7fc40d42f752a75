package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/redis/go-redis/v9"
)

// errNoRedis is run's error when there is neither DOORKIT_REDIS_URL nor a
// redis-server in PATH.
var errNoRedis = errors.New("no Redis: set DOORKIT_REDIS_URL (redis://host:6379/15) or install redis-server (apt-get install redis-server)")

// redisFor returns the address of the Redis to share: url when it is set,
// else a redis-server from PATH started on a Unix socket in a temporary
// directory, without persistence, which stop ends (a production Redis for
// doorkit runs with appendonly yes; see the README).
func redisFor(ctx context.Context, url string) (addr string, stop func(), err error) {
	if url != "" {
		if _, err := redis.ParseURL(url); err != nil {
			return "", nil, fmt.Errorf("DOORKIT_REDIS_URL: %w", err)
		}
		return url, func() {}, nil
	}
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		return "", nil, errNoRedis
	}
	dir, err := os.MkdirTemp("", "replicas")
	if err != nil {
		return "", nil, err
	}
	sock := filepath.Join(dir, "redis.sock")
	var out bytes.Buffer
	cmd := exec.Command(bin, "--port", "0", "--unixsocket", sock, "--unixsocketperm", "700", "--dir", dir,
		"--save", "", "--appendonly", "no", "--daemonize", "no", "--loglevel", "warning")
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		_ = os.RemoveAll(dir)
		return "", nil, fmt.Errorf("starting redis-server: %w", err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	stop = func() {
		_ = cmd.Process.Kill()
		<-exited
		_ = os.RemoveAll(dir)
	}
	addr = "unix://" + sock
	opt, _ := redis.ParseURL(addr)
	opt.MaxRetries = -1
	c := redis.NewClient(opt)
	defer c.Close()
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	for c.Ping(ctx).Err() != nil {
		select {
		case <-exited:
			stop()
			return "", nil, fmt.Errorf("redis-server exited: %s", out.String())
		case <-ctx.Done():
			stop()
			return "", nil, fmt.Errorf("redis-server did not answer: %s", out.String())
		case <-time.After(10 * time.Millisecond):
		}
	}
	return addr, stop, nil
}

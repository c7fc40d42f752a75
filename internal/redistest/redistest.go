// Package redistest gives tests a real Redis: the one DOORKIT_REDIS_URL
// names, or a redis-server from PATH that the test starts on a Unix socket
// in a temporary directory and stops at its end. Tests that need neither
// skip, saying how to run them, unless DOORKIT_REQUIRE_REDIS=1 (CI sets
// it), which turns the skip into a failure.
package redistest

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// Environment variables the helper reads.
const (
	// URLEnv names a Redis to use instead of starting one
	// (redis://host:6379/15, unix:///path/redis.sock?db=15). Tests share
	// it: each works under names of its own (Name), so they do not collide,
	// but they leave their keys behind; use a database of its own.
	URLEnv = "DOORKIT_REDIS_URL"
	// RequireEnv set to 1 makes a test that would skip for want of Redis
	// fail instead.
	RequireEnv = "DOORKIT_REQUIRE_REDIS"
)

// startTimeout bounds how long a started redis-server may take to answer.
const startTimeout = 20 * time.Second

// Server is a Redis for one test.
type Server struct {
	// URL is the server's address for redis.ParseURL.
	URL string

	t       testing.TB
	mu      sync.Mutex
	started bool     // this test started it: Stop and Restart work
	args    []string // redis-server arguments
	dir     string
	cmd     *exec.Cmd
	out     *bytes.Buffer
	exited  chan struct{}
}

// Start returns a Redis for t: DOORKIT_REDIS_URL's when it is set, else a
// redis-server from PATH, started without persistence (--save "", no
// AOF) on a Unix socket, stopped at t's end.
func Start(t testing.TB) *Server {
	t.Helper()
	if u := os.Getenv(URLEnv); u != "" {
		if _, err := redis.ParseURL(u); err != nil {
			t.Fatalf("%s=%q: %v", URLEnv, u, err)
		}
		return &Server{URL: u, t: t}
	}
	return startOwn(t, false)
}

// StartOwn returns a redis-server from PATH that t starts and owns, even
// when DOORKIT_REDIS_URL is set: tests that stop, restart or flush the
// server need their own. With persistent, it runs with --appendonly yes
// --appendfsync always, so a Restart keeps every write it acknowledged;
// without, a Restart loses everything.
func StartOwn(t testing.TB, persistent bool) *Server {
	t.Helper()
	return startOwn(t, persistent)
}

func startOwn(t testing.TB, persistent bool) *Server {
	t.Helper()
	bin, dir := prepare(t)
	sock := filepath.Join(dir, "redis.sock")
	args := []string{"--port", "0", "--unixsocket", sock, "--unixsocketperm", "700",
		"--dir", dir, "--save", "", "--daemonize", "no", "--loglevel", "warning"}
	if persistent {
		args = append(args, "--appendonly", "yes", "--appendfsync", "always")
	} else {
		args = append(args, "--appendonly", "no")
	}
	s := &Server{URL: "unix://" + sock, t: t, started: true, args: append([]string{bin}, args...), dir: dir}
	s.run()
	t.Cleanup(s.kill)
	return s
}

func unavailable(t testing.TB, why string) {
	t.Helper()
	msg := fmt.Sprintf("%s: these tests need a real Redis. Install redis-server (apt-get install redis-server) "+
		"or set %s=redis://host:6379/15 (a database the tests may fill)", why, URLEnv)
	if os.Getenv(RequireEnv) == "1" {
		t.Fatalf("%s; %s=1 makes this a failure", msg, RequireEnv)
	}
	t.Skip(msg)
}

// run starts the server and waits until it answers PING, or fails t.
func (s *Server) run() {
	s.t.Helper()
	if err := s.tryRun(); err != nil {
		s.t.Fatal(err)
	}
}

// tryRun starts the server and waits until it answers PING.
func (s *Server) tryRun() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.out = &bytes.Buffer{}
	cmd := exec.Command(s.args[0], s.args[1:]...)
	cmd.Stdout, cmd.Stderr = s.out, s.out
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting redis-server: %v", err)
	}
	s.cmd = cmd
	exited := make(chan struct{})
	s.exited = exited
	go func() { _ = cmd.Wait(); close(exited) }()

	opt, err := redis.ParseURL(s.URL)
	if err != nil {
		return err
	}
	opt.MaxRetries = -1
	c := redis.NewClient(opt)
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	for {
		if info, err := c.Info(ctx, "server").Result(); err == nil {
			// On a TCP port, make sure it is this server that answers.
			if !strings.Contains(info, fmt.Sprintf("process_id:%d\r\n", cmd.Process.Pid)) {
				return fmt.Errorf("another server answers at %s", s.URL)
			}
			return nil
		}
		select {
		case <-exited:
			s.cmd = nil
			return fmt.Errorf("redis-server exited: %s", s.out.String())
		case <-ctx.Done():
			return fmt.Errorf("redis-server did not answer within %v: %s", startTimeout, s.out.String())
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// Stop kills the server (SIGKILL, as a crash would) and waits for it to
// exit. A persistent server has every acknowledged write in its AOF.
func (s *Server) Stop() {
	s.t.Helper()
	if !s.started {
		s.t.Fatal("redistest: Stop needs a server the test started (StartOwn)")
	}
	s.kill()
}

func (s *Server) kill() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Kill()
	<-s.exited
	s.cmd = nil
}

// Restart stops the server if it runs and starts it again on the same
// socket and directory: a persistent server reloads its AOF, another comes
// back empty.
func (s *Server) Restart() {
	s.t.Helper()
	s.Stop()
	s.run()
}

// Client returns a new client of the server, closed at the test's end.
func (s *Server) Client() *redis.Client {
	s.t.Helper()
	opt, err := redis.ParseURL(s.URL)
	if err != nil {
		s.t.Fatal(err)
	}
	c := redis.NewClient(opt)
	s.t.Cleanup(func() { _ = c.Close() })
	return c
}

// Name returns a name no other test run uses, for account names and key
// prefixes on a shared Redis.
func Name(t testing.TB) string {
	return fmt.Sprintf("%s-%s", t.Name(), rand.Text()[:10])
}

// StartCluster starts a redis-server from PATH as a Cluster of one node
// that serves every slot, on two free TCP ports of 127.0.0.1 (Cluster
// cannot run on a Unix socket), stopped at t's end. Scripts whose keys span
// slots fail on it (CROSSSLOT), and it takes sharded pub/sub.
func StartCluster(t testing.TB) *Server {
	t.Helper()
	bin, dir := prepare(t)
	s := startOnFreePort(t, dir, func(port int) []string {
		return []string{bin, "--port", fmt.Sprint(port), "--bind", "127.0.0.1", "--cluster-enabled", "yes",
			"--cluster-port", fmt.Sprint(freePort(t)), "--cluster-config-file", filepath.Join(dir, "nodes.conf"),
			"--dir", dir, "--save", "", "--appendonly", "no", "--daemonize", "no", "--loglevel", "warning"}
	})
	c := s.Client()
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	if err := c.Do(ctx, "CLUSTER", "ADDSLOTSRANGE", 0, 16383).Err(); err != nil {
		t.Fatalf("CLUSTER ADDSLOTSRANGE: %v", err)
	}
	for {
		info, err := c.ClusterInfo(ctx).Result()
		if err == nil && bytes.Contains([]byte(info), []byte("cluster_state:ok")) {
			return s
		}
		select {
		case <-ctx.Done():
			t.Fatalf("the cluster did not become ready within %v: %v %s", startTimeout, err, info)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// ClusterClient returns a Cluster client of a StartCluster server, closed
// at the test's end.
func (s *Server) ClusterClient() *redis.ClusterClient {
	s.t.Helper()
	opt, err := redis.ParseURL(s.URL)
	if err != nil {
		s.t.Fatal(err)
	}
	c := redis.NewClusterClient(&redis.ClusterOptions{Addrs: []string{opt.Addr}})
	s.t.Cleanup(func() { _ = c.Close() })
	return c
}

// startOnFreePort starts the server args(port) describes on a free TCP
// port of 127.0.0.1, stopped at t's end. Redis cannot pick a port itself
// (--port 0 turns TCP off), and a free port found here can be taken by
// another test before the server binds it: it tries a few.
func startOnFreePort(t testing.TB, dir string, args func(port int) []string) *Server {
	t.Helper()
	for attempt := 0; ; attempt++ {
		port := freePort(t)
		s := &Server{URL: fmt.Sprintf("redis://127.0.0.1:%d", port), t: t, started: true, args: args(port), dir: dir}
		err := s.tryRun()
		if err == nil {
			t.Cleanup(s.kill)
			return s
		}
		s.kill()
		if attempt == 4 {
			t.Fatal(err)
		}
	}
}

func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// prepare returns redis-server's path, skipping t (or failing it under
// DOORKIT_REQUIRE_REDIS=1) without one, and a temporary directory for the
// servers' files and sockets, removed at t's end. It is made under os.TempDir
// rather than t.TempDir: a Unix socket's path is limited to about 100
// bytes, which t.TempDir under a long test name can exceed.
func prepare(t testing.TB) (bin, dir string) {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		unavailable(t, "no redis-server in PATH")
	}
	dir, err = os.MkdirTemp("", "redistest")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	return bin, dir
}

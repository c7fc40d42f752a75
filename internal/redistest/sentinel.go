package redistest

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// MasterName is the name a StartSentinel sentinel knows its primary by.
const MasterName = "doorkit"

// failoverTimeout bounds each wait of a Failover: the sentinel's
// promotion, the old primary's catching up and turning replica.
const failoverTimeout = 30 * time.Second

// Sentinel is a Redis watched by Sentinel, for one test: two data nodes,
// a primary and its replica, and one sentinel, every one a redis-server
// from PATH (redis-server --sentinel) on a free TCP port of 127.0.0.1
// (Sentinel hands out host:port addresses, so no Unix sockets), without
// persistence, stopped at the test's end. Failover swaps the roles.
type Sentinel struct {
	// Addr is the sentinel's host:port.
	Addr string

	t        testing.TB
	nodes    [2]*Server
	admin    [2]*redis.Client // one client of each node, for the helper's own looks
	sentinel *Server
	killed   bool // KillPrimary killed a node
}

// StartSentinel starts a primary, a replica that has completed its first
// sync, and a sentinel that monitors them as MasterName (quorum 1: one
// sentinel may fail over on its own), and returns once the sentinel knows
// both. Without redis-server in PATH it skips, or fails under
// DOORKIT_REQUIRE_REDIS=1, as Start does.
func StartSentinel(t testing.TB) *Sentinel {
	t.Helper()
	bin, dir := prepare(t)

	s := &Sentinel{t: t}
	var primary string
	for i := range s.nodes {
		nodeDir := filepath.Join(dir, fmt.Sprint("node", i))
		if err := os.Mkdir(nodeDir, 0o700); err != nil {
			t.Fatal(err)
		}
		s.nodes[i] = startOnFreePort(t, nodeDir, func(port int) []string {
			args := []string{bin, "--port", fmt.Sprint(port), "--bind", "127.0.0.1", "--dir", nodeDir,
				"--save", "", "--appendonly", "no", "--daemonize", "no", "--loglevel", "warning",
				// The first sync starts at once, not after the default 5 s.
				"--repl-diskless-sync-delay", "0"}
			if i > 0 {
				host, port, _ := net.SplitHostPort(primary)
				args = append(args, "--replicaof", host, port)
			}
			return args
		})
		s.admin[i] = s.nodes[i].Client()
		if i == 0 {
			primary = s.nodes[0].addr()
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	s.poll(ctx, "the replica's first sync", func(ctx context.Context) (bool, error) {
		return s.replicaCaughtUp(ctx, 0, 1)
	})

	// The sentinel rewrites its configuration file: it needs one of its own.
	conf := filepath.Join(dir, "sentinel.conf")
	s.sentinel = startOnFreePort(t, dir, func(port int) []string {
		host, primaryPort, _ := net.SplitHostPort(primary)
		text := fmt.Sprintf("port %d\nbind 127.0.0.1\ndir %s\nloglevel notice\n"+
			"sentinel monitor %s %s %s 1\nsentinel down-after-milliseconds %[3]s 10000\n"+
			"sentinel failover-timeout %[3]s 60000\n", port, dir, MasterName, host, primaryPort)
		if err := os.WriteFile(conf, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return []string{bin, conf, "--sentinel"}
	})
	s.Addr = s.sentinel.addr()
	s.poll(ctx, "the sentinel to know the primary and its replica", func(ctx context.Context) (bool, error) {
		return s.sentinelSees(ctx, 0, 1)
	})
	return s
}

// Client returns a new client of the deployment's primary, found through
// the sentinel (redis.NewFailoverClient), closed at the test's end.
func (s *Sentinel) Client() *redis.Client {
	c := redis.NewFailoverClient(&redis.FailoverOptions{MasterName: MasterName, SentinelAddrs: []string{s.Addr}})
	s.t.Cleanup(func() { _ = c.Close() })
	return c
}

// Primary returns the node that is the primary now.
func (s *Sentinel) Primary() *Server {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	p, _ := s.roles(ctx)
	return s.nodes[p]
}

// Replicas returns how many replicas the primary has: 1, or 0 after
// KillPrimary.
func (s *Sentinel) Replicas() int {
	if s.killed {
		return 0
	}
	return len(s.nodes) - 1
}

// Failover makes the sentinel promote the replica (SENTINEL FAILOVER), as
// an operator's planned switch does, and returns once the sentinel names
// the new primary and the old one replicates from it. It loses no
// acknowledged write: the old primary's writers are paused (CLIENT PAUSE
// WRITE) until the replica has every write, and the old primary takes no
// write again; its clients are disconnected once it is a replica (as the
// sentinel itself does), and find the new primary through the sentinel.
// An unplanned failover (a primary that dies) can lose the writes the
// replica had not received: see redisstore's package documentation.
func (s *Sentinel) Failover() {
	s.t.Helper()
	if s.killed {
		s.t.Fatal("redistest: no replica to fail over to after KillPrimary")
	}
	ctx, cancel := context.WithTimeout(context.Background(), failoverTimeout)
	defer cancel()
	oldPrimary, replica := s.roles(ctx)
	old := s.admin[oldPrimary]
	// The sentinel promotes only a replica it knows to be healthy.
	s.poll(ctx, "the sentinel to know the replica", func(ctx context.Context) (bool, error) {
		return s.sentinelSees(ctx, oldPrimary, replica)
	})
	if err := old.Do(ctx, "CLIENT", "PAUSE", failoverTimeout.Milliseconds(), "WRITE").Err(); err != nil {
		s.t.Fatalf("CLIENT PAUSE: %v", err)
	}
	s.poll(ctx, "the replica to catch up", func(ctx context.Context) (bool, error) {
		return s.replicaCaughtUp(ctx, oldPrimary, replica)
	})
	sc := redis.NewSentinelClient(&redis.Options{Addr: s.Addr})
	defer sc.Close()
	if err := sc.Failover(ctx, MasterName).Err(); err != nil {
		s.t.Fatalf("SENTINEL FAILOVER: %v", err)
	}
	s.poll(ctx, "the sentinel to name the new primary", func(ctx context.Context) (bool, error) {
		addr, err := sc.GetMasterAddrByName(ctx, MasterName).Result()
		if err != nil {
			return false, err
		}
		role, err := s.admin[replica].Do(ctx, "ROLE").Slice()
		return err == nil && net.JoinHostPort(addr[0], addr[1]) == s.nodes[replica].addr() && role[0] == "master", nil
	})
	// The sentinel would turn the old primary into a replica at its next
	// look (every 10 s); do as it does now.
	host, port, _ := net.SplitHostPort(s.nodes[replica].addr())
	for _, cmd := range [][]any{{"REPLICAOF", host, port}, {"CLIENT", "KILL", "TYPE", "normal"},
		{"CLIENT", "KILL", "TYPE", "pubsub"}, {"CLIENT", "UNPAUSE"}} {
		if err := old.Do(ctx, cmd...).Err(); err != nil {
			s.t.Fatalf("%v on the old primary: %v", cmd, err)
		}
	}
	s.poll(ctx, "the old primary to replicate from the new one", func(ctx context.Context) (bool, error) {
		return s.replicaCaughtUp(ctx, replica, oldPrimary)
	})
}

// KillPrimary kills the primary (SIGKILL), as a crash does, and returns
// once the sentinel has promoted the replica, which then has no replica
// of its own (Replicas is 0; no further Failover). Unlike Failover it can
// lose the writes the replica had not received yet. The sentinel is first
// told to deem a primary down after a second of silence, not ten.
func (s *Sentinel) KillPrimary() {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), failoverTimeout)
	defer cancel()
	primary, replica := s.roles(ctx)
	sc := redis.NewSentinelClient(&redis.Options{Addr: s.Addr})
	defer sc.Close()
	if err := sc.Set(ctx, MasterName, "down-after-milliseconds", "1000").Err(); err != nil {
		s.t.Fatalf("SENTINEL SET: %v", err)
	}
	s.poll(ctx, "the sentinel to know the replica", func(ctx context.Context) (bool, error) {
		return s.sentinelSees(ctx, primary, replica)
	})
	s.nodes[primary].kill()
	s.killed = true
	s.poll(ctx, "the sentinel to promote the replica", func(ctx context.Context) (bool, error) {
		addr, err := sc.GetMasterAddrByName(ctx, MasterName).Result()
		if err != nil {
			return false, err
		}
		role, err := s.admin[replica].Do(ctx, "ROLE").Slice()
		return err == nil && net.JoinHostPort(addr[0], addr[1]) == s.nodes[replica].addr() && role[0] == "master", nil
	})
}

// roles returns the indexes of the primary and the replica, as the nodes
// say.
func (s *Sentinel) roles(ctx context.Context) (primary, replica int) {
	s.t.Helper()
	for i, c := range s.admin {
		role, err := c.Do(ctx, "ROLE").Slice()
		if err != nil {
			if s.killed {
				continue // the primary KillPrimary killed
			}
			s.t.Fatalf("ROLE: %v", err)
		}
		if role[0] == "master" {
			return i, 1 - i
		}
	}
	s.t.Fatal("redistest: no node is the primary")
	return 0, 0
}

// replicaCaughtUp reports whether replica is connected to primary and has
// every write the primary has.
func (s *Sentinel) replicaCaughtUp(ctx context.Context, primary, replica int) (bool, error) {
	p, err := infoField(ctx, s.admin[primary], "master_repl_offset")
	if err != nil {
		return false, err
	}
	link, err := infoField(ctx, s.admin[replica], "master_link_status")
	if err != nil {
		return false, err
	}
	r, err := infoField(ctx, s.admin[replica], "slave_repl_offset")
	if err != nil {
		return false, err
	}
	po, _ := strconv.ParseInt(p, 10, 64)
	ro, _ := strconv.ParseInt(r, 10, 64)
	return link == "up" && ro >= po, nil
}

// sentinelSees reports whether the sentinel knows primary as the primary,
// healthy, and replica as its replica with its link up.
func (s *Sentinel) sentinelSees(ctx context.Context, primary, replica int) (bool, error) {
	sc := redis.NewSentinelClient(&redis.Options{Addr: s.Addr})
	defer sc.Close()
	m, err := sc.Master(ctx, MasterName).Result()
	if err != nil {
		return false, err
	}
	if net.JoinHostPort(m["ip"], m["port"]) != s.nodes[primary].addr() || m["flags"] != "master" {
		return false, fmt.Errorf("the sentinel knows the primary as %s:%s %s", m["ip"], m["port"], m["flags"])
	}
	rs, err := sc.Replicas(ctx, MasterName).Result()
	if err != nil {
		return false, err
	}
	var seen []string
	for _, r := range rs {
		seen = append(seen, fmt.Sprint(r["ip"], ":", r["port"], " ", r["flags"], " ", r["master-link-status"]))
		if net.JoinHostPort(r["ip"], r["port"]) == s.nodes[replica].addr() && r["flags"] == "slave" && r["master-link-status"] == "ok" {
			return true, nil
		}
	}
	return false, fmt.Errorf("the sentinel knows the primary's replicas as %q", seen)
}

// poll calls done until it reports true, failing t when ctx ends first.
func (s *Sentinel) poll(ctx context.Context, what string, done func(context.Context) (bool, error)) {
	s.t.Helper()
	var last error
	for {
		ok, err := done(ctx)
		if ok {
			return
		}
		if err != nil && ctx.Err() == nil {
			last = err
		}
		select {
		case <-ctx.Done():
			s.t.Fatalf("redistest: gave up waiting for %s: %v\n%s", what, last, s.sentinel.out)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// infoField returns one field of the node's INFO replication.
func infoField(ctx context.Context, c *redis.Client, field string) (string, error) {
	info, err := c.Info(ctx, "replication").Result()
	if err != nil {
		return "", err
	}
	for line := range strings.SplitSeq(info, "\r\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			return v, nil
		}
	}
	return "", fmt.Errorf("no %s in INFO replication", field)
}

// addr returns the host:port of a server on TCP.
func (s *Server) addr() string {
	opt, err := redis.ParseURL(s.URL)
	if err != nil {
		s.t.Fatal(err)
	}
	return opt.Addr
}

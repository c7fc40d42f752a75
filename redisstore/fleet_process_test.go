package redisstore_test

import (
	"bufio"
	"context"
	"encoding/pem"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/havr"
	"github.com/doorkit/doorkit/havr/havrtest"
	"github.com/doorkit/doorkit/internal/redistest"
	"github.com/doorkit/doorkit/redisstore"
	"github.com/redis/go-redis/v9"
)

// The per-key scenario with replicas as separate processes: in one test
// process replicas share every package-level variable, so an in-process
// fleet cannot show that nothing but Redis keeps them apart. Here the test
// binary runs itself once per replica (TestFleetReplicaProcess, selected
// with -test.run and told what to do through the environment); each child
// builds its own Havr client and its own Store and sends its triggers for
// one booking. The Havr fake is served by the parent over TLS (its URL and
// CA certificate are passed on); only Redis joins the children.

// Environment of a replica process.
const (
	envReplica   = "DOORKIT_FLEET_REPLICA" // the replica's number; set only in a child
	envHavrURL   = "DOORKIT_FLEET_HAVR_URL"
	envHavrCA    = "DOORKIT_FLEET_HAVR_CA" // PEM
	envRedisURL  = "DOORKIT_FLEET_REDIS_URL"
	envAccount   = "DOORKIT_FLEET_ACCOUNT"
	envKey       = "DOORKIT_FLEET_KEY"
	envTriggers  = "DOORKIT_FLEET_TRIGGERS"
	envStart     = "DOORKIT_FLEET_START" // the booking's start, RFC 3339
	replicaLines = "fleet: "             // the prefix of what a child reports on stdout
)

// Four processes, five triggers each, all released at once after every
// replica holds a token: one shared key on the fake, one create, and one
// replica reports it created while the other 19 triggers find it.
func TestFleetReplicasAsProcesses(t *testing.T) {
	if os.Getenv(envReplica) != "" {
		t.Skip("in a replica process")
	}
	t.Parallel()
	rdb := redistest.Start(t)
	srv := havrtest.NewServer()
	t.Cleanup(srv.Close)
	ca := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	ctx, cancel := context.WithTimeout(context.Background(), 3*generous)
	defer cancel()

	const processes, perProcess = 4, 5
	start := tomorrow()
	account := redistest.Name(t)
	type child struct {
		cmd   *exec.Cmd
		in    io.WriteCloser
		lines chan string
	}
	children := make([]*child, processes)
	for i := range children {
		cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestFleetReplicaProcess$", "-test.count=1")
		cmd.Env = append(os.Environ(),
			envReplica+"="+fmt.Sprint(i+1), envHavrURL+"="+srv.URL, envHavrCA+"="+string(ca),
			envRedisURL+"="+rdb.URL, envAccount+"="+account, envKey+"=BK-1", envTriggers+"="+fmt.Sprint(perProcess),
			envStart+"="+start.Format(time.RFC3339))
		cmd.Stderr = os.Stderr
		in, err := cmd.StdinPipe()
		if err != nil {
			t.Fatal(err)
		}
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		c := &child{cmd: cmd, in: in, lines: make(chan string, 4*perProcess)}
		go func() {
			defer close(c.lines)
			sc := bufio.NewScanner(out)
			for sc.Scan() {
				if line, ok := strings.CutPrefix(sc.Text(), replicaLines); ok {
					c.lines <- line
				}
			}
		}()
		children[i] = c
	}
	next := func(c *child) string {
		select {
		case line, ok := <-c.lines:
			if !ok {
				t.Fatal("a replica process ended without reporting")
			}
			return line
		case <-ctx.Done():
			t.Fatal("a replica process did not report in time")
		}
		return ""
	}
	for _, c := range children {
		if line := next(c); line != "ready" {
			t.Fatalf("replica: %s", line)
		}
	}
	for _, c := range children { // go
		_ = c.in.Close()
	}
	outcomes := map[string]int{}
	for _, c := range children {
		for range perProcess {
			outcomes[next(c)]++
		}
		if err := c.cmd.Wait(); err != nil {
			t.Errorf("replica process: %v", err)
		}
	}
	if n := srv.Count("POST", havrCreateLink); n != 1 {
		t.Errorf("%d creates from %d processes, want 1", n, processes)
	}
	if n := havrKeysFor(srv, "BK-1"); n != 1 {
		t.Errorf("%d live shared keys carry the booking, want 1", n)
	}
	if outcomes["created"] != 1 || outcomes["unchanged"] != processes*perProcess-1 {
		t.Errorf("outcomes %v, want 1 created and %d unchanged", outcomes, processes*perProcess-1)
	}
	if n := srv.Count("POST", "/oauth/v1/token"); n != 1 {
		t.Errorf("%d logins from %d processes, want 1 (the token is shared through Redis)", n, processes)
	}
}

// TestFleetReplicaProcess is one replica of TestFleetReplicasAsProcesses,
// run in a process of its own; it skips in an ordinary test run. It
// reports "ready" once it holds a token, waits until its stdin closes,
// sends its triggers at once and reports each one's outcome.
func TestFleetReplicaProcess(t *testing.T) {
	if os.Getenv(envReplica) == "" {
		t.Skip("runs only as a replica process of TestFleetReplicasAsProcesses")
	}
	report := func(format string, args ...any) { fmt.Printf(replicaLines+format+"\n", args...) }
	opt, err := redis.ParseURL(os.Getenv(envRedisURL))
	if err != nil {
		report("redis url: %v", err)
		t.Fatal(err)
	}
	rdb := redis.NewClient(opt)
	defer rdb.Close()
	store, err := redisstore.New(rdb, redisstore.Account{Vendor: "havr", Name: os.Getenv(envAccount),
		BaseURL: os.Getenv(envHavrURL), ClientID: havrtest.OwnerEmail})
	if err != nil {
		report("store: %v", err)
		t.Fatal(err)
	}
	c, err := havr.New(havr.WithBaseURL(os.Getenv(envHavrURL)), havr.WithCACertPEM([]byte(os.Getenv(envHavrCA))),
		havr.WithPassword(havrtest.OwnerEmail, havrtest.OwnerPassword),
		havr.WithTokenStore(store), havr.WithLocker(store))
	if err != nil {
		report("client: %v", err)
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*generous)
	defer cancel()
	if _, err := c.ListDoors(ctx); err != nil {
		report("warm-up: %v", err)
		t.Fatal(err)
	}
	report("ready")
	_, _ = io.Copy(io.Discard, os.Stdin) // the parent closes stdin: go

	n, err := strconv.Atoi(os.Getenv(envTriggers))
	if err != nil {
		t.Fatal(err)
	}
	start, err := time.Parse(time.RFC3339, os.Getenv(envStart))
	if err != nil {
		t.Fatal(err)
	}
	req := havrBooking(start, os.Getenv(envKey))
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			_, outcome, err := access.EnsureGrant(ctx, c, req)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				report("error: %v", err)
				t.Error(err)
				return
			}
			report("%s", outcome)
		})
	}
	wg.Wait()
}

package resivo_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// BenchmarkStart runs tiny programs (testdata/start) from start to exit:
// one that does nothing, one that builds a hand-written HTTPS JSON client
// (net/http, crypto/tls, encoding/json: the floor of any vendor client),
// one that makes a resivo client with the default
// SMS number rule, one that passes phone.NormalizeSMS (libphonenumber loads
// its metadata when the program starts), and ones that make a Havr and an
// August client.
// Compare them with benchstat -col /program; "bytes" is the binary's size,
// "cpu-ns/op" the CPU time the program used (user and system), which the
// load of a shared machine disturbs less than the time on the clock.
func BenchmarkStart(b *testing.B) {
	gobin, err := exec.LookPath("go")
	if err != nil {
		b.Skip("go tool not on PATH")
	}
	dir := b.TempDir()
	for _, program := range []string{"empty", "nethttp", "resivo", "phone", "havr", "august"} {
		bin := filepath.Join(dir, program)
		if out, err := exec.Command(gobin, "build", "-o", bin, "./testdata/start/"+program).CombinedOutput(); err != nil {
			b.Fatalf("building %s: %v\n%s", program, err, out)
		}
		info, err := os.Stat(bin)
		if err != nil {
			b.Fatal(err)
		}
		b.Run("program="+program, func(b *testing.B) {
			var cpu time.Duration
			for b.Loop() {
				cmd := exec.Command(bin)
				if out, err := cmd.CombinedOutput(); err != nil {
					b.Fatalf("%s: %v\n%s", program, err, out)
				}
				cpu += cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
			}
			b.ReportMetric(float64(info.Size()), "bytes")
			b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
		})
	}
}

// TestStartInitWork runs the vendors' start programs with
// GODEBUG=inittrace=1 and counts the allocations of doorkit's own package
// initialisers: a package-level regexp (account names, phone numbers, ids,
// version prefixes) costs every program that imports the package hundreds
// of allocations and up to a quarter of a millisecond at start, before it
// does anything. Counts, not times, so the test is as steady as the machine
// is loaded.
func TestStartInitWork(t *testing.T) {
	if testing.Short() {
		t.Skip("builds programs")
	}
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go tool not on PATH")
	}
	// init github.com/doorkit/doorkit/access @1.6 ms, 0.005 ms clock, 336 bytes, 2 allocs
	line := regexp.MustCompile(`(?m)^init (github\.com/doorkit/doorkit/\S+) @.*, (\d+) allocs$`)
	for _, program := range []string{"resivo", "havr", "august"} {
		bin := filepath.Join(t.TempDir(), program)
		if out, err := exec.Command(gobin, "build", "-o", bin, "./testdata/start/"+program).CombinedOutput(); err != nil {
			t.Fatalf("building %s: %v\n%s", program, err, out)
		}
		cmd := exec.Command(bin)
		cmd.Env = append(os.Environ(), "GODEBUG=inittrace=1")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s: %v\n%s", program, err, out)
		}
		if !strings.Contains(string(out), "init ") {
			t.Fatalf("%s: no init trace in the program's output:\n%s", program, out)
		}
		for _, m := range line.FindAllStringSubmatch(string(out), -1) {
			if n, _ := strconv.Atoi(m[2]); n > maxInitAllocs {
				t.Errorf("%s: init of %s: %d allocations, want at most %d", program, m[1], n, maxInitAllocs)
			}
		}
	}
}

// maxInitAllocs bounds the allocations of one doorkit package's init: a few
// sentinel errors and small tables, never a compiled pattern (the account
// name regexp alone took 446).
const maxInitAllocs = 20

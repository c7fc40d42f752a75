package resivo_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// BenchmarkStart runs tiny programs (testdata/start) from start to exit:
// one that does nothing, one that builds a hand-written HTTPS JSON client
// (net/http, crypto/tls, encoding/json: the floor of any vendor client),
// one that makes a resivo client with the default
// SMS number rule, one that passes phone.NormalizeSMS (libphonenumber loads
// its metadata when the program starts), and one that makes a Havr client.
// Compare them with benchstat -col /program; "bytes" is the binary's size.
func BenchmarkStart(b *testing.B) {
	gobin, err := exec.LookPath("go")
	if err != nil {
		b.Skip("go tool not on PATH")
	}
	dir := b.TempDir()
	for _, program := range []string{"empty", "nethttp", "resivo", "phone", "havr"} {
		bin := filepath.Join(dir, program)
		if out, err := exec.Command(gobin, "build", "-o", bin, "./testdata/start/"+program).CombinedOutput(); err != nil {
			b.Fatalf("building %s: %v\n%s", program, err, out)
		}
		info, err := os.Stat(bin)
		if err != nil {
			b.Fatal(err)
		}
		b.Run("program="+program, func(b *testing.B) {
			for b.Loop() {
				if out, err := exec.Command(bin).CombinedOutput(); err != nil {
					b.Fatalf("%s: %v\n%s", program, err, out)
				}
			}
			b.ReportMetric(float64(info.Size()), "bytes")
		})
	}
}

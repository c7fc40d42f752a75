package augusttest_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/doorkit/doorkit/august/augusttest"
)

// BenchmarkListLocks is one authenticated, token-rotating GET.
func BenchmarkListLocks(b *testing.B) {
	c, srv := newClientB(b)
	for b.Loop() {
		if a := c.do("GET", "/users/locks/mine", nil); a.status != 200 {
			b.Fatal(a.status)
		}
	}
	srv.ResetLog()
}

// BenchmarkPINLoadDelivered is a PIN load and its delete, each until its
// webhook result has been delivered.
func BenchmarkPINLoadDelivered(b *testing.B) {
	c, srv := newClientB(b)
	withReceiver(srv)
	start, end := time.Now().Add(time.Hour), time.Now().Add(2*time.Hour)
	i := 0
	for b.Loop() {
		pin := fmt.Sprintf("%06d", i%1000000)
		i++
		for _, cmd := range []map[string]any{loadCmd(pin, "bench", start, end), {"action": "delete", "pin": pin}} {
			if a := c.do("POST", "/locks/"+augusttest.FrontDoorID+"/pins", map[string]any{"commands": []any{cmd}, "webhook": hook}); a.status != 200 {
				b.Fatal(string(a.body))
			}
			waitB(b, srv)
		}
	}
	srv.ResetLog()
}

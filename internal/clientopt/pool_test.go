package clientopt

import (
	"context"
	"crypto/tls"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/doorkit/doorkit/internal/rest"
)

// countingServer is a TLS server that counts the connections it accepts.
func countingServer(tb testing.TB) (*httptest.Server, *atomic.Int64) {
	var conns atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"id":"b1"}`)
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	tb.Cleanup(srv.Close)
	return srv, &conns
}

// poolTransport is the transport a vendor client gets: Common.Transport
// trusting the test server, or (sized false) http.DefaultTransport's pool.
func poolTransport(tb testing.TB, srv *httptest.Server, sized bool) http.RoundTripper {
	roots := srv.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs
	if !sized {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.TLSClientConfig = &tls.Config{RootCAs: roots}
		return t
	}
	c := New("test", "ua", srv.URL)
	c.RootCAs = roots
	rt, _, err := c.Transport()
	require.NoError(tb, err)
	return rt
}

// burst sends calls requests from workers goroutines.
func burst(tb testing.TB, c *rest.Client, workers, calls int) {
	var wg sync.WaitGroup
	var next atomic.Int64
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= int64(calls) {
				var out struct{ ID string }
				if _, err := c.Do(context.Background(), rest.Get("beacons/%v", "b1"), &out); err != nil {
					tb.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
}

func restClient(tb testing.TB, srv *httptest.Server, rt http.RoundTripper) *rest.Client {
	u, err := url.Parse(srv.URL)
	require.NoError(tb, err)
	return rest.New(rest.Config{BaseURL: u, Transport: rt})
}

func TestDefaultTransportPoolsConnections(t *testing.T) {
	const workers, calls = 50, 1000
	srv, conns := countingServer(t)
	burst(t, restClient(t, srv, poolTransport(t, srv, true)), workers, calls)
	sized := conns.Load()
	t.Logf("%d calls from %d goroutines: %d TLS connections (BenchmarkPool compares http.DefaultTransport's pool)",
		calls, workers, sized)
	// A call dials only when no connection is idle, but a dial whose call
	// got a returned connection first still completes and joins the pool,
	// so a loaded machine opens somewhat more than one per worker (50-110
	// seen). With 2 idle per host, 550-800 of the 1,000 calls open one.
	assert.LessOrEqual(t, sized, int64(4*workers), "connections are reused")

	rt := poolTransport(t, srv, true).(*http.Transport)
	assert.GreaterOrEqual(t, rt.MaxIdleConnsPerHost, 2*workers)
	assert.GreaterOrEqual(t, rt.MaxIdleConns, 2*workers)
}

// BenchmarkPool compares 1,000 calls from 50 goroutines over doorkit's
// default pool with http.DefaultTransport's 2 idle connections per host.
func BenchmarkPool(b *testing.B) {
	for _, tc := range []struct {
		name  string
		sized bool
	}{{"default-transport", false}, {"sized-pool", true}} {
		b.Run(tc.name, func(b *testing.B) {
			srv, conns := countingServer(b)
			c := restClient(b, srv, poolTransport(b, srv, tc.sized))
			b.ResetTimer()
			for range b.N {
				burst(b, c, 50, 1000)
			}
			b.ReportMetric(float64(conns.Load())/float64(b.N), "conns/op")
		})
	}
}

// A burst wider than the pool opens no more connections than the pool
// keeps: the goroutines beyond it wait for a connection to come back.
func TestDefaultTransportCapsConnections(t *testing.T) {
	const goroutines = 1000
	srv, conns := countingServer(t)
	c := restClient(t, srv, poolTransport(t, srv, true))
	for range 2 {
		burst(t, c, goroutines, goroutines)
	}
	t.Logf("2 bursts of %d goroutines: %d TLS connections", goroutines, conns.Load())
	assert.LessOrEqual(t, conns.Load(), int64(DefaultMaxConnsPerHost))
}

// BenchmarkBurst compares 1,000 goroutines, one call each, over doorkit's
// default transport (100 connections at most) with a pool as wide as the
// burst (1,000 idle connections kept, no cap), after a first burst has
// filled each pool.
func BenchmarkBurst(b *testing.B) {
	const goroutines = 1000
	for _, tc := range []struct {
		name string
		wide bool
	}{{"pool=defaults", false}, {"pool=burst", true}} {
		b.Run(tc.name, func(b *testing.B) {
			srv, conns := countingServer(b)
			rt := poolTransport(b, srv, true).(*http.Transport)
			if tc.wide {
				rt.MaxConnsPerHost, rt.MaxIdleConnsPerHost, rt.MaxIdleConns = 0, goroutines, goroutines
			}
			c := restClient(b, srv, rt)
			burst(b, c, goroutines, goroutines)
			opened := conns.Load()
			b.ResetTimer()
			for range b.N {
				burst(b, c, goroutines, goroutines)
			}
			b.ReportMetric(float64(conns.Load()-opened)/float64(b.N), "conns/op")
			b.ReportMetric(float64(opened), "conns-first")
		})
	}
}

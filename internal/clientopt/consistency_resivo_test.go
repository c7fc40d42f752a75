package clientopt_test

import (
	"context"
	"crypto/x509"
	"net/http"
	"testing"
	"time"

	"github.com/doorkit/doorkit/havr"
	"github.com/doorkit/doorkit/primis"
	"github.com/doorkit/doorkit/resivo"
	"github.com/doorkit/doorkit/resivo/resivotest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/time/rate"
)

// resivoClient builds a resivo client on its fake with the CA and user
// agent under test, as vendors() does for the others.
func resivoClient(t *testing.T, caPEM []byte, ua *string) (func() error, error) {
	srv := resivotest.NewServer()
	t.Cleanup(srv.Close)
	opts := []resivo.Option{resivo.WithBaseURL(srv.URL), resivo.WithSites(resivotest.SiteID),
		resivo.WithClientCredentials(resivotest.ClientID, resivotest.ClientSecret),
		resivo.WithCACertPEM(pemOr(caPEM, srv.Certificate().Raw))}
	if ua != nil {
		opts = append(opts, resivo.WithUserAgent(*ua))
	}
	c, err := resivo.New(opts...)
	if err != nil {
		return nil, err
	}
	return func() error { _, err := c.ListDoors(context.Background()); return err }, nil
}

// TestResivoSharedOptionsBehaveAsTheOthers: WithCACertPEM and WithUserAgent
// accept and refuse in resivo what they accept and refuse in havr and primis
// (TestSharedOptionsBehaveTheSame), the token request included: the fake's
// certificate is trusted for it too.
func TestResivoSharedOptionsBehaveAsTheOthers(t *testing.T) {
	str := func(s string) *string { return &s }
	for _, tc := range []struct {
		name    string
		caPEM   []byte
		ua      *string
		wantErr bool
	}{
		{name: "the fake's CA as PEM, default user agent"},
		{name: "own user agent", ua: str("booking-service/2.1")},
		{name: "empty user agent", ua: str(""), wantErr: true},
		{name: "user agent with CR LF", ua: str("x\r\nX-Injected: 1"), wantErr: true},
		{name: "PEM without a certificate", caPEM: []byte("not a certificate"), wantErr: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			call, err := resivoClient(t, tc.caPEM, tc.ua)
			if tc.wantErr {
				require.Error(t, err)
				assert.Contains(t, err.Error(), "resivo: ")
				return
			}
			require.NoError(t, err)
			assert.NoError(t, call())
		})
	}
}

// TestSharedOptionValuesAreCheckedAlike: every shared option refuses the
// same bad values in havr, primis and resivo, in New, with the vendor's
// prefix; and accepts the same good ones.
func TestSharedOptionValuesAreCheckedAlike(t *testing.T) {
	type set struct {
		havr   havr.Option
		primis primis.Option
		resivo resivo.Option
	}
	all := func(h havr.Option, p primis.Option, r resivo.Option) set { return set{h, p, r} }
	hc := &http.Client{}
	bad := map[string]set{
		"WithHTTPClient(nil)":            all(havr.WithHTTPClient(nil), primis.WithHTTPClient(nil), resivo.WithHTTPClient(nil)),
		"WithCACertPEM(garbage)":         all(havr.WithCACertPEM([]byte("x")), primis.WithCACertPEM([]byte("x")), resivo.WithCACertPEM([]byte("x"))),
		"WithUserAgent(empty)":           all(havr.WithUserAgent(""), primis.WithUserAgent(""), resivo.WithUserAgent("")),
		"WithRetry(-1)":                  all(havr.WithRetry(-1, 0, 0), primis.WithRetry(-1, 0, 0), resivo.WithRetry(-1, 0, 0)),
		"WithRetry(max < min)":           all(havr.WithRetry(1, 2, 1), primis.WithRetry(1, 2, 1), resivo.WithRetry(1, 2, 1)),
		"WithMaxRetryAfter(-1)":          all(havr.WithMaxRetryAfter(-1), primis.WithMaxRetryAfter(-1), resivo.WithMaxRetryAfter(-1)),
		"WithMaxResponseBody(0)":         all(havr.WithMaxResponseBody(0), primis.WithMaxResponseBody(0), resivo.WithMaxResponseBody(0)),
		"WithResponseHeaderTimeout(0)":   all(havr.WithResponseHeaderTimeout(0), primis.WithResponseHeaderTimeout(0), resivo.WithResponseHeaderTimeout(0)),
		"WithTokenTimeout(0)":            all(havr.WithTokenTimeout(0), primis.WithTokenTimeout(0), resivo.WithTokenTimeout(0)),
		"WithRateLimit(0, 1)":            all(havr.WithRateLimit(0, 1), primis.WithRateLimit(0, 1), resivo.WithRateLimit(0, 1)),
		"WithRateLimit(1, 0)":            all(havr.WithRateLimit(1, 0), primis.WithRateLimit(1, 0), resivo.WithRateLimit(1, 0)),
		"WithBaseURL(http)":              all(havr.WithBaseURL("http://api.example.com"), primis.WithBaseURL("http://api.example.com"), resivo.WithBaseURL("http://api.example.com")),
		"WithRootCAs and WithHTTPClient": {},
	}
	good := map[string]set{
		"WithHTTPClient":            all(havr.WithHTTPClient(hc), primis.WithHTTPClient(hc), resivo.WithHTTPClient(hc)),
		"WithRootCAs":               all(havr.WithRootCAs(x509.NewCertPool()), primis.WithRootCAs(x509.NewCertPool()), resivo.WithRootCAs(x509.NewCertPool())),
		"WithUserAgent":             all(havr.WithUserAgent("a/1"), primis.WithUserAgent("a/1"), resivo.WithUserAgent("a/1")),
		"WithLogger(nil)":           all(havr.WithLogger(nil), primis.WithLogger(nil), resivo.WithLogger(nil)),
		"WithLogBodies":             all(havr.WithLogBodies(), primis.WithLogBodies(), resivo.WithLogBodies()),
		"WithRetry(0, 0, 0)":        all(havr.WithRetry(0, 0, 0), primis.WithRetry(0, 0, 0), resivo.WithRetry(0, 0, 0)),
		"WithMaxRetryAfter(0)":      all(havr.WithMaxRetryAfter(0), primis.WithMaxRetryAfter(0), resivo.WithMaxRetryAfter(0)),
		"WithMaxResponseBody":       all(havr.WithMaxResponseBody(1), primis.WithMaxResponseBody(1), resivo.WithMaxResponseBody(1)),
		"WithResponseHeaderTimeout": all(havr.WithResponseHeaderTimeout(time.Second), primis.WithResponseHeaderTimeout(time.Second), resivo.WithResponseHeaderTimeout(time.Second)),
		"WithTokenTimeout":          all(havr.WithTokenTimeout(time.Second), primis.WithTokenTimeout(time.Second), resivo.WithTokenTimeout(time.Second)),
		"WithRateLimit(Inf)":        all(havr.WithRateLimit(rate.Inf, 1), primis.WithRateLimit(rate.Inf, 1), resivo.WithRateLimit(rate.Inf, 1)),
		"WithTokens":                all(havr.WithTokens("a", "r"), primis.WithTokens("a", "r"), resivo.WithTokens("a", "r")),
	}
	build := func(s set, rootAndClient bool) map[string]error {
		h := []havr.Option{havr.WithBaseURL("https://havr.example.com"), havr.WithPassword("a@example.com", "pw")}
		p := []primis.Option{primis.WithBaseURL("https://primis.example.com"), primis.WithPhoneID("p"), primis.WithCredentials("a@example.com", "pw")}
		r := []resivo.Option{resivo.WithTokens("t", "")}
		if rootAndClient {
			h = append(h, havr.WithRootCAs(x509.NewCertPool()), havr.WithHTTPClient(hc))
			p = append(p, primis.WithRootCAs(x509.NewCertPool()), primis.WithHTTPClient(hc))
			r = append(r, resivo.WithRootCAs(x509.NewCertPool()), resivo.WithHTTPClient(hc))
		} else {
			h, p, r = append(h, s.havr), append(p, s.primis), append(r, s.resivo)
		}
		errs := map[string]error{}
		_, errs["havr"] = havr.New(h...)
		_, errs["primis"] = primis.New(p...)
		_, errs["resivo"] = resivo.New(r...)
		return errs
	}
	for name, s := range bad {
		for vendor, err := range build(s, s.havr == nil) {
			if assert.Error(t, err, vendor+" "+name) {
				assert.Contains(t, err.Error(), vendor+": ", name)
			}
		}
	}
	for name, s := range good {
		for vendor, err := range build(s, false) {
			assert.NoError(t, err, vendor+" "+name)
		}
	}
}

package clientopt_test

import (
	"context"
	"encoding/pem"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/doorkit/doorkit/havr"
	"github.com/doorkit/doorkit/havr/havrtest"
	"github.com/doorkit/doorkit/primis"
	"github.com/doorkit/doorkit/primis/primistest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// vendor builds a client of one vendor package from the shared options
// under test, against that vendor's fake.
type vendor struct {
	name string
	// newClient builds a client with the shared options given by the test
	// and makes one authorised call.
	newClient func(t *testing.T, caPEM []byte, userAgent *string) (call func() error, err error)
}

func vendors() []vendor {
	return []vendor{
		{name: "havr", newClient: func(t *testing.T, caPEM []byte, ua *string) (func() error, error) {
			srv := havrtest.NewServer()
			t.Cleanup(srv.Close)
			opts := []havr.Option{havr.WithBaseURL(srv.URL), havr.WithPassword(havrtest.OwnerEmail, havrtest.OwnerPassword)}
			opts = append(opts, havr.WithCACertPEM(pemOr(caPEM, srv.Certificate().Raw)))
			if ua != nil {
				opts = append(opts, havr.WithUserAgent(*ua))
			}
			c, err := havr.New(opts...)
			if err != nil {
				return nil, err
			}
			return func() error { _, _, err := c.DoorLocks.List(context.Background()); return err }, nil
		}},
		{name: "primis", newClient: func(t *testing.T, caPEM []byte, ua *string) (func() error, error) {
			srv := primistest.NewServer()
			t.Cleanup(srv.Close)
			opts := []primis.Option{primis.WithBaseURL(srv.URL), primis.WithPhoneID("consistency"),
				primis.WithCredentials(primistest.UserEmail, primistest.UserPassword)}
			opts = append(opts, primis.WithCACertPEM(pemOr(caPEM, srv.Certificate().Raw)))
			if ua != nil {
				opts = append(opts, primis.WithUserAgent(*ua))
			}
			c, err := primis.New(opts...)
			if err != nil {
				return nil, err
			}
			return func() error { _, err := c.ListDoors(context.Background()); return err }, nil
		}},
	}
}

// pemOr returns caPEM, or the fake's own certificate when caPEM is nil.
func pemOr(caPEM, der []byte) []byte {
	if caPEM != nil {
		return caPEM
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

// TestSharedOptionsBehaveTheSame: every vendor package has WithCACertPEM and
// WithUserAgent, and they accept and refuse the same values.
func TestSharedOptionsBehaveTheSame(t *testing.T) {
	str := func(s string) *string { return &s }
	cases := []struct {
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
	}
	for _, v := range vendors() {
		for _, tc := range cases {
			t.Run(v.name+"/"+tc.name, func(t *testing.T) {
				call, err := v.newClient(t, tc.caPEM, tc.ua)
				if tc.wantErr {
					require.Error(t, err)
					assert.Contains(t, err.Error(), v.name+": ")
					return
				}
				require.NoError(t, err)
				assert.NoError(t, call(), "the CA given as PEM is trusted")
			})
		}
	}
}

// TestCACertPEMIsRequiredToTrustThePrivateCA: without it the fakes'
// self-signed certificates are refused, so the test above proves the PEM
// is used.
func TestCACertPEMIsRequiredToTrustThePrivateCA(t *testing.T) {
	srv := primistest.NewServer()
	defer srv.Close()
	c, err := primis.New(primis.WithBaseURL(srv.URL), primis.WithPhoneID("p"),
		primis.WithCredentials(primistest.UserEmail, primistest.UserPassword), primis.WithRetry(0, 0, 0))
	require.NoError(t, err)
	_, err = c.ListDoors(context.Background())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "certificate")
}

// TestGodocNamesNoMissingDesignDoc: the design notes are not part of the
// repository, so no comment may send a reader to them.
func TestGodocNamesNoMissingDesignDoc(t *testing.T) {
	root := filepath.Join("..", "..")
	if _, err := os.Stat(filepath.Join(root, "DESIGN"+".md")); err == nil {
		t.Skip("the design document is in the repository")
	}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		assert.NotContains(t, string(b), "DESIGN"+".md", path)
		return nil
	})
	require.NoError(t, err)
}

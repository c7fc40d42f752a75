package clientopt_test

import (
	"testing"
	"time"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/august"
	"github.com/doorkit/doorkit/havr"
	"github.com/doorkit/doorkit/primis"
	"github.com/doorkit/doorkit/resivo"
	"github.com/stretchr/testify/assert"
)

// Every construction error is access.ErrInvalid, as the README defines it
// (refused before anything was sent), and a base URL without a scheme gets
// the package's own message, not Go's parser's.
func TestConstructionErrorsAreInvalid(t *testing.T) {
	const noScheme = "10.0.0.5:8443"
	for name, news := range map[string][]func() error{
		"havr": {
			func() error { _, err := havr.New(); return err },
			func() error { _, err := havr.New(havr.WithRetry(-1, time.Second, time.Second)); return err },
			func() error {
				_, err := havr.New(havr.WithBaseURL(noScheme), havr.WithClientID("c"), havr.WithPassword("a@example.com", "pw"))
				return err
			},
		},
		"primis": {
			func() error { _, err := primis.New(); return err },
			func() error { _, err := primis.New(primis.WithRetry(-1, time.Second, time.Second)); return err },
			func() error {
				_, err := primis.New(primis.WithBaseURL(noScheme), primis.WithPhoneID("p"), primis.WithPassword("a@example.com", "pw"))
				return err
			},
		},
		"august": {
			func() error { _, err := august.New(); return err },
			func() error { _, err := august.New(august.WithRetry(-1, time.Second, time.Second)); return err },
			func() error {
				_, err := august.New(august.WithBaseURL(noScheme), august.WithAPIKey("k"), august.WithTokens("t", ""))
				return err
			},
		},
		"resivo": {
			func() error { _, err := resivo.New(); return err },
			func() error { _, err := resivo.New(resivo.WithRetry(-1, time.Second, time.Second)); return err },
			func() error {
				_, err := resivo.New(resivo.WithBaseURL(noScheme), resivo.WithClientCredentials("id", "secret"), resivo.WithSites("s"))
				return err
			},
		},
	} {
		for i, newClient := range news {
			err := newClient()
			assert.ErrorIs(t, err, access.ErrInvalid, "%s case %d: %v", name, i, err)
			if i == 2 {
				assert.Contains(t, err.Error(), "must be https://host[:port]", name)
				assert.NotContains(t, err.Error(), "first path segment", name)
			}
		}
	}
}

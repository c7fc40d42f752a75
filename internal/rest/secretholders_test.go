package rest

import (
	"errors"
	"reflect"
	"testing"

	"github.com/doorkit/doorkit/internal/redact/redacttest"
)

// secretHolders is every exported type of the package that holds a secret,
// in an unexported field included; TestSecretHoldersListed keeps it
// complete.
var secretHolders = []any{
	RequestError{Method: "GET", URL: "https://api.example.com/x?token=[REDACTED]", Err: errors.New("refused")},
}

func TestSecretHoldersListed(t *testing.T) { redacttest.AssertListed(t, ".", secretHolders) }

// No secret of any holder prints under any fmt verb (%#v included), logs
// through slog or shows in an error string.
func TestSecretsNeverPrint(t *testing.T) {
	for _, v := range secretHolders {
		t.Run(reflect.TypeOf(v).Name(), func(t *testing.T) { redacttest.AssertHidden(t, v, "S3CRET") })
	}
}

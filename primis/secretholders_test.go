package primis

import (
	"testing"

	"github.com/doorkit/doorkit/internal/redact/redacttest"
)

// secretHolders is every exported type of the package that holds a secret
// (TestSecretsNeverPrint checks each through fmt, slog and errors);
// TestSecretHoldersListed keeps it complete as types are added.
var secretHolders = []any{Tokens{}, Session{}, Renewal{}}

func TestSecretHoldersListed(t *testing.T) { redacttest.AssertListed(t, ".", secretHolders) }

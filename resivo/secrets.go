package resivo

import (
	"encoding/json"
	"fmt"
	"log/slog"

	"github.com/doorkit/doorkit/internal/redact"
)

// Secrets are redacted by type (see internal/redact for why access.Secret
// alone is not enough): every exported type that holds a Secret, directly or
// through a field, is a slog.LogValuer and a fmt.Formatter that renders its
// JSON fields with the secrets redacted (TestSecretHoldersListed finds such
// types in the source and keeps this list complete). LoginResponse, an
// answer never sent or stored, also encodes to JSON redacted, so one logged
// inside a slice, map or struct of the caller's (which slog's JSON handler
// encodes with encoding/json) does not leak. Request bodies (LoginRequest,
// PINCode, PINAccessRequest) encode their secrets, as resivo needs them, and
// so does Tokens, whose JSON form is its storage form (as x/oauth2's Token):
// log a Tokens value itself, not a slice or map of them.

func (t Tokens) LogValue() slog.Value          { return redact.LogValue(t) }
func (t Tokens) Format(f fmt.State, verb rune) { redact.Format(f, verb, t) }

func (r LoginResponse) LogValue() slog.Value          { return redact.LogValue(r) }
func (r LoginResponse) Format(f fmt.State, verb rune) { redact.Format(f, verb, r) }

// MarshalJSON encodes the login answer redacted; decoding is unaffected.
func (r LoginResponse) MarshalJSON() ([]byte, error) {
	type plain LoginResponse
	return json.Marshal(plain(redact.Redacted(r)))
}

func (r LoginRequest) LogValue() slog.Value          { return redact.LogValue(r) }
func (r LoginRequest) Format(f fmt.State, verb rune) { redact.Format(f, verb, r) }

func (p PINCode) LogValue() slog.Value          { return redact.LogValue(p) }
func (p PINCode) Format(f fmt.State, verb rune) { redact.Format(f, verb, p) }

func (r PINAccessRequest) LogValue() slog.Value          { return redact.LogValue(r) }
func (r PINAccessRequest) Format(f fmt.State, verb rune) { redact.Format(f, verb, r) }

package august

import (
	"fmt"
	"log/slog"
)

// Types holding a secret (tokens, PINs, keys) print it as [redacted]
// through fmt, because each secret field is an access.Secret. slog's JSON
// handler would encode such a struct with encoding/json, which sees the
// real values (request bodies need them), so each type also logs through
// fmt by implementing slog.LogValuer.
func logValue(v any) slog.Value { return slog.StringValue(fmt.Sprintf("%+v", v)) }

// LogValue logs the tokens redacted.
func (t Tokens) LogValue() slog.Value { return logValue(t) }

// LogValue logs the token redacted.
func (t OAuthToken) LogValue() slog.Value { return logValue(t) }

// LogValue logs the token redacted.
func (t SubUserToken) LogValue() slog.Value { return logValue(t) }

// LogValue logs the PIN redacted.
func (p PIN) LogValue() slog.Value { return logValue(p) }

// LogValue logs the PIN redacted.
func (p StatePIN) LogValue() slog.Value { return logValue(p) }

// LogValue logs the PINs redacted.
func (l PINList) LogValue() slog.Value { return logValue(l) }

// LogValue logs the PIN redacted.
func (p ReservedPIN) LogValue() slog.Value { return logValue(p) }

// LogValue logs the PIN redacted.
func (c PINCommand) LogValue() slog.Value { return logValue(c) }

// LogValue logs the PINs redacted.
func (r PINCommandsRequest) LogValue() slog.Value { return logValue(r) }

// LogValue logs the PIN redacted.
func (r SetMasterPINRequest) LogValue() slog.Value { return logValue(r) }

// LogValue logs the token redacted.
func (r WebhookRequest) LogValue() slog.Value { return logValue(r) }

// LogValue logs the event with its PIN redacted.
func (e Event) LogValue() slog.Value { return logValue(e) }

// LogValue logs the lock with its secrets (remoteOperateSecret, HomeKit
// payload, Z-Wave DSK, offline keys, PINs) redacted.
func (l Lock) LogValue() slog.Value { return logValue(l) }

// LogValue logs the key redacted.
func (k OfflineKey) LogValue() slog.Value { return logValue(k) }

// LogValue logs the PINs redacted.
func (n GrantNative) LogValue() slog.Value { return logValue(n) }

// Format prints the lock with every verb as %v does (%+v and %#v as
// themselves): fmt answers a verb that does not fit a field, such as %s on
// a pointer, with the pointed-to value printed raw, which would show the
// offline keys and PINs.
func (l Lock) Format(f fmt.State, verb rune) {
	type plain Lock
	switch {
	case verb == 'v' && f.Flag('#'):
		fmt.Fprintf(f, "%#v", plain(l))
	case f.Flag('+'):
		fmt.Fprintf(f, "%+v", plain(l))
	default:
		fmt.Fprintf(f, "%v", plain(l))
	}
}

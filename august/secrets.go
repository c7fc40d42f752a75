package august

import (
	"fmt"
	"log/slog"

	"github.com/doorkit/doorkit/internal/redact"
)

// Secrets are redacted by type (see internal/redact for why access.Secret
// alone is not enough): every exported type that holds a Secret (tokens,
// PINs, the API key echoed in PIN listings, the lock's remoteOperateSecret,
// HomeKit payload, Z-Wave DSK and offline keys, the webhook token), directly
// or through a field, is a slog.LogValuer and a fmt.Formatter that renders
// its JSON fields with the secrets as [redacted] (TestSecretHoldersListed
// finds such types in the source and keeps the list complete).
//
// What remains: a slice or map of such types that the caller logs as a
// whole is encoded by slog's JSON handler without asking its elements; log
// its elements, or the named collections (PINList, OfflineKeys).

func (t Tokens) LogValue() slog.Value          { return redact.LogValue(t) }
func (t Tokens) Format(f fmt.State, verb rune) { redact.Format(f, verb, t) }

func (t OAuthToken) LogValue() slog.Value          { return redact.LogValue(t) }
func (t OAuthToken) Format(f fmt.State, verb rune) { redact.Format(f, verb, t) }

func (t SubUserToken) LogValue() slog.Value          { return redact.LogValue(t) }
func (t SubUserToken) Format(f fmt.State, verb rune) { redact.Format(f, verb, t) }

func (p PIN) LogValue() slog.Value          { return redact.LogValue(p) }
func (p PIN) Format(f fmt.State, verb rune) { redact.Format(f, verb, p) }

func (p StatePIN) LogValue() slog.Value          { return redact.LogValue(p) }
func (p StatePIN) Format(f fmt.State, verb rune) { redact.Format(f, verb, p) }

func (l PINList) LogValue() slog.Value          { return redact.LogValue(l) }
func (l PINList) Format(f fmt.State, verb rune) { redact.Format(f, verb, l) }

func (p ReservedPIN) LogValue() slog.Value          { return redact.LogValue(p) }
func (p ReservedPIN) Format(f fmt.State, verb rune) { redact.Format(f, verb, p) }

func (c PINCommand) LogValue() slog.Value          { return redact.LogValue(c) }
func (c PINCommand) Format(f fmt.State, verb rune) { redact.Format(f, verb, c) }

func (r PINCommandsRequest) LogValue() slog.Value          { return redact.LogValue(r) }
func (r PINCommandsRequest) Format(f fmt.State, verb rune) { redact.Format(f, verb, r) }

func (r SetMasterPINRequest) LogValue() slog.Value          { return redact.LogValue(r) }
func (r SetMasterPINRequest) Format(f fmt.State, verb rune) { redact.Format(f, verb, r) }

func (r WebhookRequest) LogValue() slog.Value          { return redact.LogValue(r) }
func (r WebhookRequest) Format(f fmt.State, verb rune) { redact.Format(f, verb, r) }

func (e Event) LogValue() slog.Value          { return redact.LogValue(e) }
func (e Event) Format(f fmt.State, verb rune) { redact.Format(f, verb, e) }

func (l Lock) LogValue() slog.Value          { return redact.LogValue(l) }
func (l Lock) Format(f fmt.State, verb rune) { redact.Format(f, verb, l) }

func (k OfflineKeys) LogValue() slog.Value          { return redact.LogValue(k) }
func (k OfflineKeys) Format(f fmt.State, verb rune) { redact.Format(f, verb, k) }

func (k OfflineKey) LogValue() slog.Value          { return redact.LogValue(k) }
func (k OfflineKey) Format(f fmt.State, verb rune) { redact.Format(f, verb, k) }

func (n GrantNative) LogValue() slog.Value          { return redact.LogValue(n) }
func (n GrantNative) Format(f fmt.State, verb rune) { redact.Format(f, verb, n) }

// LogValue logs the error's message and its event, redacted.
func (e CommandError) LogValue() slog.Value {
	return slog.GroupValue(slog.String("error", e.Error()), slog.Any("event", e.Event))
}

// Format prints the error's message, as fmt prints errors; %#v shows its
// fields with the event's PIN redacted.
func (e CommandError) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		redact.Format(f, verb, e)
		return
	}
	_, _ = fmt.Fprintf(f, fmt.FormatString(f, verb), e.Error())
}

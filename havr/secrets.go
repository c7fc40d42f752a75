package havr

import (
	"fmt"
	"log/slog"

	"github.com/doorkit/doorkit/internal/redact"
)

// Secrets are redacted by type (see internal/redact for why access.Secret
// alone is not enough): every exported type that holds a Secret, directly or
// through a field, is a slog.LogValuer and a fmt.Formatter that renders its
// JSON fields with the secrets redacted (TestSecretHoldersListed finds such
// types in the source and keeps the list complete).
//
// What remains: a slice or map of such types that the caller logs as a whole
// is encoded by slog's JSON handler without asking its elements; log its
// elements, or use the named collections (KTokens).

// KTokens are K tokens by door lock or shared key id.
type KTokens map[ID]KToken

// The types holding secrets (passwords, tokens, the lock settings code, the
// flash payload, or a value that holds one) log and print redacted: LogValue
// (log/slog) and Format (fmt, every verb) render the same fields, secrets as
// [redacted].

func (t Tokens) LogValue() slog.Value          { return redact.LogValue(t) }
func (t Tokens) Format(f fmt.State, verb rune) { redact.Format(f, verb, t) }

func (t Token) LogValue() slog.Value          { return redact.LogValue(t) }
func (t Token) Format(f fmt.State, verb rune) { redact.Format(f, verb, t) }

func (r TokenRequest) LogValue() slog.Value          { return redact.LogValue(r) }
func (r TokenRequest) Format(f fmt.State, verb rune) { redact.Format(f, verb, r) }

func (k KToken) LogValue() slog.Value          { return redact.LogValue(k) }
func (k KToken) Format(f fmt.State, verb rune) { redact.Format(f, verb, k) }

func (k KTokens) LogValue() slog.Value          { return redact.LogValue(k) }
func (k KTokens) Format(f fmt.State, verb rune) { redact.Format(f, verb, k) }

func (l DoorLock) LogValue() slog.Value          { return redact.LogValue(l) }
func (l DoorLock) Format(f fmt.State, verb rune) { redact.Format(f, verb, l) }

func (l DoorLockWithLockGroup) LogValue() slog.Value          { return redact.LogValue(l) }
func (l DoorLockWithLockGroup) Format(f fmt.State, verb rune) { redact.Format(f, verb, l) }

func (l DoorLocksWithLockGroups) LogValue() slog.Value          { return redact.LogValue(l) }
func (l DoorLocksWithLockGroups) Format(f fmt.State, verb rune) { redact.Format(f, verb, l) }

func (c DoorLockSettingsCode) LogValue() slog.Value          { return redact.LogValue(c) }
func (c DoorLockSettingsCode) Format(f fmt.State, verb rune) { redact.Format(f, verb, c) }

func (s DoorLockSettings) LogValue() slog.Value          { return redact.LogValue(s) }
func (s DoorLockSettings) Format(f fmt.State, verb rune) { redact.Format(f, verb, s) }

func (p DoorLockFlashPayload) LogValue() slog.Value          { return redact.LogValue(p) }
func (p DoorLockFlashPayload) Format(f fmt.State, verb rune) { redact.Format(f, verb, p) }

func (r DoorLockActivateRequest) LogValue() slog.Value          { return redact.LogValue(r) }
func (r DoorLockActivateRequest) Format(f fmt.State, verb rune) { redact.Format(f, verb, r) }

func (r DoorLockActivationTokenRequest) LogValue() slog.Value          { return redact.LogValue(r) }
func (r DoorLockActivationTokenRequest) Format(f fmt.State, verb rune) { redact.Format(f, verb, r) }

func (c DoorLockWiFiConfiguration) LogValue() slog.Value          { return redact.LogValue(c) }
func (c DoorLockWiFiConfiguration) Format(f fmt.State, verb rune) { redact.Format(f, verb, c) }

func (s DoorLockState) LogValue() slog.Value          { return redact.LogValue(s) }
func (s DoorLockState) Format(f fmt.State, verb rune) { redact.Format(f, verb, s) }

func (s DoorLockStateLog) LogValue() slog.Value          { return redact.LogValue(s) }
func (s DoorLockStateLog) Format(f fmt.State, verb rune) { redact.Format(f, verb, s) }

func (d Device) LogValue() slog.Value          { return redact.LogValue(d) }
func (d Device) Format(f fmt.State, verb rune) { redact.Format(f, verb, d) }

func (d DeviceLookup) LogValue() slog.Value          { return redact.LogValue(d) }
func (d DeviceLookup) Format(f fmt.State, verb rune) { redact.Format(f, verb, d) }

func (r DeviceRequest) LogValue() slog.Value          { return redact.LogValue(r) }
func (r DeviceRequest) Format(f fmt.State, verb rune) { redact.Format(f, verb, r) }

func (u DeviceUpdate) LogValue() slog.Value          { return redact.LogValue(u) }
func (u DeviceUpdate) Format(f fmt.State, verb rune) { redact.Format(f, verb, u) }

func (c LockConfiguration) LogValue() slog.Value          { return redact.LogValue(c) }
func (c LockConfiguration) Format(f fmt.State, verb rune) { redact.Format(f, verb, c) }

func (c LockConfigurationChange) LogValue() slog.Value          { return redact.LogValue(c) }
func (c LockConfigurationChange) Format(f fmt.State, verb rune) { redact.Format(f, verb, c) }

func (u LockConfigurationUpdate) LogValue() slog.Value          { return redact.LogValue(u) }
func (u LockConfigurationUpdate) Format(f fmt.State, verb rune) { redact.Format(f, verb, u) }

func (r LockGroupTokenRequest) LogValue() slog.Value          { return redact.LogValue(r) }
func (r LockGroupTokenRequest) Format(f fmt.State, verb rune) { redact.Format(f, verb, r) }

func (r SharedKeyLinkKTokenRequest) LogValue() slog.Value          { return redact.LogValue(r) }
func (r SharedKeyLinkKTokenRequest) Format(f fmt.State, verb rune) { redact.Format(f, verb, r) }

func (k SharedKeyDetails) LogValue() slog.Value          { return redact.LogValue(k) }
func (k SharedKeyDetails) Format(f fmt.State, verb rune) { redact.Format(f, verb, k) }

func (l SharedKeyDoorLock) LogValue() slog.Value          { return redact.LogValue(l) }
func (l SharedKeyDoorLock) Format(f fmt.State, verb rune) { redact.Format(f, verb, l) }

func (k SharedKeyFromToken) LogValue() slog.Value          { return redact.LogValue(k) }
func (k SharedKeyFromToken) Format(f fmt.State, verb rune) { redact.Format(f, verb, k) }

func (k SharedKeyIndexDetails) LogValue() slog.Value          { return redact.LogValue(k) }
func (k SharedKeyIndexDetails) Format(f fmt.State, verb rune) { redact.Format(f, verb, k) }

func (k SharedKeyWithUser) LogValue() slog.Value          { return redact.LogValue(k) }
func (k SharedKeyWithUser) Format(f fmt.State, verb rune) { redact.Format(f, verb, k) }

func (k SharedKeyWithDoorLock) LogValue() slog.Value          { return redact.LogValue(k) }
func (k SharedKeyWithDoorLock) Format(f fmt.State, verb rune) { redact.Format(f, verb, k) }

func (r SyncResult) LogValue() slog.Value          { return redact.LogValue(r) }
func (r SyncResult) Format(f fmt.State, verb rune) { redact.Format(f, verb, r) }

func (c CompanyWithEmployees) LogValue() slog.Value          { return redact.LogValue(c) }
func (c CompanyWithEmployees) Format(f fmt.State, verb rune) { redact.Format(f, verb, c) }

func (u User) LogValue() slog.Value          { return redact.LogValue(u) }
func (u User) Format(f fmt.State, verb rune) { redact.Format(f, verb, u) }

func (r UserPendingRequest) LogValue() slog.Value          { return redact.LogValue(r) }
func (r UserPendingRequest) Format(f fmt.State, verb rune) { redact.Format(f, verb, r) }

func (u UserWithActivity) LogValue() slog.Value          { return redact.LogValue(u) }
func (u UserWithActivity) Format(f fmt.State, verb rune) { redact.Format(f, verb, u) }

func (r UserCreateRequest) LogValue() slog.Value          { return redact.LogValue(r) }
func (r UserCreateRequest) Format(f fmt.State, verb rune) { redact.Format(f, verb, r) }

func (r UserChangeEmailRequest) LogValue() slog.Value          { return redact.LogValue(r) }
func (r UserChangeEmailRequest) Format(f fmt.State, verb rune) { redact.Format(f, verb, r) }

func (r UserChangePasswordRequest) LogValue() slog.Value          { return redact.LogValue(r) }
func (r UserChangePasswordRequest) Format(f fmt.State, verb rune) { redact.Format(f, verb, r) }

func (r UserResetPasswordRequest) LogValue() slog.Value          { return redact.LogValue(r) }
func (r UserResetPasswordRequest) Format(f fmt.State, verb rune) { redact.Format(f, verb, r) }

func (o UserVerifyEmailOptions) LogValue() slog.Value          { return redact.LogValue(o) }
func (o UserVerifyEmailOptions) Format(f fmt.State, verb rune) { redact.Format(f, verb, o) }

func (o UserEmailChangeOptions) LogValue() slog.Value          { return redact.LogValue(o) }
func (o UserEmailChangeOptions) Format(f fmt.State, verb rune) { redact.Format(f, verb, o) }

func (o UserCancelPasswordResetOptions) LogValue() slog.Value          { return redact.LogValue(o) }
func (o UserCancelPasswordResetOptions) Format(f fmt.State, verb rune) { redact.Format(f, verb, o) }

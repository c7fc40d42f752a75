package resivo

import (
	"encoding/json"
	"log/slog"
)

// The types below hold secrets. access.Secret redacts itself through fmt and
// slog's text handler, but slog's JSON handler and encoding/json print a
// struct's Secret fields in clear, so each type logs through LogValue, and
// those never sent to resivo also encode to JSON redacted.

// LogValue logs the tokens redacted.
func (t Tokens) LogValue() slog.Value {
	return slog.GroupValue(slog.Any("access_token", t.AccessToken), slog.Any("refresh_token", t.RefreshToken),
		slog.Time("expiry", t.Expiry))
}

// MarshalJSON encodes the tokens redacted; store them with Reveal.
func (t Tokens) MarshalJSON() ([]byte, error) {
	return json.Marshal(map[string]any{"accessToken": t.AccessToken.String(), "refreshToken": t.RefreshToken.String(), "expiry": t.Expiry})
}

// LogValue logs the login answer redacted.
func (r LoginResponse) LogValue() slog.Value {
	return slog.GroupValue(slog.Any("access_token", r.AccessToken), slog.Any("refresh_token", r.RefreshToken),
		slog.Int64("expires_in", r.ExpiresIn))
}

// LogValue logs the login request without its password.
func (r LoginRequest) LogValue() slog.Value {
	return slog.GroupValue(slog.String("email", r.Email), slog.Any("password", r.Password))
}

// LogValue logs a PIN code without the code.
func (p PinCode) LogValue() slog.Value {
	return slog.GroupValue(slog.Any("pin_code", p.PinCode), slog.String("display_name", p.DisplayName))
}

// LogValue logs the request with its PIN codes redacted.
func (r PinAccessRequest) LogValue() slog.Value {
	codes := make([]slog.Attr, len(r.PinCodes))
	for i, p := range r.PinCodes {
		codes[i] = slog.Any(p.DisplayName, p.PinCode)
	}
	return slog.GroupValue(slog.String("display_name", r.DisplayName), slog.Any("pin_codes", slog.GroupValue(codes...)),
		slog.Any("component_ids", r.ComponentIDs), slog.Any("restrictions", r.Restrictions),
		slog.String("access_request_message", r.AccessRequestMessage))
}

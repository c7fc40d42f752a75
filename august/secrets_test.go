package august

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/doorkit/doorkit/access"
	"github.com/stretchr/testify/assert"
)

// Every exported type holding a secret hides it through fmt, slog's text
// and JSON handlers, and errors.
func TestSecretsNeverPrint(t *testing.T) {
	const s = "SECRET-4711"
	pin := PIN{PIN: s, APIKey: s, FirstName: "Ada"}
	values := map[string]any{
		"Tokens":              Tokens{AccessToken: s, RefreshToken: s, Expiry: time.Unix(1, 0)},
		"OAuthToken":          OAuthToken{AccessToken: s, RefreshToken: s},
		"SubUserToken":        SubUserToken{AccessToken: s, UserID: "u"},
		"PIN":                 pin,
		"StatePIN":            StatePIN{ListState: PINLoaded, PIN: pin},
		"PINList":             PINList{Loaded: []PIN{pin}},
		"ReservedPIN":         ReservedPIN{PIN: s, Slot: 3},
		"PINCommand":          PINCommand{Action: PINActionLoad, PIN: s},
		"PINCommandsRequest":  PINCommandsRequest{Commands: []PINCommand{{PIN: s}}},
		"SetMasterPINRequest": SetMasterPINRequest{PIN: s},
		"WebhookRequest":      WebhookRequest{URL: "https://x", Token: s},
		"Event":               Event{PIN: s, LockID: "L"},
		"Lock": Lock{RemoteOperateSecret: s, HomeKitSetupPayload: s, ZWaveDSK: s,
			OfflineKeys: &OfflineKeys{Loaded: []OfflineKey{{Key: s}}}, PINs: &PINList{Loaded: []PIN{pin}}},
		"OfflineKey":  OfflineKey{Key: s},
		"GrantNative": GrantNative{PINs: map[string]PIN{"L": pin}},
	}
	for name, v := range values {
		for _, format := range []string{"%v", "%+v", "%#v", "%s"} {
			assert.NotContains(t, fmt.Sprintf(format, v), s, "%s %s", name, format)
			assert.NotContains(t, fmt.Sprintf(format, &v), s, "%s pointer %s", name, format)
		}
		var text, js bytes.Buffer
		slog.New(slog.NewTextHandler(&text, nil)).Info("x", "v", v)
		slog.New(slog.NewJSONHandler(&js, nil)).Info("x", "v", v)
		assert.NotContains(t, text.String(), s, "%s slog text", name)
		assert.NotContains(t, js.String(), s, "%s slog JSON", name)
		err := fmt.Errorf("wrapped %v: %w", v, errors.New("x"))
		assert.NotContains(t, err.Error(), s, "%s error", name)
	}
	assert.Equal(t, access.Secret(s).Reveal(), s)
}

package rest

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestIsSecretKey(t *testing.T) {
	secret := []string{
		"password", "Password", "newPassword", "new_password", "oldPassword", "check_passowrd", "passwd",
		"access_token", "accessToken", "refreshToken", "refresh-token", "id_token", "token",
		"jwt", "JWT", "client_secret", "clientSecret", "Authorization", "Proxy-Authorization",
		"x-august-access-token", "X-August-Access-Token", "x-api-key", "X-Api-Key", "apiKey", "api_key",
		"pin", "PIN", "pinCode", "pin_code", "pinCodes", "masterPin", "master_pin", "userPin",
		"Cookie", "Set-Cookie",
	}
	for _, k := range secret {
		assert.True(t, IsSecretKey(k), "%q is a secret", k)
	}
	public := []string{
		"email", "phoneId", "phone-id", "code", "zone-id", "zoneId", "name", "status", "Content-Type",
		"Accept", "User-Agent", "X-Request-Id", "lockID", "uniqueId", "duration", "spinner", "", "opinion",
	}
	for _, k := range public {
		assert.False(t, IsSecretKey(k), "%q is not a secret", k)
	}
}

func TestRedactHeader(t *testing.T) {
	h := http.Header{
		"Authorization":         {"Bearer SECRET-TOKEN"},
		"X-August-Access-Token": {"SECRET-AUGUST"},
		"X-Api-Key":             {"SECRET-KEY"},
		"Cookie":                {"session=SECRET-COOKIE"},
		"Content-Type":          {"application/json"},
		"X-Request-Id":          {"r1", "r2"},
	}
	got := RedactHeader(h)
	assert.Equal(t, []string{Redacted}, got["Authorization"])
	assert.Equal(t, []string{Redacted}, got["X-August-Access-Token"])
	assert.Equal(t, []string{Redacted}, got["X-Api-Key"])
	assert.Equal(t, []string{Redacted}, got["Cookie"])
	assert.Equal(t, []string{"application/json"}, got["Content-Type"])
	assert.Equal(t, []string{"r1", "r2"}, got["X-Request-Id"])
	assert.Len(t, got, len(h))

	assert.Equal(t, "Bearer SECRET-TOKEN", h.Get("Authorization"), "the original is not modified")
	assert.Empty(t, RedactHeader(nil))
}

func TestRedactURL(t *testing.T) {
	assert.Equal(t, "", RedactURL(nil))
	tests := []struct{ in, want string }{
		{"https://api.example.test/v1/doors", "https://api.example.test/v1/doors"},
		{"https://api.example.test/v1/doors/a%2Fb", "https://api.example.test/v1/doors/a%2Fb"},
		{"https://api.example.test/v1/login?access_token=SECRET&code=123&email=a%40b.c",
			"https://api.example.test/v1/login?access_token=%5BREDACTED%5D&code=123&email=a%40b.c"},
		{"https://user:SECRET@api.example.test/v1/doors", "https://api.example.test/v1/doors"},
		{"https://user:SECRET@api.example.test/v1/doors?pin=1234", "https://api.example.test/v1/doors?pin=%5BREDACTED%5D"},
	}
	for _, tt := range tests {
		u, err := url.Parse(tt.in)
		require.NoError(t, err)
		got := RedactURL(u)
		assert.Equal(t, tt.want, got)
		assert.NotContains(t, got, "SECRET")
		assert.NotContains(t, got, "1234")
	}
	u, _ := url.Parse("https://user:pw@h/p?token=t")
	_ = RedactURL(u)
	assert.Equal(t, "https://user:pw@h/p?token=t", u.String(), "the original is not modified")
}

func TestRedactBodyJSON(t *testing.T) {
	body := `{
		"name": "x",
		"password": "SECRET-PW",
		"user": {"email": "a@b.c", "newPassword": "SECRET-NEW", "session": {"jwt": "SECRET-JWT", "phoneId": "p1"}},
		"pinCodes": [{"pinCode": "123987"}],
		"items": [{"access_token": "SECRET-AT", "zone-id": 7}, {"refreshToken": "SECRET-RT"}, "plain", 5, null],
		"masterPin": 4321,
		"code": "visible"
	}`
	for _, ct := range []string{"application/json", "application/json; charset=utf-8", "application/vnd.api+json", ""} {
		got := RedactBody(ct, []byte(body))
		for _, s := range []string{"SECRET", "123987", "4321"} {
			assert.NotContains(t, got, s, "content type %q", ct)
		}
		var v map[string]any
		require.NoError(t, json.Unmarshal([]byte(got), &v), "content type %q: %s", ct, got)
		assert.Equal(t, "x", v["name"])
		assert.Equal(t, Redacted, v["password"])
		assert.Equal(t, Redacted, v["pinCodes"])
		assert.Equal(t, Redacted, v["masterPin"])
		assert.Equal(t, "visible", v["code"])
		user := v["user"].(map[string]any)
		assert.Equal(t, "a@b.c", user["email"])
		assert.Equal(t, Redacted, user["newPassword"])
		session := user["session"].(map[string]any)
		assert.Equal(t, Redacted, session["jwt"])
		assert.Equal(t, "p1", session["phoneId"])
		items := v["items"].([]any)
		require.Len(t, items, 5)
		assert.Equal(t, map[string]any{"access_token": Redacted, "zone-id": float64(7)}, items[0])
		assert.Equal(t, map[string]any{"refreshToken": Redacted}, items[1])
		assert.Equal(t, []any{"plain", float64(5), nil}, items[2:])
	}
}

func TestRedactBodyTopLevelArray(t *testing.T) {
	got := RedactBody("application/json", []byte(`[{"pin":"1111","name":"a"},{"pin":"2222","name":"b"}]`))
	assert.JSONEq(t, `[{"pin":"[REDACTED]","name":"a"},{"pin":"[REDACTED]","name":"b"}]`, got)
}

func TestRedactBodyForm(t *testing.T) {
	got := RedactBody("application/x-www-form-urlencoded; charset=utf-8",
		[]byte("grant_type=refresh_token&refresh_token=SECRET-RT&client_id=c1&client_secret=SECRET-CS&username=u&password=SECRET-PW"))
	assert.NotContains(t, got, "SECRET")
	v, err := url.ParseQuery(got)
	require.NoError(t, err)
	assert.Equal(t, "refresh_token", v.Get("grant_type"), "a secret-looking value under a public key stays")
	assert.Equal(t, Redacted, v.Get("refresh_token"))
	assert.Equal(t, "c1", v.Get("client_id"))
	assert.Equal(t, Redacted, v.Get("client_secret"))
	assert.Equal(t, "u", v.Get("username"))
	assert.Equal(t, Redacted, v.Get("password"))

	assert.Equal(t, "[unparsable form body]", RedactBody("application/x-www-form-urlencoded", []byte("password=%zzSECRET")))
}

func TestRedactBodyOther(t *testing.T) {
	assert.Equal(t, "", RedactBody("application/json", nil))
	assert.Equal(t, "", RedactBody("text/plain", []byte{}))
	assert.Equal(t, "[non-JSON body]", RedactBody("application/json", []byte(`{"password":"SECRET`)))
	assert.Equal(t, "[non-JSON body]", RedactBody("", []byte(`password=SECRET`)))
	assert.Equal(t, "[text/plain body]", RedactBody("text/plain; charset=utf-8", []byte("password: SECRET")))
	assert.Equal(t, "[text/html body]", RedactBody("text/html", []byte("<p>SECRET</p>")))
	assert.Equal(t, "[application/octet-stream body]", RedactBody("application/octet-stream", []byte{0, 1, 2}))
	assert.Equal(t, `"plain"`, RedactBody("application/json", []byte(`"plain"`)))
}

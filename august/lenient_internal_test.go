package august

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// mistypedLock is lock info whose optional fields have JSON types the
// model does not expect, nested ones included.
const mistypedLock = `{
  "LockName": "Front Door", "Type": 2, "LockID": "6C608ED2DD47AB4B97249C8C7F883BFD",
  "HouseID": "a57f9bda-a0f3-4990-8567-aec391f13038", "timeZone": "Europe/Amsterdam",
  "battery": "0.73", "Calibrated": "yes", "supportsEntryCodes": true, "SerialNumber": "L3FSW0ABCD",
  "users": [],
  "Bridge": {"_id": "b1", "operative": true, "status": "online", "hyperBridge": true},
  "keypad": {"_id": "k1", "serialNumber": 4711, "batteryLevel": "Full"},
  "LockStatus": {"status": "locked", "doorState": "closed"}
}`

// One value of the wrong type costs only its own field: the rest of the
// lock is kept and the field is named.
func TestLockDecodesFieldByField(t *testing.T) {
	var l Lock
	require.NoError(t, json.Unmarshal([]byte(mistypedLock), &l))
	assert.Equal(t, "Front Door", l.LockName)
	assert.Equal(t, "Europe/Amsterdam", l.TimeZone)
	assert.True(t, l.SupportsEntryCodes)
	assert.Zero(t, l.Battery)
	require.NotNil(t, l.Bridge)
	assert.True(t, l.Bridge.Operative, "the bridge's other fields are kept")
	assert.Nil(t, l.Bridge.Status)
	require.NotNil(t, l.Keypad)
	assert.Equal(t, "k1", l.Keypad.ID)
	assert.Equal(t, LockLocked, l.LockStatus.Status.Normalize())
	assert.Equal(t, []string{"Bridge.status", "Calibrated", "battery", "keypad.serialNumber", "users"}, l.UndecodedFields)

	var ok Lock
	require.NoError(t, json.Unmarshal([]byte(`{"LockName":"x","battery":0.5}`), &ok))
	assert.Empty(t, ok.UndecodedFields)
	assert.Error(t, json.Unmarshal([]byte(`["not","an","object"]`), &ok), "a body that is no object is no lock")

	var list map[string]LockSummary
	require.NoError(t, json.Unmarshal([]byte(`{"6C608ED2DD47AB4B97249C8C7F883BFD":{"LockName":"Front Door","HouseID":7}}`), &list))
	s := list["6C608ED2DD47AB4B97249C8C7F883BFD"]
	assert.Equal(t, "Front Door", s.LockName)
	assert.Equal(t, []string{"HouseID"}, s.UndecodedFields)
}

// ListDoors keeps a lock with a mistyped optional field, with a notice
// naming the fields it could not read.
func TestListDoorsKeepsMistypedLock(t *testing.T) {
	mock := httpmock.NewMockTransport()
	mock.RegisterResponder("GET", testBase+"/users/locks/mine", func(req *http.Request) (*http.Response, error) {
		return jsonResponse(req, 200, `{"6C608ED2DD47AB4B97249C8C7F883BFD":{"LockName":"Front Door","UserType":"superuser"}}`), nil
	})
	mock.RegisterResponder("GET", testBase+"/locks/6C608ED2DD47AB4B97249C8C7F883BFD", func(req *http.Request) (*http.Response, error) {
		return jsonResponse(req, 200, mistypedLock), nil
	})
	mock.RegisterResponder("GET", testBase+"/devices/capabilities", func(req *http.Request) (*http.Response, error) {
		return jsonResponse(req, 200, `{"keypad":{"supportsPinCodes":true,"pinLengthMin":4,"pinLengthMax":8}}`), nil
	})
	c := newTestClient(t, mock)
	doors, err := c.ListDoors(context.Background())
	require.NoError(t, err)
	require.Len(t, doors, 1)
	d := doors[0]
	assert.Equal(t, "Front Door", d.Name)
	assert.Equal(t, "Europe/Amsterdam", d.TimeZone)
	assert.True(t, d.Capabilities.RemoteOpen)
	var found bool
	for _, n := range d.Notices {
		if n.Code == NoticeFieldsUndecoded {
			found = true
			assert.Contains(t, n.Message, "battery")
			assert.Contains(t, n.Message, "Bridge.status")
		}
	}
	assert.True(t, found, "the skipped fields are visible: %v", d.Notices)
}

// Lock info of any shape decodes without a panic.
func FuzzDecodeLock(f *testing.F) {
	f.Add([]byte(mistypedLock))
	f.Add([]byte(`{"Bridge":{"status":{"current":5}},"users":{"u":{"UserType":1}}}`))
	f.Add([]byte(`null`))
	f.Add([]byte(`{"LockName":"a","lockname":7}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var l Lock
		if err := json.Unmarshal(b, &l); err != nil {
			return
		}
		var s LockSummary
		_ = json.Unmarshal(b, &s)
	})
}

// What supportsEntryCodes says, and what its absence means: a paired
// keypad is evidence only where August did not say.
func TestLockTakesEntryCodes(t *testing.T) {
	for body, want := range map[string]bool{
		`{"supportsEntryCodes":true}`:                       true,
		`{"supportsEntryCodes":false,"keypad":{"_id":"k"}}`: false,
		`{"keypad":{"_id":"k"}}`:                            true,
		`{"supportsEntryCodes":null,"keypad":{"_id":"k"}}`:  true,
		`{}`: false,
		`{"supportsEntryCodes":"yes","keypad":{"_id":"k"}}`: false,
		`{"battery":"x","keypad":{"_id":"k"}}`:              true,
	} {
		var l Lock
		require.NoError(t, json.Unmarshal([]byte(body), &l))
		assert.Equal(t, want, l.TakesEntryCodes(), body)
	}
	assert.True(t, (&Lock{SupportsEntryCodes: true}).TakesEntryCodes())
	assert.False(t, (&Lock{Keypad: &Keypad{}}).TakesEntryCodes(), "a Lock built in code says false")
}

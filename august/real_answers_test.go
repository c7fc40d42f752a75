package august

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// realAnswers is the folder of answers recorded by open-source clients,
// kept beside the vendor documents (not in the repository).
const realAnswers = "../../shared/vendor-docs/august-real"

// TestDecodeRecordedAnswers decodes every recorded body with this
// package's models and checks the fields that vary between answers.
func TestDecodeRecordedAnswers(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(realAnswers, "*.json"))
	if len(files) == 0 {
		t.Skip("no recorded answers at " + realAnswers)
	}
	sort.Strings(files)
	decoded := 0
	for _, f := range files {
		name := filepath.Base(f)
		t.Run(name, func(t *testing.T) {
			b, err := os.ReadFile(f)
			require.NoError(t, err)
			var raw any
			require.NoError(t, json.Unmarshal(b, &raw))
			switch {
			case strings.HasPrefix(name, "get_lock_pins"):
				var v PINList
				require.NoError(t, json.Unmarshal(b, &v))
				checkPINs(t, &v, raw.(map[string]any))
			case strings.HasPrefix(name, "get_lock."):
				var v Lock
				require.NoError(t, json.Unmarshal(b, &v))
				checkLock(t, &v, raw.(map[string]any))
			case strings.HasPrefix(name, "get_users_locks_mine"):
				var v map[string]LockSummary
				require.NoError(t, json.Unmarshal(b, &v))
				require.NotEmpty(t, v)
				for id, l := range v {
					assert.NotEmpty(t, l.LockName, id)
					assert.Contains(t, []string{"superuser", "user", "manager"}, l.UserType)
				}
			case strings.HasPrefix(name, "remoteoperate_"):
				var v OperateResult
				require.NoError(t, json.Unmarshal(b, &v))
				m := raw.(map[string]any)
				assert.Equal(t, m["status"], string(v.Status))
				assert.NotEqual(t, LockState(v.Status), v.Status.Normalize(), "kAugLockState_* normalises")
				if ds, ok := m["doorState"]; ok {
					assert.Equal(t, ds, string(v.DoorState))
					assert.Contains(t, []DoorState{DoorOpen, DoorClosed, DoorInit}, v.DoorState.Normalize())
				}
				assert.NotEmpty(t, v.Info.Context.TransactionID)
				assert.False(t, v.Info.Context.StartDate.IsZero())
				assert.Positive(t, v.Info.Duration)
			case strings.HasPrefix(name, "pubnub.") || strings.HasPrefix(name, "activity."):
				var v Event
				require.NoError(t, json.Unmarshal(b, &v))
				checkEvent(t, name, &v)
			case strings.HasPrefix(name, "get_house_activities"):
				var v []Event
				require.NoError(t, json.Unmarshal(b, &v))
				require.NotEmpty(t, v)
				for i := range v {
					checkEvent(t, name, &v[i])
				}
			case strings.HasPrefix(name, "get_users_doorbells_mine"):
				var v map[string]Doorbell
				require.NoError(t, json.Unmarshal(b, &v))
				for id, d := range v {
					assert.Equal(t, id, d.DoorbellID)
				}
			case strings.HasPrefix(name, "get_doorbell"):
				var v Doorbell
				require.NoError(t, json.Unmarshal(b, &v))
				assert.NotEmpty(t, v.DoorbellID)
				assert.NotEmpty(t, v.PubsubChannel)
			default:
				t.Fatalf("no model for %s", name)
			}
			decoded++
		})
	}
	assert.Equal(t, len(files), decoded)
}

func checkLock(t *testing.T, l *Lock, m map[string]any) {
	t.Helper()
	if b, ok := m["battery"].(float64); ok {
		assert.Equal(t, b, l.Battery)
	}
	if ch, ok := m["pubsubChannel"].(string); ok {
		assert.Equal(t, ch, l.PubsubChannel)
	}
	if tz, ok := m["timeZone"].(string); ok {
		assert.Equal(t, tz, l.TimeZone)
	}
	if s, ok := m["LockStatus"].(map[string]any); ok {
		require.NotNil(t, l.LockStatus)
		assert.Equal(t, s["status"], string(l.LockStatus.Status))
		if ds, ok := s["doorState"]; ok {
			assert.Equal(t, ds, string(l.LockStatus.DoorState))
		}
	} else {
		assert.Nil(t, l.LockStatus)
	}
	if _, ok := m["Bridge"]; !ok {
		assert.False(t, l.HasBridge())
	}
	if k, ok := m["keypad"].(map[string]any); ok {
		require.NotNil(t, l.Keypad)
		assert.Equal(t, k["batteryLevel"], l.Keypad.BatteryLevel)
	}
	if pins, ok := m["pins"].(map[string]any); ok {
		checkPINs(t, l.PINs, pins)
	}
	assert.Equal(t, int(m["Type"].(float64)), l.Type)
	// Redacted dates ("2000-00-00...") decode as zero with their text kept.
	if c, ok := m["Created"].(string); ok && l.Created.IsZero() {
		assert.Equal(t, c, l.Created.Raw)
	}
}

func checkPINs(t *testing.T, l *PINList, m map[string]any) {
	t.Helper()
	require.NotNil(t, l)
	for _, st := range PINStates {
		list, _ := m[string(st)].([]any)
		got := l.ByState(st)
		require.Len(t, got, len(list), st)
		for i, raw := range list {
			p := raw.(map[string]any)
			assert.Equal(t, p["pin"], got[i].PIN.Reveal())
			assert.Equal(t, int64(p["slot"].(float64)), got[i].Slot)
			if p["accessType"] == "one-time" {
				assert.Equal(t, AccessOneTime, got[i].AccessType)
			} else {
				assert.Equal(t, p["accessType"], string(got[i].AccessType))
			}
			if at, ok := p["accessTimes"]; ok {
				assert.Equal(t, at, got[i].AccessTimes)
			}
		}
	}
}

func checkEvent(t *testing.T, name string, e *Event) {
	t.Helper()
	switch {
	case strings.HasPrefix(name, "pubnub.bridge"):
		assert.Equal(t, EventSystemStatus, e.Kind())
	case strings.HasPrefix(name, "pubnub.lock_status"):
		assert.Equal(t, EventOperation, e.Kind())
		assert.NotEmpty(t, e.CallingUserID)
	case strings.HasPrefix(name, "pubnub.remote_event"):
		assert.Equal(t, 1, e.RemoteEvent)
		assert.Equal(t, "unlock", e.operation())
	default:
		assert.NotEmpty(t, e.Action)
		assert.NotEmpty(t, e.DeviceID)
		assert.False(t, e.DateTime.IsZero() && e.Timestamp.IsZero(), "epoch-ms times decode")
	}
}

package august

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/doorkit/doorkit/access"
)

// Bridges in the shapes lock info gives them: what the lock supports
// (a bridge) apart from whether it is reachable now.
func TestBridgeSupportApartFromReach(t *testing.T) {
	for _, tc := range []struct {
		name         string
		bridge       *Bridge
		has, online  bool
		openSentinel error
		connectivity access.Connectivity
	}{
		{"no bridge", nil, false, false, access.ErrUnsupported, access.ConnectivityUnknown},
		{"operative, no status (older bridge)", &Bridge{Operative: true}, true, true, nil, access.Online},
		{"operative, online", &Bridge{Operative: true, Status: &DeviceStatus{Current: "online"}}, true, true, nil, access.Online},
		{"operative, says offline", &Bridge{Operative: true, Status: &DeviceStatus{Current: "offline"}}, true, false, access.ErrUnavailable, access.Offline},
		{"not operative", &Bridge{Operative: false}, true, false, access.ErrUnavailable, access.Offline},
		{"not operative, says online", &Bridge{Status: &DeviceStatus{Current: "online"}}, true, false, access.ErrUnavailable, access.Offline},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := &Lock{LockID: "6C608ED2DD47AB4B97249C8C7F883BFD", Bridge: tc.bridge}
			assert.Equal(t, tc.has, l.HasBridge())
			assert.Equal(t, tc.online, l.BridgeOnline())
			err := checkRemoteOpen(l.LockID, l)
			if tc.openSentinel == nil {
				assert.NoError(t, err)
			} else {
				assert.ErrorIs(t, err, tc.openSentinel)
			}
			var c Client
			d := c.door(t.Context(), LockSummary{LockID: l.LockID}, l)
			assert.Equal(t, tc.connectivity, d.Connectivity)
			assert.Equal(t, tc.has, d.Capabilities.RemoteOpen)
		})
	}
}

package resivo

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/doorkit/doorkit/access"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// An answer without the INFERRED componentIds and restrictions cannot be
// compared with a booking: EnsureGrant stops with an error instead of
// revoking what may be the right grant and creating another.
func TestEnsureGrantRefusesAnAnswerItCannotCompare(t *testing.T) {
	var sent []string
	c := newTestClient(t, roundTripFunc(func(req *http.Request) (*http.Response, error) {
		sent = append(sent, req.Method+" "+req.URL.Path)
		return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}},
			Body:    io.NopCloser(strings.NewReader(`{"id":"` + testAuthID + `","status":"active","credentials":[{"status":"active","isExpired":false}]}`)),
			Request: req}, nil
	}))
	ctx := context.Background()
	require.NoError(t, c.keys.Put(ctx, "BK-1", joinID(testSite, testAuthID)))
	start := time.Now().Add(time.Hour)
	_, _, err := access.EnsureGrant(ctx, c, access.GrantRequest{
		Key: "BK-1", DoorIDs: []string{joinID(testSite, "c-1")}, Holder: access.Person{Email: "g@example.com"},
		Window: access.Window{Start: start, End: start.Add(time.Hour)},
	})
	require.ErrorIs(t, err, access.ErrUnsupported)
	assert.Equal(t, []string{"GET /site-1/authorizations/" + testAuthID}, sent, "nothing revoked, nothing created")
}

func TestKeyCandidates(t *testing.T) {
	for name, want := range map[string][]string{
		"[BK-1] Grace":        {"BK-1"},
		"[BK-1]":              {"BK-1"},
		"[a] b] Grace":        {"a", "a] b"},
		"Grace":               nil,
		"[] Grace":            nil,
		"[BK 7] [x] Grace":    {"BK 7", "BK 7] [x"},
		"[BK-2] Grace [note]": {"BK-2", "BK-2] Grace [note"},
	} {
		assert.Equal(t, want, keyCandidates(name), name)
	}
}

// The doors' state does not depend on the order resivo lists credentials
// in: one usable credential (the visitor opened the emailed link) makes the
// access active, whatever the SMS link's state.
func TestStateOfIgnoresCredentialOrder(t *testing.T) {
	active, pending := Credential{Status: CredentialActive}, Credential{Status: CredentialPending}
	for _, creds := range [][]Credential{{active, pending}, {pending, active}} {
		st, _ := stateOf(&Authorization{Status: AuthorizationActive, Credentials: creds})
		assert.Equal(t, access.GrantActive, st, "%v", creds)
	}
	st, _ := stateOf(&Authorization{Status: AuthorizationActive, Credentials: []Credential{{Status: "blocked"}, pending}})
	assert.Equal(t, access.GrantPending, st, "a pending credential may still become usable")
}

// Only what doorkit recognises fails a grant: a status resivo does not
// document keeps it pending with the status in the reason.
func TestStateOfUnknownStatusesArePending(t *testing.T) {
	for name, tc := range map[string]struct {
		a      Authorization
		state  access.GrantState
		reason string
	}{
		"unknown credential status": {Authorization{Status: AuthorizationActive, Credentials: []Credential{{Status: "suspended"}}},
			access.GrantPending, `"suspended"`},
		"unknown beside revoked": {Authorization{Status: AuthorizationActive, Credentials: []Credential{{Status: CredentialRevoked}, {Status: "sent"}}},
			access.GrantPending, `"sent"`},
		"unknown authorization status": {Authorization{Status: "onHold", Credentials: []Credential{{Status: CredentialActive}}},
			access.GrantPending, `"onHold"`},
		"every credential revoked": {Authorization{Status: AuthorizationActive, Credentials: []Credential{{Status: CredentialRevoked}}},
			access.GrantFailed, "revoked"},
		"expired credentials do not count": {Authorization{Status: AuthorizationActive, Credentials: []Credential{{Status: "x", IsExpired: true}, {Status: CredentialActive}}},
			access.GrantActive, ""},
	} {
		state, reason := stateOf(&tc.a)
		assert.Equal(t, tc.state, state, name)
		if tc.reason == "" {
			assert.Empty(t, reason, name)
		} else {
			assert.Contains(t, reason, tc.reason, name)
		}
	}
}

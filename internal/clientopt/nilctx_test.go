package clientopt_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/august"
	"github.com/doorkit/doorkit/august/augusttest"
	"github.com/doorkit/doorkit/havr"
	"github.com/doorkit/doorkit/havr/havrtest"
	"github.com/doorkit/doorkit/primis"
	"github.com/doorkit/doorkit/primis/primistest"
	"github.com/doorkit/doorkit/resivo"
	"github.com/doorkit/doorkit/resivo/resivotest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A nil context is access.ErrInvalid from every access method of every
// vendor, as go-github answers it, never a panic.
func TestNilContextIsInvalid(t *testing.T) {
	hs := havrtest.NewServer()
	t.Cleanup(hs.Close)
	hc, err := havr.New(havr.WithBaseURL(hs.URL), havr.WithHTTPClient(hs.Client()), havr.WithClientID(havrtest.ClientID),
		havr.WithPassword(havrtest.OwnerEmail, havrtest.OwnerPassword))
	require.NoError(t, err)
	ps := primistest.NewServer()
	t.Cleanup(ps.Close)
	pc, err := primis.New(primis.WithBaseURL(ps.URL), primis.WithHTTPClient(ps.Client()), primis.WithPhoneID("nil-ctx"),
		primis.WithPassword(primistest.UserEmail, primistest.UserPassword))
	require.NoError(t, err)
	as := augusttest.NewServer()
	t.Cleanup(as.Close)
	ac, err := august.New(august.WithBaseURL(as.URL), august.WithHTTPClient(as.Client()), august.WithAPIKey(augusttest.APIKey),
		august.WithTokens(as.NewToken(augusttest.OwnerID), ""))
	require.NoError(t, err)
	rs := resivotest.NewServer()
	t.Cleanup(rs.Close)
	rc, err := resivo.New(resivo.WithBaseURL(rs.URL), resivo.WithHTTPClient(rs.Client()),
		resivo.WithClientCredentials(resivotest.ClientID, resivotest.ClientSecret), resivo.WithSites(resivotest.SiteID))
	require.NoError(t, err)

	start := time.Now().Add(time.Hour)
	req := access.GrantRequest{Key: "nil-ctx", DoorIDs: []string{"d"}, Holder: access.Person{Name: "A", Email: "a@example.com"},
		Window: access.Window{Start: start, End: start.Add(time.Hour)}}
	var nilCtx context.Context
	for name, client := range map[string]any{"havr": hc, "primis": pc, "resivo": rc, "august": ac} {
		calls := map[string]func() error{}
		if l, ok := client.(access.DoorLister); ok {
			calls["ListDoors"] = func() error { _, err := l.ListDoors(nilCtx); return err }
		}
		if o, ok := client.(access.DoorOpener); ok {
			calls["OpenDoor"] = func() error { return o.OpenDoor(nilCtx, "d") }
		}
		if g, ok := client.(access.Granter); ok {
			calls["CreateGrant"] = func() error { _, err := g.CreateGrant(nilCtx, req); return err }
			calls["RevokeGrant"] = func() error { return g.RevokeGrant(nilCtx, "g") }
			calls["EnsureGrant"] = func() error { _, _, err := access.EnsureGrant(nilCtx, g, req); return err }
			calls["EnsureRevokedByKey"] = func() error { return access.EnsureRevokedByKey(nilCtx, g, "nil-ctx") }
		}
		if g, ok := client.(access.GrantGetter); ok {
			calls["GetGrant"] = func() error { _, err := g.GetGrant(nilCtx, "g"); return err }
		}
		if l, ok := client.(access.GrantLister); ok {
			calls["ListGrants"] = func() error {
				for _, err := range l.ListGrants(nilCtx, access.GrantFilter{Key: "k"}) {
					return err
				}
				return nil
			}
		}
		if u, ok := client.(access.GrantUpdater); ok {
			calls["UpdateGrantWindow"] = func() error { _, err := u.UpdateGrantWindow(nilCtx, "g", req.Window); return err }
		}
		if name == "august" {
			// Well-formed ids, so that no validation answers first.
			valid := req
			valid.DoorIDs = []string{augusttest.FrontDoorID}
			const grantID = "0123456789abcdef"
			calls["OpenDoor valid"] = func() error { return ac.OpenDoor(nilCtx, augusttest.FrontDoorID) }
			calls["CreateGrant valid"] = func() error { _, err := ac.CreateGrant(nilCtx, valid); return err }
			calls["GetGrant valid"] = func() error { _, err := ac.GetGrant(nilCtx, grantID); return err }
			calls["RevokeGrant valid"] = func() error { return ac.RevokeGrant(nilCtx, grantID) }
			calls["UpdateGrantWindow valid"] = func() error { _, err := ac.UpdateGrantWindow(nilCtx, grantID, req.Window); return err }
		}
		for op, call := range calls {
			err := func() (err error) {
				defer func() {
					if r := recover(); r != nil {
						err = fmt.Errorf("panic: %v", r)
					}
				}()
				return call()
			}()
			assert.ErrorIs(t, err, access.ErrInvalid, "%s %s: %v", name, op, err)
		}
	}
}

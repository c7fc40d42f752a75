package resivo

import (
	"context"
	"crypto/rand"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/doorkit/doorkit/access"
)

// resivo components open with the credentials resivo issues (a door link,
// a PIN); the public API has no remote open, so *Client lists doors and
// grants access but is not an access.DoorOpener.
var (
	_ access.DoorLister = (*Client)(nil)
	_ access.Granter    = (*Client)(nil)
)

// Vendor is the name resivo doors and grants carry in access.Door.Vendor.
const Vendor = "resivo"

// DefaultPINLength is the length of a PIN the client chooses when a PIN
// grant asks for none.
const DefaultPINLength = 6

// joinID and splitID build and read the ids the access layer uses: a site
// id and the component or authorization id, "siteId/componentId". Neither
// part can hold a '/', since both are path segments of resivo's routes.
func joinID(site, id string) string { return site + "/" + id }

func splitID(field, s string) (site, id string, err error) {
	site, id, ok := strings.Cut(s, "/")
	if !ok || checkID(field, site) != nil || checkID(field, id) != nil {
		return "", "", access.Invalid(field, fmt.Sprintf("%q is not a resivo id (siteId/id)", s))
	}
	return site, id, nil
}

// ListDoors returns the components of every site given to WithSites. A
// door's ID is "siteId/componentId" and its Site the site id; Native holds
// the Component. Component ids can change on a site migration: resolve
// names to ids (access.ResolveDoorIDs) when granting rather than storing
// ids.
func (c *Client) ListDoors(ctx context.Context) ([]access.Door, error) {
	if len(c.sites) == 0 {
		return nil, access.Invalid("sites", "resivo cannot list a Site Owner's sites: name them with WithSites")
	}
	var doors []access.Door
	for _, site := range c.sites {
		comps, _, err := c.Components.List(ctx, site, nil)
		if err != nil {
			return nil, err
		}
		for _, comp := range comps {
			doors = append(doors, doorOf(site, comp))
		}
	}
	return doors, nil
}

func doorOf(site string, comp Component) access.Door {
	d := access.Door{ID: joinID(site, comp.ID), Name: comp.DisplayName, Site: site, Vendor: Vendor, Native: comp}
	switch comp.Status {
	case ComponentOnline:
		d.Connectivity = access.Online
	case ComponentOffline:
		d.Connectivity = access.Offline
	}
	return d
}

// CreateGrant gives a holder access to doors of one site for the window.
//
// A visitor (CredentialLink, or CredentialAny) gets a Remote Access
// Authorization Set: POST /:siteId/authorizations/remote-access (an
// INFERRED route) with the holder's email and phone as recipients. resivo
// sends the door link itself, in the site's defaultLocale, and does not
// return it: the credential says who it was sent to and holds no secret. A
// phone number is sent only as an E.164 mobile number; any other is dropped
// with a notice while the email and the access go ahead.
//
// CredentialPIN gets a PIN-code access (POST
// /:siteId/authorizations/pin-access) with req.PIN, or a random
// DefaultPINLength-digit code, returned in the credential.
//
// The window is sent in UTC at millisecond resolution. The grant id is
// "siteId/authorizationId". A create is never resent once it may have
// reached resivo.
func (c *Client) CreateGrant(ctx context.Context, req access.GrantRequest) (*access.Grant, error) {
	if err := req.Validate(); err != nil {
		return nil, err
	}
	site, components, err := componentsOf(req.DoorIDs)
	if err != nil {
		return nil, err
	}
	window := access.Window{Start: req.Window.Start.UTC().Truncate(time.Millisecond), End: req.Window.End.UTC().Truncate(time.Millisecond)}
	if err := window.Validate(); err != nil {
		return nil, err
	}
	restrictions := Restrictions{ValidFrom: At(window.Start), ValidTo: At(window.End)}
	grant := &access.Grant{Vendor: Vendor, DoorIDs: req.DoorIDs, Holder: req.Holder, Window: window}

	switch req.Credential {
	case access.CredentialAny, access.CredentialLink:
		return c.grantLink(ctx, req, site, components, restrictions, grant)
	case access.CredentialPIN:
		return c.grantPIN(ctx, req, site, components, restrictions, grant)
	default:
		return nil, fmt.Errorf("resivo: %s credentials: %w", req.Credential, access.ErrUnsupported)
	}
}

// componentsOf splits door ids, which must all be on one site: a resivo
// authorization belongs to one site.
func componentsOf(doorIDs []string) (string, []string, error) {
	var site string
	components := make([]string, len(doorIDs))
	for i, id := range doorIDs {
		s, comp, err := splitID(fmt.Sprintf("DoorIDs[%d]", i), id)
		if err != nil {
			return "", nil, err
		}
		if i > 0 && s != site {
			return "", nil, access.Invalid("DoorIDs", fmt.Sprintf("doors of sites %q and %q: a resivo grant covers one site", site, s))
		}
		site, components[i] = s, comp
	}
	return site, components, nil
}

func displayName(req access.GrantRequest) string {
	for _, s := range []string{req.Label, req.Holder.Name, req.Holder.Email} {
		if s != "" {
			return s
		}
	}
	return "doorkit grant"
}

func (c *Client) grantLink(ctx context.Context, req access.GrantRequest, site string, components []string, r Restrictions, grant *access.Grant) (*access.Grant, error) {
	var recipients Recipients
	if req.Holder.Email != "" {
		recipients.Emails = []string{req.Holder.Email}
	}
	if req.Holder.Phone != "" {
		number, notice := access.NormalizeSMSNumber(req.Holder.Phone)
		if number != "" {
			recipients.PhoneNumbers = []string{number}
		} else if notice != "" {
			grant.Notices = append(grant.Notices, notice)
		}
	}
	if len(recipients.Emails) == 0 && len(recipients.PhoneNumbers) == 0 {
		return nil, access.Invalid("Holder", "a resivo door link needs an email or an E.164 mobile number: "+strings.Join(grant.Notices, "; "))
	}
	created, _, err := c.Authorizations.CreateRemoteAccess(ctx, site, RemoteAccessRequest{
		DisplayName: displayName(req), ComponentIDs: components, Restrictions: r, Recipients: recipients,
	})
	if err != nil {
		return nil, err
	}
	to := append(append([]string(nil), recipients.Emails...), recipients.PhoneNumbers...)
	delivery := "sent by resivo to " + strings.Join(to, " and ")
	if locale := c.siteLocale(ctx, site); locale != "" {
		delivery += " (in the site's language, " + locale + ")"
	}
	grant.ID = joinID(site, created.ID)
	grant.Credential = access.Credential{Kind: access.CredentialLink, DeliveredTo: to, Delivery: delivery}
	grant.State = access.GrantPending
	grant.Native = created
	return grant, nil
}

func (c *Client) grantPIN(ctx context.Context, req access.GrantRequest, site string, components []string, r Restrictions, grant *access.Grant) (*access.Grant, error) {
	pin := req.PIN
	if pin == "" {
		var err error
		if pin, err = randomPIN(DefaultPINLength); err != nil {
			return nil, err
		}
	}
	holder := req.Holder.Name
	if holder == "" {
		holder = displayName(req)
	}
	created, _, err := c.Authorizations.CreatePinAccess(ctx, site, PinAccessRequest{
		DisplayName: displayName(req), PinCodes: []PinCode{{PinCode: pin, DisplayName: holder}},
		ComponentIDs: components, Restrictions: r,
	})
	if err != nil {
		return nil, err
	}
	grant.ID = joinID(site, created.ID)
	grant.Credential = access.Credential{Kind: access.CredentialPIN, PIN: pin, Delivery: "PIN for the caller to hand over"}
	grant.State = access.GrantPending
	grant.Native = created
	return grant, nil
}

func randomPIN(n int) (access.Secret, error) {
	var b strings.Builder
	for range n {
		d, err := rand.Int(rand.Reader, big.NewInt(10))
		if err != nil {
			return "", fmt.Errorf("resivo: choosing a PIN: %w", err)
		}
		b.WriteByte(byte('0' + d.Int64()))
	}
	return access.Secret(b.String()), nil
}

// siteLocale returns the site's defaultLocale, read once per site, or ""
// when it cannot be read: it only annotates the delivery.
func (c *Client) siteLocale(ctx context.Context, site string) string {
	if v, ok := c.locales.Load(site); ok {
		return v.(string)
	}
	s, _, err := c.Sites.Get(ctx, site)
	if err != nil {
		return ""
	}
	c.locales.Store(site, s.DefaultLocale)
	return s.DefaultLocale
}

// RevokeGrant revokes a grant by its id ("siteId/authorizationId"). Like
// the public client, it reads the authorization first (GET
// /:siteId/authorizations/:id) and revokes (DELETE
// /:siteId/authorizations/:id/revoke) only what is still live: an
// authorization that expired, or whose credentials all expired, needs no
// revoke and returns nil. One already revoked, or unknown, is
// access.ErrNotFound.
func (c *Client) RevokeGrant(ctx context.Context, grantID string) error {
	if grantID == "" {
		return access.Invalid("grantID", "is required")
	}
	site, id, err := splitID("grantID", grantID)
	if err != nil {
		return err
	}
	a, _, err := c.Authorizations.Get(ctx, site, id)
	if err != nil {
		return err
	}
	if a.Status == AuthorizationRevoked {
		return fmt.Errorf("resivo: authorization %s is already revoked: %w", grantID, access.ErrNotFound)
	}
	if !a.Live() {
		return nil
	}
	_, err = c.Authorizations.Revoke(ctx, site, id)
	return err
}

package resivo

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"iter"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/internal/rest"
)

// resivo components open with the credentials resivo issues (a door link,
// a PIN); the public API has no remote open, so *Client is not an
// access.DoorOpener. resivo has no endpoint to change an authorization's
// window, so it is not an access.GrantUpdater either: EnsureGrant revokes
// and re-creates a moved booking.
var (
	_ access.DoorLister  = (*Client)(nil)
	_ access.Granter     = (*Client)(nil)
	_ access.GrantGetter = (*Client)(nil)
	_ access.GrantLister = (*Client)(nil)

	_ access.ListedGrantRevoker = (*Client)(nil)
)

// Vendor is the name resivo doors and grants carry in access.Door.Vendor.
const Vendor = "resivo"

// DefaultPINLength is the length of a PIN the client chooses when a PIN
// grant asks for none.
const DefaultPINLength = 6

// doorCapabilities is what a resivo door supports through the public API:
// door links (not on an offline component) and PIN codes (resivo
// publishes no PIN length rules), grants found again by key (through the
// KeyStore), no remote open and no window change.
func doorCapabilities(status ComponentStatus) access.Capabilities {
	caps := access.Capabilities{Credentials: []access.CredentialKind{access.CredentialPIN}, GrantListing: true}
	if takesLinks(status) {
		caps.Credentials = []access.CredentialKind{access.CredentialLink, access.CredentialPIN}
	}
	return caps
}

// takesLinks reports whether a component can be opened by a door link: an
// offline (standalone) component has no cloud connection (the collection's
// glossary), so resivo cannot open it remotely. A status resivo did not
// send, or one doorkit does not know, is not offline: resivo decides.
func takesLinks(status ComponentStatus) bool { return status != ComponentOffline }

// joinID and splitID build and read the ids the access layer uses: a site
// id and the component or authorization id, "siteId/componentId". Neither
// part can hold a '/', since both are path segments of resivo's routes.
func joinID(site, id string) string { return site + "/" + id }

// splitID reads an id of the access layer, which must name a site given to
// WithSites: the access methods cover those sites, as ListDoors does, and
// an id on any other is ErrInvalid before anything is sent.
func (c *Client) splitID(field, s string) (site, id string, err error) {
	site, id, ok := strings.Cut(s, "/")
	if !ok || checkID(field, site) != nil || checkID(field, id) != nil {
		return "", "", access.Invalid(field, fmt.Sprintf("%q is not a resivo id (siteId/id)", s))
	}
	if !slices.Contains(c.sites, site) {
		return "", "", access.Invalid(field, fmt.Sprintf("%q is on site %q, which is not among the sites given to WithSites %q", s, site, c.sites))
	}
	return site, id, nil
}

// ListDoors returns the components of every site given to WithSites (GET
// /:siteId/components per site, a few sites at once). A door's ID is
// "siteId/componentId" and its Site the site id; Native holds the
// Component; Connectivity its status, and an offline component's
// Capabilities issue PINs but no door links. Component ids can change on a
// site migration: resolve
// names to ids (access.ResolveDoorIDs) when granting rather than storing
// ids. resivo reports no time zone.
func (c *Client) ListDoors(ctx context.Context) ([]access.Door, error) {
	if ctx == nil {
		return nil, rest.ErrNilContext
	}
	if len(c.sites) == 0 {
		return nil, access.Invalid("sites", "resivo cannot list a Site Owner's sites: name them with WithSites")
	}
	type listing struct {
		site  string
		comps []Component
		err   error
	}
	var doors []access.Door
	var err error
	inOrder(ctx, len(c.sites), func(ctx context.Context, i int) listing {
		comps, _, err := c.Components.List(ctx, c.sites[i], nil)
		return listing{c.sites[i], comps, err}
	}, func(l listing) bool {
		for _, comp := range l.comps {
			doors = append(doors, doorOf(l.site, comp))
		}
		err = l.err
		return err == nil
	})
	if err != nil {
		return nil, err
	}
	return doors, nil
}

func doorOf(site string, comp Component) access.Door {
	d := access.Door{ID: joinID(site, comp.ID), Name: comp.DisplayName, Site: site, Vendor: Vendor,
		Capabilities: doorCapabilities(comp.Status), Native: comp}
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
// INFERRED route) with the holder's email and phone as recipients. A door
// link opens a door through resivo's cloud, which an offline (standalone)
// component has no connection to: the component list (GET
// /:siteId/components) is read first, and a link on an offline component is
// access.ErrUnsupported before anything is created; CredentialAny then
// gets a PIN, the kind every door issues. resivo
// sends the door link itself, in the site's defaultLocale, and does not
// return it: the credential says who sent it (Delivery "sent by resivo in
// nl-NL", the site's defaultLocale) and to whom (DeliveredTo), and holds no
// secret. A
// phone number is sent only in E.164 (see WithSMSNumbers for which numbers
// are kept); any other is dropped with an access.NoticeSMSDropped notice
// while the email and the access go ahead.
//
// CredentialPIN gets a PIN-code access (POST
// /:siteId/authorizations/pin-access) with req.PIN, or a random
// DefaultPINLength-digit code, returned in the credential. resivo cannot
// change a window, so EnsureGrant re-makes a moved booking: set req.PIN to
// keep the visitor's code, or a new random one is chosen.
//
// The window is prepared at millisecond resolution (access.Window.Prepare:
// UTC, a past start clamped to now with a notice). The grant id is
// "siteId/authorizationId". A create is never resent once it may have
// reached resivo.
//
// The key: resivo cannot list authorizations, let alone by a caller's key,
// so req.Key is recorded in the KeyStore (WithKeyStore) and also written
// into the authorization's displayName as "[key] label", where resivo's
// own tools and GetGrant show it back. Grant.Label, here and read back, is
// the displayName after the key's tag: req.Label, or, when it is empty,
// the holder's name (or email, or phone), since resivo needs a name. The store is kept by
// access.CreateWithKeyStore, as for any vendor that records keys there:
// a create takes the key's turn on the client's Locker (unless its caller
// holds it already, as EnsureGrant does), and before the
// create is sent the key is marked pending in the store; once resivo
// answers, the mark becomes the grant id, or is removed when resivo
// refused. When the outcome is unknown (the answer was lost, a 5xx, a
// timeout), the error matches access.ErrOutcomeUnknown and the mark stays:
// lookups of the key then fail with a *PendingKeyError (matching
// ErrOutcomeUnknown) and EnsureGrant creates nothing more, until ResolveKey
// records what was found in the resivo portal. A key whose grant is still
// live is access.ErrConflict.
func (c *Client) CreateGrant(ctx context.Context, req access.GrantRequest) (*access.Grant, error) {
	if err := req.Validate(); err != nil {
		return nil, err
	}
	site, components, err := c.componentsOf(req.DoorIDs)
	if err != nil {
		return nil, err
	}
	window, notices, err := req.Window.Prepare(time.Now(), time.Millisecond)
	if err != nil {
		return nil, err
	}
	switch req.Credential {
	case access.CredentialAny, access.CredentialLink, access.CredentialPIN:
	default:
		return nil, fmt.Errorf("resivo: %s credentials: %w", req.Credential, access.ErrUnsupported)
	}
	grant := &access.Grant{Key: req.Key, Vendor: Vendor, Holder: req.Holder, Window: window,
		Label: labelOf(displayName(req), req.Key), Notices: notices}
	restrictions := Restrictions{ValidFrom: At(window.Start), ValidTo: At(window.End)}

	var (
		create     func() (*CreatedAuthorization, error)
		credential access.Credential
	)
	kind := req.Credential
	if kind != access.CredentialPIN {
		create, credential, err = c.linkCreate(ctx, req, site, components, restrictions, grant)
		var offline *offlineError
		if kind == access.CredentialAny && errors.As(err, &offline) {
			// Every door issues PINs: the kind CredentialAny can have.
			kind, grant.Notices = access.CredentialPIN, notices
		}
	}
	if kind == access.CredentialPIN {
		create, credential, err = c.pinCreate(ctx, req, site, components, restrictions)
		if req.Holder.Phone != "" {
			grant.Notices = append(grant.Notices, access.Notice{Code: access.NoticeSMSDropped, Field: "Holder.Phone",
				Message: "SMS skipped: resivo does not send PIN codes; the PIN is returned for you to hand over"})
		}
	}
	if err != nil {
		return nil, err
	}
	return access.CreateWithKeyStore(ctx, c.keys, req.Key, func() (*access.Grant, error) {
		created, err := create()
		if err != nil {
			return nil, err
		}
		grant.ID = joinID(site, created.ID)
		for _, id := range req.DoorIDs {
			grant.Doors = append(grant.Doors, access.DoorAccess{DoorID: id, State: access.GrantPending, Credential: credential})
		}
		grant.Native = created
		return grant, nil
	}, c.keyOptions(req.Key)...)
}

// offlineComponents returns which of components the site's component list
// (GET /:siteId/components) says are offline, before a door link is asked
// for them. A component the list does not show is left to resivo.
func (c *Client) offlineComponents(ctx context.Context, site string, components []string) ([]string, error) {
	comps, _, err := c.Components.List(ctx, site, nil)
	if err != nil {
		return nil, fmt.Errorf("resivo: reading whether the components are online: %w", err)
	}
	var offline []string
	for _, comp := range comps {
		if !takesLinks(comp.Status) && slices.Contains(components, comp.ID) {
			offline = append(offline, comp.ID)
		}
	}
	return offline, nil
}

// offlineError refuses a door link on offline components; it matches
// access.ErrUnsupported, since such a door does not issue links.
type offlineError struct{ components []string }

func (e *offlineError) Error() string {
	return fmt.Sprintf("resivo: components %q are offline (no cloud connection), so a door link cannot open them; ask for a PIN: %v",
		e.components, access.ErrUnsupported)
}

func (e *offlineError) Is(target error) bool { return target == access.ErrUnsupported }

// componentsOf splits door ids, which must all be on one site: a resivo
// authorization belongs to one site.
func (c *Client) componentsOf(doorIDs []string) (string, []string, error) {
	var site string
	components := make([]string, len(doorIDs))
	for i, id := range doorIDs {
		s, comp, err := c.splitID(fmt.Sprintf("DoorIDs[%d]", i), id)
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

// displayName is the authorization's name: "[key] label", or the label (or
// holder) alone without a key.
func displayName(req access.GrantRequest) string {
	label := req.Label
	for _, s := range []string{req.Holder.Name, req.Holder.Email, req.Holder.Phone} {
		if label == "" {
			label = s
		}
	}
	if req.Key == "" {
		return label
	}
	return strings.TrimSpace("[" + req.Key + "] " + label)
}

// labelOf reads the label back from a displayName written by displayName:
// what follows the key's tag, or the whole name when it has no key.
func labelOf(name, key string) string {
	rest, ok := strings.CutPrefix(name, "["+key+"]")
	if key == "" || !ok {
		return name
	}
	return strings.TrimPrefix(rest, " ")
}

// keyCandidates reads the key back from a displayName written by
// displayName, "[key] label" or "[key]": every split the name allows, the
// first most likely.
func keyCandidates(name string) []string {
	rest, ok := strings.CutPrefix(name, "[")
	if !ok {
		return nil
	}
	var out []string
	for i := 0; i < len(rest); i++ {
		if strings.HasPrefix(rest[i:], "] ") && i > 0 {
			out = append(out, rest[:i])
		}
	}
	if strings.HasSuffix(rest, "]") && len(rest) > 1 {
		out = append(out, rest[:len(rest)-1])
	}
	return out
}

// keyFor returns the key of the grant named name: the candidate the
// KeyStore maps to grantID, else the first candidate.
func (c *Client) keyFor(ctx context.Context, name, grantID string) string {
	candidates := keyCandidates(name)
	for _, k := range candidates {
		if id, err := c.keys.Get(ctx, k); err == nil && id == grantID {
			return k
		}
	}
	if len(candidates) > 0 {
		return candidates[0]
	}
	return ""
}

func (c *Client) linkCreate(ctx context.Context, req access.GrantRequest, site string, components []string, r Restrictions, grant *access.Grant) (func() (*CreatedAuthorization, error), access.Credential, error) {
	var recipients Recipients
	if req.Holder.Email != "" {
		recipients.Emails = []string{req.Holder.Email}
	}
	if req.Holder.Phone != "" {
		number, reason := c.smsNumber(req.Holder.Phone)
		if number != "" {
			recipients.PhoneNumbers = []string{number}
		} else if reason != "" {
			grant.Notices = append(grant.Notices, access.Notice{Code: access.NoticeSMSDropped, Field: "Holder.Phone", Message: reason})
		}
	}
	if len(recipients.Emails) == 0 && len(recipients.PhoneNumbers) == 0 {
		reason := "a resivo door link needs an email or an E.164 mobile number"
		for _, n := range grant.Notices {
			reason += "; " + n.Message
		}
		return nil, access.Credential{}, access.Invalid("Holder", reason)
	}
	body := RemoteAccessRequest{DisplayName: displayName(req), ComponentIDs: components, Restrictions: r, Recipients: recipients}
	if err := body.validate(); err != nil {
		return nil, access.Credential{}, err
	}
	offline, err := c.offlineComponents(ctx, site, components)
	if err != nil {
		return nil, access.Credential{}, err
	}
	if len(offline) > 0 {
		return nil, access.Credential{}, &offlineError{components: offline}
	}
	to := append(append([]string(nil), recipients.Emails...), recipients.PhoneNumbers...)
	delivery := "sent by resivo"
	if locale := c.SiteLocale(ctx, site); locale != "" {
		delivery += " in " + locale // the site's defaultLocale
	}
	create := func() (*CreatedAuthorization, error) {
		out, _, err := c.Authorizations.CreateRemoteAccess(ctx, site, body)
		return out, err
	}
	return create, access.Credential{Kind: access.CredentialLink, DeliveredTo: to, Delivery: delivery}, nil
}

func (c *Client) pinCreate(ctx context.Context, req access.GrantRequest, site string, components []string, r Restrictions) (func() (*CreatedAuthorization, error), access.Credential, error) {
	pin := req.PIN
	if pin == "" {
		var err error
		if pin, err = randomPIN(DefaultPINLength); err != nil {
			return nil, access.Credential{}, err
		}
	}
	holder := req.Holder.Name
	if holder == "" {
		holder = displayName(access.GrantRequest{Holder: req.Holder})
	}
	body := PINAccessRequest{DisplayName: displayName(req), PINCodes: []PINCode{{PINCode: pin, DisplayName: holder}},
		ComponentIDs: components, Restrictions: r}
	if err := body.validate(); err != nil {
		return nil, access.Credential{}, err
	}
	create := func() (*CreatedAuthorization, error) {
		out, _, err := c.Authorizations.CreatePINAccess(ctx, site, body)
		return out, err
	}
	return create, access.Credential{Kind: access.CredentialPIN, PIN: pin, Delivery: "PIN for the caller to hand over"}, nil
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

// SiteLocale returns the site's defaultLocale, the language of the messages
// resivo sends visitors, read once per site (GET /v8/sites/:siteId); "" when
// it cannot be read.
func (c *Client) SiteLocale(ctx context.Context, siteID string) string {
	if v, ok := c.locales.Load(siteID); ok {
		return v.(string)
	}
	s, _, err := c.Sites.Get(ctx, siteID)
	if err != nil {
		return ""
	}
	c.locales.Store(siteID, s.DefaultLocale)
	return s.DefaultLocale
}

// GetGrant returns a grant by its id ("siteId/authorizationId"), read with
// GET /:siteId/authorizations/:id. Its doors, window and holder come from
// the answer's componentIds, restrictions and recipients (INFERRED fields);
// its key and label from the displayName the client wrote. A revoked grant is returned
// with state revoked; an unknown one is access.ErrNotFound.
//
// Per-door state follows the authorization: revoked when it is revoked;
// expired when it expired or every credential did; pending while it is
// pending or its credentials are; active when it is active with a usable
// credential; failed, with the reason, only when it is active and every
// credential in its window was revoked. A status doorkit does not know
// (resivo documents the fields, not their values) keeps the doors pending
// with the status in DoorAccess.Reason: taking it for a failure would make
// EnsureGrant re-make the grant, and resivo email the visitor, on every
// trigger. resivo's credentials are per holder, not per door, so every
// door has the same state.
func (c *Client) GetGrant(ctx context.Context, grantID string) (*access.Grant, error) {
	if grantID == "" {
		return nil, access.Invalid("grantID", "is required")
	}
	site, id, err := c.splitID("grantID", grantID)
	if err != nil {
		return nil, err
	}
	a, _, err := c.Authorizations.Get(ctx, site, id)
	if err != nil {
		return nil, err
	}
	g := grantOf(site, a)
	g.Key = c.keyFor(ctx, a.DisplayName, grantID)
	g.Label = labelOf(a.DisplayName, g.Key)
	return g, nil
}

func grantOf(site string, a *Authorization) *access.Grant {
	g := &access.Grant{ID: joinID(site, a.ID), Vendor: Vendor, Native: a}
	if a.Restrictions != nil {
		g.Window = access.Window{Start: a.Restrictions.ValidFrom.Time.UTC(), End: a.Restrictions.ValidTo.Time.UTC()}
	}
	cred := access.Credential{Kind: access.CredentialLink, Delivery: "sent by resivo"}
	if a.Recipients != nil {
		cred.DeliveredTo = append(append([]string(nil), a.Recipients.Emails...), a.Recipients.PhoneNumbers...)
		if len(a.Recipients.Emails) > 0 {
			g.Holder.Email = a.Recipients.Emails[0]
		}
		if len(a.Recipients.PhoneNumbers) > 0 {
			g.Holder.Phone = a.Recipients.PhoneNumbers[0]
		}
	}
	for _, cr := range a.Credentials {
		if cr.Type == CredentialTypePINCode {
			cred = access.Credential{Kind: access.CredentialPIN, Delivery: "PIN held by the caller"}
		}
	}
	state, reason := stateOf(a)
	for _, comp := range a.ComponentIDs {
		g.Doors = append(g.Doors, access.DoorAccess{DoorID: joinID(site, comp), State: state, Reason: reason, Credential: cred})
	}
	return g
}

// stateOf derives the doors' state from the authorization. resivo
// documents the status fields but few of their values ("active"), so only
// what doorkit recognises decides: a value it does not know keeps the
// access pending, with the value in the reason, rather than failed. A
// failed grant is revoked and re-made by EnsureGrant, and resivo emails
// the visitor again each time: an unknown status that stays would do that
// on every trigger.
func stateOf(a *Authorization) (access.GrantState, string) {
	switch a.Status {
	case AuthorizationRevoked:
		return access.GrantRevoked, ""
	case AuthorizationExpired:
		return access.GrantExpired, ""
	}
	if !a.Live() {
		return access.GrantExpired, ""
	}
	switch a.Status {
	case AuthorizationActive:
	case AuthorizationPending:
		return access.GrantPending, ""
	default:
		return access.GrantPending, fmt.Sprintf("resivo reports authorization status %q, which doorkit does not know: taken as still being set up", a.Status)
	}
	if len(a.Credentials) == 0 {
		return access.GrantPending, ""
	}
	// Any usable credential makes the access active, else any pending one
	// pending, whatever order resivo lists them in.
	var unknown []string
	pending := false
	for _, cr := range a.Credentials {
		if cr.IsExpired {
			continue
		}
		switch cr.Status {
		case CredentialActive:
			return access.GrantActive, ""
		case CredentialPending:
			pending = true
		case CredentialRevoked:
		default:
			unknown = append(unknown, strconv.Quote(string(cr.Status)))
		}
	}
	switch {
	case pending:
		return access.GrantPending, ""
	case len(unknown) > 0:
		return access.GrantPending, "resivo reports credential status " + strings.Join(unknown, ", ") +
			", which doorkit does not know: taken as still being set up"
	}
	// Every credential still in its window was revoked while the
	// authorization stays active: the holder cannot open.
	return access.GrantFailed, "every credential was revoked (status \"revoked\") while the authorization is active"
}

// ListGrants lists grants matching filter. resivo cannot list
// authorizations, so the listing walks the KeyStore: with filter.Key, the
// one grant recorded for that key (an error matching
// access.ErrOutcomeUnknown while its create's outcome is unknown); without
// a key, every grant the store records, which needs a store that can list
// its keys (access.KeyLister, as the default store can; otherwise the listing
// fails with access.ErrUnsupported). Grants created without a key are not
// listed, nor revoked ones. Each grant is read from resivo (GetGrant, a
// few at once, yielded in key order); one
// whose answer lacks componentIds or restrictions (INFERRED fields) is an
// error matching access.ErrUnsupported rather than a grant EnsureGrant
// would mistake for a different one and revoke. Grants are filtered with
// filter.Match; HolderEmail matches door-link grants only,
// since a PIN-code access carries the holder's name alone.
func (c *Client) ListGrants(ctx context.Context, filter access.GrantFilter) iter.Seq2[*access.Grant, error] {
	return func(yield func(*access.Grant, error) bool) {
		if ctx == nil {
			yield(nil, rest.ErrNilContext)
			return
		}
		if err := filter.Validate(); err != nil {
			yield(nil, err)
			return
		}
		if filter.DoorID != "" {
			if _, _, err := c.splitID("filter.DoorID", filter.DoorID); err != nil {
				yield(nil, err)
				return
			}
		}
		var keys []string
		if filter.Key != "" {
			keys = []string{filter.Key}
		} else {
			kl, ok := c.keys.(access.KeyLister)
			if !ok {
				yield(nil, fmt.Errorf("resivo: listing grants without a key needs a KeyStore that lists its keys (%T is no access.KeyLister): %w", c.keys, access.ErrUnsupported))
				return
			}
			for e, err := range kl.ListKeys(ctx, "") {
				if err != nil {
					yield(nil, err)
					return
				}
				keys = append(keys, e.Key)
			}
		}
		type read struct {
			g   *access.Grant
			err error
		}
		inOrder(ctx, len(keys), func(ctx context.Context, i int) read {
			g, err := c.grantByKey(ctx, keys[i])
			return read{g, err}
		}, func(r read) bool {
			if r.err != nil {
				return yield(nil, r.err)
			}
			return r.g == nil || r.g.State() == access.GrantRevoked || !filter.Match(r.g) || yield(r.g, nil)
		})
	}
}

// grantByKey returns the grant the store records for key, or nil when
// there is none.
func (c *Client) grantByKey(ctx context.Context, key string) (*access.Grant, error) {
	id, err := access.LookupKey(ctx, c.keys, key, c.keyOptions(key)...)
	var pending *PendingKeyError
	switch {
	case errors.As(err, &pending):
		return nil, err
	case err != nil:
		return nil, fmt.Errorf("resivo: key store: %w", err)
	}
	if id == "" {
		return nil, nil
	}
	g, err := c.GetGrant(ctx, id)
	if errors.Is(err, access.ErrNotFound) {
		return nil, nil // gone at resivo
	}
	if err != nil {
		return nil, err
	}
	if g.State() != access.GrantRevoked && (len(g.Doors) == 0 || g.Window.Start.IsZero()) {
		// Without doors and window EnsureGrant would take the grant for a
		// different one and revoke it: refuse to guess instead.
		return nil, fmt.Errorf("resivo: the answer for authorization %s (key %q) has no componentIds or restrictions, so it cannot be compared with a request: %w",
			id, key, access.ErrUnsupported)
	}
	g.Key = key
	if a, ok := g.Native.(*Authorization); ok {
		g.Label = labelOf(a.DisplayName, key)
	}
	return g, nil
}

// RevokeGrant revokes a grant by its id ("siteId/authorizationId"): it
// reads the authorization first (GET /:siteId/authorizations/:id) and
// revokes it (DELETE /:siteId/authorizations/:id/revoke) unless resivo
// shows it revoked. One already revoked, or unknown, is
// access.ErrNotFound. Unlike the public client (RevokeIfLive), it revokes
// an authorization that expired, or whose credentials all expired, too: it
// gives no access now, but it is not revoked, and resivo does not say an
// expired authorization stays so (the portal can move its validity), so
// revoking it is what makes that hold where resivo takes the revoke. A
// revoke answered 409 returns nil when the authorization, read again,
// shows it revoked, as after a revoke whose answer was lost and whose
// resend resivo refused since the first had revoked it, or over (expired,
// or every credential expired: resivo's record says it gives no access and
// resivo will not revoke it, so it stays expired, not revoked, and its key
// keeps naming it in the KeyStore, so a later lookup finds it should it
// come back); else it is access.ErrConflict. A revoked grant's key is
// removed from the KeyStore.
func (c *Client) RevokeGrant(ctx context.Context, grantID string) error {
	if grantID == "" {
		return access.Invalid("grantID", "is required")
	}
	site, id, err := c.splitID("grantID", grantID)
	if err != nil {
		return err
	}
	a, _, err := c.Authorizations.Get(ctx, site, id)
	if err != nil {
		return err
	}
	return c.revoke(ctx, site, id, a)
}

// RevokeListedGrant revokes a grant ListGrants or GetGrant returned, from
// the authorization it showed: what RevokeGrant does after its read, so
// access.EnsureGrant and EnsureRevokedByKey revoke the grant they found with
// one request (DELETE /:siteId/authorizations/:id/revoke) rather than two.
// The authorization shown may be a moment old: a revoke answered 409 reads
// it again, as RevokeGrant's does. A grant that did not come from this
// client's listing is revoked as RevokeGrant revokes listed.ID.
func (c *Client) RevokeListedGrant(ctx context.Context, listed *access.Grant) error {
	if listed == nil {
		return access.Invalid("grant", "is required")
	}
	a, ok := listed.Native.(*Authorization)
	site, id, err := c.splitID("grantID", listed.ID)
	if !ok || a == nil || err != nil || a.ID != id {
		return c.RevokeGrant(ctx, listed.ID)
	}
	return c.revoke(ctx, site, id, a)
}

// revoke revokes authorization id of site, as read in a.
func (c *Client) revoke(ctx context.Context, site, id string, a *Authorization) error {
	grantID := joinID(site, id)
	if a.Status == AuthorizationRevoked {
		return fmt.Errorf("resivo: authorization %s is already revoked: %w", grantID, access.ErrNotFound)
	}
	// Expired is not revoked: it is revoked too (see RevokeGrant).
	after, _, err := c.Authorizations.revokeConfirmed(ctx, site, id)
	if err != nil {
		return err
	}
	if after != nil && after.Status != AuthorizationRevoked {
		// Refused, and over: it stays resivo's, expired, and a validity
		// moved in the portal would bring it back, so its key keeps
		// naming it for the next lookup to find.
		return nil
	}
	// The key is free again; forget it when the store maps it to this grant.
	if key := c.keyFor(ctx, a.DisplayName, grantID); key != "" {
		if stored, err := c.keys.Get(ctx, key); err == nil && stored == grantID {
			_ = c.keys.Delete(context.WithoutCancel(ctx), key)
		}
	}
	return nil
}

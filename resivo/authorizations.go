package resivo

import (
	"context"
	"errors"
	"fmt"

	"github.com/doorkit/doorkit/access"
)

// AuthorizationsService covers a site's authorizations: PIN-code access, and
// Remote Access Authorization Sets (the visitor's door link that resivo
// emails or texts). Authorizations are created, read and revoked by id.
//
// Creates are never resent once they may have reached resivo: a resent
// create makes a second authorization. On an error matching
// access.ErrOutcomeUnknown, look the authorization up before trying again
// (the access layer's EnsureGrant does this by key).
type AuthorizationsService service

// Authorization is an authorization as GET returns it. Status and
// Credentials (each with Status and IsExpired) are CONFIRMED; the other
// fields are INFERRED from the create bodies and empty when not sent.
type Authorization struct {
	ID           string              `json:"id"`
	DisplayName  string              `json:"displayName,omitempty"`
	Status       AuthorizationStatus `json:"status"`
	ComponentIDs []string            `json:"componentIds,omitempty"`
	Restrictions *Restrictions       `json:"restrictions,omitempty"`
	Recipients   *Recipients         `json:"recipients,omitempty"` // remote access only
	Credentials  []Credential        `json:"credentials"`
}

// Credential is one credential of an authorization: a PIN code or a door
// link. Status and IsExpired are CONFIRMED; ID and Type are INFERRED.
type Credential struct {
	ID        string           `json:"id,omitempty"`
	Type      CredentialType   `json:"type,omitempty"`
	Status    CredentialStatus `json:"status"`
	IsExpired bool             `json:"isExpired"`
}

// Live reports whether the authorization can give access now: it is not
// over (revoked or expired) and at least one of its credentials has not
// expired. The public client skips the revoke when the status is not
// "active" or every credential expired (RevokeIfLive); Live differs in two
// ways, both towards revoking: a pending (or unknown) status is live, since
// a cancellation must stop an authorization that is still being set up,
// and an authorization without credentials is live. An authorization that
// is not live is not revoked either: the access layer's RevokeGrant
// revokes it all the same.
func (a *Authorization) Live() bool {
	switch a.Status {
	case AuthorizationRevoked, AuthorizationExpired:
		return false
	}
	if len(a.Credentials) == 0 {
		return true
	}
	for _, c := range a.Credentials {
		if !c.IsExpired {
			return true
		}
	}
	return false
}

// CredentialType is a credential's kind. The field and its values are
// INFERRED; unknown values are kept as sent.
type CredentialType string

const (
	CredentialTypePINCode  CredentialType = "pinCode"
	CredentialTypeDoorLink CredentialType = "doorLink"
)

// CreatedAuthorization is the answer of a create: the new authorization's
// id, which revokes it later.
type CreatedAuthorization struct {
	ID string `json:"id"`
}

// PINCode is one code of a PIN-code access. The code never prints.
type PINCode struct {
	PINCode     access.Secret `json:"pinCode"`
	DisplayName string        `json:"displayName"`
}

// PINAccessRequest is the body of POST /:siteId/authorizations/pin-access.
type PINAccessRequest struct {
	DisplayName          string       `json:"displayName"`
	PINCodes             []PINCode    `json:"pinCodes"`
	ComponentIDs         []string     `json:"componentIds"`
	Restrictions         Restrictions `json:"restrictions"`
	AccessRequestMessage string       `json:"accessRequestMessage,omitempty"`
}

func (r PINAccessRequest) validate() error {
	if r.DisplayName == "" {
		return access.Invalid("DisplayName", "is required")
	}
	if len(r.PINCodes) == 0 {
		return access.Invalid("PINCodes", "at least one PIN code is required")
	}
	for i, p := range r.PINCodes {
		field := fmt.Sprintf("PINCodes[%d]", i)
		if p.PINCode == "" {
			return access.Invalid(field+".PINCode", "is required")
		}
		for _, c := range p.PINCode.Reveal() {
			if c < '0' || c > '9' {
				return access.Invalid(field+".PINCode", "must be digits only")
			}
		}
		if p.DisplayName == "" {
			return access.Invalid(field+".DisplayName", "is required")
		}
	}
	if err := validateComponentIDs(r.ComponentIDs); err != nil {
		return err
	}
	return r.Restrictions.validate()
}

// CreatePINAccess creates a PIN-code access authorization for components of
// a site and returns its id.
//
// POST /:siteId/authorizations/pin-access
func (s *AuthorizationsService) CreatePINAccess(ctx context.Context, siteID string, req PINAccessRequest) (*CreatedAuthorization, *Response, error) {
	if err := checkID("siteID", siteID); err != nil {
		return nil, nil, err
	}
	if err := req.validate(); err != nil {
		return nil, nil, err
	}
	return do[*CreatedAuthorization](ctx, s.client.api, s.client.call(routePINAccess, siteID).WithBody(req))
}

// Recipients are who resivo sends a door link to. The shape is INFERRED.
type Recipients struct {
	Emails []string `json:"emails,omitempty"`
	// PhoneNumbers are mobile numbers in E.164 (+31612345678): resivo
	// accepts no other form. CreateGrant prepares them (WithSMSNumbers).
	PhoneNumbers []string `json:"phoneNumbers,omitempty"`
}

// RemoteAccessRequest is the body of POST
// /:siteId/authorizations/remote-access: a Remote Access Authorization Set,
// for which resivo itself emails or texts each recipient a link that opens
// the doors remotely within the window. The link is not returned. Path and
// body are INFERRED by analogy with pin-access (displayName, componentIds,
// restrictions) plus recipients; correct routeRemoteAccess and this struct
// when resivo publishes them.
type RemoteAccessRequest struct {
	DisplayName  string       `json:"displayName"`
	ComponentIDs []string     `json:"componentIds"`
	Restrictions Restrictions `json:"restrictions"`
	Recipients   Recipients   `json:"recipients"`
}

// isE164 reports whether p is an E.164 number: '+', then 7 to 15 digits,
// the first not 0. It is written out rather than a package-level regexp,
// whose compiling every program importing resivo would pay for at start.
func isE164(p string) bool {
	if len(p) < 8 || len(p) > 16 || p[0] != '+' || p[1] == '0' {
		return false
	}
	return allDigits(p[1:])
}

// allDigits reports whether s is all ASCII digits (true for "").
func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func (r RemoteAccessRequest) validate() error {
	if r.DisplayName == "" {
		return access.Invalid("DisplayName", "is required")
	}
	if err := validateComponentIDs(r.ComponentIDs); err != nil {
		return err
	}
	if err := r.Restrictions.validate(); err != nil {
		return err
	}
	if len(r.Recipients.Emails) == 0 && len(r.Recipients.PhoneNumbers) == 0 {
		return access.Invalid("Recipients", "at least one email or phone number is required")
	}
	for i, e := range r.Recipients.Emails {
		if err := access.ValidateEmailField(fmt.Sprintf("Recipients.Emails[%d]", i), e); err != nil {
			return err
		}
	}
	for i, p := range r.Recipients.PhoneNumbers {
		if !isE164(p) {
			return access.Invalid(fmt.Sprintf("Recipients.PhoneNumbers[%d]", i), fmt.Sprintf("%q is not an E.164 number (+31612345678)", p))
		}
	}
	return nil
}

// validateEmail applies access.ValidateEmail, the one rule for addresses in
// every package, under the request's own field name.

func validateComponentIDs(ids []string) error {
	if len(ids) == 0 {
		return access.Invalid("ComponentIDs", "at least one component is required")
	}
	for i, id := range ids {
		if err := checkID(fmt.Sprintf("ComponentIDs[%d]", i), id); err != nil {
			return err
		}
	}
	return nil
}

// CreateRemoteAccess creates a Remote Access Authorization Set and returns
// its id; resivo then sends each recipient the door link, in the language of
// the site's DefaultLocale. The path and body are INFERRED (see
// RemoteAccessRequest).
//
// POST /:siteId/authorizations/remote-access
func (s *AuthorizationsService) CreateRemoteAccess(ctx context.Context, siteID string, req RemoteAccessRequest) (*CreatedAuthorization, *Response, error) {
	if err := checkID("siteID", siteID); err != nil {
		return nil, nil, err
	}
	if err := req.validate(); err != nil {
		return nil, nil, err
	}
	return do[*CreatedAuthorization](ctx, s.client.api, s.client.call(routeRemoteAccess, siteID).WithBody(req))
}

// Get returns an authorization with its status and credentials.
//
// GET /:siteId/authorizations/:authorizationId
func (s *AuthorizationsService) Get(ctx context.Context, siteID, authorizationID string) (*Authorization, *Response, error) {
	if err := checkIDs(siteID, authorizationID); err != nil {
		return nil, nil, err
	}
	return do[*Authorization](ctx, s.client.api, s.client.call(routeAuthorization, siteID, authorizationID))
}

// Revoke revokes an authorization. resivo takes a DELETE with the JSON body
// {}. See RevokeIfLive for the public client's rule of revoking only what is
// still live.
//
// DELETE /:siteId/authorizations/:authorizationId/revoke
func (s *AuthorizationsService) Revoke(ctx context.Context, siteID, authorizationID string) (*Response, error) {
	if err := checkIDs(siteID, authorizationID); err != nil {
		return nil, err
	}
	return send(ctx, s.client.api, s.client.call(routeRevoke, siteID, authorizationID).WithBody(struct{}{}))
}

// RevokeIfLive reads the authorization first and revokes it only when it is
// still live (Authorization.Live: not revoked or expired, and not every
// credential expired), as the public client does. It returns the authorization as read
// and whether a revoke was sent.
//
// A revoke answered 409 is read again: when the authorization then shows
// it revoked (or over: expired meanwhile), the revoke is done and the
// authorization returned is the one read after it. That is how a revoke
// whose answer was lost ends: the retry policy resends the DELETE (an
// idempotent method) and resivo answers the resend 409, the first having
// revoked it. resivo documents no body for that 409, so its own record
// decides, never the message; a 409 on an authorization still live stays
// access.ErrConflict.
//
// GET /:siteId/authorizations/:authorizationId, then
// DELETE /:siteId/authorizations/:authorizationId/revoke
func (s *AuthorizationsService) RevokeIfLive(ctx context.Context, siteID, authorizationID string) (*Authorization, bool, *Response, error) {
	a, resp, err := s.Get(ctx, siteID, authorizationID)
	if err != nil {
		return nil, false, resp, err
	}
	if !a.Live() {
		return a, false, resp, nil
	}
	after, resp, err := s.revokeConfirmed(ctx, siteID, authorizationID)
	if err != nil {
		return a, false, resp, err
	}
	if after != nil {
		a = after
	}
	return a, true, resp, nil
}

// revokeConfirmed revokes an authorization not read as revoked. On a 409
// it reads the authorization again and returns it when it shows it revoked
// (the revoke is done), or over (expired, or every credential expired:
// resivo refuses to revoke it and its own record says it gives no access;
// it stays expired, not revoked, so a validity moved in the portal later
// would give it back, which nothing but resivo could prevent); otherwise
// the 409 stands. Without a 409 the authorization returned is nil.
func (s *AuthorizationsService) revokeConfirmed(ctx context.Context, siteID, authorizationID string) (*Authorization, *Response, error) {
	resp, err := s.Revoke(ctx, siteID, authorizationID)
	if !errors.Is(err, access.ErrConflict) {
		return nil, resp, err
	}
	a, _, gerr := s.Get(ctx, siteID, authorizationID)
	switch {
	case gerr != nil:
		return nil, resp, errors.Join(err, fmt.Errorf("resivo: reading authorization %s again after the 409: %w", authorizationID, gerr))
	case a.Status == AuthorizationRevoked, !a.Live():
		// Revoked, or over (expired, or every credential expired) and
		// refused: resivo's own record says it gives no access, and
		// revoking it is not to be had.
		return a, resp, nil
	}
	return nil, resp, err
}

func checkIDs(siteID, authorizationID string) error {
	if err := checkID("siteID", siteID); err != nil {
		return err
	}
	return checkID("authorizationID", authorizationID)
}

package august

import "github.com/doorkit/doorkit/access"

var _ access.KeyAuthority = (*Client)(nil)

// KeyLookupAuthoritative reports false: finding no grant with a key
// (ListGrants) is not August's word that none exists. August loads a PIN
// on the lock asynchronously and gives it its user id only then, so a PIN
// whose create was acted on a moment ago may not be listed yet, and the
// lookup takes a PIN loaded with a partnerUserID to belong to the user that
// partnerUserID maps to, which no document states (see the package's access
// section). After a create whose outcome is unknown, access.EnsureGrant
// therefore returns access.ErrOutcomeUnknown rather than load a second PIN
// (see access.KeyAuthority).
func (c *Client) KeyLookupAuthoritative() bool { return false }

package resivo

import "github.com/doorkit/doorkit/access"

var _ access.KeyAuthority = (*Client)(nil)

// KeyLookupAuthoritative reports false: resivo publishes no listing of
// authorizations, so a lookup by key (ListGrants) reads the KeyStore, and
// finding no grant there is the store's word, not resivo's (a store that
// does not outlive the process forgets). A create whose outcome is unknown
// leaves its key pending, so the lookup after it fails with a
// *PendingKeyError anyway; access.EnsureGrant never takes an empty lookup
// for proof that nothing was made (see access.KeyAuthority).
func (c *Client) KeyLookupAuthoritative() bool { return false }

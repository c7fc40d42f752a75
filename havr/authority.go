package havr

import "github.com/doorkit/doorkit/access"

var _ access.KeyAuthority = (*Client)(nil)

// KeyLookupAuthoritative reports true: a lookup by key (ListGrants) is
// Havr's own word. It reads GET /v1/shared_keys/index_with_details, one
// answer without pages that lists the shared keys of the account's locks,
// link shares (waiting_for_user) included, and finds the key in each
// shared key's note, which the create wrote in the same request that made
// the key. Finding no grant with a key therefore proves Havr holds none,
// and access.EnsureGrant may create again after a create whose outcome
// was unknown (see access.KeyAuthority).
func (c *Client) KeyLookupAuthoritative() bool { return true }

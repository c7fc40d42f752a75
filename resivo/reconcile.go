package resivo

import "github.com/doorkit/doorkit/access"

// resivo cannot list authorizations: a plan finds the client's grants
// through its KeyStore, key by key.
var _ access.KeyStoreProvider = (*Client)(nil)

// KeyStore returns the store the client records grant keys in
// (WithKeyStore). access.PlanGrants reads it to find the grants of the
// keys it owns (resivo has no listing of authorizations), and a
// reconciling integration gives it the same store its triggers use.
func (c *Client) KeyStore() access.KeyStore { return c.keys }

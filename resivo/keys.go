package resivo

import (
	"context"
	"fmt"

	"github.com/doorkit/doorkit/access"
)

// NewKeyStore returns the default KeyStore: access.NewMemoryKeyStore, which
// lasts as long as the process (so after a restart a revoke by key answers
// access.ErrKeyUnknown instead of "done") and lists its keys
// (access.KeyLister), as ListGrants without a key needs. Give several
// processes, or a process that restarts, a durable store (WithKeyStore).
func NewKeyStore() access.KeyStore { return access.NewMemoryKeyStore() }

// PendingKeyError reports a key whose create may have reached resivo while
// its answer never arrived (or whose process stopped before recording it):
// resivo may hold an authorization for it that the client cannot find,
// since resivo publishes no way to list authorizations. It is
// access.PendingKeyError, the error every vendor that records keys in a
// KeyStore gives: it matches access.ErrOutcomeUnknown, so EnsureGrant
// creates nothing more, and its Resolve says to look the authorization up
// in the resivo portal (its displayName starts with "[key]") and call
// ResolveKey.
type PendingKeyError = access.PendingKeyError

// keyOptions are how the client records keys with access.CreateWithKeyStore
// and reads them with access.LookupKey: creates for one key take turns on
// the client's Locker (shared by the replicas when it is a shared one), a
// key whose grant is live is a conflict, and a pending key's error says how
// to settle it in the resivo portal.
func (c *Client) keyOptions(key string) []access.KeyOption {
	return []access.KeyOption{access.WithCreateTurns(c.locker), access.WithLiveCheck(c),
		access.WithResolveAdvice(fmt.Sprintf("check the resivo portal for an authorization named \"[%s] ...\" and call ResolveKey", key))}
}

// ResolveKey settles a key left pending by a create whose outcome was
// unknown (PendingKeyError): grantID is the authorization found in the
// resivo portal ("siteId/authorizationId"), checked with a GET before it is
// recorded; "" records that resivo made none, so the next EnsureGrant
// creates it.
func (c *Client) ResolveKey(ctx context.Context, key, grantID string) error {
	if err := access.ValidateKey(key); err != nil || key == "" {
		return access.Invalid("key", "is required and must be a valid grant key")
	}
	if grantID == "" {
		return c.keys.Delete(ctx, key)
	}
	if _, err := c.GetGrant(ctx, grantID); err != nil {
		return err
	}
	return c.keys.Put(ctx, key, grantID)
}

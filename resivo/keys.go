package resivo

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/doorkit/doorkit/access"
)

// NewKeyStore returns the default KeyStore: access.NewMemoryKeyStore, which
// lasts as long as the process (so after a restart a revoke by key answers
// access.ErrKeyUnknown instead of "done") and lists its keys
// (access.KeyLister), as ListGrants without a key needs. Give several
// processes, or a process that restarts, a durable store (WithKeyStore).
func NewKeyStore() access.KeyStore { return access.NewMemoryKeyStore() }

// pendingPrefix marks a key whose create was sent and not yet answered. It
// starts with '?', which no grant id holds.
const pendingPrefix = "?pending "

func pendingMark(t time.Time) string { return pendingPrefix + t.UTC().Format(time.RFC3339) }

func isPending(v string) bool { return strings.HasPrefix(v, pendingPrefix) }

func pendingSince(v string) time.Time {
	t, _ := time.Parse(time.RFC3339, strings.TrimPrefix(v, pendingPrefix))
	return t
}

// PendingKeyError reports a key whose create may have reached resivo while
// its answer never arrived (or whose process stopped before recording it):
// resivo may hold an authorization for it that the client cannot find,
// since resivo publishes no way to list authorizations. It matches
// access.ErrOutcomeUnknown, so EnsureGrant creates nothing more. Look the
// authorization up in the resivo portal (its displayName starts with
// "[key]") and call ResolveKey.
type PendingKeyError struct {
	Key   string
	Since time.Time
}

func (e *PendingKeyError) Error() string {
	return fmt.Sprintf("resivo: key %q: a create sent at %s has an unknown outcome; check the resivo portal for an authorization named \"[%s] ...\" and call ResolveKey",
		e.Key, e.Since.Format(time.RFC3339), e.Key)
}

// Is matches access.ErrOutcomeUnknown (and so access.ErrUnavailable).
func (e *PendingKeyError) Is(target error) bool {
	return target == access.ErrOutcomeUnknown || target == access.ErrUnavailable
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

// createWithKey runs create with the key marked pending in the store, and
// records the grant id once resivo answers. The mark stays only when the
// create may have been acted on (access.ErrOutcomeUnknown), as in
// access.CreateWithKeyStore; any other failure removes it.
func (c *Client) createWithKey(ctx context.Context, key, site string, create func() (*CreatedAuthorization, error)) (*CreatedAuthorization, error) {
	if key == "" {
		return create()
	}
	// Creates for one key take the key's turn on the client's Locker
	// (shared by the replicas when it is a shared one), unless the caller
	// holds it already (EnsureGrant).
	if !access.HoldsKeyTurn(ctx, c.locker, key) {
		lease, err := c.locker.Lock(ctx, access.KeyTurnName(key))
		if err != nil {
			return nil, fmt.Errorf("resivo: waiting for key %q's turn: %w", key, err)
		}
		defer func() { _ = lease.Release(context.WithoutCancel(ctx)) }()
		ctx = lease.Context()
	}
	if err := c.checkKeyFree(ctx, key); err != nil {
		return nil, err
	}
	if err := c.keys.Put(ctx, key, pendingMark(time.Now())); err != nil {
		return nil, fmt.Errorf("resivo: key store: %w", err)
	}
	created, err := create()
	// The store is updated even if the caller's context ended meanwhile.
	storeCtx := context.WithoutCancel(ctx)
	if err != nil {
		// internal/rest classes every failure, as access.CreateWithKeyStore
		// relies on: only an answer that may have been acted on (a lost or
		// broken answer, a timeout in flight, a 5xx other than a 503 with
		// Retry-After, which says resivo did nothing) matches
		// ErrOutcomeUnknown and keeps the mark.
		if !errors.Is(err, access.ErrOutcomeUnknown) {
			if derr := c.keys.Delete(storeCtx, key); derr != nil {
				return nil, errors.Join(err, fmt.Errorf("resivo: key store: %w", derr))
			}
		}
		return nil, err
	}
	id := joinID(site, created.ID)
	if err := c.keys.Put(storeCtx, key, id); err != nil {
		return nil, fmt.Errorf("resivo: authorization %s was created but key %q could not be recorded (it stays pending): %w: %w",
			id, key, access.ErrOutcomeUnknown, err)
	}
	return created, nil
}

// checkKeyFree refuses a key that is pending or whose grant is still live.
func (c *Client) checkKeyFree(ctx context.Context, key string) error {
	id, err := c.keys.Get(ctx, key)
	switch {
	case errors.Is(err, access.ErrNotFound), errors.Is(err, access.ErrKeyUnknown):
		// Unknown to a store that may have forgotten: a first create must
		// work (see access.EnsureGrant).
		return nil
	case err != nil:
		return fmt.Errorf("resivo: key store: %w", err)
	case isPending(id):
		return &PendingKeyError{Key: key, Since: pendingSince(id)}
	}
	g, err := c.GetGrant(ctx, id)
	if errors.Is(err, access.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	switch g.State() {
	case access.GrantRevoked, access.GrantExpired:
		return nil
	}
	return fmt.Errorf("resivo: key %q already has grant %s: %w", key, id, access.ErrConflict)
}

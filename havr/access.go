package havr

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/doorkit/doorkit/access"
)

// Havr locks open from the phone with a K token, not from the API, so
// *Client lists doors and grants access but is not an access.DoorOpener.
var (
	_ access.DoorLister = (*Client)(nil)
	_ access.Granter    = (*Client)(nil)
)

// Vendor is the name Havr doors and grants carry in access.Door.Vendor.
const Vendor = "havr"

// rollbackTimeout bounds the clean-up of a grant that failed half-way.
const rollbackTimeout = 30 * time.Second

// doorCapabilities is what every Havr door lock supports through the API:
// grants by emailed link or app key, no remote opening (a phone opens it
// with a K token), no PINs.
var doorCapabilities = access.Capabilities{
	Credentials: []access.CredentialKind{access.CredentialLink, access.CredentialAppKey},
}

// ListDoors returns the door locks the user owns or administers. Site is the
// lock group id, if any; Native holds the DoorLock. Havr does not report
// connectivity, so it is left unknown.
func (c *Client) ListDoors(ctx context.Context) ([]access.Door, error) {
	locks, _, err := c.DoorLocks.List(ctx)
	if err != nil {
		return nil, err
	}
	doors := make([]access.Door, len(locks))
	for i, l := range locks {
		d := access.Door{ID: l.ID.String(), Name: l.Description, Vendor: Vendor, Native: l, Capabilities: doorCapabilities}
		if l.LockGroupID != 0 {
			d.Site = l.LockGroupID.String()
		}
		doors[i] = d
	}
	return doors, nil
}

// CreateGrant gives a holder access to doors for the window, as shared keys.
//
// A holder with a Havr account (Holder.VendorUserID) gets an app key:
// POST /v1/shared_keys with user_list_ids, one key per door. Otherwise the
// holder's email gets a link by email (POST /v1/shared_keys/create_with_link,
// one call per door, since each answers a single key); the credential says
// Havr emailed it and the grant stays pending until the visitor opens the
// link. If a later door fails, the keys already made are deleted and the
// error returned. Havr cannot send SMS or PINs: CredentialPIN and
// CredentialPhone are access.ErrUnsupported.
//
// The grant id lists the shared key ids ("20" or "20,21"). Keys are never
// created twice by a retry: a create is not resent once it may have reached
// Havr.
func (c *Client) CreateGrant(ctx context.Context, req access.GrantRequest) (*access.Grant, error) {
	if err := req.Validate(); err != nil {
		return nil, err
	}
	lockIDs := make([]ID, len(req.DoorIDs))
	for i, id := range req.DoorIDs {
		n, err := strconv.ParseInt(id, 10, 64)
		if err != nil || n <= 0 {
			return nil, access.Invalid(fmt.Sprintf("DoorIDs[%d]", i), fmt.Sprintf("%q is not a Havr door lock id", id))
		}
		lockIDs[i] = ID(n)
	}
	window, notices, err := req.Window.Prepare(time.Now(), time.Second)
	if err != nil {
		return nil, err
	}
	grant := &access.Grant{Key: req.Key, Vendor: Vendor, Holder: req.Holder, Window: window, Notices: notices}

	switch {
	case req.Credential == access.CredentialPIN || req.Credential == access.CredentialPhone:
		return nil, fmt.Errorf("havr: %s credentials: %w", req.Credential, access.ErrUnsupported)
	case req.Holder.VendorUserID != "" && req.Credential != access.CredentialLink:
		return c.grantToUser(ctx, req, lockIDs, grant)
	case req.Holder.Email != "":
		return c.grantByLink(ctx, req, lockIDs, grant)
	default:
		return nil, fmt.Errorf("havr: the holder needs an email (for a link) or a Havr user id: %w", access.ErrUnsupported)
	}
}

func (c *Client) grantToUser(ctx context.Context, req access.GrantRequest, lockIDs []ID, grant *access.Grant) (*access.Grant, error) {
	userID, err := strconv.ParseInt(req.Holder.VendorUserID, 10, 64)
	if err != nil || userID <= 0 {
		return nil, access.Invalid("Holder.VendorUserID", fmt.Sprintf("%q is not a Havr user id", req.Holder.VendorUserID))
	}
	keys, _, err := c.SharedKeys.Create(ctx, SharedKeyRequest{
		UserListIDs: []ID{ID(userID)},
		LockListIDs: lockIDs,
		StartDate:   At(grant.Window.Start),
		EndDate:     At(grant.Window.End),
	})
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(keys))
	native := make([]SharedKey, len(keys))
	for i, k := range keys {
		ids[i], native[i] = k.ID.String(), k.SharedKey
		grant.Doors = append(grant.Doors, access.DoorAccess{DoorID: k.DoorLockID.String(), State: access.GrantActive,
			Credential: access.Credential{Kind: access.CredentialAppKey, Delivery: "in the holder's Havr app"},
			VendorID:   k.ID.String()})
	}
	grant.ID = strings.Join(ids, ",")
	grant.Native = native
	if req.Label != "" {
		grant.Notices = append(grant.Notices, access.Notice{Code: access.NoticeLabelDropped, Field: "Label",
			Message: "label not stored: Havr shared keys to users have no note"})
	}
	return grant, nil
}

func (c *Client) grantByLink(ctx context.Context, req access.GrantRequest, lockIDs []ID, grant *access.Grant) (*access.Grant, error) {
	var made []SharedKey
	for _, lockID := range lockIDs {
		key, _, err := c.SharedKeys.CreateWithLink(ctx, SharedKeyLinkRequest{
			Email:       req.Holder.Email,
			LockListIDs: []ID{lockID},
			StartDate:   At(grant.Window.Start),
			EndDate:     At(grant.Window.End),
			Note:        req.Label,
		})
		if err != nil {
			return nil, errors.Join(err, c.rollback(made))
		}
		made = append(made, *key)
	}
	ids := make([]string, len(made))
	for i, k := range made {
		ids[i] = k.ID.String()
		state := access.GrantPending
		if k.ExistingStatus == StatusActive {
			state = access.GrantActive
		}
		grant.Doors = append(grant.Doors, access.DoorAccess{DoorID: k.DoorLockID.String(), State: state,
			Credential: access.Credential{Kind: access.CredentialLink, Delivery: "link emailed by Havr",
				DeliveredTo: []string{req.Holder.Email}},
			VendorID: k.ID.String()})
	}
	grant.ID = strings.Join(ids, ",")
	grant.Native = made
	if req.Holder.Phone != "" {
		grant.Notices = append(grant.Notices, access.Notice{Code: access.NoticeSMSDropped, Field: "Holder.Phone",
			Message: "SMS skipped: Havr delivers links by email only"})
	}
	return grant, nil
}

// rollback deletes keys made before a failure, with a fresh context so a
// cancelled caller does not leave half a grant behind.
func (c *Client) rollback(keys []SharedKey) error {
	if len(keys) == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), rollbackTimeout)
	defer cancel()
	var errs []error
	for _, k := range keys {
		if _, err := c.SharedKeys.Delete(ctx, k.ID); err != nil && !errors.Is(err, access.ErrNotFound) {
			errs = append(errs, fmt.Errorf("havr: rolling back shared key %d: %w", k.ID, err))
		}
	}
	return errors.Join(errs...)
}

// RevokeGrant deletes the grant's shared keys: DELETE /v1/shared_keys/:id
// for one, POST /v1/shared_keys/delete_multiple_shared_keys for several. A
// grant already revoked is access.ErrNotFound.
func (c *Client) RevokeGrant(ctx context.Context, grantID string) error {
	if grantID == "" {
		return access.Invalid("grantID", "is required")
	}
	parts := strings.Split(grantID, ",")
	ids := make([]ID, len(parts))
	for i, p := range parts {
		n, err := strconv.ParseInt(strings.TrimSpace(p), 10, 64)
		if err != nil || n <= 0 {
			return access.Invalid("grantID", fmt.Sprintf("%q is not a list of Havr shared key ids", grantID))
		}
		ids[i] = ID(n)
	}
	if len(ids) == 1 {
		_, err := c.SharedKeys.Delete(ctx, ids[0])
		return err
	}
	_, err := c.SharedKeys.DeleteMultiple(ctx, ids)
	return err
}

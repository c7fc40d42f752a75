package havr

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/internal/rest"
)

// SynchronizationService covers synchronization: fetching in one request
// what changed in several models since the last sync, for offline caches.
type SynchronizationService service

// SyncModel names a model to synchronize.
//
// The document types models as integer[] but its example, and its list of
// supported models, send names; the names are followed.
type SyncModel string

// Synchronized models, as the document's example spells them.
const (
	SyncSharedKeys SyncModel = "shared_keys"
	SyncContacts   SyncModel = "contacts"
	SyncLockGroups SyncModel = "lock_groups"
	SyncDoorLocks  SyncModel = "door_locks"
	SyncUsers      SyncModel = "users"
)

func (m SyncModel) validate() error {
	switch m {
	case SyncSharedKeys, SyncContacts, SyncLockGroups, SyncDoorLocks, SyncUsers:
		return nil
	}
	return access.Invalid("Models", fmt.Sprintf("%q is not shared_keys, contacts, lock_groups, door_locks or users", m))
}

// SyncRequest asks for the changes of some models.
type SyncRequest struct {
	Models []SyncModel
	// Since is the last sync date; the zero time asks for everything. It
	// is sent as epoch seconds in a string ("1555231440"), as the
	// document's example does.
	Since time.Time
}

// MarshalJSON writes {"models": [...], "sync_date": "<epoch seconds>"},
// leaving sync_date out when Since is zero.
func (r SyncRequest) MarshalJSON() ([]byte, error) {
	body := struct {
		Models   []SyncModel `json:"models"`
		SyncDate string      `json:"sync_date,omitempty"`
	}{Models: r.Models}
	if !r.Since.IsZero() {
		body.SyncDate = strconv.FormatInt(r.Since.Unix(), 10)
	}
	return json.Marshal(body)
}

// SyncResult holds the active and inactive entries of the synchronized
// models; a model that was not asked for is nil.
//
// The document names the keys "shared_key", "door_lock", "contacts",
// "lock_groups" and "users" and gives one object per key; they are read as
// lists, since a sync returns every changed entry. The shared_keys and
// door_locks spellings of the request's model names are read too.
type SyncResult struct {
	SharedKeys []SharedKey `json:"shared_key"`
	DoorLocks  []DoorLock  `json:"door_lock"`
	Contacts   []Contact   `json:"contacts"`
	LockGroups []LockGroup `json:"lock_groups"`
	Users      []User      `json:"users"`
}

// UnmarshalJSON reads the document's keys and the plural spellings.
func (r *SyncResult) UnmarshalJSON(b []byte) error {
	type documented SyncResult
	var v struct {
		documented
		SharedKeysPlural []SharedKey `json:"shared_keys"`
		DoorLocksPlural  []DoorLock  `json:"door_locks"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*r = SyncResult(v.documented)
	if r.SharedKeys == nil {
		r.SharedKeys = v.SharedKeysPlural
	}
	if r.DoorLocks == nil {
		r.DoorLocks = v.DoorLocksPlural
	}
	return nil
}

// Synchronize returns the entries of the models asked for that changed
// since the last sync date. It only reads, hence the POST is retried like a
// GET.
//
// POST /v1/synchronization
func (s *SynchronizationService) Synchronize(ctx context.Context, req SyncRequest) (*SyncResult, *Response, error) {
	if len(req.Models) == 0 {
		return nil, nil, access.Invalid("Models", "at least one model is required")
	}
	for _, m := range req.Models {
		if err := m.validate(); err != nil {
			return nil, nil, err
		}
	}
	if !req.Since.IsZero() && req.Since.Unix() < 0 {
		return nil, nil, access.Invalid("Since", "is before 1970")
	}
	return do[*SyncResult](ctx, s.client.api, rest.Post("v1/synchronization").WithBody(req).Idempotent())
}

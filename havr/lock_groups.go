package havr

// LockGroupsService covers lock groups: named sets of door locks, with
// sub-groups and an address.
type LockGroupsService service

// LockGroup is a group of door locks.
type LockGroup struct {
	ID             ID            `json:"id"`
	UserID         ID            `json:"user_id"` // the owner
	Description    string        `json:"description"`
	SubGroups      []ID          `json:"sub_groups,omitempty"`
	LockGroupID    ID            `json:"lock_group_id,omitempty"` // the parent group
	LockGroupType  LockGroupType `json:"lock_group_type"`
	Icon           string        `json:"icon,omitempty"`
	AddressStreet  string        `json:"address_street,omitempty"`
	AddressCity    string        `json:"address_city,omitempty"`
	AddressCountry string        `json:"address_country,omitempty"`
	ZipCode        string        `json:"zip_code,omitempty"`
}

// LockGroupType is personal (the default) or business.
type LockGroupType string

// Lock group types.
const (
	LockGroupPersonal LockGroupType = "personal"
	LockGroupBusiness LockGroupType = "business"
)

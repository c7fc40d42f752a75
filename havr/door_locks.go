package havr

// DoorLocksService covers door locks: listing, activation, settings,
// ownership, K tokens and status.
type DoorLocksService service

// DoorLock is a Havr smart lock.
type DoorLock struct {
	ID                ID                `json:"id"`
	LockSerialNumber  string            `json:"lock_serial_number"`
	Description       string            `json:"description"` // the lock's name, at most 40 characters
	UserID            ID                `json:"user_id"`     // the owner
	LisaToken         string            `json:"lisa_token"`
	ExistingStatus    ExistingStatus    `json:"existing_status"`
	SecondaryType     SecondaryType     `json:"secondary_type,omitempty"`
	NbUsers           int               `json:"nb_users"`
	ConfirmationLevel ConfirmationLevel `json:"confirmation_level"`
	LockGroupID       ID                `json:"lock_group_id,omitempty"`
	BatteryLevel      int               `json:"battery_level"`
	LastKTokenID      string            `json:"last_k_token_id"`
	Mode              LockMode          `json:"mode,omitempty"`
}

// SecondaryType says which door a lock is on.
type SecondaryType string

// Secondary types.
const (
	SecondaryMain   SecondaryType = "main"
	SecondaryFront  SecondaryType = "front"
	SecondaryBack   SecondaryType = "back"
	SecondaryGarage SecondaryType = "garage"
	SecondaryRoom   SecondaryType = "room"
)

// ConfirmationLevel says which accesses the owner must confirm.
type ConfirmationLevel int

// Confirmation levels 0..3.
const (
	ConfirmNone      ConfirmationLevel = 0 // all accesses are given without confirmation
	ConfirmAdmin     ConfirmationLevel = 1 // admin accesses need the owner's confirmation
	ConfirmUnlimited ConfirmationLevel = 2 // admin and unlimited accesses need it
	ConfirmAll       ConfirmationLevel = 3 // all accesses need it
)

// LockMode tells whether a lock works offline.
type LockMode string

// Lock modes.
const (
	ModeNormal  LockMode = "normal"
	ModeOffline LockMode = "offline"
)

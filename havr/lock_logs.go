package havr

// LockLogsService covers lock logs: the lock and unlock events of door locks.
type LockLogsService service

// LockLog is one lock event.
type LockLog struct {
	ID             ID             `json:"id"`
	UserID         ID             `json:"user_id,omitempty"`
	DoorLockID     ID             `json:"door_lock_id"`
	DeviceID       ID             `json:"device_id"`
	DoorLockStatus DoorLockStatus `json:"door_lock_status"`
	// Alert is the alert detail. The object example names it "alert", the
	// attribute table "alert_code"; both are read.
	Alert          string `json:"alert,omitempty"`
	AlertCode      string `json:"alert_code,omitempty"`
	EventTimestamp Time   `json:"event_timestamp"`
	LogType        string `json:"log_type"` // the means used, e.g. "flash"
}

// DoorLockStatus is a lock's state in a log.
type DoorLockStatus string

// Door lock statuses; NoInfo appears in status summaries only.
const (
	LockLocked   DoorLockStatus = "locked"
	LockUnlocked DoorLockStatus = "unlocked"
	LockAlert    DoorLockStatus = "alert"
	LockNoInfo   DoorLockStatus = "no_info"
)

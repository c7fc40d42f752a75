package august

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/internal/rest"
)

// Event is a lock event: a webhook call, a push message on the lock's
// pubsubChannel, or an activity-feed item. August publishes no webhook
// body, so Event reads the union of the shapes open clients record (push
// messages: status, doorState, callingUserID, remoteEvent, info; activity
// items: action, deviceID, dateTime or timestamp, callingUser, info) and the
// fields a webhook needs to tie a result to its command (eventID,
// notificationType, lockID, and for PIN commands action, status, userID,
// partnerUserID, slot, state, reason). Every field is optional; unknown
// fields are ignored.
type Event struct {
	EventID          string `json:"eventID,omitempty"`
	ID               string `json:"id,omitempty"` // activity items (4.0.0)
	NotificationType string `json:"notificationType,omitempty"`
	LockID           string `json:"lockID,omitempty"`
	DeviceID         string `json:"deviceID,omitempty"`
	DeviceType       string `json:"deviceType,omitempty"`
	DeviceName       string `json:"deviceName,omitempty"`
	Action           string `json:"action,omitempty"`
	// Status is a lock state (kAugLockState_Unlocked, locked), a bridge
	// state (associated_bridge_online), or a command's outcome (success,
	// failure).
	Status        string        `json:"status,omitempty"`
	DoorState     DoorState     `json:"doorState,omitempty"`
	CallingUserID string        `json:"callingUserID,omitempty"` // a user id, or manuallock, manualunlock, ...
	RemoteEvent   int           `json:"remoteEvent,omitempty"`
	BridgeID      string        `json:"bridgeID,omitempty"`
	BridgeSerial  string        `json:"bridgeSerial,omitempty"`
	Battery       *float64      `json:"battery,omitempty"`
	DateTime      Time          `json:"dateTime"`
	Timestamp     Time          `json:"timestamp"`
	Info          *EventInfo    `json:"info,omitempty"`
	CallingUser   *ActivityUser `json:"callingUser,omitempty"`
	OtherUser     *ActivityUser `json:"otherUser,omitempty"`
	User          *ActivityUser `json:"user,omitempty"`
	House         *struct {
		HouseID   string `json:"houseID"`
		HouseName string `json:"houseName"`
	} `json:"house,omitempty"`
	Entities map[string]string `json:"entities,omitempty"`
	Title    string            `json:"title,omitempty"`
	Icon     string            `json:"icon,omitempty"`

	// PIN command results.
	PIN           access.Secret `json:"pin,omitempty"`
	Slot          int64         `json:"slot,omitempty"`
	UserID        string        `json:"userID,omitempty"`
	PartnerUserID string        `json:"partnerUserID,omitempty"`
	State         string        `json:"state,omitempty"`
	Reason        string        `json:"reason,omitempty"`
	Message       string        `json:"message,omitempty"`
	Error         *EventError   `json:"error,omitempty"`

	// StatusCode and Result are a command's outcome in the shape some
	// senders use: the status the synchronous call would have answered,
	// and "failed" or {"code", "message"}.
	StatusCode int          `json:"statusCode,omitempty"`
	Result     *EventResult `json:"result,omitempty"`
}

// EventResult is an event's "result": a word ("failed", "success", as push
// messages carry it) or an object {"code", "message"}.
type EventResult struct {
	Word    string
	Code    string // a string or a number, as its text
	Message string
}

// UnmarshalJSON reads a string or an object {"code", "message"}.
func (r *EventResult) UnmarshalJSON(b []byte) error {
	*r = EventResult{}
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		return json.Unmarshal(b, &r.Word)
	}
	if string(b) == "null" {
		return nil
	}
	var o errorBody
	if err := json.Unmarshal(b, &o); err != nil {
		return err
	}
	r.Code, r.Message = string(o.Code), o.Message
	return nil
}

// MarshalJSON writes the word, or the object.
func (r EventResult) MarshalJSON() ([]byte, error) {
	if r.Word != "" || (r.Code == "" && r.Message == "") {
		return json.Marshal(r.Word)
	}
	return json.Marshal(struct {
		Code    string `json:"code,omitempty"`
		Message string `json:"message,omitempty"`
	}{r.Code, r.Message})
}

// failed reports whether the result says the command failed: a failure
// word, or a code other than a 2xx status or 0.
func (r *EventResult) failed() bool {
	if r == nil {
		return false
	}
	if failureWord(r.Word) {
		return true
	}
	if r.Code == "" {
		return false
	}
	n, err := strconv.Atoi(r.Code)
	return err != nil || (n != 0 && n/100 != 2)
}

// Succeeded reports whether the event reports a command's success in words
// this package recognises: status "success" or "succeeded", or result
// "success", with no sign of failure (Failed). August documents no result
// body, so any other event is not taken as success.
func (e *Event) Succeeded() bool {
	if failed, _ := e.failed(); failed {
		return false
	}
	return successWord(e.Status) || (e.Result != nil && successWord(e.Result.Word))
}

func successWord(s string) bool {
	s = strings.ToLower(s)
	return s == "success" || s == "succeeded"
}

func failureWord(s string) bool {
	s = strings.ToLower(s)
	return s == "failure" || s == "failed" || s == "error" || strings.HasPrefix(s, "failed_")
}

// EventError is the error of a failed asynchronous command: the status the
// synchronous call would have answered (530 jammed, ...) and August's code
// and message.
type EventError struct {
	Status  int    `json:"status,omitempty"`
	Code    code   `json:"code"`
	Message string `json:"message"`
}

// EventInfo is an event's info: a remote operation's details, or an
// activity's.
type EventInfo struct {
	OperateInfo
	DateLogActionID string `json:"DateLogActionID,omitempty"`
	Remote          bool   `json:"remote,omitempty"`
	Agent           string `json:"agent,omitempty"`
	Keypad          bool   `json:"keypad,omitempty"`
	Mechanical      string `json:"mechanical,omitempty"`
	Crypto          string `json:"crypto,omitempty"`
	DateTime        Time   `json:"dateTime"`
	VideoAvailable  bool   `json:"videoAvailable,omitempty"`
}

// ActivityUser is a user named by an event.
type ActivityUser struct {
	UserID    string          `json:"UserID"`
	FirstName string          `json:"FirstName"`
	LastName  string          `json:"LastName"`
	UserName  string          `json:"UserName,omitempty"`
	PhoneNo   string          `json:"PhoneNo,omitempty"`
	Thumbnail string          `json:"thumbnail,omitempty"`
	ImageInfo json.RawMessage `json:"imageInfo,omitempty"`
}

// EventKind is what an event is about.
type EventKind string

// Event kinds.
const (
	EventOperation     EventKind = "operation"     // lock, unlock, unlatch, door open/closed
	EventBattery       EventKind = "battery"       // battery level or warning
	EventSystemStatus  EventKind = "systemstatus"  // bridge online/offline and the like
	EventConfiguration EventKind = "configuration" // lock settings changed
	EventPINCommand    EventKind = "pincommand"    // the result of a PIN command
	EventOther         EventKind = "other"
)

// Kind classifies the event: by notificationType when the event carries
// one, otherwise by its fields.
func (e *Event) Kind() EventKind {
	switch strings.ToLower(e.NotificationType) {
	case "operation":
		return EventOperation
	case "battery":
		return EventBattery
	case "systemstatus":
		return EventSystemStatus
	case "configuration":
		return EventConfiguration
	case "pincommand", "pin", "accessmgmt":
		return EventPINCommand
	}
	switch {
	case isPINAction(e.Action) && (e.PIN != "" || e.Slot != 0 || e.PartnerUserID != "" || e.State != ""):
		return EventPINCommand
	case strings.HasPrefix(e.Status, "associated_bridge_") || strings.Contains(e.Action, "bridge_"):
		return EventSystemStatus
	case e.Battery != nil:
		return EventBattery
	case e.operation() != "":
		return EventOperation
	}
	return EventOther
}

func isPINAction(a string) bool {
	switch PINAction(a) {
	case PINActionLoad, PINActionUpdate, PINActionDelete, PINActionDisable, PINActionEnable, "masterpin":
		return true
	}
	return false
}

// Lock returns the id of the lock the event is about.
func (e *Event) Lock() string {
	switch {
	case e.LockID != "":
		return e.LockID
	case e.Info != nil && e.Info.LockID != "":
		return e.Info.LockID
	case e.DeviceType == "" || e.DeviceType == "lock":
		return e.DeviceID
	}
	return ""
}

// operation returns the lock operation the event reports: lock, unlock or
// unlatch, or "".
func (e *Event) operation() string {
	for _, v := range []string{e.Action, e.infoAction(), e.Status} {
		st := LockState(v).Normalize()
		if st == LockState(v) {
			// Activity actions carry the source: remote_unlock, pin_lock.
			lower := strings.ToLower(v)
			for _, p := range []string{"remote_", "manual_", "pin_", "auto_", "linked_", "homekey_", "rf_", "finger_", "keypad_", "bluetooth_"} {
				lower = strings.TrimPrefix(lower, p)
			}
			st = LockState(lower).Normalize()
		}
		switch st {
		case LockLocked, LockLocking:
			return "lock"
		case LockUnlocked, LockUnlocking:
			return "unlock"
		case LockUnlatched, LockUnlatching:
			return "unlatch"
		}
	}
	return ""
}

func (e *Event) infoAction() string {
	if e.Info == nil {
		return ""
	}
	return e.Info.Action
}

// Failed reports whether the event reports a failed command, and why: an
// error object, a failure status (failure, failed, error, FAILED_...), a
// statusCode outside 2xx, or a failed result.
func (e *Event) Failed() (bool, string) {
	failed, reason := e.failed()
	// August may name the PIN in its words ("PIN 482913 already exists").
	return failed, rest.ScrubText(reason, e.PIN.Reveal())
}

func (e *Event) failed() (bool, string) {
	reason := e.Reason
	if reason == "" {
		reason = e.Message
	}
	if e.Error != nil {
		if reason == "" {
			reason = e.Error.Message
		}
		if reason == "" {
			reason = "error " + string(e.Error.Code)
		}
		return true, reason
	}
	resultFailed := e.Result.failed()
	if resultFailed && reason == "" {
		reason = e.Result.Message
	}
	switch {
	case failureWord(e.Status):
		if reason == "" {
			reason = e.Status
		}
	case e.StatusCode != 0 && e.StatusCode/100 != 2:
		if reason == "" {
			reason = "status " + strconv.Itoa(e.StatusCode)
		}
	case resultFailed:
		if reason == "" {
			reason = "result " + e.Result.Word + e.Result.Code
		}
	default:
		return false, ""
	}
	return true, reason
}

// WaitKey names the result a caller waits for: a PIN command on a lock for
// a user, or a remote operation on a lock. Make one with PINKey or
// OperationKey.
type WaitKey struct {
	LockID string
	Kind   EventKind
	Action string
	User   string // partnerUserID or userID, for PIN commands
}

// PINKey is the key of a PIN command's result: the lock, the action and
// the PIN's partnerUserID (or userID).
func PINKey(lockID string, action PINAction, partnerUserID string) WaitKey {
	return WaitKey{LockID: lockID, Kind: EventPINCommand, Action: string(action), User: partnerUserID}
}

// OperationKey is the key of a remote operation's result: the lock and the
// command (lock, unlock or unlatch).
func OperationKey(lockID string, command Command) WaitKey {
	return WaitKey{LockID: lockID, Kind: EventOperation, Action: string(command)}
}

// keys returns the wait keys the event satisfies.
func (e *Event) keys() []WaitKey {
	lock := e.Lock()
	if lock == "" {
		return nil
	}
	switch e.Kind() {
	case EventPINCommand:
		var ks []WaitKey
		for _, u := range []string{e.PartnerUserID, e.UserID} {
			if u != "" {
				ks = append(ks, WaitKey{LockID: lock, Kind: EventPINCommand, Action: e.Action, User: u})
			}
		}
		return ks
	case EventOperation:
		if op := e.operation(); op != "" {
			return []WaitKey{{LockID: lock, Kind: EventOperation, Action: op}}
		}
		if failed, _ := e.Failed(); failed && e.Action != "" {
			return []WaitKey{{LockID: lock, Kind: EventOperation, Action: e.Action}}
		}
	}
	return nil
}

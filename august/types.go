package august

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/doorkit/doorkit/internal/rest"
)

// Time is a time in an August answer. August sends ISO-8601 UTC with
// milliseconds, and epoch milliseconds in activities; a value that parses
// as neither (recorded answers carry redacted dates such as
// "2000-00-00T00:00:00.447Z") decodes as the zero time with its text kept in
// Raw, rather than failing the whole answer.
type Time struct {
	time.Time
	Raw string // the value as sent, when it did not parse
}

// UnmarshalJSON reads an ISO-8601 string, epoch milliseconds, null or "".
func (t *Time) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	*t = Time{}
	switch {
	case len(b) == 0 || string(b) == "null":
		return nil
	case b[0] == '"':
		s, err := unquote(b)
		if err != nil {
			return err
		}
		if s == "" {
			return nil
		}
		if v, err := time.Parse(time.RFC3339Nano, s); err == nil {
			t.Time = v
			return nil
		}
		t.Raw = s
		return nil
	default:
		ms, err := strconv.ParseFloat(string(b), 64)
		if err != nil {
			t.Raw = string(b)
			return nil
		}
		t.Time = time.UnixMilli(int64(ms)).UTC()
		return nil
	}
}

// MarshalJSON writes the time as ISO-8601 UTC with milliseconds, or the
// Raw text, or null.
func (t Time) MarshalJSON() ([]byte, error) {
	switch {
	case !t.Time.IsZero():
		if err := rest.CheckTime("time", t.Time); err != nil {
			return nil, err
		}
		return json.Marshal(t.UTC().Format("2006-01-02T15:04:05.000Z07:00"))
	case t.Raw != "":
		return json.Marshal(t.Raw)
	}
	return []byte("null"), nil
}

// LockState is a lock's bolt state. August spells it in several families:
// plain words in lock info and push messages (locked, unlocked, unknown,
// unknown_error_during_connect), kAugLockState_* in remote operate answers,
// and others (not_advertising, FAILED_BRIDGE_ERROR_LOCK_JAMMED). Unknown
// values are kept as sent; Normalize maps the known spellings.
type LockState string

// Normalised lock states.
const (
	LockLocked     LockState = "locked"
	LockUnlocked   LockState = "unlocked"
	LockUnlatched  LockState = "unlatched"
	LockLocking    LockState = "locking"
	LockUnlocking  LockState = "unlocking"
	LockUnlatching LockState = "unlatching"
	LockSecureMode LockState = "secure_mode"
	LockJammed     LockState = "jammed"
	LockUnknown    LockState = "unknown"
)

// Normalize returns the state in this package's spelling, or the value as
// sent when it is not a known one.
func (s LockState) Normalize() LockState {
	v := strings.TrimPrefix(string(s), "kAugLockState_")
	switch strings.ToLower(v) {
	case "locked", "lock":
		return LockLocked
	case "unlocked", "unlock":
		return LockUnlocked
	case "unlatched", "unlatch":
		return LockUnlatched
	case "locking":
		return LockLocking
	case "unlocking":
		return LockUnlocking
	case "unlatching":
		return LockUnlatching
	case "securemode":
		return LockSecureMode
	case "failed_bridge_error_lock_jammed", "jammed":
		return LockJammed
	case "unknown", "unknownstaticposition":
		return LockUnknown
	}
	return s
}

// DoorState is the door's state from DoorSense: plain (closed, open, init,
// or "" when DoorSense is off), kAugDoorState_* (remote operate) or
// kAugLockDoorState_* (lock status). Unknown values are kept as sent.
type DoorState string

// Normalised door states.
const (
	DoorClosed DoorState = "closed"
	DoorOpen   DoorState = "open"
	DoorInit   DoorState = "init" // DoorSense not set up
)

// Normalize returns the state as closed, open or init, "" when absent, or
// the value as sent when it is not a known one.
func (d DoorState) Normalize() DoorState {
	v := string(d)
	v = strings.TrimPrefix(v, "kAugLockDoorState_")
	v = strings.TrimPrefix(v, "kAugDoorState_")
	switch strings.ToLower(v) {
	case "closed":
		return DoorClosed
	case "open":
		return DoorOpen
	case "init":
		return DoorInit
	}
	return d
}

// AccessType says when a PIN works. Commands send always, recurring,
// temporary or oneTime; answers spell oneTime "one-time", which decodes as
// AccessOneTime. Other values are kept as sent.
type AccessType string

// Access types of PIN commands.
const (
	AccessAlways    AccessType = "always"
	AccessRecurring AccessType = "recurring"
	AccessTemporary AccessType = "temporary"
	AccessOneTime   AccessType = "oneTime"
)

// UnmarshalJSON maps the answers' "one-time" to AccessOneTime.
func (a *AccessType) UnmarshalJSON(b []byte) error {
	s, err := unquote(b)
	if err != nil {
		return err
	}
	if s == "one-time" {
		s = string(AccessOneTime)
	}
	*a = AccessType(s)
	return nil
}

func (a AccessType) valid() bool {
	switch a {
	case AccessAlways, AccessRecurring, AccessTemporary, AccessOneTime:
		return true
	}
	return false
}

// AccessTimes is the window of a temporary or one-time PIN, sent as
// "DTSTART=<ISO UTC>;DTEND=<ISO UTC>" (seconds resolution).
type AccessTimes struct {
	Start, End time.Time
}

const accessTimeLayout = "2006-01-02T15:04:05Z"

// String returns the DTSTART/DTEND form.
func (a AccessTimes) String() string {
	return "DTSTART=" + a.Start.UTC().Format(accessTimeLayout) + ";DTEND=" + a.End.UTC().Format(accessTimeLayout)
}

// MarshalJSON writes the DTSTART/DTEND string.
func (a AccessTimes) MarshalJSON() ([]byte, error) {
	for _, t := range []time.Time{a.Start, a.End} {
		if err := rest.CheckTime("accessTimes", t); err != nil {
			return nil, err
		}
	}
	return json.Marshal(a.String())
}

// ParseAccessTimes reads "DTSTART=...;DTEND=..." as sent in commands.
// Answers carry an ISO timestamp or a VCAL string instead (see
// PIN.AccessTimes), which this does not read.
func ParseAccessTimes(s string) (AccessTimes, bool) {
	var a AccessTimes
	var okStart, okEnd bool
	for _, part := range strings.Split(s, ";") {
		k, v, found := strings.Cut(part, "=")
		if !found {
			continue
		}
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			return AccessTimes{}, false
		}
		switch strings.ToUpper(k) {
		case "DTSTART":
			a.Start, okStart = t, true
		case "DTEND":
			a.End, okEnd = t, true
		}
	}
	return a, okStart && okEnd
}

// unquote reads a JSON string the decoder has already validated, without
// decoding it again when it has no escapes.
func unquote(b []byte) (string, error) {
	if len(b) >= 2 && b[0] == '"' && b[len(b)-1] == '"' && bytes.IndexByte(b, '\\') < 0 {
		return string(b[1 : len(b)-1]), nil
	}
	var s string
	err := json.Unmarshal(b, &s)
	return s, err
}

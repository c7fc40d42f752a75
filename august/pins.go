package august

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"time"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/internal/rest"
)

// PINsService covers entry codes on locks with a keypad (Yale locks with a
// built-in keypad, August locks with a smart keypad): listing, the
// asynchronous load/update/delete/disable/enable commands, reserving and
// releasing PINs, the master PIN and PIN transfer.
//
// PIN commands are asynchronous: August answers at once and POSTs each
// command's result to the request's webhook (see WebhookHandler). A lock
// holds at most 240 PINs. Change a PIN's digits by delete then load.
type PINsService service

// PIN is an entry code on a lock. PIN is a string (leading zeros); Slot
// needs 64 bits; AccessTimes is as August answers it (an ISO timestamp or a
// VCAL string, not the DTSTART/DTEND form commands send).
type PIN struct {
	ID               string        `json:"_id"`
	Type             string        `json:"type,omitempty"` // "pin"
	LockID           string        `json:"lockID"`
	UserID           string        `json:"userID"`
	State            string        `json:"state"` // e.g. loaded, in-use
	PIN              access.Secret `json:"pin"`
	Slot             int64         `json:"slot"`
	AccessType       AccessType    `json:"accessType"`
	AccessStartTime  Time          `json:"accessStartTime"`
	AccessEndTime    Time          `json:"accessEndTime"`
	AccessTimes      string        `json:"accessTimes,omitempty"`
	AccessRecurrence string        `json:"accessRecurrence,omitempty"`
	Schedule         string        `json:"schedule,omitempty"`
	CallingUserID    string        `json:"callingUserID,omitempty"`
	APIKey           access.Secret `json:"apiKey,omitempty"`
	CreatedAt        Time          `json:"createdAt"`
	UpdatedAt        Time          `json:"updatedAt"`
	LoadedDate       Time          `json:"loadedDate"`
	FirstName        string        `json:"firstName"`
	LastName         string        `json:"lastName"`
	PartnerUserID    string        `json:"partnerUserID,omitempty"`
	Unverified       bool          `json:"unverified"`
}

// PINState names the lists of a PIN listing.
type PINState string

// The lists of GET /locks/:lockID/pins.
const (
	PINCreated   PINState = "created"
	PINLoaded    PINState = "loaded"
	PINDisabled  PINState = "disabled"
	PINDisabling PINState = "disabling"
	PINEnabling  PINState = "enabling"
	PINDeleting  PINState = "deleting"
	PINUpdating  PINState = "updating"
)

// PINStates lists the PIN states in the order August lists them.
var PINStates = []PINState{PINCreated, PINLoaded, PINDisabled, PINDisabling, PINEnabling, PINDeleting, PINUpdating}

// PINList is a lock's PINs by state. Any list may be missing from an
// answer (recorded ones carry only "loaded"). Lists under names August does
// not document are kept in Other, by name, so that no PIN of the answer is
// lost: a PIN in a state the client does not know is still on the lock.
type PINList struct {
	Created   []PIN `json:"created,omitempty"`
	Loaded    []PIN `json:"loaded,omitempty"`
	Disabled  []PIN `json:"disabled,omitempty"`
	Disabling []PIN `json:"disabling,omitempty"`
	Enabling  []PIN `json:"enabling,omitempty"`
	Deleting  []PIN `json:"deleting,omitempty"`
	Updating  []PIN `json:"updating,omitempty"`
	// Other holds the lists under undocumented names; in JSON they stand
	// beside the documented ones, as August sends them.
	Other map[PINState][]PIN `json:"other,omitempty"`
}

// UnmarshalJSON reads the documented lists into their fields and any
// other list into Other. A member that is not a list of PINs is an error.
func (l *PINList) UnmarshalJSON(b []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	*l = PINList{}
	for name, v := range raw {
		var pins []PIN
		if err := json.Unmarshal(v, &pins); err != nil {
			return fmt.Errorf("august: PIN list %q: %w", name, err)
		}
		if dst := l.list(PINState(name)); dst != nil {
			*dst = pins
			continue
		}
		if l.Other == nil {
			l.Other = map[PINState][]PIN{}
		}
		l.Other[PINState(name)] = pins
	}
	return nil
}

// MarshalJSON writes every list, Other's beside the documented ones.
func (l PINList) MarshalJSON() ([]byte, error) {
	out := make(map[PINState][]PIN, len(PINStates)+len(l.Other))
	for st, pins := range l.Other {
		out[st] = pins
	}
	for _, st := range PINStates {
		if pins := l.ByState(st); pins != nil {
			out[st] = pins
		}
	}
	return json.Marshal(out)
}

// list returns the field of a documented state, or nil.
func (l *PINList) list(state PINState) *[]PIN {
	switch state {
	case PINCreated:
		return &l.Created
	case PINLoaded:
		return &l.Loaded
	case PINDisabled:
		return &l.Disabled
	case PINDisabling:
		return &l.Disabling
	case PINEnabling:
		return &l.Enabling
	case PINDeleting:
		return &l.Deleting
	case PINUpdating:
		return &l.Updating
	}
	return nil
}

// Known reports whether August documents the state.
func (s PINState) Known() bool { return slices.Contains(PINStates, s) }

// ByState returns the PINs in one state's list, Other's included.
func (l *PINList) ByState(state PINState) []PIN {
	if l == nil {
		return nil
	}
	if dst := l.list(state); dst != nil {
		return *dst
	}
	return l.Other[state]
}

// StatePIN is a PIN with the listing state it was found in.
type StatePIN struct {
	ListState PINState
	PIN
}

// All returns every PIN with its listing state, in PINStates order, then
// those of Other by the list's name.
func (l *PINList) All() []StatePIN {
	var out []StatePIN
	if l == nil {
		return nil
	}
	states := slices.Concat(PINStates, slices.Sorted(maps.Keys(l.Other)))
	for _, st := range states {
		for _, p := range l.ByState(st) {
			out = append(out, StatePIN{ListState: st, PIN: p})
		}
	}
	return out
}

// List returns the PINs on a lock, by state.
//
// GET /locks/:lockID/pins
func (s *PINsService) List(ctx context.Context, lockID string, opts ...CallOption) (*PINList, *Response, error) {
	if err := checkLockID(lockID); err != nil {
		return nil, nil, err
	}
	return do[*PINList](ctx, s.client.api, apply(rest.Get(routePINs, lockID), opts))
}

// PINAction is the action of a PIN command.
type PINAction string

// PIN command actions.
const (
	PINActionLoad    PINAction = "load"
	PINActionUpdate  PINAction = "update"
	PINActionDelete  PINAction = "delete"
	PINActionDisable PINAction = "disable"
	PINActionEnable  PINAction = "enable"
)

// PINCommand is one command of POST /locks/:lockID/pins. August's load
// example requires action, pin, accessType, firstName, lastName and
// partnerUserID; temporary and one-time PINs need AccessTimes, recurring
// ones AccessRecurrence (an RRULE).
type PINCommand struct {
	Action           PINAction     `json:"action"`
	PIN              access.Secret `json:"pin"`
	AccessType       AccessType    `json:"accessType,omitempty"`
	AccessTimes      *AccessTimes  `json:"accessTimes,omitempty"`
	AccessRecurrence string        `json:"accessRecurrence,omitempty"`
	Schedule         string        `json:"schedule,omitempty"` // iCal
	FirstName        string        `json:"firstName,omitempty"`
	LastName         string        `json:"lastName,omitempty"`
	PartnerUserID    string        `json:"partnerUserID,omitempty"`
	// UserID is the PIN's user, which August assigns once a load has
	// completed (the PIN listing's userID). A delete names the PIN by it
	// and by the PIN itself.
	UserID string `json:"userID,omitempty"`
}

// PINCommandsRequest is the body of POST /locks/:lockID/pins. Webhook is
// where August POSTs each command's result.
type PINCommandsRequest struct {
	Commands []PINCommand `json:"commands"`
	Webhook  string       `json:"webhook"`
	// Rules are the lock's PIN rules where the caller knows them (from
	// lock info and device capabilities); they are checked, not sent.
	Rules *PINRules `json:"-"`
}

// PINRules are what a lock accepts, checked before a command is sent.
type PINRules struct {
	// LockType is lock info's Type. Type-1 locks take accessType
	// "always" only.
	LockType int
	// MinLength and MaxLength bound the PIN's digits (keypad capabilities
	// pinLengthMin and pinLengthMax); zero means DefaultPINMinLength and
	// DefaultPINMaxLength.
	MinLength, MaxLength int
}

// PIN lengths assumed when the lock's are not known.
const (
	DefaultPINMinLength = 4
	DefaultPINMaxLength = 8
)

// MaxPINsPerLock is how many PINs August keeps on one lock.
const MaxPINsPerLock = 240

func (r *PINRules) lengths() (int, int) {
	lo, hi := DefaultPINMinLength, DefaultPINMaxLength
	if r != nil && r.MinLength > 0 {
		lo = r.MinLength
	}
	if r != nil && r.MaxLength > 0 {
		hi = r.MaxLength
	}
	return lo, hi
}

// ValidatePIN checks that pin is digits of a length rules allow (nil: the
// default lengths); the error matches access.ErrInvalid.
func ValidatePIN(pin string, rules *PINRules) error {
	lo, hi := rules.lengths()
	if len(pin) < lo || len(pin) > hi {
		return access.Invalid("pin", fmt.Sprintf("must have %d to %d digits", lo, hi))
	}
	for _, r := range pin {
		if r < '0' || r > '9' {
			return access.Invalid("pin", "must be digits only")
		}
	}
	return nil
}

func (r PINCommandsRequest) validate() error {
	if len(r.Commands) == 0 {
		return access.Invalid("commands", "at least one command is required")
	}
	if err := checkWebhookURL("webhook", r.Webhook, false); err != nil {
		return err
	}
	seen := map[string]bool{}
	for i, c := range r.Commands {
		field := fmt.Sprintf("commands[%d]", i)
		if err := c.validate(field, r.Rules); err != nil {
			return err
		}
		key := string(c.Action) + "\x00" + c.PIN.Reveal()
		if seen[key] {
			return access.Invalid(field+".pin", "the same PIN appears twice with the same action")
		}
		seen[key] = true
	}
	return nil
}

func (c PINCommand) validate(field string, rules *PINRules) error {
	switch c.Action {
	case PINActionLoad, PINActionUpdate, PINActionDelete, PINActionDisable, PINActionEnable:
	default:
		return access.Invalid(field+".action", fmt.Sprintf("%q is not load, update, delete, disable or enable", c.Action))
	}
	if err := ValidatePIN(c.PIN.Reveal(), rules); err != nil {
		return &access.InvalidError{Field: field + ".pin", Reason: err.(*access.InvalidError).Reason}
	}
	for name, v := range map[string]string{"firstName": c.FirstName, "lastName": c.LastName, "partnerUserID": c.PartnerUserID} {
		if err := checkText(field+"."+name, v, c.Action == PINActionLoad); err != nil {
			return err
		}
	}
	if err := checkText(field+".userID", c.UserID, c.Action == PINActionDelete); err != nil {
		return err
	}
	if c.Action != PINActionLoad && c.Action != PINActionUpdate {
		return nil
	}
	if c.AccessType == "" {
		return access.Invalid(field+".accessType", "is required")
	}
	if !c.AccessType.valid() {
		return access.Invalid(field+".accessType", fmt.Sprintf("%q is not always, recurring, temporary or oneTime", c.AccessType))
	}
	if rules != nil && rules.LockType == 1 && c.AccessType != AccessAlways {
		return access.Invalid(field+".accessType", "type-1 locks take \"always\" only")
	}
	switch c.AccessType {
	case AccessAlways:
		if c.AccessTimes != nil || c.AccessRecurrence != "" {
			return access.Invalid(field+".accessTimes", "an always PIN has no access times or recurrence")
		}
	case AccessTemporary, AccessOneTime, AccessRecurring:
		if c.AccessTimes == nil {
			return access.Invalid(field+".accessTimes", fmt.Sprintf("is required for accessType %s", c.AccessType))
		}
		start, end := c.AccessTimes.Start, c.AccessTimes.End
		if start.IsZero() || end.IsZero() {
			return access.Invalid(field+".accessTimes", "DTSTART and DTEND are required")
		}
		for _, t := range []time.Time{start, end} {
			if err := rest.CheckTime(field+".accessTimes", t); err != nil {
				return err
			}
		}
		if !end.UTC().Truncate(1e9).After(start.UTC().Truncate(1e9)) {
			return access.Invalid(field+".accessTimes", "DTEND must be after DTSTART (whole seconds)")
		}
		if c.AccessType == AccessRecurring && c.AccessRecurrence == "" {
			return access.Invalid(field+".accessRecurrence", "is required for accessType recurring")
		}
	}
	return checkText(field+".accessRecurrence", c.AccessRecurrence, false)
}

// Send sends PIN commands to a lock. August answers at once; each command's
// result is POSTed to req.Webhook. The request is never resent once it may
// have reached August: an error matching access.ErrOutcomeUnknown means the
// commands may be running, so look at List before sending them again.
// August answers 409 (access.ErrConflict) for a duplicate PIN or a user
// who already has one.
//
// POST /locks/:lockID/pins
func (s *PINsService) Send(ctx context.Context, lockID string, req PINCommandsRequest, opts ...CallOption) (*Result, *Response, error) {
	if err := checkLockID(lockID); err != nil {
		return nil, nil, err
	}
	if err := req.validate(); err != nil {
		return nil, nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	return doResult(ctx, s.client.api, apply(rest.Post(routePINs, lockID).WithBody(req).Once(), opts))
}

func (s *PINsService) one(ctx context.Context, lockID string, action PINAction, cmd PINCommand, webhook string, rules *PINRules, opts []CallOption) (*Result, *Response, error) {
	cmd.Action = action
	return s.Send(ctx, lockID, PINCommandsRequest{Commands: []PINCommand{cmd}, Webhook: webhook, Rules: rules}, opts...)
}

// Load loads one PIN (cmd.Action is set to load); see Send.
//
// POST /locks/:lockID/pins
func (s *PINsService) Load(ctx context.Context, lockID string, cmd PINCommand, webhook string, rules *PINRules, opts ...CallOption) (*Result, *Response, error) {
	return s.one(ctx, lockID, PINActionLoad, cmd, webhook, rules, opts)
}

// Update changes one PIN's access (type, times, recurrence); see Send.
//
// POST /locks/:lockID/pins
func (s *PINsService) Update(ctx context.Context, lockID string, cmd PINCommand, webhook string, rules *PINRules, opts ...CallOption) (*Result, *Response, error) {
	return s.one(ctx, lockID, PINActionUpdate, cmd, webhook, rules, opts)
}

// Delete deletes one PIN, named by cmd.PIN and cmd.UserID (the PIN's
// user, as the listing shows it once the load has completed); see Send.
//
// POST /locks/:lockID/pins
func (s *PINsService) Delete(ctx context.Context, lockID string, cmd PINCommand, webhook string, opts ...CallOption) (*Result, *Response, error) {
	return s.one(ctx, lockID, PINActionDelete, cmd, webhook, nil, opts)
}

// Disable disables one PIN; see Send.
//
// POST /locks/:lockID/pins
func (s *PINsService) Disable(ctx context.Context, lockID string, cmd PINCommand, webhook string, opts ...CallOption) (*Result, *Response, error) {
	return s.one(ctx, lockID, PINActionDisable, cmd, webhook, nil, opts)
}

// Enable enables one disabled PIN; see Send.
//
// POST /locks/:lockID/pins
func (s *PINsService) Enable(ctx context.Context, lockID string, cmd PINCommand, webhook string, opts ...CallOption) (*Result, *Response, error) {
	return s.one(ctx, lockID, PINActionEnable, cmd, webhook, nil, opts)
}

// ReservedPIN is a PIN reserved for about 3 minutes: load it with Send
// before then, or Release it.
type ReservedPIN struct {
	PIN  access.Secret `json:"pin"`
	Slot int64         `json:"slot"`
}

// Reserve reserves a free PIN on a lock for about 3 minutes. August answers
// 409 (access.ErrConflict) when no slot is left. A reservation is not
// resent once it may have reached August, so a lost answer cannot reserve a
// second PIN.
//
// GET /locks/:lockID/pin
func (s *PINsService) Reserve(ctx context.Context, lockID string, opts ...CallOption) (*ReservedPIN, *Response, error) {
	if err := checkLockID(lockID); err != nil {
		return nil, nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	return do[*ReservedPIN](ctx, s.client.api, apply(rest.Get(routePINReserve, lockID).Once(), opts))
}

// Release releases a reserved PIN. The PIN travels in the path, as August
// designs it; it is passed as a secret, so logs and errors show the path
// with the PIN redacted.
//
// DELETE /locks/:lockID/pin/:pin
func (s *PINsService) Release(ctx context.Context, lockID string, pin access.Secret, opts ...CallOption) (*Result, *Response, error) {
	if err := checkLockID(lockID); err != nil {
		return nil, nil, err
	}
	if err := ValidatePIN(pin.Reveal(), nil); err != nil {
		return nil, nil, err
	}
	return doResult(ctx, s.client.api, apply(rest.Delete(routePINRelease, lockID, pin), opts))
}

// GetMaster returns the lock's master PIN (path INFERRED: not published).
//
// GET /locks/:lockID/masterpin
func (s *PINsService) GetMaster(ctx context.Context, lockID string, opts ...CallOption) (*PIN, *Response, error) {
	if err := checkLockID(lockID); err != nil {
		return nil, nil, err
	}
	return do[*PIN](ctx, s.client.api, apply(rest.Get(routeMasterPIN, lockID), opts))
}

// SetMasterPINRequest is the body of SetMaster. Webhook, an https URL, is
// called when the lock has set the PIN.
type SetMasterPINRequest struct {
	PIN     access.Secret `json:"pin"`
	Webhook string        `json:"webhook,omitempty"`
	Rules   *PINRules     `json:"-"`
}

// SetMaster sets the lock's master PIN (path INFERRED: not published).
//
// PUT /locks/:lockID/masterpin
func (s *PINsService) SetMaster(ctx context.Context, lockID string, req SetMasterPINRequest, opts ...CallOption) (*Result, *Response, error) {
	if err := checkLockID(lockID); err != nil {
		return nil, nil, err
	}
	if err := ValidatePIN(req.PIN.Reveal(), req.Rules); err != nil {
		return nil, nil, err
	}
	if req.Webhook != "" {
		if err := checkWebhookURL("webhook", req.Webhook, true); err != nil {
			return nil, nil, err
		}
	}
	return doResult(ctx, s.client.api, apply(rest.Put(routeMasterPIN, lockID).WithBody(req), opts))
}

// TransferPINRequest is the body of Transfer.
type TransferPINRequest struct {
	OldUserID string `json:"oldUserID"`
	NewUserID string `json:"newUserID"`
}

// Transfer moves an existing PIN on a lock from one user to another (path
// INFERRED: not published). It is not resent once it may have reached
// August: a resent transfer finds the PIN moved and fails, hiding that the
// first one worked; a lost answer is access.ErrOutcomeUnknown instead.
//
// PUT /locks/:lockID/pins/transfer
func (s *PINsService) Transfer(ctx context.Context, lockID string, req TransferPINRequest, opts ...CallOption) (*Result, *Response, error) {
	if err := checkLockID(lockID); err != nil {
		return nil, nil, err
	}
	if err := checkUUID("oldUserID", req.OldUserID); err != nil {
		return nil, nil, err
	}
	if err := checkUUID("newUserID", req.NewUserID); err != nil {
		return nil, nil, err
	}
	return doResult(ctx, s.client.api, apply(rest.Put(routePINTransfer, lockID).WithBody(req).Once(), opts))
}

// checkWebhookURL checks a URL August will call: absolute, http(s) (https
// only when httpsOnly), no fragment.
func checkWebhookURL(field, raw string, httpsOnly bool) error {
	if raw == "" {
		return access.Invalid(field, "is required")
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.Fragment != "" || (u.Scheme != "https" && (httpsOnly || u.Scheme != "http")) {
		want := "an absolute http(s) URL"
		if httpsOnly {
			want = "an absolute https URL"
		}
		return access.Invalid(field, "must be "+want)
	}
	return nil
}

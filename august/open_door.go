package august

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/internal/rest"
)

// ClockSkewAllowance is how far August's clock may run behind this host's
// for OpenDoor to still take a result as its own. An asynchronous unlock is
// answered 202 with an empty body, so nothing names the command: its result
// is known by what the event carries, among it the date August stamps on it
// with its own clock (the operation's info.startTime or context.startDate,
// the event's dateTime or timestamp). OpenDoor reads this host's wall clock
// (time.Now) just before sending the unlock; an event dated earlier than
// that moment less ClockSkewAllowance belongs to an earlier operation.
//
// If this host's clock runs ahead of August's by more than the allowance,
// OpenDoor's own results look too old and it returns
// access.ErrOutcomeUnknown: never a success that did not happen. If it runs
// behind, a remote unlock by the same user dated up to the allowance (plus
// the lag) before the command could be taken for it. Keep the host on NTP.
const ClockSkewAllowance = 30 * time.Second

// OpenDoor unlocks a lock remotely. It is never resent, and it returns nil
// only on evidence that this very unlock opened the lock:
//
//   - with a webhook handler (WithWebhook) and a known user (the access
//     token's userId claim, or WithUserID), it sends an asynchronous unlock
//     and waits at most the confirm timeout (WithConfirmTimeout) for a webhook event that is the
//     command's result: for this lock; a remote operation (remoteEvent,
//     info.remote, a remote_ action or the bridge's transaction), not a
//     manual, keypad (pin_, keypad_) or other local one; naming this
//     client's user (callingUserID, callingUser or user); dated no earlier
//     than the send less ClockSkewAllowance; and saying the lock is
//     unlocked (kAugLockState_Unlocked, unlocked, remote_unlock, or
//     unlatched). In-between states (kAugLockState_Unlocking) and every
//     other event keep it waiting; no such result by the deadline is
//     access.ErrOutcomeUnknown.
//   - otherwise it unlocks synchronously, and the answer's status must say
//     unlocked (or unlatched). A 202, an empty answer, or another status is
//     access.ErrOutcomeUnknown.
//
// Failures: a lock without a bridge is access.ErrUnsupported, one whose
// bridge lock info says is not operative or offline access.ErrUnavailable
// (nothing is sent); a 403 is access.ErrDenied; the lock's own failures
// keep their sentinels (ErrJammed for 530 or FAILED_BRIDGE_ERROR_LOCK_JAMMED,
// ErrLowBattery, ErrBridgeOffline, ...); a 408 (the lock did not answer in
// time) and 560 (disconnected mid-command) are access.ErrOutcomeUnknown. A
// failure result that August does not tie to this command (no user or no
// date) keeps it waiting, since this unlock may still succeed; at the
// deadline the error (access.ErrOutcomeUnknown) names it. A tied failure
// with a status doorkit does not recognise is access.ErrOutcomeUnknown.
//
// PUT /remoteoperate/:lockID/unlock
func (c *Client) OpenDoor(ctx context.Context, doorID string) error {
	if ctx == nil {
		return rest.ErrNilContext
	}
	l, err := c.lockInfo(ctx, doorID)
	if err != nil {
		return err
	}
	if err := checkRemoteOpen(doorID, l); err != nil {
		return err
	}
	user := c.userID
	if user == "" {
		user = c.tokens.userID()
	}
	if c.events == nil || user == "" || c.hook == nil {
		// Without a user no webhook event can be tied to the command, and
		// without a client id to register the lock's webhook under no
		// result is sure to reach the handler; the synchronous answer is
		// tied to the command by the connection.
		res, _, err := c.RemoteOperate.Sync(ctx, doorID, CommandUnlock, nil)
		if err != nil {
			return openError(err)
		}
		return syncUnlockResult(doorID, res)
	}
	if err := c.hook.ensure(ctx, c, doorID); err != nil {
		return err // nothing was unlocked
	}
	m := &unlockMatch{lockID: doorID, userID: user, since: time.Now().Add(-ClockSkewAllowance)}
	p := c.events.ExpectFunc(OperationKey(doorID, CommandUnlock), m.settles)
	defer p.Cancel()
	if _, err := c.RemoteOperate.Async(ctx, doorID, CommandUnlock, nil); err != nil {
		// Results that arrived while the answer was on its way (ctx may
		// have ended: read them on a short context of their own).
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), dispatchTimeout)
		p.seen(rctx)
		cancel()
		if reason := m.untiedFailure(); reason != "" {
			// Seen while the command's answer was on its way.
			return fmt.Errorf("%w (August reported a failure without tying it to this command: %s)", openError(err), reason)
		}
		return openError(err)
	}
	wctx, cancel := context.WithTimeout(ctx, c.confirmWait)
	defer cancel()
	ev, err := p.Wait(wctx)
	if ev == nil {
		if reason := m.untiedFailure(); reason != "" {
			return fmt.Errorf("august: unlock of %s accepted, no result tied to it arrived (August reported a failure without tying it to this command: %s): %w: %w",
				doorID, reason, access.ErrOutcomeUnknown, err)
		}
		return fmt.Errorf("august: unlock of %s accepted, no result tied to it arrived: %w: %w", doorID, access.ErrOutcomeUnknown, err)
	}
	_, err = m.judge(ev)
	return err
}

// syncUnlockResult reads a synchronous unlock's answer.
func syncUnlockResult(doorID string, res *OperateResult) error {
	if res.Pending {
		return fmt.Errorf("august: unlock of %s accepted without a result: %w", doorID, access.ErrOutcomeUnknown)
	}
	switch res.Status.Normalize() {
	case LockUnlocked, LockUnlatched:
		return nil
	case LockJammed:
		return fmt.Errorf("august: unlock of %s answered %s: %w", doorID, res.Status, ErrJammed)
	}
	return fmt.Errorf("august: unlock of %s answered status %q, which does not say unlocked: %w", doorID, res.Status, access.ErrOutcomeUnknown)
}

// unlockMatch decides whether an event is the result of one asynchronous
// unlock: see OpenDoor.
type unlockMatch struct {
	lockID, userID string
	since          time.Time // the send, less ClockSkewAllowance

	mu     sync.Mutex
	untied string // the reason of the last failure not tied to the command
}

func (m *unlockMatch) untiedFailure() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.untied
}

func (m *unlockMatch) settles(ev *Event) bool {
	done, _ := m.judge(ev)
	return done
}

// judge reports whether ev ends the wait, and with what: nil for a result
// that proves the unlock, an error for a failure tied to the command.
// Everything else keeps the wait going: an event that is someone else's
// (another user, a local source, an earlier date), and one that may or may
// not be this command's (no user, no date, no remote mark). A failure of
// the second kind is remembered for the error at the deadline: it may be
// this command's, or another's while this one still succeeds.
func (m *unlockMatch) judge(ev *Event) (bool, error) {
	if ev.Lock() != m.lockID || m.contradicted(ev) {
		return false, nil
	}
	tied := ev.remote() && len(ev.userIDs()) > 0 && len(ev.dates()) > 0
	if failed, reason := ev.Failed(); failed {
		if !tied {
			m.mu.Lock()
			m.untied = reason
			m.mu.Unlock()
			return false, nil
		}
		return true, eventError(m.lockID, ev)
	}
	if !tied {
		return false, nil
	}
	switch ev.lockState() {
	case LockUnlocked, LockUnlatched:
		return true, nil
	}
	return false, nil // in between (unlocking) or not a state this knows
}

// contradicted reports an event that says it is not this command's
// result: a local source, another user, or a date before the send.
func (m *unlockMatch) contradicted(ev *Event) bool {
	if ev.localSource() {
		return true
	}
	for _, id := range ev.userIDs() {
		if !strings.EqualFold(id, m.userID) { // UUIDs, whatever their case
			return true
		}
	}
	for _, t := range ev.dates() {
		if t.Before(m.since) {
			return true
		}
	}
	return false
}

// localSources are the action prefixes of operations done at the lock
// rather than by a remote command (activity actions and push messages).
var localSources = []string{"manual_", "pin_", "keypad_", "auto_", "linked_", "homekey_", "rf_", "finger_", "bluetooth_"}

// localSource reports an operation done at the lock: by hand, by keypad,
// by the lock itself.
func (e *Event) localSource() bool {
	for _, v := range []string{e.Action, e.Status, e.infoAction()} {
		v = strings.ToLower(v)
		for _, p := range localSources {
			if strings.HasPrefix(v, p) {
				return true
			}
		}
	}
	if strings.HasPrefix(strings.ToLower(e.CallingUserID), "manual") { // manualunlock, manuallock
		return true
	}
	return e.Info != nil && e.Info.Keypad
}

// remote reports an operation made through the bridge on a remote command.
func (e *Event) remote() bool {
	if e.RemoteEvent != 0 {
		return true
	}
	if e.Info != nil && (e.Info.Remote || e.Info.Context.TransactionID != "") {
		return true
	}
	for _, v := range []string{e.Action, e.infoAction()} {
		if strings.HasPrefix(strings.ToLower(v), "remote_") {
			return true
		}
	}
	return false
}

// userIDs returns the users the event names as the one who operated.
func (e *Event) userIDs() []string {
	var ids []string
	if e.CallingUserID != "" && !strings.HasPrefix(strings.ToLower(e.CallingUserID), "manual") {
		ids = append(ids, e.CallingUserID)
	}
	for _, u := range []*ActivityUser{e.CallingUser, e.User} {
		if u != nil && u.UserID != "" {
			ids = append(ids, u.UserID)
		}
	}
	return ids
}

// dates returns the dates the event carries, all on August's clock.
func (e *Event) dates() []time.Time {
	ts := []Time{e.DateTime, e.Timestamp}
	if e.Info != nil {
		ts = append(ts, e.Info.DateTime, e.Info.StartTime, e.Info.Context.StartDate, e.Info.Context.StartTime)
	}
	var out []time.Time
	for _, t := range ts {
		if !t.IsZero() {
			out = append(out, t.Time)
		}
	}
	return out
}

// lockState is the state the event reports the lock in: its status, else
// its action as an activity records it (remote_unlock).
func (e *Event) lockState() LockState {
	v := e.Status
	if v == "" {
		v = strings.TrimPrefix(strings.ToLower(e.Action), "remote_")
	}
	return LockState(v).Normalize()
}

// eventError turns a failed result of an unlock into an error: an *Error
// for a status August documents for remote operate, ErrJammed for a jammed
// lock state, else access.ErrOutcomeUnknown.
func eventError(doorID string, ev *Event) error {
	_, reason := ev.Failed()
	if status, code, msg := ev.failureStatus(); status != 0 {
		e := &Error{StatusCode: status, Method: "PUT", Path: "/remoteoperate/" + doorID + "/unlock", Code: code, Message: msg}
		if e.Message == "" {
			e.Message = reason
		}
		e.Kind = kindOf(e.StatusCode, e.Code, e.Path)
		switch {
		case status == 403:
			return &deniedError{err: e}
		case e.Kind == KindLockUnavailable:
			return &rest.OutcomeUnknownError{Err: e}
		case e.Kind != "":
			return e
		}
	}
	if LockState(ev.Status).Normalize() == LockJammed {
		return fmt.Errorf("august: unlock of %s failed: %s: %w", doorID, reason, ErrJammed)
	}
	return fmt.Errorf("august: unlock of %s failed: %s: %w", doorID, reason, access.ErrOutcomeUnknown)
}

// failureStatus returns the HTTP status a failed event carries (its error,
// its statusCode, or a numeric result code), with August's code and
// message; status 0 when it carries none. Error code 98 alone is the
// bridge-offline 422.
func (e *Event) failureStatus() (status int, code, message string) {
	if e.Error != nil {
		status, code, message = e.Error.Status, string(e.Error.Code), e.Error.Message
		if status == 0 && code == "98" {
			status = 422
		}
		if status != 0 {
			return status, code, message
		}
	}
	if e.Result != nil {
		code, message = e.Result.Code, e.Result.Message
	}
	if e.StatusCode != 0 && e.StatusCode/100 != 2 {
		return e.StatusCode, code, message
	}
	if n, err := strconv.Atoi(code); err == nil && n >= 400 {
		return n, code, message
	}
	return 0, "", ""
}

// openError adds access.ErrDenied to a refusal.
func openError(err error) error {
	var aerr *Error
	if errors.As(err, &aerr) && aerr.StatusCode == 403 {
		return &deniedError{err: err}
	}
	return err
}

type deniedError struct{ err error }

func (e *deniedError) Error() string        { return e.err.Error() }
func (e *deniedError) Unwrap() error        { return e.err }
func (e *deniedError) Is(target error) bool { return target == access.ErrDenied }

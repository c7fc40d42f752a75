package havr

import (
	"context"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/internal/rest"
)

// DoNotDisturbStatesService covers do-not-disturb states: periods, possibly
// recurrent, during which a door lock is not to be disturbed. A state asked
// for by a user who neither owns nor administers the lock is pending until
// the lock's owner or an admin answers it.
type DoNotDisturbStatesService service

// DoNotDisturbState is a do-not-disturb period of a door lock.
type DoNotDisturbState struct {
	ID             ID             `json:"id"`
	UserID         ID             `json:"user_id"` // the owner
	DoorLockID     ID             `json:"door_lock_id"`
	Active         bool           `json:"active"`
	Manual         bool           `json:"manual"` // set by a user
	StartDate      Time           `json:"start_date"`
	EndDate        Time           `json:"end_date"` // zero when not set
	Recurrency     Recurrency     `json:"recurrency"`
	ExistingStatus ExistingStatus `json:"existing_status"` // active, pending or deleted
}

// Get returns a do-not-disturb state.
//
// GET /v1/do_not_disturb_states/:do_not_disturb_state_id
func (s *DoNotDisturbStatesService) Get(ctx context.Context, stateID ID) (*DoNotDisturbState, *Response, error) {
	return do[*DoNotDisturbState](ctx, s.client.api, rest.Get("v1/do_not_disturb_states/%v", stateID))
}

// ListForDoorLock returns the do-not-disturb states of a door lock.
//
// POST /v1/do_not_disturb_states/do_not_disturb_states_of_lock
func (s *DoNotDisturbStatesService) ListForDoorLock(ctx context.Context, doorLockID ID) ([]DoNotDisturbState, *Response, error) {
	body := wrap("do_not_disturb_state", map[string]ID{"door_lock_id": doorLockID})
	return do[[]DoNotDisturbState](ctx, s.client.api,
		rest.Post("v1/do_not_disturb_states/do_not_disturb_states_of_lock").WithBody(body).Idempotent())
}

// DoNotDisturbStateRequest creates a do-not-disturb state. Active is always
// sent: the document's table requires it, though its example leaves it out.
//
// The period is checked in whole seconds, Havr's resolution: EndDate must be
// after StartDate once both are truncated. That rule is an assumption; the
// document does not state it.
type DoNotDisturbStateRequest struct {
	DoorLockID ID         `json:"door_lock_id"`
	StartDate  Time       `json:"start_date,omitzero"`
	EndDate    Time       `json:"end_date,omitzero"`
	Recurrency Recurrency `json:"recurrency,omitempty"`
	Active     bool       `json:"active"`
}

// Create creates a do-not-disturb state. If the current user neither owns
// nor administers the door lock, the state is sent to the lock's admins for
// approval (see AnswerPending).
//
// POST /v1/do_not_disturb_states
func (s *DoNotDisturbStatesService) Create(ctx context.Context, req DoNotDisturbStateRequest) (*DoNotDisturbState, *Response, error) {
	if req.DoorLockID <= 0 {
		return nil, nil, access.Invalid("DoorLockID", "is required")
	}
	if err := validatePeriod(req.StartDate, req.EndDate, req.Recurrency); err != nil {
		return nil, nil, err
	}
	return do[*DoNotDisturbState](ctx, s.client.api, rest.Post("v1/do_not_disturb_states").WithBody(wrap("do_not_disturb_state", req)))
}

// DoNotDisturbStateUpdate changes a do-not-disturb state; nil fields are
// left as they are.
//
// The period is checked in whole seconds, Havr's resolution: EndDate must be
// after StartDate once both are truncated. That rule is an assumption; the
// document does not state it.
type DoNotDisturbStateUpdate struct {
	StartDate  *Time       `json:"start_date,omitempty"`
	EndDate    *Time       `json:"end_date,omitempty"`
	Recurrency *Recurrency `json:"recurrency,omitempty"`
	Active     *bool       `json:"active,omitempty"`
}

// Update changes a do-not-disturb state. The period is checked when both
// dates are given; otherwise Havr checks it against the dates it holds.
//
// PATCH /v1/do_not_disturb_states/:do_not_disturb_state_id
func (s *DoNotDisturbStatesService) Update(ctx context.Context, stateID ID, req DoNotDisturbStateUpdate) (*DoNotDisturbState, *Response, error) {
	if err := validateSharedKeyPeriodUpdate(req.StartDate, req.EndDate, req.Recurrency); err != nil {
		return nil, nil, err
	}
	return do[*DoNotDisturbState](ctx, s.client.api,
		rest.Patch("v1/do_not_disturb_states/%v", stateID).WithBody(wrap("do_not_disturb_state", req)))
}

// AnswerPending accepts or refuses a pending do-not-disturb state. Only the
// door lock's owner or admins can answer.
//
// POST /v1/do_not_disturb_states/answer_pending_do_not_disturb_state
func (s *DoNotDisturbStatesService) AnswerPending(ctx context.Context, stateID ID, accepted bool) (*DoNotDisturbState, *Response, error) {
	body := wrap("do_not_disturb_state", map[string]any{"do_not_disturb_state_id": stateID, "accepted": accepted})
	return do[*DoNotDisturbState](ctx, s.client.api,
		rest.Post("v1/do_not_disturb_states/answer_pending_do_not_disturb_state").WithBody(body))
}

// Delete deletes a do-not-disturb state.
//
// DELETE /v1/do_not_disturb_states/:do_not_disturb_state_id
func (s *DoNotDisturbStatesService) Delete(ctx context.Context, stateID ID) (*Response, error) {
	return send(ctx, s.client.api, rest.Delete("v1/do_not_disturb_states/%v", stateID))
}

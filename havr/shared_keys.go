package havr

// SharedKeysService covers shared keys: access to door locks given to users,
// or to visitors by an emailed link.
type SharedKeysService service

// SharedKey gives a user (or, shared by link, a temporary user) access to a
// door lock from StartDate, until EndDate if set, repeating with Recurrency.
type SharedKey struct {
	ID             ID             `json:"id"`
	UserID         ID             `json:"user_id,omitempty"` // when not shared by link
	DoorLockID     ID             `json:"door_lock_id"`
	StartDate      Time           `json:"start_date"`
	EndDate        Time           `json:"end_date"`
	Admin          bool           `json:"admin"`
	Recurrency     Recurrency     `json:"recurrency,omitempty"`
	ExistingStatus ExistingStatus `json:"existing_status"` // active, or waiting_for_user when shared by link
	LockUserNumber string         `json:"lock_user_number,omitempty"`
	OriginUserID   ID             `json:"origin_user_id"`         // who created the access
	TempUserID     ID             `json:"temp_user_id,omitempty"` // when shared by link
	LastKTokenID   string         `json:"last_k_token_id"`
	Note           string         `json:"note,omitempty"`
}

// TempUser is the temporary user a link-shared key is held by until the
// visitor makes an account. The document names it without listing its
// fields; these are the ones a temporary user must have.
type TempUser struct {
	ID    ID     `json:"id"`
	Email string `json:"email"`
}

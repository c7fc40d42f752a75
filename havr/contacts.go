package havr

// ContactsService covers contacts: relations between users, made by request.
type ContactsService service

// Contact is a contact relation. You are UserID if you sent the request,
// UserContactID otherwise.
type Contact struct {
	ID            ID            `json:"id"`
	UserID        ID            `json:"user_id"`
	UserContactID ID            `json:"user_contact_id"`
	RequestStatus RequestStatus `json:"request_status"`
}

// RequestStatus is the state of a contact request.
type RequestStatus string

// Request statuses.
const (
	RequestAccepted RequestStatus = "accepted"
	RequestPending  RequestStatus = "pending"
	RequestBlocked  RequestStatus = "blocked"
	RequestDeclined RequestStatus = "declined"
)

package havr

// UsersService covers users: the current user's account, other users,
// contacts requests, email and password changes and profile pictures.
type UsersService service

// User is a Havr user.
type User struct {
	ID                ID     `json:"id"`
	Email             string `json:"email"`
	FirstName         string `json:"first_name"`
	LastName          string `json:"last_name"`
	PhoneNumber       string `json:"phone_number,omitempty"`
	AccountStatus     string `json:"account_status,omitempty"`
	PreferredLanguage string `json:"preferred_language,omitempty"` // "en" or "fr"
	Favorites         []ID   `json:"favorites,omitempty"`          // favourite door lock ids
	PictureURL        string `json:"picture_url,omitempty"`
}

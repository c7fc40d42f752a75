package havr

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/internal/rest"
)

// UsersService covers users: the current user's account, other users,
// contacts requests, email and password changes and profile pictures.
//
// The calls that serve someone who is not logged in (forgot and reset
// password, the links of verification emails, resending the confirmation
// email) are sent without the client's access token: the document marks them
// for unauthenticated users, or their query token is the authorisation. They
// work even when the client's credentials cannot obtain a token, such as a
// password grant for the password being reset.
type UsersService service

// User is a Havr user.
type User struct {
	ID                ID           `json:"id"`
	Email             string       `json:"email"`
	FirstName         string       `json:"first_name"`
	LastName          string       `json:"last_name"`
	PhoneNumber       string       `json:"phone_number,omitempty"`
	AccountStatus     string       `json:"account_status,omitempty"`
	PreferredLanguage UserLanguage `json:"preferred_language,omitempty"` // "en" or "fr"
	Favorites         []ID         `json:"favorites,omitempty"`          // favourite door lock ids
	PictureURL        string       `json:"picture_url,omitempty"`
	// Password is listed by the document's User table; the answers of its
	// examples never carry it.
	Password access.Secret `json:"password,omitempty"`
}

// UserLanguage is a user's preferred language.
type UserLanguage string

// Preferred languages.
const (
	UserLanguageEnglish UserLanguage = "en"
	UserLanguageFrench  UserLanguage = "fr"
)

func (l UserLanguage) validate() error {
	switch l {
	case UserLanguageEnglish, UserLanguageFrench:
		return nil
	}
	return access.Invalid("PreferredLanguage", fmt.Sprintf("%q is not en or fr", string(l)))
}

// UserPictureExtension is the image format of a profile picture.
type UserPictureExtension string

// Profile picture extensions.
const (
	UserPicturePNG  UserPictureExtension = "png"
	UserPictureJPEG UserPictureExtension = "jpeg"
	UserPictureJPG  UserPictureExtension = "jpg"
)

func (e UserPictureExtension) validate() error {
	switch e {
	case UserPicturePNG, UserPictureJPEG, UserPictureJPG:
		return nil
	}
	return access.Invalid("Extension", fmt.Sprintf("%q is not png, jpeg or jpg", string(e)))
}

// validatePicture requires an extension with a picture.
func validatePicture(picture []byte, ext UserPictureExtension) error {
	if len(picture) > 0 && ext == "" {
		return access.Invalid("Extension", "is required with a picture")
	}
	if ext != "" {
		return ext.validate()
	}
	return nil
}

// UserPlatform is the client platform whose links Havr puts in the emails
// it sends.
type UserPlatform string

// Platforms.
const (
	UserPlatformDashboard     UserPlatform = "dashboard"
	UserPlatformCustomerSpace UserPlatform = "customer_space"
)

func (p UserPlatform) validate() error {
	switch p {
	case UserPlatformDashboard, UserPlatformCustomerSpace:
		return nil
	case "":
		return access.Invalid("Platform", "is required")
	}
	return access.Invalid("Platform", fmt.Sprintf("%q is not dashboard or customer_space", string(p)))
}

// UserPasswordSpecialCharacters are the special characters Havr accepts in
// passwords, as the document lists them: ASCII punctuation but the
// backslash, Latin-1 from ¡ to ÿ but the soft hyphen, and the euro sign.
const UserPasswordSpecialCharacters = "!\"#$%&'()*+,-./:;<=>?@[]^_`{|}~¡¢£¤¥¦§¨©ª«¬®¯°±²³´µ¶·¸¹º»¼½¾¿ÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÐÑÒÓÔÕÖ×ØÙÚÛÜÝÞßàáâãäåæçèéêëìíîïðñòóôõö÷øùúûüýþÿ€"

// Password lengths Havr accepts, in characters.
const (
	userPasswordMax       = 49 // "< 50"
	userPasswordMin       = 8  // with upper and lower case, a digit and a special character
	userPasswordMinSimple = 16 // from any of the accepted characters
)

// ValidatePassword checks a password against Havr's documented rules, so a
// form can refuse it before any request. A password is made of a-z, A-Z,
// 0-9 and UserPasswordSpecialCharacters, is shorter than 50 characters, and
// either has at least 16 characters, or at least 8 with at least one upper
// case letter, one lower case letter, one digit and one special character.
// The error matches access.ErrInvalid and never quotes the password.
func ValidatePassword(password string) error { return validatePassword("Password", password) }

func validatePassword(field, password string) error {
	var lower, upper, digit, special bool
	for _, r := range password {
		switch {
		case r >= 'a' && r <= 'z':
			lower = true
		case r >= 'A' && r <= 'Z':
			upper = true
		case r >= '0' && r <= '9':
			digit = true
		case strings.ContainsRune(UserPasswordSpecialCharacters, r):
			special = true
		default:
			return access.Invalid(field, "may only hold a-z, A-Z, 0-9 and the special characters Havr lists (no spaces)")
		}
	}
	n := utf8.RuneCountInString(password)
	switch {
	case n > userPasswordMax:
		return access.Invalid(field, fmt.Sprintf("is %d characters; Havr accepts fewer than 50", n))
	case n >= userPasswordMinSimple:
		return nil
	case n < userPasswordMin:
		return access.Invalid(field, fmt.Sprintf("is %d characters; Havr needs at least 8", n))
	case !(lower && upper && digit && special):
		return access.Invalid(field, "under 16 characters needs an upper case letter, a lower case letter, a digit and a special character")
	}
	return nil
}

// havrPhone reports whether phone is one Havr accepts: a French or British
// number without spaces, nationally with a leading 0 or internationally
// with +33 / +44 instead of it. France has 9 digits after the 0
// (0648243834, +33648243834), the United Kingdom 10 (07222555555,
// +447222555555); the first of them is not 0. It is written out rather than
// package-level regexps, whose compiling every program importing havr would
// pay for at start.
func havrPhone(phone string) bool {
	var digits string
	var ok func(n int) bool
	switch {
	case strings.HasPrefix(phone, "0"):
		digits, ok = phone[1:], func(n int) bool { return n == 9 || n == 10 }
	case strings.HasPrefix(phone, "+33"):
		digits, ok = phone[3:], func(n int) bool { return n == 9 }
	case strings.HasPrefix(phone, "+44"):
		digits, ok = phone[3:], func(n int) bool { return n == 10 }
	default:
		return false
	}
	return ok(len(digits)) && digits[0] != '0' && allDigits(digits)
}

// allDigits reports whether s is all ASCII digits (true for "").
func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// ValidatePhoneNumber checks a phone number against the formats Havr
// documents, so a form can refuse it before any request: French numbers of
// 10 digits starting with 0 (0648243834) or +33 and 9 digits (+33648243834),
// and British numbers of 11 digits starting with 0 (07222555555) or +44 and
// 10 digits (+447222555555). In both the digit after the 0 or the country
// code is 1-9. Spaces and other separators are refused, as the document's
// examples have none. The error matches access.ErrInvalid.
func ValidatePhoneNumber(phone string) error {
	if havrPhone(phone) {
		return nil
	}
	return access.Invalid("PhoneNumber", "is not a French (0648243834, +33648243834) or British (07222555555, +447222555555) number without spaces")
}

// Me returns the current user.
//
// GET /v1/users
func (s *UsersService) Me(ctx context.Context) (*User, *Response, error) {
	return do[*User](ctx, s.client.api, rest.Get("v1/users"))
}

// Get returns a user. For a user who is not one of the current user's
// contacts Havr fills in only a few fields.
//
// GET /v1/users/:user_id
func (s *UsersService) Get(ctx context.Context, userID ID) (*User, *Response, error) {
	return do[*User](ctx, s.client.api, rest.Get("v1/users/%v", userID))
}

// ListContacts returns the current user's accepted contacts.
//
// GET /v1/users/contacts
func (s *UsersService) ListContacts(ctx context.Context) ([]User, *Response, error) {
	return do[[]User](ctx, s.client.api, rest.Get("v1/users/contacts"))
}

// UserWithActivity is a contact and their last lock event.
type UserWithActivity struct {
	User
	LastActivity *LockLog `json:"last_activity"` // nil when they have none
}

// ListContactsWithActivity returns the current user's accepted contacts
// with their last lock event.
//
// GET /v1/users/contacts_with_activity
func (s *UsersService) ListContactsWithActivity(ctx context.Context) ([]UserWithActivity, *Response, error) {
	return do[[]UserWithActivity](ctx, s.client.api, rest.Get("v1/users/contacts_with_activity"))
}

// ListPendingContacts returns the users whose contact request with the
// current user is pending.
//
// GET /v1/users/pending_contacts
func (s *UsersService) ListPendingContacts(ctx context.Context) ([]User, *Response, error) {
	return do[[]User](ctx, s.client.api, rest.Get("v1/users/pending_contacts"))
}

// UserPendingRequest is a pending contact request and the other user.
type UserPendingRequest struct {
	Contact
	User *User `json:"user"`
}

// ListPendingRequests returns the current user's pending contact requests.
//
// GET /v1/users/pending_requests
func (s *UsersService) ListPendingRequests(ctx context.Context) ([]UserPendingRequest, *Response, error) {
	return do[[]UserPendingRequest](ctx, s.client.api, rest.Get("v1/users/pending_requests"))
}

// UserContactAnswerRequest answers a pending contact request. The document's
// example sends request_accepted as the string "true"; its table says
// boolean, which is what is sent.
type UserContactAnswerRequest struct {
	ContactID       ID   `json:"contact_id"`
	RequestAccepted bool `json:"request_accepted"`
}

// AnswerContactRequest accepts or declines a pending contact request and
// returns the contact.
//
// POST /v1/users/answer_contact_request
func (s *UsersService) AnswerContactRequest(ctx context.Context, req UserContactAnswerRequest) (*Contact, *Response, error) {
	if req.ContactID == 0 {
		return nil, nil, access.Invalid("ContactID", "is required")
	}
	return do[*Contact](ctx, s.client.api, rest.Post("v1/users/answer_contact_request").WithBody(wrap("contact", req)))
}

// UsernameOrEmailUsed reports whether a username or email already belongs to
// an account.
//
// POST /v1/users/username_or_email_used
func (s *UsersService) UsernameOrEmailUsed(ctx context.Context, usernameOrEmail string) (bool, *Response, error) {
	if usernameOrEmail == "" {
		return false, nil, access.Invalid("usernameOrEmail", "is required")
	}
	body := map[string]string{"username_or_email": usernameOrEmail}
	out, resp, err := do[struct {
		AlreadyExists bool `json:"already_exists"`
	}](ctx, s.client.api, rest.Post("v1/users/username_or_email_used").WithBody(body).Idempotent())
	return out.AlreadyExists, resp, err
}

// UserCreateRequest creates a user. The fields tagged json go in the
// request's "user" object; EmploymentID (an employment offer to take up) and
// Preferences are sent beside it when set.
type UserCreateRequest struct {
	Email             string        `json:"email"`
	FirstName         string        `json:"first_name"`
	LastName          string        `json:"last_name"`
	PhoneNumber       string        `json:"phone_number,omitempty"` // see ValidatePhoneNumber
	Password          access.Secret `json:"password"`               // see ValidatePassword
	PreferredLanguage UserLanguage  `json:"preferred_language,omitempty"`
	// Picture is the profile picture, sent base64-encoded; Extension is
	// required with it.
	Picture   []byte               `json:"base64_picture,omitempty"`
	Extension UserPictureExtension `json:"extension,omitempty"`

	EmploymentID ID                     `json:"-"`
	Preferences  *UserPreferencesUpdate `json:"-"`
}

func (r UserCreateRequest) validate() error {
	if err := access.ValidateEmailField("Email", r.Email); err != nil {
		return err
	}
	for _, f := range []struct{ name, value string }{{"FirstName", r.FirstName}, {"LastName", r.LastName}} {
		if f.value == "" {
			return access.Invalid(f.name, "is required")
		}
	}
	if err := validatePassword("Password", r.Password.Reveal()); err != nil {
		return err
	}
	if r.PhoneNumber != "" {
		if err := ValidatePhoneNumber(r.PhoneNumber); err != nil {
			return err
		}
	}
	if r.PreferredLanguage != "" {
		if err := r.PreferredLanguage.validate(); err != nil {
			return err
		}
	}
	return validatePicture(r.Picture, r.Extension)
}

type userEmployment struct {
	EmploymentID ID `json:"employment_id"`
}

// Create creates a user, checking the password and phone number against
// the documented rules first. The document does not say how the call is
// authorised; a client made WithClientCredentials sends its client token.
//
// POST /v1/users
func (s *UsersService) Create(ctx context.Context, req UserCreateRequest) (*User, *Response, error) {
	if err := req.validate(); err != nil {
		return nil, nil, err
	}
	body := struct {
		User        UserCreateRequest      `json:"user"`
		Employment  *userEmployment        `json:"employment,omitempty"`
		Preferences *UserPreferencesUpdate `json:"user_preferences,omitempty"`
	}{User: req, Preferences: req.Preferences}
	if req.EmploymentID != 0 {
		body.Employment = &userEmployment{EmploymentID: req.EmploymentID}
	}
	return do[*User](ctx, s.client.api, rest.Post("v1/users").WithBody(body))
}

// UserUpdate changes the current user; nil fields are left as they are.
type UserUpdate struct {
	FirstName         *string       `json:"first_name,omitempty"`
	LastName          *string       `json:"last_name,omitempty"`
	PhoneNumber       *string       `json:"phone_number,omitempty"` // see ValidatePhoneNumber
	PreferredLanguage *UserLanguage `json:"preferred_language,omitempty"`
}

// Update changes the current user (userID must be theirs).
//
// PATCH /v1/users/:user_id
func (s *UsersService) Update(ctx context.Context, userID ID, req UserUpdate) (*User, *Response, error) {
	if req.FirstName != nil && *req.FirstName == "" {
		return nil, nil, access.Invalid("FirstName", "cannot be emptied")
	}
	if req.LastName != nil && *req.LastName == "" {
		return nil, nil, access.Invalid("LastName", "cannot be emptied")
	}
	if req.PhoneNumber != nil && *req.PhoneNumber != "" {
		if err := ValidatePhoneNumber(*req.PhoneNumber); err != nil {
			return nil, nil, err
		}
	}
	if req.PreferredLanguage != nil {
		if err := req.PreferredLanguage.validate(); err != nil {
			return nil, nil, err
		}
	}
	return do[*User](ctx, s.client.api, rest.Patch("v1/users/%v", userID).WithBody(wrap("user", req)))
}

// Delete deletes the current user's account (userID must be theirs).
//
// DELETE /v1/users/:user_id
func (s *UsersService) Delete(ctx context.Context, userID ID) (*Response, error) {
	return send(ctx, s.client.api, rest.Delete("v1/users/%v", userID))
}

// UserForgotPasswordRequest asks for a password reset email.
type UserForgotPasswordRequest struct {
	Email    string       `json:"email"`
	Platform UserPlatform `json:"platform"` // whose reset page the email links to
}

// ForgotPassword sends an email with a password reset link to the address
// of an account; the link's token goes to ResetPassword. It is sent without
// the client's access token. The document lists it in the users section
// under the title "Reset password", with errors that belong to the reset
// itself (invalid token or new password).
//
// POST /support/v1/forgot_password
func (s *UsersService) ForgotPassword(ctx context.Context, req UserForgotPasswordRequest) (*Response, error) {
	if err := access.ValidateEmailField("Email", req.Email); err != nil {
		return nil, err
	}
	if err := req.Platform.validate(); err != nil {
		return nil, err
	}
	return send(ctx, s.client.anon, rest.Post("support/v1/forgot_password").WithBody(wrap("forgot_password", req)))
}

// UserVerifyEmailOptions carries the token of an account's verification
// email.
type UserVerifyEmailOptions struct {
	Token access.Secret `url:"token"` // required
}

// VerifyEmail activates an account with the token of its verification
// email. Havr answers with a confirmation page, which is discarded. It is
// sent without the client's access token: the query token authorises it.
//
// GET /v1/users/verify_email
func (s *UsersService) VerifyEmail(ctx context.Context, opts *UserVerifyEmailOptions) (*Response, error) {
	if opts == nil || opts.Token == "" {
		return nil, access.Invalid("Token", "is required")
	}
	return send(ctx, s.client.anon, rest.Get("v1/users/verify_email").WithQuery(opts).Once())
}

// UserChangeEmailRequest starts a change of the current user's email.
type UserChangeEmailRequest struct {
	Email    string        // the new address
	Password access.Secret // the current password
	Platform UserPlatform  // whose confirmation page the email links to
}

// ChangeEmail starts a change of the current user's email: Havr emails the
// new address a link to confirm it (ConfirmEmailChange). It returns the
// user.
//
// POST /v1/users/change_email
func (s *UsersService) ChangeEmail(ctx context.Context, req UserChangeEmailRequest) (*User, *Response, error) {
	if err := access.ValidateEmailField("Email", req.Email); err != nil {
		return nil, nil, err
	}
	if req.Password == "" {
		return nil, nil, access.Invalid("Password", "is required")
	}
	if err := req.Platform.validate(); err != nil {
		return nil, nil, err
	}
	body := struct {
		User struct {
			Email    string        `json:"email"`
			Password access.Secret `json:"password"`
		} `json:"user"`
		Platform UserPlatform `json:"platform"`
	}{Platform: req.Platform}
	body.User.Email, body.User.Password = req.Email, req.Password
	return do[*User](ctx, s.client.api, rest.Post("v1/users/change_email").WithBody(body))
}

// ResendEmailChange sends the confirmation email of the email change in
// progress again and returns the user. platform is optional ("" leaves it
// out). The document gives the parameter as a JSON body on this GET, which
// is how it is sent.
//
// GET /v1/users/resend_email_change
func (s *UsersService) ResendEmailChange(ctx context.Context, platform UserPlatform) (*User, *Response, error) {
	call := rest.Get("v1/users/resend_email_change")
	if platform != "" {
		if err := platform.validate(); err != nil {
			return nil, nil, err
		}
		call.WithBody(map[string]UserPlatform{"platform": platform})
	}
	return do[*User](ctx, s.client.api, call)
}

// EmailModificationInProgress reports whether the current user has an email
// change waiting for confirmation.
//
// GET /v1/users/email_modification_in_progress
func (s *UsersService) EmailModificationInProgress(ctx context.Context) (bool, *Response, error) {
	out, resp, err := do[struct {
		User struct {
			InProgress bool `json:"email_modification_in_progress"`
		} `json:"user"`
	}](ctx, s.client.api, rest.Get("v1/users/email_modification_in_progress"))
	return out.User.InProgress, resp, err
}

// UserEmailChangeOptions carries the token of an email change confirmation
// email.
type UserEmailChangeOptions struct {
	EmailVerificationToken access.Secret `url:"email_verification_token"` // required
}

func (o *UserEmailChangeOptions) validate() error {
	if o == nil || o.EmailVerificationToken == "" {
		return access.Invalid("EmailVerificationToken", "is required")
	}
	return nil
}

// ConfirmEmailChange completes an email change with the token of its
// confirmation email and returns the new address. It is sent without the
// client's access token: the query token authorises it.
//
// GET /v1/users/change_email_confirmed
func (s *UsersService) ConfirmEmailChange(ctx context.Context, opts *UserEmailChangeOptions) (string, *Response, error) {
	if err := opts.validate(); err != nil {
		return "", nil, err
	}
	out, resp, err := do[struct {
		User struct {
			Email string `json:"email"`
		} `json:"user"`
	}](ctx, s.client.anon, rest.Get("v1/users/change_email_confirmed").WithQuery(opts).Once())
	return out.User.Email, resp, err
}

// CancelEmailChange cancels an email change with the token of its
// confirmation email. It is sent without the client's access token: the
// query token authorises it.
//
// GET /v1/users/cancel_email_modification
func (s *UsersService) CancelEmailChange(ctx context.Context, opts *UserEmailChangeOptions) (*Response, error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	return send(ctx, s.client.anon, rest.Get("v1/users/cancel_email_modification").WithQuery(opts).Once())
}

// CancelEmailChangeAuthenticated cancels the current user's email change
// without the emailed token.
//
// GET /v1/users/cancel_email_modification_authenticated
func (s *UsersService) CancelEmailChangeAuthenticated(ctx context.Context) (*Response, error) {
	return send(ctx, s.client.api, rest.Get("v1/users/cancel_email_modification_authenticated"))
}

// UserChangePasswordRequest changes the current user's password.
type UserChangePasswordRequest struct {
	NewPassword     access.Secret `json:"new_password"` // see ValidatePassword
	CurrentPassword access.Secret `json:"current_password"`
}

// ChangePassword changes the current user's password. The new password is
// checked against the rules the document gives for creating users first,
// since Havr refuses others. A client made WithPassword keeps the old
// password for logging in again: make a new client with the new one.
//
// POST /v1/users/change_password
func (s *UsersService) ChangePassword(ctx context.Context, req UserChangePasswordRequest) (*Response, error) {
	if req.CurrentPassword == "" {
		return nil, access.Invalid("CurrentPassword", "is required")
	}
	if err := validatePassword("NewPassword", req.NewPassword.Reveal()); err != nil {
		return nil, err
	}
	return send(ctx, s.client.api, rest.Post("v1/users/change_password").WithBody(wrap("change_password", req)))
}

// UserResetPasswordRequest sets a new password with the token of a
// password reset email.
type UserResetPasswordRequest struct {
	PasswordResetToken access.Secret `json:"password_reset_token"`
	NewPassword        access.Secret `json:"new_password"` // see ValidatePassword
}

// ResetPassword sets a new password with the token of a password reset
// email (ForgotPassword). The new password is checked against the
// documented rules first. It is sent without the client's access token.
//
// POST /v1/users/reset_password
func (s *UsersService) ResetPassword(ctx context.Context, req UserResetPasswordRequest) (*Response, error) {
	if req.PasswordResetToken == "" {
		return nil, access.Invalid("PasswordResetToken", "is required")
	}
	if err := validatePassword("NewPassword", req.NewPassword.Reveal()); err != nil {
		return nil, err
	}
	return send(ctx, s.client.anon, rest.Post("v1/users/reset_password").WithBody(wrap("user", req)))
}

// UserCancelPasswordResetOptions carries the token of a password reset
// email.
type UserCancelPasswordResetOptions struct {
	PasswordResetToken access.Secret `url:"password_reset_token"` // required
}

// CancelPasswordReset cancels a password reset with the token of its email.
// It is sent without the client's access token: the query token authorises
// it.
//
// GET /v1/users/cancel_password_reset
func (s *UsersService) CancelPasswordReset(ctx context.Context, opts *UserCancelPasswordResetOptions) (*Response, error) {
	if opts == nil || opts.PasswordResetToken == "" {
		return nil, access.Invalid("PasswordResetToken", "is required")
	}
	return send(ctx, s.client.anon, rest.Get("v1/users/cancel_password_reset").WithQuery(opts).Once())
}

// UserPictureRequest sets a profile picture.
type UserPictureRequest struct {
	Extension UserPictureExtension `json:"extension"`      // required
	Picture   []byte               `json:"base64_picture"` // the image, sent base64-encoded; required
	// PictureURL appears in the document's example but not in its table
	// of parameters; it is sent only when set.
	PictureURL string `json:"picture_url,omitempty"`
}

// SetProfilePicture sets the current user's profile picture.
//
// POST /v1/users/profile_picture
func (s *UsersService) SetProfilePicture(ctx context.Context, req UserPictureRequest) (*Response, error) {
	if len(req.Picture) == 0 {
		return nil, access.Invalid("Picture", "is required")
	}
	if err := validatePicture(req.Picture, req.Extension); err != nil {
		return nil, err
	}
	return send(ctx, s.client.api, rest.Post("v1/users/profile_picture").WithBody(wrap("user", req)))
}

// UserPicture is a profile picture.
type UserPicture struct {
	UserID     ID     `json:"user_id,omitempty"` // in GetProfilePicturesOf only
	Mime       string `json:"mime"`              // e.g. "image/png"
	Picture    []byte `json:"base64"`            // the image, decoded from base64
	PictureURL string `json:"picture_url,omitempty"`
}

// GetProfilePicture returns the current user's profile picture.
//
// GET /v1/users/profile_picture
func (s *UsersService) GetProfilePicture(ctx context.Context) (*UserPicture, *Response, error) {
	return do[*UserPicture](ctx, s.client.api, rest.Get("v1/users/profile_picture"))
}

// DeleteProfilePicture removes the current user's profile picture.
//
// DELETE /v1/users/profile_picture
func (s *UsersService) DeleteProfilePicture(ctx context.Context) (*Response, error) {
	return send(ctx, s.client.api, rest.Delete("v1/users/profile_picture"))
}

// GetProfilePictureOf returns the profile picture of a user (a contact).
//
// POST /v1/users/profile_picture_for_user
func (s *UsersService) GetProfilePictureOf(ctx context.Context, userID ID) (*UserPicture, *Response, error) {
	if userID == 0 {
		return nil, nil, access.Invalid("userID", "is required")
	}
	body := wrap("user", map[string]ID{"id": userID})
	return do[*UserPicture](ctx, s.client.api, rest.Post("v1/users/profile_picture_for_user").WithBody(body).Idempotent())
}

// GetProfilePicturesOf returns the profile pictures of users, each with its
// UserID.
//
// POST /v1/users/profile_picture_for_users
func (s *UsersService) GetProfilePicturesOf(ctx context.Context, userIDs []ID) ([]UserPicture, *Response, error) {
	if len(userIDs) == 0 {
		return nil, nil, access.Invalid("userIDs", "needs at least one user id")
	}
	body := wrap("user", map[string][]ID{"ids": userIDs})
	return do[[]UserPicture](ctx, s.client.api, rest.Post("v1/users/profile_picture_for_users").WithBody(body).Idempotent())
}

// UpdateFavorites replaces the current user's favourite door locks and
// returns the user. An empty list clears them (it is sent as [], not null).
//
// PATCH /v1/users/favorites
func (s *UsersService) UpdateFavorites(ctx context.Context, doorLockIDs []ID) (*User, *Response, error) {
	if doorLockIDs == nil {
		doorLockIDs = []ID{}
	}
	body := wrap("user", map[string][]ID{"favorites": doorLockIDs})
	return do[*User](ctx, s.client.api, rest.Patch("v1/users/favorites").WithBody(body))
}

// ResendConfirmationEmail sends the account confirmation email to an
// account's current address again. It is sent without the client's access
// token, as the document is for users who are not logged in.
//
// POST /v1/users/resend_confirmation_email
func (s *UsersService) ResendConfirmationEmail(ctx context.Context, email string) (*Response, error) {
	if err := access.ValidateEmailField("email", email); err != nil {
		return nil, err
	}
	body := map[string]string{"email": email}
	return send(ctx, s.client.anon, rest.Post("v1/users/resend_confirmation_email").WithBody(body))
}

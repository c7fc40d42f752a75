package havr

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/doorkit/doorkit/access"
	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testUserPictureB64 is the document's base64 example without its "...",
// cut to a whole number of base64 quanta.
const testUserPictureB64 = "iVBORw0KGgoAAAANSUhEUgAAAZAAAKQg"

var (
	testUserPicture, _ = base64.StdEncoding.DecodeString(testUserPictureB64)
	testUserPictureURL = "pictures/profile/eef477e129cbe2509d90c3aba4b5e808eef477e129cbe2509d90c3aba4b5e808.png"
	testUserContact    = Contact{ID: 5, UserID: 6, UserContactID: 4, RequestStatus: RequestAccepted}
	testUserLockLog    = LockLog{ID: 1, UserID: 6, DoorLockID: 1, DeviceID: 2, DoorLockStatus: LockLocked, Alert: "security_alert",
		EventTimestamp: At(time.Date(2018, 10, 30, 8, 15, 54, 122e6, time.UTC)), LogType: "flash"}
	// testUserAnon is the header override of the calls sent without the
	// client's access token.
	testUserAnon = map[string]string{"Authorization": ""}
)

func TestUsersEndpoints(t *testing.T) {
	harness.Run(t, []endpointCase{
		{
			Name: "Me", Method: "GET", Path: "/v1/users", Response: "user.json",
			Call:  func(ctx context.Context, c *Client) (any, error) { v, _, err := c.Users.Me(ctx); return v, err },
			Check: func(t *testing.T, v any) { assert.Equal(t, &testUser, v) },
		},
		{
			Name: "Get", Method: "GET", Path: "/v1/users/6", Response: "user.json",
			Call:  func(ctx context.Context, c *Client) (any, error) { v, _, err := c.Users.Get(ctx, 6); return v, err },
			Check: func(t *testing.T, v any) { assert.Equal(t, &testUser, v) },
		},
		{
			Name: "ListContacts", Method: "GET", Path: "/v1/users/contacts", Response: "users.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.Users.ListContacts(ctx)
				return v, err
			},
			Check: func(t *testing.T, v any) { assert.Equal(t, []User{testUser}, v) },
		},
		{
			Name: "ListContactsWithActivity", Method: "GET", Path: "/v1/users/contacts_with_activity",
			Response: "user_contacts_with_activity_response.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.Users.ListContactsWithActivity(ctx)
				return v, err
			},
			Check: func(t *testing.T, v any) {
				assert.Equal(t, []UserWithActivity{{User: testUser, LastActivity: &testUserLockLog}}, v)
			},
		},
		{
			Name: "ListPendingContacts", Method: "GET", Path: "/v1/users/pending_contacts", Response: "users.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.Users.ListPendingContacts(ctx)
				return v, err
			},
			Check: func(t *testing.T, v any) { assert.Equal(t, []User{testUser}, v) },
		},
		{
			Name: "ListPendingRequests", Method: "GET", Path: "/v1/users/pending_requests", Response: "user_pending_requests_response.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.Users.ListPendingRequests(ctx)
				return v, err
			},
			Check: func(t *testing.T, v any) {
				assert.Equal(t, []UserPendingRequest{{Contact: testUserContact, User: &testUser}}, v)
			},
		},
		{
			Name: "AnswerContactRequest", Method: "POST", Path: "/v1/users/answer_contact_request",
			Request: "user_answer_contact_request_request.json", Response: "user_answer_contact_request_response.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.Users.AnswerContactRequest(ctx, UserContactAnswerRequest{ContactID: 5, RequestAccepted: true})
				return v, err
			},
			Check: func(t *testing.T, v any) { assert.Equal(t, &testUserContact, v) },
		},
		{
			Name: "UsernameOrEmailUsed", Method: "POST", Path: "/v1/users/username_or_email_used",
			Request: "user_username_or_email_used_request.json", Response: "user_username_or_email_used_response.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.Users.UsernameOrEmailUsed(ctx, "username_or_email")
				return v, err
			},
			Check: func(t *testing.T, v any) { assert.Equal(t, true, v) },
		},
		{
			Name: "Create", Method: "POST", Path: "/v1/users", Request: "user_create_request.json",
			Status: 201, Response: "user.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.Users.Create(ctx, UserCreateRequest{
					Email: "ada@example.com", FirstName: "Ada", LastName: "Lovelace", PhoneNumber: "+33648243834",
					Password: "Correct-Horse-9", Extension: UserPicturePNG, Picture: testUserPicture, EmploymentID: 3,
					Preferences: &UserPreferencesUpdate{Newsletter: Ptr(true), Updates: Ptr(true), EULA: Ptr(true)},
				})
				return v, err
			},
			Check: func(t *testing.T, v any) { assert.Equal(t, &testUser, v) },
		},
		{
			Name: "Create: user only", Method: "POST", Path: "/v1/users",
			Request: `{"user": {"email": "ada@example.com", "first_name": "Ada", "last_name": "Lovelace",
				"password": "correcthorsebatterystaple", "preferred_language": "fr"}}`,
			Status: 201, Response: "user.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.Users.Create(ctx, UserCreateRequest{Email: "ada@example.com", FirstName: "Ada", LastName: "Lovelace",
					Password: "correcthorsebatterystaple", PreferredLanguage: UserLanguageFrench})
				return v, err
			},
			Check: func(t *testing.T, v any) { assert.Equal(t, &testUser, v) },
		},
		{
			Name: "Update", Method: "PATCH", Path: "/v1/users/6", Request: "user_update_request.json", Response: "user.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.Users.Update(ctx, 6, UserUpdate{FirstName: Ptr("new_first_name")})
				return v, err
			},
			Check: func(t *testing.T, v any) { assert.Equal(t, &testUser, v) },
		},
		{
			Name: "Delete", Method: "DELETE", Path: "/v1/users/6",
			Call: func(ctx context.Context, c *Client) (any, error) { return c.Users.Delete(ctx, 6) },
		},
		{
			Name: "ForgotPassword", Method: "POST", Path: "/support/v1/forgot_password", Headers: testUserAnon,
			// user_forgot_password_request.json with an address for the
			// document's placeholder "email", which is none.
			Request: `{"forgot_password": {"email": "ada@example.com", "platform": "customer_space"}}`, Status: 204,
			Call: func(ctx context.Context, c *Client) (any, error) {
				return c.Users.ForgotPassword(ctx, UserForgotPasswordRequest{Email: "ada@example.com", Platform: UserPlatformCustomerSpace})
			},
		},
		{
			Name: "VerifyEmail", Method: "GET", Path: "/v1/users/verify_email", Query: "token=abc", Headers: testUserAnon,
			Response: "<html><body>Account is activated</body></html>",
			Call: func(ctx context.Context, c *Client) (any, error) {
				return c.Users.VerifyEmail(ctx, &UserVerifyEmailOptions{Token: "abc"})
			},
		},
		{
			Name: "ChangeEmail", Method: "POST", Path: "/v1/users/change_email",
			// user_change_email_request.json with an address for the
			// document's placeholder "new_email".
			Request:  `{"user": {"email": "new@example.com", "password": "password"}, "platform": "customer_space"}`,
			Response: "user.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.Users.ChangeEmail(ctx, UserChangeEmailRequest{Email: "new@example.com", Password: "password", Platform: UserPlatformCustomerSpace})
				return v, err
			},
			Check: func(t *testing.T, v any) { assert.Equal(t, &testUser, v) },
		},
		{
			Name: "ResendEmailChange", Method: "GET", Path: "/v1/users/resend_email_change",
			Request: "user_resend_email_change_request.json", Response: "user.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.Users.ResendEmailChange(ctx, UserPlatformCustomerSpace)
				return v, err
			},
			Check: func(t *testing.T, v any) { assert.Equal(t, &testUser, v) },
		},
		{
			Name: "ResendEmailChange: no platform", Method: "GET", Path: "/v1/users/resend_email_change", Response: "user.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.Users.ResendEmailChange(ctx, "")
				return v, err
			},
			Check: func(t *testing.T, v any) { assert.Equal(t, &testUser, v) },
		},
		{
			Name: "EmailModificationInProgress", Method: "GET", Path: "/v1/users/email_modification_in_progress",
			Response: "user_email_modification_in_progress_response.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.Users.EmailModificationInProgress(ctx)
				return v, err
			},
			Check: func(t *testing.T, v any) { assert.Equal(t, true, v) },
		},
		{
			Name: "ConfirmEmailChange", Method: "GET", Path: "/v1/users/change_email_confirmed",
			Query: "email_verification_token=abc", Headers: testUserAnon, Response: "user_change_email_confirmed_response.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.Users.ConfirmEmailChange(ctx, &UserEmailChangeOptions{EmailVerificationToken: "abc"})
				return v, err
			},
			Check: func(t *testing.T, v any) { assert.Equal(t, "new.mail@domain.com", v) },
		},
		{
			Name: "CancelEmailChange", Method: "GET", Path: "/v1/users/cancel_email_modification",
			Query: "email_verification_token=abc", Headers: testUserAnon,
			Call: func(ctx context.Context, c *Client) (any, error) {
				return c.Users.CancelEmailChange(ctx, &UserEmailChangeOptions{EmailVerificationToken: "abc"})
			},
		},
		{
			Name: "CancelEmailChangeAuthenticated", Method: "GET", Path: "/v1/users/cancel_email_modification_authenticated",
			Call: func(ctx context.Context, c *Client) (any, error) { return c.Users.CancelEmailChangeAuthenticated(ctx) },
		},
		{
			Name: "ChangePassword", Method: "POST", Path: "/v1/users/change_password", Request: "user_change_password_request.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				return c.Users.ChangePassword(ctx, UserChangePasswordRequest{NewPassword: "Correct-Horse-9", CurrentPassword: "current_password"})
			},
		},
		{
			Name: "ResetPassword", Method: "POST", Path: "/v1/users/reset_password", Headers: testUserAnon,
			Request: "user_reset_password_request.json", Status: 204,
			Call: func(ctx context.Context, c *Client) (any, error) {
				return c.Users.ResetPassword(ctx, UserResetPasswordRequest{PasswordResetToken: "password_reset_token", NewPassword: "Correct-Horse-9"})
			},
		},
		{
			Name: "CancelPasswordReset", Method: "GET", Path: "/v1/users/cancel_password_reset",
			Query: "password_reset_token=abc", Headers: testUserAnon, Status: 204,
			Call: func(ctx context.Context, c *Client) (any, error) {
				return c.Users.CancelPasswordReset(ctx, &UserCancelPasswordResetOptions{PasswordResetToken: "abc"})
			},
		},
		{
			Name: "SetProfilePicture", Method: "POST", Path: "/v1/users/profile_picture", Request: "user_profile_picture_request.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				return c.Users.SetProfilePicture(ctx, UserPictureRequest{Extension: UserPicturePNG, Picture: testUserPicture, PictureURL: testUserPictureURL})
			},
		},
		{
			Name: "GetProfilePicture", Method: "GET", Path: "/v1/users/profile_picture", Response: "user_profile_picture_response.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.Users.GetProfilePicture(ctx)
				return v, err
			},
			Check: func(t *testing.T, v any) {
				assert.Equal(t, &UserPicture{Mime: "image/png", Picture: testUserPicture, PictureURL: testUserPictureURL}, v)
			},
		},
		{
			Name: "DeleteProfilePicture", Method: "DELETE", Path: "/v1/users/profile_picture", Status: 204,
			Call: func(ctx context.Context, c *Client) (any, error) { return c.Users.DeleteProfilePicture(ctx) },
		},
		{
			Name: "GetProfilePictureOf", Method: "POST", Path: "/v1/users/profile_picture_for_user",
			Request: "user_profile_picture_for_user_request.json", Response: "user_profile_picture_for_user_response.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.Users.GetProfilePictureOf(ctx, 12)
				return v, err
			},
			Check: func(t *testing.T, v any) {
				assert.Equal(t, &UserPicture{Mime: "image/png", Picture: testUserPicture, PictureURL: testUserPictureURL}, v)
			},
		},
		{
			Name: "GetProfilePicturesOf", Method: "POST", Path: "/v1/users/profile_picture_for_users",
			Request: "user_profile_picture_for_users_request.json", Response: "user_profile_picture_for_users_response.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.Users.GetProfilePicturesOf(ctx, []ID{12, 64})
				return v, err
			},
			Check: func(t *testing.T, v any) {
				assert.Equal(t, []UserPicture{
					{UserID: 12, Mime: "image/png", Picture: testUserPicture, PictureURL: testUserPictureURL},
					{UserID: 64, Mime: "image/png", Picture: testUserPicture, PictureURL: testUserPictureURL},
				}, v)
			},
		},
		{
			Name: "UpdateFavorites", Method: "PATCH", Path: "/v1/users/favorites", Request: "user_favorites_request.json", Response: "user.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.Users.UpdateFavorites(ctx, []ID{1, 6})
				return v, err
			},
			Check: func(t *testing.T, v any) { assert.Equal(t, &testUser, v) },
		},
		{
			Name: "UpdateFavorites: clear", Method: "PATCH", Path: "/v1/users/favorites", Request: `{"user": {"favorites": []}}`, Response: "user.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.Users.UpdateFavorites(ctx, nil)
				return v, err
			},
			Check: func(t *testing.T, v any) { assert.Equal(t, &testUser, v) },
		},
		{
			Name: "ResendConfirmationEmail", Method: "POST", Path: "/v1/users/resend_confirmation_email", Headers: testUserAnon,
			Request: "user_resend_confirmation_email_request.json", Status: 204,
			Call: func(ctx context.Context, c *Client) (any, error) {
				return c.Users.ResendConfirmationEmail(ctx, "mail@domain.com")
			},
		},
	})
}

// Error bodies the document gives for several operations.
const (
	testUserErrEmailNotVerified = `{"error": "Email is not verified", "error_code": "email_not_verified"}`
	testUserErrAccountInactive  = `{"error": "Account is inactive", "error_code": "account_inactive"}`
	testUserErrDoesNotExist     = `{"error": "User does not exist", "error_code": "user_does_not_exist"}`
	testUserErrCantAccess       = `{"error": "Can't access user", "error_code": "cant_access_other_user"}`
	testUserErrPhoneFormat      = `{"error": "Invalid phone number format", "error_code": "invalid_phone_number_format"}`
	testUserErrTokenNull        = `{"error": "Email verification token is null", "error_code": "email_verification_token_is_null"}`
	testUserErrTokenInvalid     = `{"error": "Invalid email verification token", "error_code": "invalid_email_verification_token"}`
	testUserErrTokenExpired     = `{"error": "Email verification token expired", "error_code": "email_verification_token_expired"}`
	testUserErrResetInvalid     = `{"error": "Invalid password reset token", "error_code": "invalid_password_reset_token"}`
	testUserErrResetNull        = `{"error": "Password reset token is null", "error_code": "password_reset_token_is_null"}`
)

func TestUsersErrors(t *testing.T) {
	me := func(ctx context.Context, c *Client) error { _, _, err := c.Users.Me(ctx); return err }
	get := func(ctx context.Context, c *Client) error { _, _, err := c.Users.Get(ctx, 6); return err }
	pendingRequests := func(ctx context.Context, c *Client) error { _, _, err := c.Users.ListPendingRequests(ctx); return err }
	answer := func(ctx context.Context, c *Client) error {
		_, _, err := c.Users.AnswerContactRequest(ctx, UserContactAnswerRequest{ContactID: 5, RequestAccepted: true})
		return err
	}
	create := func(ctx context.Context, c *Client) error {
		_, _, err := c.Users.Create(ctx, UserCreateRequest{Email: "ada@example.com", FirstName: "Ada", LastName: "Lovelace",
			PhoneNumber: "07222555555", Password: "Correct-Horse-9"})
		return err
	}
	update := func(ctx context.Context, c *Client) error {
		_, _, err := c.Users.Update(ctx, 6, UserUpdate{PhoneNumber: Ptr("+447222555555")})
		return err
	}
	del := func(ctx context.Context, c *Client) error { _, err := c.Users.Delete(ctx, 6); return err }
	forgot := func(ctx context.Context, c *Client) error {
		_, err := c.Users.ForgotPassword(ctx, UserForgotPasswordRequest{Email: "ada@example.com", Platform: UserPlatformDashboard})
		return err
	}
	verify := func(ctx context.Context, c *Client) error {
		_, err := c.Users.VerifyEmail(ctx, &UserVerifyEmailOptions{Token: "abc"})
		return err
	}
	changeEmail := func(ctx context.Context, c *Client) error {
		_, _, err := c.Users.ChangeEmail(ctx, UserChangeEmailRequest{Email: "new@example.com", Password: "pw-Secret-1", Platform: UserPlatformDashboard})
		return err
	}
	resendChange := func(ctx context.Context, c *Client) error {
		_, _, err := c.Users.ResendEmailChange(ctx, "")
		return err
	}
	confirm := func(ctx context.Context, c *Client) error {
		_, _, err := c.Users.ConfirmEmailChange(ctx, &UserEmailChangeOptions{EmailVerificationToken: "abc"})
		return err
	}
	cancel := func(ctx context.Context, c *Client) error {
		_, err := c.Users.CancelEmailChange(ctx, &UserEmailChangeOptions{EmailVerificationToken: "abc"})
		return err
	}
	cancelAuth := func(ctx context.Context, c *Client) error {
		_, err := c.Users.CancelEmailChangeAuthenticated(ctx)
		return err
	}
	reset := func(ctx context.Context, c *Client) error {
		_, err := c.Users.ResetPassword(ctx, UserResetPasswordRequest{PasswordResetToken: "t", NewPassword: "Correct-Horse-9"})
		return err
	}
	cancelReset := func(ctx context.Context, c *Client) error {
		_, err := c.Users.CancelPasswordReset(ctx, &UserCancelPasswordResetOptions{PasswordResetToken: "abc"})
		return err
	}
	setPicture := func(ctx context.Context, c *Client) error {
		_, err := c.Users.SetProfilePicture(ctx, UserPictureRequest{Extension: UserPictureJPG, Picture: testUserPicture})
		return err
	}
	delPicture := func(ctx context.Context, c *Client) error { _, err := c.Users.DeleteProfilePicture(ctx); return err }
	pictureOf := func(ctx context.Context, c *Client) error {
		_, _, err := c.Users.GetProfilePictureOf(ctx, 12)
		return err
	}
	picturesOf := func(ctx context.Context, c *Client) error {
		_, _, err := c.Users.GetProfilePicturesOf(ctx, []ID{12, 64})
		return err
	}
	resendConfirmation := func(ctx context.Context, c *Client) error {
		_, err := c.Users.ResendConfirmationEmail(ctx, "mail@domain.com")
		return err
	}

	notVerified := havrError(403, "email_not_verified", "Email is not verified")
	inactive := havrError(403, "account_inactive", "Account is inactive")
	noUser := havrError(404, "user_does_not_exist", "User does not exist")
	cantAccess := havrError(400, "cant_access_other_user", "Can't access user")
	phone := havrError(400, "invalid_phone_number_format", "Invalid phone number format")
	tokenNull := havrError(400, "email_verification_token_is_null", "Email verification token is null")
	tokenInvalid := havrError(400, "invalid_email_verification_token", "Invalid email verification token")
	tokenExpired := havrError(400, "email_verification_token_expired", "Email verification token expired")
	resetInvalid := havrError(400, "invalid_password_reset_token", "Invalid password reset token")
	resetNull := havrError(400, "password_reset_token_is_null", "Password reset token is null")

	harness.RunErrors(t, []errorCase{
		{Name: "Me: email not verified", Status: 403, Body: testUserErrEmailNotVerified, Sentinel: access.ErrForbidden, Call: me, Check: notVerified},
		{Name: "Me: account inactive", Status: 403, Body: testUserErrAccountInactive, Sentinel: access.ErrForbidden, Call: me, Check: inactive},
		{Name: "Get: does not exist", Status: 404, Body: testUserErrDoesNotExist, Sentinel: access.ErrNotFound, Call: get, Check: noUser},
		{Name: "ListPendingRequests: email not verified", Status: 403, Body: testUserErrEmailNotVerified, Sentinel: access.ErrForbidden,
			Call: pendingRequests, Check: notVerified},
		{Name: "ListPendingRequests: account inactive", Status: 403, Body: testUserErrAccountInactive, Sentinel: access.ErrForbidden,
			Call: pendingRequests, Check: inactive},
		{Name: "AnswerContactRequest: another one's", Status: 403,
			Body:     `{"error": "Can't access anyone else's contact", "error_code":"cant_access_another_ones_contact"}`,
			Sentinel: access.ErrForbidden, Call: answer,
			Check: havrError(403, "cant_access_another_ones_contact", "Can't access anyone else's contact")},
		{Name: "AnswerContactRequest: does not exist", Status: 404,
			Body:     `{"error": "Contact does not exist ", "error_code": "contact_does_not_exist"}`,
			Sentinel: access.ErrNotFound, Call: answer, Check: havrError(404, "contact_does_not_exist", "Contact does not exist ")},
		{Name: "AnswerContactRequest: not pending", Status: 400,
			Body:     `{"error": "Contact request is not pending", "error_code": "contact_request_not_pending"}`,
			Sentinel: access.ErrConflict, Call: answer, Check: havrError(400, "contact_request_not_pending", "Contact request is not pending")},
		{Name: "Create: bad phone", Status: 400, Body: testUserErrPhoneFormat, Sentinel: access.ErrInvalid, Call: create, Check: phone},
		// user_exists has no mapped code; its 400 makes it ErrInvalid,
		// although it is a conflict with an existing account.
		{Name: "Create: exists", Status: 400, Body: `{"error": "User already exists", "error_code": "user_exists"}`,
			Sentinel: access.ErrConflict, Call: create, Check: havrError(400, "user_exists", "User already exists")},
		{Name: "Update: does not exist", Status: 404, Body: testUserErrDoesNotExist, Sentinel: access.ErrNotFound, Call: update, Check: noUser},
		{Name: "Update: another user", Status: 400, Body: testUserErrCantAccess, Sentinel: access.ErrForbidden, Call: update, Check: cantAccess},
		{Name: "Update: bad phone", Status: 400, Body: testUserErrPhoneFormat, Sentinel: access.ErrInvalid, Call: update, Check: phone},
		{Name: "Delete: does not exist", Status: 404, Body: testUserErrDoesNotExist, Sentinel: access.ErrNotFound, Call: del, Check: noUser},
		{Name: "Delete: another user", Status: 400, Body: testUserErrCantAccess, Sentinel: access.ErrForbidden, Call: del, Check: cantAccess},
		{Name: "ForgotPassword: unknown email", Status: 404, Body: `{"error": "Unknown email address"}`,
			Sentinel: access.ErrNotFound, Call: forgot, Check: havrError(404, "", "Unknown email address")},
		// The document's next three bodies lack the comma after "error";
		// it is added so they are JSON.
		{Name: "ForgotPassword: token null", Status: 400, Body: testUserErrResetNull, Sentinel: access.ErrInvalid, Call: forgot, Check: resetNull},
		{Name: "ForgotPassword: invalid token", Status: 400, Body: testUserErrResetInvalid, Sentinel: access.ErrInvalid, Call: forgot, Check: resetInvalid},
		{Name: "ForgotPassword: invalid new password", Status: 400,
			Body: `{"error": "Invalid new password", "error_code": "invalid_new_password"}`, Sentinel: access.ErrInvalid, Call: forgot,
			Check: havrError(400, "invalid_new_password", "Invalid new password")},
		{Name: "VerifyEmail: token null", Status: 400, Body: testUserErrTokenNull, Sentinel: access.ErrInvalid, Call: verify, Check: tokenNull},
		{Name: "VerifyEmail: invalid token", Status: 400, Body: testUserErrTokenInvalid, Sentinel: access.ErrInvalid, Call: verify, Check: tokenInvalid},
		{Name: "VerifyEmail: expired token", Status: 400, Body: testUserErrTokenExpired, Sentinel: access.ErrInvalid, Call: verify, Check: tokenExpired},
		// A 403 whose code says invalid_: the code wins.
		{Name: "ChangeEmail: invalid password", Status: 403, Body: `{"error": "Invalid password", "error_code": "invalid_password"}`,
			Sentinel: access.ErrInvalid, Call: changeEmail, Check: havrError(403, "invalid_password", "Invalid password")},
		{Name: "ChangeEmail: email in use", Status: 400, Body: `{"error": "Email already in use", "error_code": "email_already_in_use"}`,
			Sentinel: access.ErrConflict, Call: changeEmail, Check: havrError(400, "email_already_in_use", "Email already in use")},
		// "pending" in the code maps to ErrConflict, though nothing is pending.
		{Name: "ResendEmailChange: none pending", Status: 400,
			Body:     `{"error":  "There's no email change procedure already pending", "error_code": "no_email_pending"}`,
			Sentinel: access.ErrInvalid, Call: resendChange,
			Check: havrError(400, "no_email_pending", "There's no email change procedure already pending")},
		{Name: "ConfirmEmailChange: token null", Status: 400, Body: testUserErrTokenNull, Sentinel: access.ErrInvalid, Call: confirm, Check: tokenNull},
		{Name: "ConfirmEmailChange: invalid token", Status: 400, Body: testUserErrTokenInvalid, Sentinel: access.ErrInvalid, Call: confirm, Check: tokenInvalid},
		{Name: "ConfirmEmailChange: expired token", Status: 400, Body: testUserErrTokenExpired, Sentinel: access.ErrInvalid, Call: confirm, Check: tokenExpired},
		{Name: "CancelEmailChange: token null", Status: 400, Body: testUserErrTokenNull, Sentinel: access.ErrInvalid, Call: cancel, Check: tokenNull},
		{Name: "CancelEmailChange: invalid token", Status: 400, Body: testUserErrTokenInvalid, Sentinel: access.ErrInvalid, Call: cancel, Check: tokenInvalid},
		{Name: "CancelEmailChange: expired token", Status: 400, Body: testUserErrTokenExpired, Sentinel: access.ErrInvalid, Call: cancel, Check: tokenExpired},
		// null_pending_mail contains "pending" and maps to ErrConflict,
		// though it means no change is in progress.
		{Name: "CancelEmailChangeAuthenticated: none in progress", Status: 400,
			Body:     `{"error": "There's no mail change procedure in progress", "error_code": "null_pending_mail"}`,
			Sentinel: access.ErrInvalid, Call: cancelAuth,
			Check: havrError(400, "null_pending_mail", "There's no mail change procedure in progress")},
		{Name: "ResetPassword: invalid token", Status: 400, Body: testUserErrResetInvalid, Sentinel: access.ErrInvalid, Call: reset, Check: resetInvalid},
		{Name: "ResetPassword: invalid new password", Status: 400, Body: `{"error": "Invalid new password", "error_code": "invalid_password"}`,
			Sentinel: access.ErrInvalid, Call: reset, Check: havrError(400, "invalid_password", "Invalid new password")},
		{Name: "CancelPasswordReset: invalid token", Status: 400, Body: testUserErrResetInvalid, Sentinel: access.ErrInvalid, Call: cancelReset, Check: resetInvalid},
		{Name: "CancelPasswordReset: token null", Status: 400, Body: testUserErrResetNull, Sentinel: access.ErrInvalid, Call: cancelReset, Check: resetNull},
		{Name: "SetProfilePicture: bad extension", Status: 400,
			Body:     `{"error": "The extension of the picture is invalid", "error_code": "invalid_picture_extension"}`,
			Sentinel: access.ErrInvalid, Call: setPicture,
			Check: havrError(400, "invalid_picture_extension", "The extension of the picture is invalid")},
		{Name: "SetProfilePicture: too large", Status: 400, Body: `{"error": "File too large", "error_code": "file_too_large"}`,
			Sentinel: access.ErrInvalid, Call: setPicture, Check: havrError(400, "file_too_large", "File too large")},
		{Name: "DeleteProfilePicture: none", Status: 400,
			Body:     `{"error": "The profile picture does not exist", "error_code": "profile_picture_does_not_exist"}`,
			Sentinel: access.ErrNotFound, Call: delPicture,
			Check: havrError(400, "profile_picture_does_not_exist", "The profile picture does not exist")},
		{Name: "GetProfilePictureOf: no user", Status: 404, Body: testUserErrDoesNotExist, Sentinel: access.ErrNotFound, Call: pictureOf, Check: noUser},
		{Name: "GetProfilePicturesOf: no user", Status: 404, Body: testUserErrDoesNotExist, Sentinel: access.ErrNotFound, Call: picturesOf, Check: noUser},
		{Name: "ResendConfirmationEmail: bad parameters", Status: 400,
			Body:     `{"error": "Request badly formatted", "error_code": "request_badly_formatted"}`,
			Sentinel: access.ErrInvalid, Call: resendConfirmation,
			Check: havrError(400, "request_badly_formatted", "Request badly formatted")},
	})
}

func TestUsersValidation(t *testing.T) {
	c := newTestClient(t, noRequests(t))
	ctx := context.Background()
	good := UserCreateRequest{Email: "ada@example.com", FirstName: "Ada", LastName: "Lovelace", Password: "Correct-Horse-9"}
	with := func(f func(*UserCreateRequest)) UserCreateRequest { r := good; f(&r); return r }
	for name, req := range map[string]UserCreateRequest{
		"no email":                  with(func(r *UserCreateRequest) { r.Email = "" }),
		"no first name":             with(func(r *UserCreateRequest) { r.FirstName = "" }),
		"no last name":              with(func(r *UserCreateRequest) { r.LastName = "" }),
		"no password":               with(func(r *UserCreateRequest) { r.Password = "" }),
		"weak password":             with(func(r *UserCreateRequest) { r.Password = "password" }),
		"bad phone":                 with(func(r *UserCreateRequest) { r.PhoneNumber = "06 48 24 38 34" }),
		"bad language":              with(func(r *UserCreateRequest) { r.PreferredLanguage = "de" }),
		"picture without extension": with(func(r *UserCreateRequest) { r.Picture = testUserPicture }),
		"bad extension": with(func(r *UserCreateRequest) {
			r.Picture, r.Extension = testUserPicture, "gif"
		}),
	} {
		_, _, err := c.Users.Create(ctx, req)
		require.ErrorIs(t, err, access.ErrInvalid, name)
	}

	for name, req := range map[string]UserUpdate{
		"empty first name": {FirstName: Ptr("")},
		"empty last name":  {LastName: Ptr("")},
		"bad phone":        {PhoneNumber: Ptr("+3306482438")},
		"bad language":     {PreferredLanguage: Ptr(UserLanguage("EN"))},
	} {
		_, _, err := c.Users.Update(ctx, 6, req)
		require.ErrorIs(t, err, access.ErrInvalid, name)
	}

	calls := map[string]func() error{
		"AnswerContactRequest": func() error { _, _, err := c.Users.AnswerContactRequest(ctx, UserContactAnswerRequest{}); return err },
		"UsernameOrEmailUsed":  func() error { _, _, err := c.Users.UsernameOrEmailUsed(ctx, ""); return err },
		"ForgotPassword: no email": func() error {
			_, err := c.Users.ForgotPassword(ctx, UserForgotPasswordRequest{Platform: UserPlatformDashboard})
			return err
		},
		"ForgotPassword: no platform": func() error {
			_, err := c.Users.ForgotPassword(ctx, UserForgotPasswordRequest{Email: "e@example.com"})
			return err
		},
		"ForgotPassword: bad platform": func() error {
			_, err := c.Users.ForgotPassword(ctx, UserForgotPasswordRequest{Email: "e@example.com", Platform: "mobile"})
			return err
		},
		"VerifyEmail: nil":      func() error { _, err := c.Users.VerifyEmail(ctx, nil); return err },
		"VerifyEmail: no token": func() error { _, err := c.Users.VerifyEmail(ctx, &UserVerifyEmailOptions{}); return err },
		"ChangeEmail: no email": func() error {
			_, _, err := c.Users.ChangeEmail(ctx, UserChangeEmailRequest{Password: "p", Platform: UserPlatformDashboard})
			return err
		},
		"ChangeEmail: no password": func() error {
			_, _, err := c.Users.ChangeEmail(ctx, UserChangeEmailRequest{Email: "e@example.com", Platform: UserPlatformDashboard})
			return err
		},
		"ChangeEmail: no platform": func() error {
			_, _, err := c.Users.ChangeEmail(ctx, UserChangeEmailRequest{Email: "e@example.com", Password: "p"})
			return err
		},
		"ResendEmailChange: bad platform": func() error { _, _, err := c.Users.ResendEmailChange(ctx, "web"); return err },
		"ConfirmEmailChange: nil":         func() error { _, _, err := c.Users.ConfirmEmailChange(ctx, nil); return err },
		"CancelEmailChange: no token": func() error {
			_, err := c.Users.CancelEmailChange(ctx, &UserEmailChangeOptions{})
			return err
		},
		"ChangePassword: no current": func() error {
			_, err := c.Users.ChangePassword(ctx, UserChangePasswordRequest{NewPassword: "Correct-Horse-9"})
			return err
		},
		"ChangePassword: weak new": func() error {
			_, err := c.Users.ChangePassword(ctx, UserChangePasswordRequest{NewPassword: "new_password", CurrentPassword: "x"})
			return err
		},
		"ResetPassword: no token": func() error {
			_, err := c.Users.ResetPassword(ctx, UserResetPasswordRequest{NewPassword: "Correct-Horse-9"})
			return err
		},
		"ResetPassword: weak new": func() error {
			_, err := c.Users.ResetPassword(ctx, UserResetPasswordRequest{PasswordResetToken: "t", NewPassword: "short"})
			return err
		},
		"CancelPasswordReset: nil": func() error { _, err := c.Users.CancelPasswordReset(ctx, nil); return err },
		"SetProfilePicture: no picture": func() error {
			_, err := c.Users.SetProfilePicture(ctx, UserPictureRequest{Extension: UserPicturePNG})
			return err
		},
		"SetProfilePicture: no extension": func() error {
			_, err := c.Users.SetProfilePicture(ctx, UserPictureRequest{Picture: testUserPicture})
			return err
		},
		"SetProfilePicture: bad extension": func() error {
			_, err := c.Users.SetProfilePicture(ctx, UserPictureRequest{Picture: testUserPicture, Extension: "PNG"})
			return err
		},
		"GetProfilePictureOf: no id":    func() error { _, _, err := c.Users.GetProfilePictureOf(ctx, 0); return err },
		"GetProfilePicturesOf: no ids":  func() error { _, _, err := c.Users.GetProfilePicturesOf(ctx, nil); return err },
		"ResendConfirmationEmail: none": func() error { _, err := c.Users.ResendConfirmationEmail(ctx, ""); return err },
	}
	for name, call := range calls {
		require.ErrorIs(t, call(), access.ErrInvalid, name)
	}
}

func TestValidatePassword(t *testing.T) {
	for _, pw := range []string{
		"Correct-Horse-9",                  // 15: all four classes
		"Aa1!aaaa",                         // 8: the shortest with all four
		"correcthorsebatt",                 // 16 lower case letters
		"0123456789012345",                 // 16 digits
		"ÀÉÎõü€¡¿×÷ÿabcde",                 // 16 with Latin-1 specials and the euro sign
		"Aa1é" + "bbbb",                    // accented letters count as special characters
		strings.Repeat("a", 49),            // the longest
		"!\"#$%&'()*+,-./:;<=>?@[]^_`{|}~", // punctuation only, 32
	} {
		require.NoError(t, ValidatePassword(pw), "%q", pw)
	}
	for name, pw := range map[string]string{
		"empty":                  "",
		"15 lower case letters":  "correcthorsebat",
		"7 with all classes":     "Aa1!aaa",
		"8 without special":      "Aa1aaaaa",
		"8 without digit":        "Aa!aaaaa",
		"8 without upper case":   "aa1!aaaa",
		"8 without lower case":   "AA1!AAAA",
		"50 characters":          strings.Repeat("a", 50),
		"space":                  "correct horse battery",
		"backslash":              `correct\horse\battery`,
		"soft hyphen":            "correct\u00adhorse-battery9",
		"emoji":                  "correcthorsebattery🐴",
		"non-Latin-1 letter":     "correcthorsebatteryŁ",
		"15 from all but digits": "Correct-Horse-x",
	} {
		err := ValidatePassword(pw)
		require.ErrorIs(t, err, access.ErrInvalid, name)
		if pw != "" {
			assert.NotContains(t, err.Error(), pw, "%s: the error quotes the password", name)
		}
	}
}

func TestValidatePhoneNumber(t *testing.T) {
	for _, phone := range []string{
		"0648243834", "+33648243834", "0148243834", "+33148243834", // FR: 0 + 9 digits, +33 + 9 digits
		"07222555555", "+447222555555", "02079460000", "+442079460000", // UK: 0 + 10 digits, +44 + 10 digits
	} {
		require.NoError(t, ValidatePhoneNumber(phone), phone)
	}
	for _, phone := range []string{
		"", "abc", "06 48 24 38 34", "06.48.24.38.34", "+33 6 48 24 38 34", "0033648243834", "+330648243834",
		"0048243834", "064824383", "+3364824383", "+336482438345", "+4407222555555", "+44722255555",
		"+4472225555555", "0722255555555", "+14155550123", "+34648243834", "33648243834",
	} {
		require.ErrorIs(t, ValidatePhoneNumber(phone), access.ErrInvalid, phone)
	}
}

// TestUsersTokenQuery checks that emailed tokens reach the server in clear
// but neither fmt nor the debug log shows them.
func TestUsersTokenQuery(t *testing.T) {
	opts := &UserEmailChangeOptions{EmailVerificationToken: "s3cr3t-t0ken"}
	assert.NotContains(t, fmt.Sprintf("%v %+v %#v", opts, opts, opts), "s3cr3t-t0ken")

	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	mock := httpmock.NewMockTransport()
	var query string
	mock.RegisterNoResponder(func(req *http.Request) (*http.Response, error) {
		query = req.URL.RawQuery
		resp := httpmock.NewStringResponse(200, "")
		resp.Request = req
		return resp, nil
	})
	c := newTestClient(t, mock, WithLogger(logger))
	_, err := c.Users.CancelEmailChange(context.Background(), opts)
	require.NoError(t, err)
	assert.Equal(t, "email_verification_token=s3cr3t-t0ken", query)
	assert.Contains(t, logs.String(), "cancel_email_modification")
	assert.NotContains(t, logs.String(), "s3cr3t-t0ken")
}

// TestUsersSecretsInBodies checks that passwords and tokens are sent but
// not printed.
func TestUsersSecretsInBodies(t *testing.T) {
	req := UserResetPasswordRequest{PasswordResetToken: "reset-tok", NewPassword: "Correct-Horse-9"}
	out := fmt.Sprintf("%v %+v %#v", req, req, req)
	assert.NotContains(t, out, "reset-tok")
	assert.NotContains(t, out, "Correct-Horse-9")
}

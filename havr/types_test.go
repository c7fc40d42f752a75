package havr

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/doorkit/doorkit/access"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestIDUnmarshal(t *testing.T) {
	for in, want := range map[string]ID{
		`42`: 42, `"42"`: 42, `0`: 0, `null`: 0, `""`: 0, `-7`: -7, `9223372036854775807`: 1<<63 - 1,
	} {
		var id ID
		require.NoError(t, json.Unmarshal([]byte(in), &id), in)
		assert.Equal(t, want, id, in)
	}
	for _, in := range []string{`"door_lock_id"`, `4.5`, `1e3`, `9223372036854775808`, `true`, `"-"`, `"12a"`} {
		var id ID
		assert.Error(t, json.Unmarshal([]byte(in), &id), in)
	}
	b, err := json.Marshal(struct{ ID ID }{7})
	require.NoError(t, err)
	assert.JSONEq(t, `{"ID":7}`, string(b))
}

func FuzzIDUnmarshal(f *testing.F) {
	for _, s := range []string{`42`, `"42"`, `-1`, `null`, `"x"`, `99999999999999999999`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var id ID
		if err := id.UnmarshalJSON([]byte(s)); err != nil {
			return
		}
		// Whatever parsed must be what strconv reads from the same digits.
		digits := s
		if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
			digits = s[1 : len(s)-1]
		}
		if digits == "null" || digits == "" {
			assert.Zero(t, id)
			return
		}
		n, err := strconv.ParseInt(digits, 10, 64)
		require.NoError(t, err, "accepted %q that strconv refuses", s)
		assert.Equal(t, ID(n), id)
	})
}

func TestTime(t *testing.T) {
	paris := time.FixedZone("CEST", 2*3600)
	b, err := json.Marshal(At(time.Date(2017, 4, 1, 14, 30, 0, 123e6, paris)))
	require.NoError(t, err)
	assert.Equal(t, `"2017-04-01T12:30:00Z"`, string(b), "UTC, no milliseconds")
	b, err = json.Marshal(Time{})
	require.NoError(t, err)
	assert.Equal(t, `null`, string(b))

	for in, want := range map[string]time.Time{
		`"2017-04-01T12:30:00.000Z"`:      time.Date(2017, 4, 1, 12, 30, 0, 0, time.UTC),
		`"2017-04-01T12:30:00Z"`:          time.Date(2017, 4, 1, 12, 30, 0, 0, time.UTC),
		`"2017-04-01T14:30:00.5+02:00"`:   time.Date(2017, 4, 1, 12, 30, 0, 5e8, time.UTC),
		`null`:                            {},
		`""`:                              {},
		`"2018-10-30T08:15:54.122Z"`:      time.Date(2018, 10, 30, 8, 15, 54, 122e6, time.UTC),
		`"2018-10-30T08:15:54.122456Z"`:   time.Date(2018, 10, 30, 8, 15, 54, 122456e3, time.UTC),
		`"2018-10-30T08:15:54.1224567Z"`:  time.Date(2018, 10, 30, 8, 15, 54, 1224567e2, time.UTC),
		`"2018-10-30T08:15:54.12245678Z"`: time.Date(2018, 10, 30, 8, 15, 54, 12245678e1, time.UTC),
	} {
		var got Time
		require.NoError(t, json.Unmarshal([]byte(in), &got), in)
		assert.True(t, want.Equal(got.Time), "%s: got %v", in, got.Time)
	}
	for _, in := range []string{`"yesterday"`, `1490000000`, `"2017-04-01"`} {
		var got Time
		assert.Error(t, json.Unmarshal([]byte(in), &got), in)
	}
}

func TestValidatePeriod(t *testing.T) {
	start := At(time.Date(2030, 1, 31, 9, 0, 0, 0, time.UTC))
	end := func(d time.Duration) Time { return At(start.Add(d)) }
	ok := []struct {
		end Time
		rec Recurrency
	}{
		{end(time.Hour), ""}, {end(time.Hour), RecurrencyNone}, {end(24 * time.Hour), RecurrencyDay},
		{end(7 * 24 * time.Hour), RecurrencyWeek}, {At(start.AddDate(0, 1, 0)), RecurrencyMonth},
		{At(start.AddDate(1, 0, 0)), RecurrencyYear}, {end(30 * 24 * time.Hour), RecurrencyNone},
	}
	for _, c := range ok {
		assert.NoError(t, validatePeriod(start, c.end, c.rec), "%v %s", c.end, c.rec)
	}
	bad := []struct {
		start, end Time
		rec        Recurrency
	}{
		{start, start, ""}, {start, end(-time.Hour), ""}, {start, end(25 * time.Hour), RecurrencyDay},
		{start, end(8 * 24 * time.Hour), RecurrencyWeek}, {start, At(start.AddDate(0, 1, 1)), RecurrencyMonth},
		{start, At(start.AddDate(1, 0, 1)), RecurrencyYear}, {start, Time{}, RecurrencyDay},
		{Time{}, end(time.Hour), RecurrencyWeek}, {start, end(time.Hour), "fortnight"},
	}
	for _, c := range bad {
		assert.ErrorIs(t, validatePeriod(c.start, c.end, c.rec), access.ErrInvalid, "%v %v %s", c.start, c.end, c.rec)
	}
}

func TestValidateDescription(t *testing.T) {
	assert.NoError(t, validateDescription("d", "Porte d'entrée du bâtiment A, niveau 2!"[:38]))
	assert.NoError(t, validateDescription("d", "éééééééééééééééééééééééééééééééééééééééé"), "40 characters, 80 bytes")
	assert.ErrorIs(t, validateDescription("d", "ééééééééééééééééééééééééééééééééééééééééé"), access.ErrInvalid)
}

func TestErrorSentinels(t *testing.T) {
	for code, want := range map[string]error{
		"door_lock_does_not_exist":                                access.ErrNotFound,
		"floor_map_position_does_not_exist_or_must_be_the_owner":  access.ErrNotFound,
		"lock_group_not_found_or_must_be_the_owner":               access.ErrNotFound,
		"cant_access_another_ones_shared_key":                     access.ErrForbidden,
		"account_inactive":                                        access.ErrForbidden,
		"contact_request_already_pending":                         access.ErrConflict,
		"user_exists":                                             access.ErrConflict,
		"no_email_pending":                                        access.ErrInvalid,
		"invalid_date_format":                                     access.ErrInvalid,
		"day_recurrency_cannot_be_applied_to_multiple_day_period": access.ErrInvalid,
	} {
		err := error(&Error{StatusCode: 400, Code: code})
		assert.ErrorIs(t, err, want, code)
		for _, other := range []error{access.ErrNotFound, access.ErrForbidden, access.ErrConflict, access.ErrInvalid} {
			if other != want {
				assert.False(t, errors.Is(err, other), "%s also matches %v", code, other)
			}
		}
	}
	assert.ErrorIs(t, error(&Error{StatusCode: 429}), access.ErrRateLimited, "no code: the status decides")
	assert.ErrorIs(t, error(&Error{StatusCode: 503, Code: "maintenance"}), access.ErrUnavailable, "unknown code: the status decides")
}

// FuzzDecodeError: any body decodes into an *Error that keeps status and
// body and never panics.
func FuzzDecodeError(f *testing.F) {
	f.Add(404, []byte(`{"error": "Door lock does not exist", "error_code": "door_lock_does_not_exist"}`))
	f.Add(403, []byte(`{"error": "Shared key has expired", "details": "temp_access_expired", "error_code": "shared_key_has_expired"}`))
	f.Add(400, []byte(`{"error": "Missing parameter (uuid)."}`))
	f.Add(500, []byte(`<html>`))
	f.Add(401, []byte(nil))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		if status < 100 || status > 999 {
			return
		}
		req, _ := http.NewRequest("GET", testBase+"/v1/door_locks", nil)
		err := decodeError(&http.Response{StatusCode: status, Header: http.Header{}, Request: req}, body)
		var herr *Error
		require.ErrorAs(t, err, &herr)
		assert.Equal(t, status, herr.StatusCode)
		assert.Equal(t, body, herr.Body)
		assert.NotEmpty(t, herr.Message)
		_ = herr.Error()
	})
}

// Every email a Havr request carries goes through access.ValidateEmail, and
// the error names the request's field; nothing is sent.
func TestEmailsFollowOneRule(t *testing.T) {
	ctx := context.Background()
	c := newTestClient(t, noRequests(t))
	calls := map[string]func(email string) error{
		"Email": func(e string) error {
			_, _, err := c.SharedKeys.CreateWithLink(ctx, SharedKeyLinkRequest{Email: e, LockListIDs: []ID{9}})
			return err
		},
		"Emails[1]": func(e string) error {
			_, _, err := c.SharedKeys.CreateWithLink(ctx, SharedKeyLinkRequest{Emails: []string{"a@example.com", e}, LockListIDs: []ID{9}})
			return err
		},
		"Email (SendEULA)": func(e string) error {
			_, err := c.Support.SendEULA(ctx, SupportEULARequest{Email: e, Language: SupportEnglish})
			return err
		},
		"Email (Users.Create)": func(e string) error {
			_, _, err := c.Users.Create(ctx, UserCreateRequest{Email: e, FirstName: "A", LastName: "B", Password: "Correct-Horse-9"})
			return err
		},
		"Email (ForgotPassword)": func(e string) error {
			_, err := c.Users.ForgotPassword(ctx, UserForgotPasswordRequest{Email: e, Platform: UserPlatformDashboard})
			return err
		},
		"Email (ChangeEmail)": func(e string) error {
			_, _, err := c.Users.ChangeEmail(ctx, UserChangeEmailRequest{Email: e, Password: "p", Platform: UserPlatformDashboard})
			return err
		},
		"email (ResendConfirmationEmail)": func(e string) error {
			_, err := c.Users.ResendConfirmationEmail(ctx, e)
			return err
		},
	}
	hostile := []string{
		"", "visitor", "@example.com", "ada@", "Ada <ada@example.com>", "<ada@example.com>",
		"a@example.com,b@example.com", "a@example.com b@example.com", "a@example.com\r\nBcc: x@example.com",
		"a\x00@example.com", strings.Repeat("a", access.MaxEmailLength-len("@example.com")+1) + "@example.com",
	}
	for name, call := range calls {
		field, _, _ := strings.Cut(name, " ")
		for _, email := range hostile {
			err := call(email)
			require.ErrorIs(t, err, access.ErrInvalid, "%s %q", name, email)
			var invalid *access.InvalidError
			require.ErrorAs(t, err, &invalid, "%s %q", name, email)
			assert.Equal(t, field, invalid.Field, "%s %q", name, email)
			if name == "Email" && email == "" {
				continue // CreateWithLink says an email or a list is required
			}
			assert.Equal(t, access.ValidateEmail(email).(*access.InvalidError).Reason, invalid.Reason, "%s %q: the one rule", name, email)
		}
	}
}

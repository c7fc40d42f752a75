package havr

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/doorkit/doorkit/access"
	"github.com/stretchr/testify/assert"
)

// badEmails are addresses no one can receive a Havr link at; each is
// refused before anything is sent (3 of them used to be sent).
var badEmails = []string{
	"", "ada", "ada@", "@example.com", "ada@@example.com", "Ada <ada@example.com>", "ada@example.com, bob@example.com",
	"ada@example.com\r\nBcc: eve@example.com", "ada @example.com", "ada@localhost", "ada@example", "ada@[127.0.0.1]",
	"ada@1.2.3.4", "ada@-example.com", "ada@exa_mple.com", "ada@bücher.example", strings.Repeat("a", 65) + "@example.com",
}

func TestBadEmailsAreRefusedBeforeSending(t *testing.T) {
	ctx := context.Background()
	c := newTestClient(t, noRequests(t))
	for _, email := range badEmails {
		_, _, err := c.SharedKeys.CreateWithLink(ctx, SharedKeyLinkRequest{Email: email, LockListIDs: []ID{4}})
		if email != "" { // "" is no Email: the request has none
			assert.ErrorIs(t, err, access.ErrInvalid, "CreateWithLink Email %q", email)
		}
		_, _, err = c.SharedKeys.CreateWithLink(ctx, SharedKeyLinkRequest{Emails: []string{"ok@example.com", email}, LockListIDs: []ID{4}})
		assert.ErrorIs(t, err, access.ErrInvalid, "CreateWithLink Emails %q", email)
		_, _, err = c.Users.Create(ctx, UserCreateRequest{Email: email, FirstName: "Ada", LastName: "L", Password: "Correct-Horse-9"})
		assert.ErrorIs(t, err, access.ErrInvalid, "Users.Create %q", email)
	}
}

// An end in the year 10000 cannot be written as Havr's ISO 8601 UTC time:
// refused before anything is sent, by the period check and, for a request
// that escapes it, by the time's own encoding.
func TestTimesOutsideISO8601AreRefused(t *testing.T) {
	ctx := context.Background()
	c := newTestClient(t, noRequests(t))
	start := At(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC))
	for name, end := range map[string]Time{
		"year 10000": At(time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)),
		"year 0":     At(time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC)),
	} {
		_, _, err := c.SharedKeys.CreateWithLink(ctx, SharedKeyLinkRequest{Email: "ada@example.com", LockListIDs: []ID{4}, StartDate: start, EndDate: end})
		assert.ErrorIs(t, err, access.ErrInvalid, "CreateWithLink %s", name)
		_, _, err = c.SharedKeys.Create(ctx, SharedKeyRequest{UserListIDs: []ID{2}, LockListIDs: []ID{4}, StartDate: start, EndDate: end})
		assert.ErrorIs(t, err, access.ErrInvalid, "Create %s", name)
		_, _, err = c.SharedKeys.CreateOrUpdate(ctx, SharedKeyCreateOrUpdateRequest{UserID: 2, DoorLockID: 4, StartDate: start, EndDate: end})
		assert.ErrorIs(t, err, access.ErrInvalid, "CreateOrUpdate %s", name)
		_, _, err = c.SharedKeys.Update(ctx, 20, SharedKeyUpdate{EndDate: &end})
		assert.ErrorIs(t, err, access.ErrInvalid, "Update %s", name)
		_, err = end.MarshalJSON()
		assert.Error(t, err, "MarshalJSON %s", name)
		assert.NotContains(t, fmt.Sprint(err), "%!", name)
	}
}

package august

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/doorkit/doorkit/access"
)

// A sub-user listing whose pages do not add up to its totalRecords cannot
// show that a sub-user is absent: SubUsers.All ends with an error.
func TestSubUsersAllIncompleteListing(t *testing.T) {
	for name, pages := range map[string][]string{
		"fewer than counted": {`{"totalRecords": 3, "currentPage": 1, "totalPages": 1, "subUsers": [
			{"userID": "u-1", "partnerUserID": "p-1"}, {"userID": "u-2", "partnerUserID": "p-2"}]}`},
		"count changed": {
			`{"totalRecords": 2, "currentPage": 1, "totalPages": 2, "subUsers": [{"userID": "u-1", "partnerUserID": "p-1"}]}`,
			`{"totalRecords": 3, "currentPage": 2, "totalPages": 2, "subUsers": [{"userID": "u-2", "partnerUserID": "p-2"}]}`},
		"a user twice": {
			`{"totalRecords": 2, "currentPage": 1, "totalPages": 2, "subUsers": [{"userID": "u-1", "partnerUserID": "p-1"}]}`,
			`{"totalRecords": 2, "currentPage": 2, "totalPages": 2, "subUsers": [{"userID": "u-1", "partnerUserID": "p-1"}]}`},
	} {
		t.Run(name, func(t *testing.T) {
			c := newTestClient(t, subUserPages(pages))
			var errs []error
			for _, err := range c.SubUsers.All(context.Background(), 1) {
				if err != nil {
					errs = append(errs, err)
				}
			}
			require.Len(t, errs, 1, "the listing ends with one error")
		})
	}
}

func subUserPages(pages []string) roundTripFunc {
	return func(req *http.Request) (*http.Response, error) {
		if req.URL.Path != "/partners/sub-user" {
			return jsonResponse(req, 500, `{"code":"unexpected","message":"`+req.URL.Path+`"}`), nil
		}
		page := 1
		if p := req.URL.Query().Get("page"); p == "2" {
			page = 2
		}
		return jsonResponse(req, 200, pages[min(page, len(pages))-1]), nil
	}
}

// A grant whose sub-user an incomplete listing does not show is not "not
// found": August has not said so.
func TestGrantLookupOnIncompleteSubUserListing(t *testing.T) {
	c := newTestClient(t, subUserPages([]string{`{"totalRecords": 5, "currentPage": 1, "totalPages": 1, "subUsers": []}`}),
		WithWebhook(testHookURL, nil))
	ctx := context.Background()
	_, err := c.GetGrant(ctx, "0123456789abcdef")
	assert.ErrorIs(t, err, access.ErrOutcomeUnknown)
	assert.NotErrorIs(t, err, access.ErrNotFound)
	err = c.RevokeGrant(ctx, "0123456789abcdef")
	assert.ErrorIs(t, err, access.ErrOutcomeUnknown)
	assert.NotErrorIs(t, err, access.ErrNotFound)
	n := 0
	for g, err := range c.ListGrants(ctx, access.GrantFilter{Key: "booking-1"}) {
		n++
		assert.Nil(t, g)
		assert.ErrorIs(t, err, access.ErrOutcomeUnknown)
	}
	assert.Equal(t, 1, n, "the listing by key yields the error, not nothing")
}

// Lists under names August does not document are kept, with their PINs.
func TestPINListKeepsUnknownLists(t *testing.T) {
	var l PINList
	require.NoError(t, jsonUnmarshal(`{"loaded": [{"_id": "a", "pin": "111111", "userID": "u-1"}],
		"suspended": [{"_id": "b", "pin": "222222", "userID": "u-2"}], "created": []}`, &l))
	require.Len(t, l.Loaded, 1)
	require.Len(t, l.Other[PINState("suspended")], 1)
	assert.Len(t, l.ByState("suspended"), 1)
	all := l.All()
	require.Len(t, all, 2)
	assert.Equal(t, PINState("suspended"), all[1].ListState)
	assert.False(t, all[1].ListState.Known())
	assert.True(t, PINLoaded.Known())
	assert.NotContains(t, sprintAll(l), "222222", "a PIN in an unknown list is redacted too")

	b, err := l.MarshalJSON()
	require.NoError(t, err)
	var again PINList
	require.NoError(t, jsonUnmarshal(string(b), &again))
	assert.Equal(t, l.Other, again.Other)
	assert.Contains(t, string(b), `"suspended":[`, "unknown lists stand beside the documented ones")

	assert.Error(t, jsonUnmarshal(`{"loaded": {"pin": "1"}}`, &l), "a list that is not a list")
}

func TestWithRollbackGrace(t *testing.T) {
	c := newTestClient(t, noRequests(t))
	assert.Equal(t, DefaultRollbackGrace, c.rollbackGrace)
	c = newTestClient(t, noRequests(t), WithRollbackGrace(0))
	assert.Zero(t, c.rollbackGrace, "no grace: the rollback ends with the caller's context")
	_, err := New(WithAPIKey(testAPIKey), WithRollbackGrace(-1))
	assert.ErrorIs(t, err, access.ErrInvalid)
}

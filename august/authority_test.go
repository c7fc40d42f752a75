package august_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/august/augusttest"
)

// August's lookup by key is not authoritative (a PIN is listed only once
// August has loaded it), so after a create of unknown outcome that finds
// nothing, EnsureGrant reports the outcome as unknown instead of loading a
// second PIN.
func TestEnsureGrantDoesNotLoadASecondPINAfterAnUnknownCreate(t *testing.T) {
	c, srv := conformanceClient(t)
	require.False(t, c.KeyLookupAuthoritative())
	ctx := context.Background()
	path := "/locks/" + augusttest.FrontDoorID + "/pins"
	srv.Inject(augusttest.Fault{Method: http.MethodPost, Path: path, Count: 1, Status: http.StatusInternalServerError})
	start := time.Now().Add(24 * time.Hour).Truncate(time.Minute)
	req := access.GrantRequest{Key: "BK-AUG-1", DoorIDs: []string{augusttest.FrontDoorID},
		Holder: access.Person{Name: "Ada Lovelace", Email: "ada@example.com"}, Credential: access.CredentialPIN,
		Window: access.Window{Start: start, End: start.Add(2 * time.Hour)}}

	_, _, err := access.EnsureGrant(ctx, c, req)
	require.ErrorIs(t, err, access.ErrOutcomeUnknown)
	assert.Equal(t, 1, srv.Count(http.MethodPost, path), "one PIN create, not a second after the empty lookup")
}

package redisstore_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/august"
	"github.com/doorkit/doorkit/august/augusttest"
	"github.com/doorkit/doorkit/internal/redistest"
	"github.com/doorkit/doorkit/redisstore"
)

const (
	augustHookURL    = "https://partner.example.com/august/events"
	augustHookHeader = "X-Partner-Token"
	augustHookToken  = "a-long-random-static-token-0001"
)

// handlerTransport delivers the fake's webhook calls straight to a handler.
type handlerTransport struct{ h http.Handler }

func (t handlerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	rec := httptest.NewRecorder()
	t.h.ServeHTTP(rec, r)
	return rec.Result(), nil
}

// Two August replicas sharing nothing but Redis (each its own Store, Redis
// connection, client and webhook handler); August calls replica A's
// handler only. B's revoke completes on the delete result A received; a
// failed load seen by A shows as failed on B; a repeat delivered to B after
// A is dropped.
func TestAugustReplicasShareWebhookResultsOnRedis(t *testing.T) {
	t.Parallel()
	rs := redistest.Start(t)
	srv := augusttest.NewServer()
	t.Cleanup(srv.Close)
	acct := redisstore.Account{Vendor: "august", Name: redistest.Name(t), BaseURL: srv.URL, ClientID: augusttest.ClientID}
	newReplica := func() (*august.Client, *august.WebhookHandler) {
		store := replica(t, rs.Client(), acct)
		redisstore.SetResultPoll(store, time.Hour) // only the wake-up may deliver
		h, err := august.NewWebhookHandler(augustHookHeader, augustHookToken, august.WithResultStore(store))
		if err != nil {
			t.Fatal(err)
		}
		c, err := august.New(august.WithBaseURL(srv.URL), august.WithHTTPClient(srv.Client()),
			august.WithAPIKey(augusttest.APIKey), august.WithTokens(srv.NewToken(augusttest.OwnerID), ""),
			august.WithWebhook(augustHookURL, h), august.WithRetry(0, 0, 0))
		if err != nil {
			t.Fatal(err)
		}
		return c, h
	}
	a, hookA := newReplica()
	b, hookB := newReplica()
	srv.SetWebhookClient(&http.Client{Transport: handlerTransport{hookA}})
	ctx, cancel := context.WithTimeout(context.Background(), generous)
	defer cancel()
	start := time.Now().Add(time.Hour).Truncate(time.Second)
	req := func(key string, pin access.Secret) access.GrantRequest {
		return access.GrantRequest{Key: key, DoorIDs: []string{augusttest.FrontDoorID},
			Holder: access.Person{Name: "Ada Lovelace", Email: "ada@example.com"},
			Window: access.Window{Start: start, End: start.Add(2 * time.Hour)}, Credential: access.CredentialPIN, PIN: pin}
	}

	grant, err := b.CreateGrant(ctx, req("booking-redis", "135790"))
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.WaitDeliveries(ctx); err != nil {
		t.Fatal(err)
	}
	if err := b.RevokeGrant(ctx, grant.ID); err != nil {
		t.Fatalf("RevokeGrant on B, its result delivered to A: %v", err)
	}
	if n := srv.LivePINs(); n != 0 {
		t.Errorf("%d live PINs after the revoke", n)
	}

	srv.FailPINCommand("246810", "keypad out of range")
	failed, err := b.CreateGrant(ctx, req("booking-redis-2", "246810"))
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.WaitDeliveries(ctx); err != nil {
		t.Fatal(err)
	}
	g, err := b.GetGrant(ctx, failed.ID)
	if err != nil {
		t.Fatal(err)
	}
	if g.State() != access.GrantFailed || len(g.Doors) != 1 || g.Doors[0].Reason != "keypad out of range" {
		t.Errorf("B sees the grant whose load failed on A as %s %+v, want failed with A's reason", g.State(), g.Doors)
	}

	if err := a.RevokeGrant(ctx, failed.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := b.GetGrant(ctx, failed.ID); !errors.Is(err, access.ErrNotFound) {
		t.Errorf("B's GetGrant of the grant A revoked = %v, want ErrNotFound", err)
	}

	body := `{"eventID":"redis-1","lockID":"` + augusttest.FrontDoorID + `","notificationType":"battery","battery":0.5}`
	for _, h := range []*august.WebhookHandler{hookA, hookB} {
		r := httptest.NewRequest(http.MethodPost, augustHookURL, strings.NewReader(body))
		r.Header.Set(augustHookHeader, augustHookToken)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		if rec.Code != http.StatusOK {
			t.Fatalf("webhook answered %d", rec.Code)
		}
	}
	if got := hookB.Stats(); got.Duplicates != 1 || got.Received != 0 {
		t.Errorf("B's handler: %+v, want the repeat dropped", got)
	}
}

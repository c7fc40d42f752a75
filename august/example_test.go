package august_test

import (
	"context"
	"fmt"
	"log"
	"net/http/httptest"
	"os"
	"time"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/august"
	"github.com/doorkit/doorkit/august/augusttest"
)

// Construction with tokens kept from an earlier session. Every rotated
// token August sends back is reported, newest last: persist it.
func ExampleNew() {
	c, err := august.New(
		august.WithAPIKey("partner-api-key"),             // from your secret store
		august.WithTokens(os.Getenv("AUGUST_TOKEN"), ""), // the newest token persisted below
		august.WithTokenCallback(func(t august.Tokens) {
			_ = os.WriteFile("august-token", []byte(t.AccessToken.Reveal()), 0o600)
		}),
	)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(c)
	// Output: august.Client{BaseURL: "https://api-production.august.com/"}
}

// The authorization-code flow: send the user to AuthCodeURL, then trade
// the code August redirects back with for tokens.
func ExampleAuthService_AuthCodeURL() {
	c, err := august.New(august.WithAPIKey("partner-api-key"),
		august.WithOAuth("partner-client", "partner-secret", "https://partner.example.com/oauth/callback"))
	if err != nil {
		log.Fatal(err)
	}
	u, err := c.Auth.AuthCodeURL("state-8f3a")
	if err != nil {
		log.Fatal(err)
	}
	// Later, in the redirect handler: tok, _, err := c.Auth.Exchange(ctx, r.FormValue("code"))
	fmt.Println(u)
	// Output: https://auth.august.com/authorization?client_id=partner-client&redirect_uri=https%3A%2F%2Fpartner.example.com%2Foauth%2Fcallback&response_type=code&state=state-8f3a
}

// A PIN for a booking window, loaded asynchronously and confirmed by
// webhook, on the in-memory August.
func ExampleWebhookHandler() {
	srv := augusttest.NewServer()
	defer srv.Close()
	ctx := context.Background()

	// Your endpoint for August's calls (HTTPS in production).
	const token = "a-long-random-static-token-0001"
	hooks, err := august.NewWebhookHandler("X-Partner-Token", token)
	if err != nil {
		log.Fatal(err)
	}
	receiver := httptest.NewServer(hooks)
	defer receiver.Close()

	c, err := august.New(august.WithBaseURL(srv.URL), august.WithHTTPClient(srv.Client()),
		august.WithAPIKey(augusttest.APIKey), august.WithTokens(srv.NewToken(augusttest.OwnerID), ""))
	if err != nil {
		log.Fatal(err)
	}
	lock := augusttest.FrontDoorID
	if _, _, err := c.Webhooks.Register(ctx, lock, august.WebhookRequest{URL: receiver.URL, ClientID: augusttest.ClientID,
		Header: "X-Partner-Token", Token: token, NotificationTypes: []august.NotificationType{august.NotifyOperation}}); err != nil {
		log.Fatal(err)
	}

	start := time.Now().Add(24 * time.Hour).Truncate(time.Second)
	cmd := august.PINCommand{PIN: "482913", AccessType: august.AccessTemporary,
		AccessTimes: &august.AccessTimes{Start: start, End: start.Add(48 * time.Hour)},
		FirstName:   "Ada", LastName: "Lovelace", PartnerUserID: "booking-1001"}
	// Expect before sending, so a quick result is not missed.
	loaded := hooks.Expect(august.PINKey(lock, august.PINActionLoad, "booking-1001"))
	defer loaded.Cancel()
	if _, _, err := c.PINs.Load(ctx, lock, cmd, receiver.URL, &august.PINRules{MinLength: 4, MaxLength: 6}); err != nil {
		log.Fatal(err)
	}
	ev, err := loaded.Wait(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(ev.Kind(), ev.Action, ev.State)
	// Output: pincommand load loaded
}

// A synchronous remote unlock: never resent, bounded by the sync timeout.
func ExampleRemoteOperateService_Sync() {
	srv := augusttest.NewServer()
	defer srv.Close()
	c, err := august.New(august.WithBaseURL(srv.URL), august.WithHTTPClient(srv.Client()),
		august.WithAPIKey(augusttest.APIKey), august.WithTokens(srv.NewToken(augusttest.OwnerID), ""))
	if err != nil {
		log.Fatal(err)
	}
	res, _, err := c.RemoteOperate.Sync(context.Background(), augusttest.FrontDoorID, august.CommandUnlock,
		&august.RemoteOperateOptions{RetryLimit: 2})
	if err != nil {
		log.Fatal(err) // errors.Is(err, august.ErrJammed), access.ErrOutcomeUnknown, ...
	}
	fmt.Println(res.Status.Normalize(), res.DoorState.Normalize())
	// Output: unlocked closed
}

// A booking's grant through the access interfaces: a temporary PIN on the
// lock, pending until August's webhook confirms it.
func ExampleClient_CreateGrant() {
	srv := augusttest.NewServer()
	defer srv.Close()
	hooks, err := august.NewWebhookHandler("X-Partner-Token", "a-long-random-static-token-0001")
	if err != nil {
		log.Fatal(err)
	}
	receiver := httptest.NewServer(hooks)
	defer receiver.Close()
	c, err := august.New(august.WithBaseURL(srv.URL), august.WithHTTPClient(srv.Client()),
		august.WithAPIKey(augusttest.APIKey), august.WithTokens(srv.NewToken(augusttest.OwnerID), ""),
		august.WithWebhook(receiver.URL, hooks))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	start := time.Now().Add(24 * time.Hour)
	grant, outcome, err := access.EnsureGrant(ctx, c, access.GrantRequest{
		Key: "booking-1001", DoorIDs: []string{augusttest.FrontDoorID},
		Holder: access.Person{Name: "Ada Lovelace", Email: "ada@example.com"},
		Window: access.Window{Start: start, End: start.Add(48 * time.Hour)}, Credential: access.CredentialPIN,
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(outcome, grant.Doors[0].Credential.Kind, grant.Doors[0].Credential.PIN)
	// Output: created pin [redacted]
}

package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/august"
	"github.com/doorkit/doorkit/august/augusttest"
)

type augustConfig struct {
	url, apiKey, token, door, visitor string
	// webhookURL is the public address August calls; listen is where this
	// program serves it (behind your TLS terminator); webhookToken is the
	// static token August sends back in the X-Doorkit-Token header.
	webhookURL, listen, webhookToken, clientID string
	open                                       bool
}

const augustHookHeader = "X-Doorkit-Token"

// runAugust lists the caller's locks, gives a visitor a PIN for a booking
// window on one door (loaded asynchronously and confirmed by August's
// webhook), unlocks the door remotely (confirmed by webhook too) and
// revokes the PIN.
func runAugust(ctx context.Context, out io.Writer, ac augustConfig) error {
	var opts []august.Option
	var fake *augusttest.Server
	if ac.url == "" {
		fake = augusttest.NewServer()
		defer fake.Close()
		ac = augustConfig{url: fake.URL, apiKey: augusttest.APIKey, token: fake.NewToken(augusttest.OwnerID),
			door: "Front Door", visitor: "visitor@example.com", webhookToken: "quickstart-static-token-0123456789",
			clientID: augusttest.ClientID, open: true}
		opts = append(opts, august.WithHTTPClient(fake.Client()))
		fmt.Fprintf(out, "== August (in-memory fake at %s)\n", fake.URL)
	} else {
		fmt.Fprintf(out, "== August at %s\n", ac.url)
		if ac.door == "" || ac.visitor == "" || ac.webhookURL == "" || ac.listen == "" || len(ac.webhookToken) < 16 || ac.clientID == "" {
			return fmt.Errorf("-august-door, -august-visitor, -august-webhook-url, -august-listen, -august-webhook-token (16+ characters) and -august-client-id are required against a real server")
		}
	}

	// Your endpoint for August's calls. August signs nothing: the handler
	// checks the static token chosen at registration, drops repeated
	// deliveries and hands results to whoever waits for them.
	var mu sync.Mutex
	var seen []string
	events, err := august.NewWebhookHandler(augustHookHeader, ac.webhookToken,
		august.WithEventFunc(func(_ context.Context, ev *august.Event) {
			mu.Lock()
			defer mu.Unlock()
			seen = append(seen, fmt.Sprintf("%s %s %s", ev.Kind(), ev.Action, ev.Status))
		}))
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.Handle("POST /august/events", events)
	if fake != nil {
		receiver := httptest.NewServer(mux)
		defer receiver.Close()
		ac.webhookURL = receiver.URL + "/august/events"
		fake.SetWebhookClient(receiver.Client())
	} else {
		ln, err := net.Listen("tcp", ac.listen)
		if err != nil {
			return err
		}
		srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
		go func() { _ = srv.Serve(ln) }()
		defer srv.Close()
	}

	rotated := 0
	client, err := august.New(append(opts, august.WithBaseURL(ac.url), august.WithAPIKey(ac.apiKey),
		august.WithTokens(ac.token, ""),
		// Every answer carries a fresh access token: persist the newest.
		august.WithTokenCallback(func(august.Tokens) { rotated++ }),
		august.WithWebhook(ac.webhookURL, events))...)
	if err != nil {
		return err
	}

	doors, err := client.ListDoors(ctx)
	if err != nil {
		return fmt.Errorf("list locks: %w", err)
	}
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "DOOR ID\tNAME\tTIME ZONE\tREMOTE OPEN\tPIN GRANTS")
	for _, d := range doors {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%v\t%v\n", d.ID, d.Name, d.TimeZone, d.Capabilities.RemoteOpen, d.Capabilities.Issues(access.CredentialPIN))
	}
	tw.Flush()

	ids, err := access.ResolveDoorIDs(ctx, client, "", ac.door)
	if err != nil {
		return err
	}
	door := ids[0]
	// Results go to the registered URL, with the static token.
	if _, _, err := client.Webhooks.Register(ctx, door, august.WebhookRequest{URL: ac.webhookURL, ClientID: ac.clientID,
		Header: augustHookHeader, Token: access.Secret(ac.webhookToken),
		NotificationTypes: []august.NotificationType{august.NotifyOperation}}); err != nil {
		return fmt.Errorf("register webhook: %w", err)
	}

	// A booking from tomorrow 15:00 to the day after at 11:00, UTC.
	day := time.Now().UTC().Truncate(24 * time.Hour).Add(24 * time.Hour)
	window := access.Window{Start: day.Add(15 * time.Hour), End: day.Add(24*time.Hour + 11*time.Hour)}
	grant, err := client.CreateGrant(ctx, access.GrantRequest{
		Key:        "booking-1001",
		DoorIDs:    ids,
		Holder:     access.Person{Name: "Visiting Guest", Email: ac.visitor},
		Window:     window,
		Credential: access.CredentialPIN,
	})
	if err != nil {
		return fmt.Errorf("grant: %w", err)
	}
	fmt.Fprintf(out, "\nGave %s a PIN for %q:\n", ac.visitor, ac.door)
	fmt.Fprintf(out, "  grant id    %s (store it with the booking to revoke later)\n", grant.ID)
	fmt.Fprintf(out, "  window      %s\n", grant.Window)
	// The PIN prints redacted; Credential.PIN.Reveal() gives the digits to send the guest.
	fmt.Fprintf(out, "  credential  %s %s\n", grant.Doors[0].Credential.Kind, grant.Doors[0].Credential.PIN)
	fmt.Fprintf(out, "  state       %s: August loads the PIN on the keypad and confirms by webhook\n", grant.State())

	// Wait for August's confirmation: expect it first, then look, so a
	// result that came before the wait is not missed.
	partner := grant.Native.(*august.GrantNative).PartnerUserID
	confirmed := events.Expect(august.PINKey(door, august.PINActionLoad, partner))
	if now, err := client.GetGrant(ctx, grant.ID); err == nil && now.State() != access.GrantPending {
		confirmed.Cancel()
	} else {
		wctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
		_, err := confirmed.Wait(wctx)
		cancel()
		if err != nil && !errors.Is(err, august.ErrCommandFailed) {
			return fmt.Errorf("waiting for August to load the PIN: %w", err)
		}
	}
	if grant, err = client.GetGrant(ctx, grant.ID); err != nil {
		return err
	}
	fmt.Fprintf(out, "  state       %s (webhook received)\n", grant.State())
	if grant.State() == access.GrantFailed {
		fmt.Fprintf(out, "  reason      %s\n", grant.Doors[0].Reason)
	}

	if ac.open {
		fmt.Fprintf(out, "\nUnlocking %q remotely... ", ac.door)
		switch err := client.OpenDoor(ctx, door); {
		case err == nil:
			fmt.Fprintln(out, "unlocked (confirmed by webhook)")
		case errors.Is(err, access.ErrUnavailable):
			fmt.Fprintf(out, "lock or bridge offline: %v\n", err)
		default:
			fmt.Fprintf(out, "failed: %v\n", err)
		}
	}

	if err := client.RevokeGrant(ctx, grant.ID); err != nil {
		return fmt.Errorf("revoke: %w", err)
	}
	fmt.Fprintf(out, "\nRevoked grant %s (the PIN is deleted from the keypad).\n", grant.ID)
	mu.Lock()
	fmt.Fprintf(out, "Webhook calls handled: %s\n", strings.Join(seen, "; "))
	mu.Unlock()
	fmt.Fprintf(out, "Rotated access tokens received: %d (persist the newest)\n", rotated)
	return nil
}

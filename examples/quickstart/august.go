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

// runAugust gives a visitor a PIN for a booking window, keyed by the
// booking id (pending until August's webhook says the lock loaded it),
// unlocks the door remotely and cancels the booking.
func runAugust(ctx context.Context, out io.Writer, cfg augustConfig) error {
	client, hooks, err := connectAugust(out, &cfg)
	if err != nil {
		return err
	}
	defer hooks.close()
	if err := listDoors(ctx, out, client, "TIME ZONE", func(d access.Door) string { return d.TimeZone }); err != nil {
		return err
	}
	door, err := findDoor(ctx, out, client, "", cfg.door)
	if err != nil {
		return err
	}
	if err := hooks.register(ctx, client, door); err != nil {
		return err
	}
	req := booking("booking-1001", door, cfg.visitor, tomorrow(15, 24+11), access.CredentialPIN)
	grant, err := ensure(ctx, out, client, req)
	if err != nil {
		return err
	}
	if err := waitForPIN(ctx, out, client, hooks.events, grant); err != nil {
		return err
	}
	if cfg.open {
		openDoor(ctx, out, client, door) // confirmed by webhook
	}
	if err := cancel(ctx, out, client, req.Key, grant.ID); err != nil {
		return err
	}
	hooks.report(out)
	return nil
}

// waitForPIN waits for August's webhook to say whether the lock loaded the
// grant's PIN, and prints the grant's state then. It expects the result
// first and then looks, so that a result that came before is not missed.
func waitForPIN(ctx context.Context, out io.Writer, client *august.Client, events *august.WebhookHandler, grant *access.Grant) error {
	partner := grant.Native.(*august.GrantNative).PartnerUserID
	loaded := events.Expect(august.PINKey(grant.Doors[0].DoorID, august.PINActionLoad, partner))
	if now, err := client.GetGrant(ctx, grant.ID); err == nil && now.State() != access.GrantPending {
		loaded.Cancel()
	} else {
		wctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
		_, err := loaded.Wait(wctx)
		cancel()
		if err != nil && !errors.Is(err, august.ErrCommandFailed) {
			return fmt.Errorf("waiting for August to load the PIN: %w", err)
		}
	}
	now, err := client.GetGrant(ctx, grant.ID)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "  state       %s: August's webhook says the lock loaded the PIN\n", now.State())
	if now.State() == access.GrantFailed {
		fmt.Fprintf(out, "  reason      %s\n", now.Doors[0].Reason)
	}
	return nil
}

// augustHooks is this program's endpoint for August's calls, and what it
// heard: August reports PIN results only to a webhook, and sends a fresh
// access token with its answers.
type augustHooks struct {
	events         *august.WebhookHandler
	url, token, id string
	close          func()
	mu             sync.Mutex
	seen           []string
	newest         august.Tokens
}

// connectAugust returns a client of the server cfg names or, when it names
// none, of an in-memory August, and the webhook endpoint it serves.
func connectAugust(out io.Writer, cfg *augustConfig) (*august.Client, *augustHooks, error) {
	var opts []august.Option
	var fake *augusttest.Server
	if cfg.url == "" {
		fake = augusttest.NewServer()
		fmt.Fprintf(out, "== August (in-memory fake at %s)\n", fake.URL)
		*cfg = augustConfig{url: fake.URL, apiKey: augusttest.APIKey, token: fake.NewToken(augusttest.OwnerID),
			door: "Front Door", visitor: "visitor@example.com", webhookToken: "quickstart-static-token-0123456789",
			clientID: augusttest.ClientID, open: true}
		opts = append(opts, august.WithHTTPClient(fake.Client()))
	} else {
		fmt.Fprintf(out, "== August at %s\n", cfg.url)
		if cfg.door == "" || cfg.visitor == "" || cfg.webhookURL == "" || cfg.listen == "" || len(cfg.webhookToken) < 16 || cfg.clientID == "" {
			return nil, nil, fmt.Errorf("-august-door, -august-visitor, -august-webhook-url, -august-listen, -august-webhook-token (16+ characters) and -august-client-id are required against a real server")
		}
	}
	hooks, err := serveAugustHooks(cfg, fake)
	if err != nil {
		return nil, nil, err
	}
	client, err := august.New(append(opts, august.WithBaseURL(cfg.url), august.WithAPIKey(cfg.apiKey),
		august.WithTokens(cfg.token, ""),
		august.WithTokenCallback(hooks.saveToken), // persist the newest
		august.WithWebhook(hooks.url, hooks.events),
		august.WithWebhookClientID(hooks.id))...) // registers each lock's webhook itself
	if err != nil {
		hooks.close()
		return nil, nil, err
	}
	return client, hooks, nil
}

// serveAugustHooks serves the webhook: on the fake, on a local test server
// the fake calls; otherwise on cfg.listen, which your TLS terminator
// publishes as cfg.webhookURL. The handler checks the static token chosen
// at registration (August signs nothing), drops repeated deliveries and
// hands results to whoever waits for them.
func serveAugustHooks(cfg *augustConfig, fake *augusttest.Server) (*augustHooks, error) {
	h := &augustHooks{url: cfg.webhookURL, token: cfg.webhookToken, id: cfg.clientID}
	events, err := august.NewWebhookHandler(augustHookHeader, cfg.webhookToken,
		august.WithEventFunc(func(_ context.Context, ev *august.Event) {
			h.mu.Lock()
			defer h.mu.Unlock()
			h.seen = append(h.seen, fmt.Sprintf("%s %s %s", ev.Kind(), ev.Action, ev.Status))
		}))
	if err != nil {
		return nil, err
	}
	h.events = events
	mux := http.NewServeMux()
	mux.Handle("POST /august/events", events)
	if fake != nil {
		receiver := httptest.NewServer(mux)
		fake.SetWebhookClient(receiver.Client())
		h.url = receiver.URL + "/august/events"
		h.close = func() { receiver.Close(); fake.Close() }
		return h, nil
	}
	ln, err := net.Listen("tcp", cfg.listen)
	if err != nil {
		return nil, err
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	h.close = func() { _ = srv.Close() }
	return h, nil
}

// register asks August to send the lock's results to the webhook, with the
// static token.
func (h *augustHooks) register(ctx context.Context, client *august.Client, lockID string) error {
	_, _, err := client.Webhooks.Register(ctx, lockID, august.WebhookRequest{URL: h.url, ClientID: h.id,
		Header: augustHookHeader, Token: access.Secret(h.token), NotificationTypes: []august.NotificationType{august.NotifyOperation}})
	if err != nil {
		return fmt.Errorf("register webhook: %w", err)
	}
	return nil
}

// saveToken is where a program persists the newest access token August
// sent (it sends a fresh one with its answers).
func (h *augustHooks) saveToken(t august.Tokens) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.newest = t
}

func (h *augustHooks) report(out io.Writer) {
	h.mu.Lock()
	defer h.mu.Unlock()
	fmt.Fprintf(out, "Webhook calls handled: %s\n", strings.Join(h.seen, "; "))
	if h.newest.AccessToken == "" {
		return
	}
	fmt.Fprint(out, "Access token: August sent fresh ones with its answers; persist the newest, which replaces the one you started with")
	if !h.newest.Expiry.IsZero() {
		fmt.Fprintf(out, " (valid until %s)", h.newest.Expiry.UTC().Format(time.RFC3339))
	}
	fmt.Fprintln(out, ".")
}

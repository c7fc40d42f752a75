package main

import (
	"context"
	"fmt"
	"io"
	"net/http"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/resivo"
	"github.com/doorkit/doorkit/resivo/resivotest"
)

type resivoConfig struct {
	url, clientID, clientSecret, door, visitor string
	// sites are the site ids the client covers: resivo cannot list a Site
	// Owner's sites. The door is looked up on the first.
	sites []string
	// phone is the visitor's phone number, given on the fake only: one
	// without a country code, which resivo cannot text.
	phone string
	// httpClient, when set, carries the requests to a real server (tests
	// point it at a fake's TLS certificate).
	httpClient *http.Client
}

// runResivo resolves a door by name (a site migration renumbers ids, names
// stay), gives a visitor a door link that resivo sends itself for a booking
// window, keyed by the booking id, finds it again and cancels it.
func runResivo(ctx context.Context, out io.Writer, cfg resivoConfig) error {
	client, fake, err := connectResivo(ctx, out, &cfg)
	if err != nil {
		return err
	}
	if fake != nil {
		defer fake.Close()
	}
	if err := listDoors(ctx, out, client, "TYPE", func(d access.Door) string {
		component, _ := d.Native.(resivo.Component)
		return string(component.Type)
	}); err != nil {
		return err
	}
	if cfg.door == "" || cfg.visitor == "" {
		fmt.Fprintln(out, "No grant: name a door and a visitor with -resivo-door and -resivo-visitor.")
		return nil
	}
	// The same name may be on several sites ("Main entrance" is on both of
	// the fake's): look it up on one.
	site := cfg.sites[0]
	door, err := findDoor(ctx, out, client, site, cfg.door)
	if err != nil {
		return err
	}
	if fake != nil {
		if door, err = migrate(ctx, out, client, fake, site, cfg.door, door); err != nil {
			return err
		}
	}
	req := booking("booking-2001", door, cfg.visitor, tomorrow(15, 17), access.CredentialLink)
	req.Holder.Phone = cfg.phone
	grant, err := ensure(ctx, out, client, req)
	if err != nil {
		return err
	}
	if fake != nil {
		showMessages(out, fake)
	}
	if err := ensureAgain(ctx, out, client, req); err != nil {
		return err
	}
	return cancel(ctx, out, client, req.Key, grant.ID)
}

// connectResivo returns a client of the server cfg names or, when it names
// none, of an in-memory resivo, which it returns too (nil for a real one),
// and prints the sites it covers.
func connectResivo(ctx context.Context, out io.Writer, cfg *resivoConfig) (*resivo.Client, *resivotest.Server, error) {
	var opts []resivo.Option
	var fake *resivotest.Server
	if cfg.url == "" {
		fake = resivotest.NewServer()
		fmt.Fprintf(out, "== resivo (in-memory fake at %s)\n", fake.URL)
		*cfg = resivoConfig{url: fake.URL, clientID: resivotest.ClientID, clientSecret: resivotest.ClientSecret,
			sites: []string{resivotest.SiteID, resivotest.Site2ID}, door: resivotest.MainEntranceName,
			visitor: "visitor@example.com", phone: "06 1234 5678", httpClient: fake.Client()}
	} else {
		fmt.Fprintf(out, "== resivo at %s\n", cfg.url)
		if len(cfg.sites) == 0 || cfg.clientID == "" || cfg.clientSecret == "" {
			return nil, nil, fmt.Errorf("-resivo-site, -resivo-client-id and -resivo-client-secret are required against a real server (resivo cannot list a Site Owner's sites)")
		}
	}
	if cfg.httpClient != nil {
		opts = append(opts, resivo.WithHTTPClient(cfg.httpClient))
	}
	client, err := resivo.New(append(opts, resivo.WithBaseURL(cfg.url),
		resivo.WithClientCredentials(cfg.clientID, cfg.clientSecret), resivo.WithSites(cfg.sites...))...)
	for _, id := range cfg.sites {
		if err != nil {
			break
		}
		var site *resivo.Site
		if site, _, err = client.Sites.Get(ctx, id); err == nil {
			fmt.Fprintf(out, "Site %s: %s (resivo writes to visitors in %s)\n", id, site.DisplayName, site.DefaultLocale)
		}
	}
	fmt.Fprintln(out)
	if err != nil && fake != nil {
		fake.Close()
	}
	return client, fake, err
}

// migrate renumbers the site's components on the fake, as a site migration
// does, and finds the door again by its name: resolve names on every
// booking rather than storing ids.
func migrate(ctx context.Context, out io.Writer, client *resivo.Client, fake *resivotest.Server, site, name, was string) (string, error) {
	fake.Migrate(site)
	ids, err := access.ResolveDoorIDs(ctx, client, site, name)
	if err != nil {
		return "", fmt.Errorf("find door %q: %w", name, err)
	}
	fmt.Fprintf(out, "After a site migration it is %s (was %s)\n", ids[0], was)
	return ids[0], nil
}

// showMessages prints what resivo would have sent: it sends the link
// itself and returns none, and the fake records the messages.
func showMessages(out io.Writer, fake *resivotest.Server) {
	texts := 0
	for _, m := range fake.Messages() {
		what := map[string]string{"email": "an email", "sms": "an SMS"}[m.Channel]
		fmt.Fprintf(out, "  resivo would send %s to %s in %s\n", what, m.To, m.Locale)
		if m.Channel == "sms" {
			texts++
		}
	}
	if texts == 0 {
		fmt.Fprintln(out, "  and no SMS")
	}
}

package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/havr"
	"github.com/doorkit/doorkit/havr/havrtest"
)

type havrConfig struct {
	url, user, password, door, visitor string
}

// runHavr gives a visitor a link to a door for a booking window, keyed by
// the booking id, finds it again, moves it an hour and cancels it.
func runHavr(ctx context.Context, out io.Writer, cfg havrConfig) error {
	client, fake, err := connectHavr(out, &cfg)
	if err != nil {
		return err
	}
	if fake != nil {
		defer fake.Close()
	}
	if err := listDoors(ctx, out, client, "BATTERY", func(d access.Door) string {
		lock, _ := d.Native.(havr.DoorLock)
		return fmt.Sprintf("%d%%", lock.BatteryLevel)
	}); err != nil {
		return err
	}
	door, err := findDoor(ctx, out, client, "", cfg.door)
	if err != nil {
		return err
	}
	req := booking("booking-1001", door, cfg.visitor, tomorrow(15, 17), access.CredentialLink)
	grant, err := ensure(ctx, out, client, req)
	if err != nil {
		return err
	}
	if err := ensureAgain(ctx, out, client, req); err != nil {
		return err
	}
	// The booking moves an hour later: Havr changes the window in place.
	req.Window = access.Window{Start: req.Window.Start.Add(time.Hour), End: req.Window.End.Add(time.Hour)}
	moved, outcome, err := access.EnsureGrant(ctx, client, req)
	if err != nil {
		return fmt.Errorf("move: %w", err)
	}
	fmt.Fprintf(out, "The booking moved: grant %s %s, window %s\n", moved.ID, outcome, moved.Window)
	return cancel(ctx, out, client, req.Key, grant.ID)
}

// connectHavr returns a client of the server cfg names or, when it names
// none, of an in-memory Havr, which it returns too (nil for a real one).
func connectHavr(out io.Writer, cfg *havrConfig) (*havr.Client, *havrtest.Server, error) {
	var opts []havr.Option
	var fake *havrtest.Server
	if cfg.url == "" {
		fake = havrtest.NewServer()
		fmt.Fprintf(out, "== Havr (in-memory fake at %s)\n", fake.URL)
		*cfg = havrConfig{url: fake.URL, user: havrtest.OwnerEmail, password: havrtest.OwnerPassword,
			door: "Front door", visitor: "visitor@example.com"}
		opts = append(opts, havr.WithHTTPClient(fake.Client()))
	} else {
		fmt.Fprintf(out, "== Havr at %s\n", cfg.url)
		if cfg.door == "" || cfg.visitor == "" {
			return nil, nil, fmt.Errorf("-havr-door and -havr-visitor are required against a real server")
		}
	}
	client, err := havr.New(append(opts, havr.WithBaseURL(cfg.url), havr.WithPassword(cfg.user, cfg.password))...)
	if err != nil && fake != nil {
		fake.Close()
	}
	return client, fake, err
}

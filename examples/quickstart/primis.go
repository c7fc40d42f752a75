package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/primis"
	"github.com/doorkit/doorkit/primis/primistest"
)

type primisConfig struct {
	url, email, password, phoneID, caFile, open string
}

// runPrimis logs in, lists the doors, opens the one named and shows what a
// refusal looks like. Primis has no grants.
func runPrimis(ctx context.Context, out io.Writer, cfg primisConfig) error {
	client, fake, err := connectPrimis(out, &cfg)
	if err != nil {
		return err
	}
	if fake != nil {
		defer fake.Close()
	}
	session, _, err := client.Auth.Login(ctx)
	if err != nil {
		return fmt.Errorf("log in: %w", err)
	}
	fmt.Fprintf(out, "Logged in as %s (device %s, administrator: %v)\n", session.Email, session.PhoneID, session.IsAdmin)
	if err := listDoors(ctx, out, client, "STATE", func(d access.Door) string {
		area, _ := d.Native.(primis.ControlledArea)
		return string(area.State)
	}); err != nil {
		return err
	}
	if cfg.open == "" {
		fmt.Fprintln(out, "No door to open: name one with -primis-open.")
		return nil
	}
	door, err := findDoor(ctx, out, client, "", cfg.open)
	if err != nil {
		return err
	}
	openDoor(ctx, out, client, door)
	if fake != nil {
		// The fake's Server Room is in lockdown: this is what a refusal
		// looks like to an integrator.
		openDoor(ctx, out, client, primistest.ServerRoomID)
	}
	return nil
}

// connectPrimis returns a client of the server cfg names or, when it names
// none, of an in-memory Primis, which it returns too (nil for a real one).
func connectPrimis(out io.Writer, cfg *primisConfig) (*primis.Client, *primistest.Server, error) {
	opts := []primis.Option{primis.WithPhoneID(cfg.phoneID)}
	var fake *primistest.Server
	if cfg.url == "" {
		fake = primistest.NewServer()
		fmt.Fprintf(out, "== Primis (in-memory fake at %s)\n", fake.URL)
		cfg.url, cfg.email, cfg.password, cfg.open = fake.URL, primistest.UserEmail, primistest.UserPassword, "Main Entrance"
		opts = append(opts, primis.WithHTTPClient(fake.Client()))
	} else {
		fmt.Fprintf(out, "== Primis at %s\n", cfg.url)
		if cfg.caFile != "" {
			pem, err := os.ReadFile(cfg.caFile)
			if err != nil {
				return nil, nil, err
			}
			opts = append(opts, primis.WithCACertPEM(pem))
		}
	}
	client, err := primis.New(append(opts, primis.WithBaseURL(cfg.url), primis.WithPassword(cfg.email, cfg.password))...)
	if err != nil && fake != nil {
		fake.Close()
	}
	return client, fake, err
}

// openDoor opens a door and says how it went.
func openDoor(ctx context.Context, out io.Writer, opener access.DoorOpener, doorID string) {
	fmt.Fprintf(out, "Opening door %s... ", doorID)
	switch err := opener.OpenDoor(ctx, doorID); {
	case err == nil:
		fmt.Fprintln(out, "opened")
	case errors.Is(err, access.ErrDenied):
		fmt.Fprintf(out, "denied, errors.Is(err, access.ErrDenied)\n  %v\n", err)
	case errors.Is(err, access.ErrUnavailable):
		fmt.Fprintf(out, "the door or its controller is unreachable: %v\n", err)
	default:
		fmt.Fprintf(out, "failed: %v\n", err)
	}
}

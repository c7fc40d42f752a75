// Command quickstart runs doorkit's main job as an integrator would, for
// each vendor: log in, list the doors, and then either open one and show what
// a refusal looks like (Primis), give a visitor time-bounded access by an
// emailed link, keyed by a booking id, move it and revoke it (Havr), or give
// a visitor a PIN for a booking window, confirmed by webhook, unlock
// remotely and revoke the PIN (August), or resolve a door by name across a
// site migration and give a visitor a door link that resivo sends itself,
// keyed by a booking id, and revoke it by that id (resivo).
//
// With no flags it runs against doorkit's in-memory vendor fakes and needs no
// credentials:
//
//	go run ./examples/quickstart
//
// Against a real Primis server give its address and a mobile user's
// credentials, by flag or environment variable. On a real installation the
// program only opens the door you name with -primis-open.
//
//	PRIMIS_URL         -primis-url       https://<ip address>:<port>
//	PRIMIS_EMAIL       -primis-email     mobile user's email
//	PRIMIS_PASSWORD    -primis-password  mobile user's password
//	PRIMIS_PHONE_ID    -primis-phone-id  device id to register as (keep it stable: it uses a licence)
//	PRIMIS_CA_FILE     -primis-ca        PEM file of the server's CA, if it is private
//	PRIMIS_OPEN        -primis-open      display name of a door to open
//
// Against a real Havr API (the Havr flow creates a shared key for -havr-visitor on
// the door named -havr-door, shows it, and revokes it at once):
//
//	HAVR_URL           -havr-url         https://... address of the Havr API
//	HAVR_USER          -havr-user        email or username of the lock owner
//	HAVR_PASSWORD      -havr-password    password
//	HAVR_DOOR          -havr-door        description (name) of the door lock to share
//	HAVR_VISITOR       -havr-visitor     visitor's email address
//
// Against the real August API (the August flow loads a PIN for -august-visitor
// on the lock named -august-door for tomorrow's booking window, waits for
// August's webhook, and deletes it again; it unlocks only with -august-open).
// August reports PIN results only to a webhook: serve -august-listen behind
// TLS at the public -august-webhook-url.
//
//	AUGUST_URL            -august-url            API address (default https://api-production.august.com)
//	AUGUST_API_KEY        -august-api-key        partner API key
//	AUGUST_TOKEN          -august-token          access token (the newest one you persisted)
//	AUGUST_DOOR           -august-door           lock name
//	AUGUST_VISITOR        -august-visitor        visitor's email address
//	AUGUST_WEBHOOK_URL    -august-webhook-url    public https URL that reaches -august-listen
//	AUGUST_LISTEN         -august-listen         address to serve the webhook on, e.g. :8080
//	AUGUST_WEBHOOK_TOKEN  -august-webhook-token  static token August sends back (16+ characters)
//	AUGUST_CLIENT_ID      -august-client-id      your partner client id (names the registration)
//	                      -august-open           also unlock the door remotely
//
// Against the real resivo API (the resivo flow lists the components of the
// sites you name and, given -resivo-door and -resivo-visitor, gives the
// visitor a door link to that door for tomorrow's booking window and revokes
// it at once; resivo cannot list a Site Owner's sites, so name them):
//
//	RESIVO_URL            -resivo-url            API address (default https://api.resivo.io)
//	RESIVO_CLIENT_ID      -resivo-client-id      M2M client id of a Site Owner or of one site
//	RESIVO_CLIENT_SECRET  -resivo-client-secret  its client secret
//	RESIVO_SITE           -resivo-site           site id(s), comma-separated; the door is looked up on the first
//	RESIVO_DOOR           -resivo-door           component display name
//	RESIVO_VISITOR        -resivo-visitor        visitor's email address (resivo emails the link)
//
// -vendor primis, -vendor havr, -vendor august or -vendor resivo runs one
// vendor only.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/primis"
	"github.com/doorkit/doorkit/primis/primistest"
	"github.com/doorkit/doorkit/resivo"
)

type primisConfig struct {
	url, email, password, phoneID, caFile, open string
}

func main() {
	var pc primisConfig
	var hc havrConfig
	var ac augustConfig
	var rc resivoConfig
	vendor := flag.String("vendor", "", "run one vendor only: primis, havr, august or resivo (default all)")
	flag.StringVar(&pc.url, "primis-url", os.Getenv("PRIMIS_URL"), "Primis server URL (empty: use the in-memory fake)")
	flag.StringVar(&pc.email, "primis-email", os.Getenv("PRIMIS_EMAIL"), "Primis mobile user email")
	flag.StringVar(&pc.password, "primis-password", os.Getenv("PRIMIS_PASSWORD"), "Primis mobile user password")
	flag.StringVar(&pc.phoneID, "primis-phone-id", envOr("PRIMIS_PHONE_ID", "doorkit-quickstart"), "device id to register as")
	flag.StringVar(&pc.caFile, "primis-ca", os.Getenv("PRIMIS_CA_FILE"), "PEM file with the server's CA certificate")
	flag.StringVar(&pc.open, "primis-open", os.Getenv("PRIMIS_OPEN"), "display name of the door to open")
	flag.StringVar(&hc.url, "havr-url", os.Getenv("HAVR_URL"), "Havr API URL (empty: use the in-memory fake)")
	flag.StringVar(&hc.user, "havr-user", os.Getenv("HAVR_USER"), "Havr email or username")
	flag.StringVar(&hc.password, "havr-password", os.Getenv("HAVR_PASSWORD"), "Havr password")
	flag.StringVar(&hc.door, "havr-door", os.Getenv("HAVR_DOOR"), "name of the Havr door lock to share")
	flag.StringVar(&hc.visitor, "havr-visitor", os.Getenv("HAVR_VISITOR"), "visitor email for the Havr grant")
	augustURL := flag.String("august-url", os.Getenv("AUGUST_URL"), "August API URL (empty: use the in-memory fake unless -august-api-key is set)")
	flag.StringVar(&ac.apiKey, "august-api-key", os.Getenv("AUGUST_API_KEY"), "August partner API key")
	flag.StringVar(&ac.token, "august-token", os.Getenv("AUGUST_TOKEN"), "August access token")
	flag.StringVar(&ac.door, "august-door", os.Getenv("AUGUST_DOOR"), "name of the August lock")
	flag.StringVar(&ac.visitor, "august-visitor", os.Getenv("AUGUST_VISITOR"), "visitor email for the August PIN")
	flag.StringVar(&ac.webhookURL, "august-webhook-url", os.Getenv("AUGUST_WEBHOOK_URL"), "public URL August calls")
	flag.StringVar(&ac.listen, "august-listen", os.Getenv("AUGUST_LISTEN"), "address to serve the webhook on")
	flag.StringVar(&ac.webhookToken, "august-webhook-token", os.Getenv("AUGUST_WEBHOOK_TOKEN"), "static webhook token")
	flag.StringVar(&ac.clientID, "august-client-id", os.Getenv("AUGUST_CLIENT_ID"), "partner client id")
	flag.BoolVar(&ac.open, "august-open", false, "unlock the August door remotely")
	resivoURL := flag.String("resivo-url", os.Getenv("RESIVO_URL"), "resivo API URL (empty: use the in-memory fake unless -resivo-client-id is set)")
	flag.StringVar(&rc.clientID, "resivo-client-id", os.Getenv("RESIVO_CLIENT_ID"), "resivo M2M client id")
	flag.StringVar(&rc.clientSecret, "resivo-client-secret", os.Getenv("RESIVO_CLIENT_SECRET"), "resivo M2M client secret")
	resivoSites := flag.String("resivo-site", os.Getenv("RESIVO_SITE"), "resivo site id(s), comma-separated")
	flag.StringVar(&rc.door, "resivo-door", os.Getenv("RESIVO_DOOR"), "display name of the resivo component")
	flag.StringVar(&rc.visitor, "resivo-visitor", os.Getenv("RESIVO_VISITOR"), "visitor email for the resivo door link")
	flag.Parse()
	ac.url = *augustURL
	if ac.url == "" && ac.apiKey != "" {
		ac.url = "https://api-production.august.com"
	}
	rc.url = *resivoURL
	if rc.url == "" && rc.clientID != "" {
		rc.url = resivo.DefaultBaseURL
	}
	for _, id := range strings.Split(*resivoSites, ",") {
		if id = strings.TrimSpace(id); id != "" {
			rc.sites = append(rc.sites, id)
		}
	}

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	runs := []struct {
		name string
		run  func() error
	}{
		{"primis", func() error { return runPrimis(ctx, os.Stdout, pc) }},
		{"havr", func() error { return runHavr(ctx, os.Stdout, hc) }},
		{"august", func() error { return runAugust(ctx, os.Stdout, ac) }},
		{"resivo", func() error { return runResivo(ctx, os.Stdout, rc) }},
	}
	for i, r := range runs {
		if *vendor != "" && *vendor != r.name {
			continue
		}
		if i > 0 && *vendor == "" {
			fmt.Println()
		}
		if err := r.run(); err != nil {
			fmt.Fprintf(os.Stderr, "quickstart: %s: %v\n", r.name, err)
			os.Exit(1)
		}
	}
}

func runPrimis(ctx context.Context, out io.Writer, pc primisConfig) error {
	opts := []primis.Option{primis.WithPhoneID(pc.phoneID)}
	fake := pc.url == ""
	if fake {
		srv := primistest.NewServer()
		defer srv.Close()
		pc.url, pc.email, pc.password = srv.URL, primistest.UserEmail, primistest.UserPassword
		pc.open = "Main Entrance"
		opts = append(opts, primis.WithHTTPClient(srv.Client()))
		fmt.Fprintf(out, "== Primis (in-memory fake at %s)\n", srv.URL)
	} else {
		fmt.Fprintf(out, "== Primis at %s\n", pc.url)
		if pc.caFile != "" {
			pem, err := os.ReadFile(pc.caFile)
			if err != nil {
				return err
			}
			opts = append(opts, primis.WithCACertPEM(pem))
		}
	}
	opts = append(opts, primis.WithBaseURL(pc.url), primis.WithPassword(pc.email, pc.password))
	client, err := primis.New(opts...)
	if err != nil {
		return err
	}

	session, _, err := client.Auth.Login(ctx)
	if err != nil {
		return fmt.Errorf("log in: %w", err)
	}
	fmt.Fprintf(out, "Logged in as %s (device %s, administrator: %v)\n\n", session.Email, session.PhoneID, session.IsAdmin)

	doors, err := client.ListDoors(ctx)
	if err != nil {
		return fmt.Errorf("list doors: %w", err)
	}
	printDoors(out, doors)

	if pc.open == "" {
		fmt.Fprintln(out, "\nNo door to open: name one with -primis-open.")
		return nil
	}
	ids, err := access.ResolveDoorIDs(ctx, client, "", pc.open)
	if err != nil {
		return err
	}
	openDoor(ctx, out, client, pc.open, ids[0])

	if fake {
		// The fake's Server Room is in lockdown: this is what a refusal
		// looks like to an integrator.
		openDoor(ctx, out, client, "Server Room", primistest.ServerRoomID)
	}
	return nil
}

func openDoor(ctx context.Context, out io.Writer, opener access.DoorOpener, name, id string) {
	fmt.Fprintf(out, "\nOpening %q (%s)... ", name, id)
	err := opener.OpenDoor(ctx, id)
	switch {
	case err == nil:
		fmt.Fprintln(out, "opened")
	case errors.Is(err, access.ErrDenied):
		fmt.Fprintf(out, "denied\n  %v\n  errors.Is(err, access.ErrDenied) == true\n", err)
	default:
		fmt.Fprintf(out, "failed: %v\n", err)
	}
}

func printDoors(out io.Writer, doors []access.Door) {
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "DOOR ID\tNAME\tSITE\tSTATE\tOPENS REMOTELY")
	for _, d := range doors {
		state := ""
		if a, ok := d.Native.(primis.ControlledArea); ok {
			state = string(a.State)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%v\n", d.ID, d.Name, d.Site, state, d.Capabilities.RemoteOpen)
	}
	tw.Flush()
}

func envOr(key, fallback string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return fallback
}

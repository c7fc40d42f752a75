// Command quickstart runs doorkit's main job as an integrator would, for
// each vendor, in the same steps: connect, list the doors, find the door
// by its name, do the vendor's job, cancel. Primis opens a door and shows
// what a refusal looks like; Havr gives a visitor an emailed link for a
// booking window, keyed by the booking id, finds it again and moves it;
// August gives a visitor a PIN, confirmed by webhook, and unlocks the door
// remotely; resivo finds a door by name across a site migration and gives
// a visitor a door link that resivo sends itself. The grant flows then
// cancel the booking by its key. The steps every flow shares are in
// main.go, each vendor's in its own file.
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
// Against a real Havr API (the Havr flow shares the door named -havr-door
// with -havr-visitor for tomorrow's booking window, finds the grant again,
// moves it an hour and cancels it at once):
//
//	HAVR_URL           -havr-url         https://... address of the Havr API
//	HAVR_USER          -havr-user        email or username of the lock owner
//	HAVR_PASSWORD      -havr-password    password
//	HAVR_DOOR          -havr-door        description (name) of the door lock to share
//	HAVR_VISITOR       -havr-visitor     visitor's email address
//
// Against the real August API (the August flow loads a PIN for -august-visitor
// on the lock named -august-door for tomorrow's booking window, waits for
// August's webhook, and cancels it at once; it unlocks only with -august-open).
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
// visitor a door link to that door for tomorrow's booking window and cancels
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
// vendor only. A usage error (an unknown vendor or flag, an argument that
// is not a flag) is reported with the usage and exits with status 2; a
// failing flow exits with status 1.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/resivo"
)

func main() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	cancel()
	os.Exit(code)
}

// vendors are the flows, in the order they run.
var vendors = []string{"primis", "havr", "august", "resivo"}

// config is every vendor's configuration, from flags and the environment.
type config struct {
	vendor string
	primis primisConfig
	havr   havrConfig
	august augustConfig
	resivo resivoConfig
}

// run runs the flows args ask for and returns the exit code: 2 for a usage
// error, 1 when a flow fails.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cfg, err := parseFlags(args, stderr)
	switch {
	case errors.Is(err, flag.ErrHelp):
		return 0
	case err != nil:
		return 2
	}
	flows := map[string]func() error{
		"primis": func() error { return runPrimis(ctx, stdout, cfg.primis) },
		"havr":   func() error { return runHavr(ctx, stdout, cfg.havr) },
		"august": func() error { return runAugust(ctx, stdout, cfg.august) },
		"resivo": func() error { return runResivo(ctx, stdout, cfg.resivo) },
	}
	for i, name := range vendors {
		if cfg.vendor != "" && cfg.vendor != name {
			continue
		}
		if i > 0 && cfg.vendor == "" {
			fmt.Fprintln(stdout)
		}
		if err := flows[name](); err != nil {
			fmt.Fprintf(stderr, "quickstart: %s: %v\n", name, err)
			return 1
		}
	}
	return 0
}

// parseFlags reads args, with defaults from the environment. A usage error
// is reported on stderr with the usage.
func parseFlags(args []string, stderr io.Writer) (config, error) {
	var c config
	pc, hc, ac, rc := &c.primis, &c.havr, &c.august, &c.resivo
	fs := flag.NewFlagSet("quickstart", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.vendor, "vendor", "", "run one vendor only: "+strings.Join(vendors, ", ")+" (default all)")
	fs.StringVar(&pc.url, "primis-url", os.Getenv("PRIMIS_URL"), "Primis server URL (empty: use the in-memory fake)")
	fs.StringVar(&pc.email, "primis-email", os.Getenv("PRIMIS_EMAIL"), "Primis mobile user email")
	fs.StringVar(&pc.password, "primis-password", os.Getenv("PRIMIS_PASSWORD"), "Primis mobile user password")
	fs.StringVar(&pc.phoneID, "primis-phone-id", envOr("PRIMIS_PHONE_ID", "doorkit-quickstart"), "device id to register as")
	fs.StringVar(&pc.caFile, "primis-ca", os.Getenv("PRIMIS_CA_FILE"), "PEM file with the server's CA certificate")
	fs.StringVar(&pc.open, "primis-open", os.Getenv("PRIMIS_OPEN"), "display name of the door to open")
	fs.StringVar(&hc.url, "havr-url", os.Getenv("HAVR_URL"), "Havr API URL (empty: use the in-memory fake)")
	fs.StringVar(&hc.user, "havr-user", os.Getenv("HAVR_USER"), "Havr email or username")
	fs.StringVar(&hc.password, "havr-password", os.Getenv("HAVR_PASSWORD"), "Havr password")
	fs.StringVar(&hc.door, "havr-door", os.Getenv("HAVR_DOOR"), "name of the Havr door lock to share")
	fs.StringVar(&hc.visitor, "havr-visitor", os.Getenv("HAVR_VISITOR"), "visitor email for the Havr grant")
	fs.StringVar(&ac.url, "august-url", os.Getenv("AUGUST_URL"), "August API URL (empty: use the in-memory fake unless -august-api-key is set)")
	fs.StringVar(&ac.apiKey, "august-api-key", os.Getenv("AUGUST_API_KEY"), "August partner API key")
	fs.StringVar(&ac.token, "august-token", os.Getenv("AUGUST_TOKEN"), "August access token")
	fs.StringVar(&ac.door, "august-door", os.Getenv("AUGUST_DOOR"), "name of the August lock")
	fs.StringVar(&ac.visitor, "august-visitor", os.Getenv("AUGUST_VISITOR"), "visitor email for the August PIN")
	fs.StringVar(&ac.webhookURL, "august-webhook-url", os.Getenv("AUGUST_WEBHOOK_URL"), "public URL August calls")
	fs.StringVar(&ac.listen, "august-listen", os.Getenv("AUGUST_LISTEN"), "address to serve the webhook on")
	fs.StringVar(&ac.webhookToken, "august-webhook-token", os.Getenv("AUGUST_WEBHOOK_TOKEN"), "static webhook token")
	fs.StringVar(&ac.clientID, "august-client-id", os.Getenv("AUGUST_CLIENT_ID"), "partner client id")
	fs.BoolVar(&ac.open, "august-open", false, "unlock the August door remotely")
	fs.StringVar(&rc.url, "resivo-url", os.Getenv("RESIVO_URL"), "resivo API URL (empty: use the in-memory fake unless -resivo-client-id is set)")
	fs.StringVar(&rc.clientID, "resivo-client-id", os.Getenv("RESIVO_CLIENT_ID"), "resivo M2M client id")
	fs.StringVar(&rc.clientSecret, "resivo-client-secret", os.Getenv("RESIVO_CLIENT_SECRET"), "resivo M2M client secret")
	sites := fs.String("resivo-site", os.Getenv("RESIVO_SITE"), "resivo site id(s), comma-separated")
	fs.StringVar(&rc.door, "resivo-door", os.Getenv("RESIVO_DOOR"), "display name of the resivo component")
	fs.StringVar(&rc.visitor, "resivo-visitor", os.Getenv("RESIVO_VISITOR"), "visitor email for the resivo door link")
	if err := fs.Parse(args); err != nil {
		return c, err // the flag package has printed it, with the usage
	}
	usage := func(format string, a ...any) (config, error) {
		err := fmt.Errorf(format, a...)
		fmt.Fprintf(stderr, "quickstart: %v\n", err)
		fs.Usage()
		return c, err
	}
	if c.vendor != "" && !slices.Contains(vendors, c.vendor) {
		return usage("unknown -vendor %q: want one of %s", c.vendor, strings.Join(vendors, ", "))
	}
	if fs.NArg() > 0 {
		return usage("unexpected argument %q: every setting is a flag", fs.Arg(0))
	}
	if ac.url == "" && ac.apiKey != "" {
		ac.url = "https://api-production.august.com"
	}
	if rc.url == "" && rc.clientID != "" {
		rc.url = resivo.DefaultBaseURL
	}
	for _, id := range strings.Split(*sites, ",") {
		if id = strings.TrimSpace(id); id != "" {
			rc.sites = append(rc.sites, id)
		}
	}
	return c, nil
}

// The steps every vendor's flow shares.

// listDoors prints the doors the client lists, with one column the vendor
// adds (its title and its value for a door).
func listDoors(ctx context.Context, out io.Writer, lister access.DoorLister, title string, column func(access.Door) string) error {
	doors, err := lister.ListDoors(ctx)
	if err != nil {
		return fmt.Errorf("list doors: %w", err)
	}
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "DOOR ID\tNAME\tSITE\t%s\tCONNECTIVITY\tOPENS REMOTELY\tCREDENTIALS\n", title)
	for _, d := range doors {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%v\t%v\n", d.ID, d.Name, d.Site, column(d), d.Connectivity,
			d.Capabilities.RemoteOpen, d.Capabilities.Credentials)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(out)
	return nil
}

// findDoor returns the id of the door named name on site ("" for any):
// names stay, ids may change, so a booking system resolves them each time.
func findDoor(ctx context.Context, out io.Writer, lister access.DoorLister, site, name string) (string, error) {
	ids, err := access.ResolveDoorIDs(ctx, lister, site, name)
	if err != nil {
		return "", fmt.Errorf("find door %q: %w", name, err)
	}
	fmt.Fprintf(out, "%q is door %s\n", name, ids[0])
	return ids[0], nil
}

// booking is the visitor's booking every grant flow uses: key, one door,
// the window, the credential kind.
func booking(key, doorID, visitor string, window access.Window, kind access.CredentialKind) access.GrantRequest {
	return access.GrantRequest{Key: key, DoorIDs: []string{doorID}, Holder: access.Person{Name: "Visiting Guest", Email: visitor},
		Window: window, Credential: kind, Label: "quickstart"}
}

// tomorrow returns a booking window tomorrow (UTC) from the hour from to
// the hour to, which may be past midnight.
func tomorrow(from, to int) access.Window {
	day := time.Now().UTC().Truncate(24 * time.Hour).Add(24 * time.Hour)
	return access.Window{Start: day.Add(time.Duration(from) * time.Hour), End: day.Add(time.Duration(to) * time.Hour)}
}

// ensure gives the booking its grant with access.EnsureGrant, as a booking
// system does on every trigger, and prints it.
func ensure(ctx context.Context, out io.Writer, g access.Granter, req access.GrantRequest) (*access.Grant, error) {
	grant, outcome, err := access.EnsureGrant(ctx, g, req)
	if err != nil {
		return nil, fmt.Errorf("grant: %w", err)
	}
	fmt.Fprintf(out, "\nGrant for booking %s (%s):\n", req.Key, outcome)
	fmt.Fprintf(out, "  grant id    %s (store it with the booking)\n", grant.ID)
	fmt.Fprintf(out, "  window      %s\n", grant.Window)
	for _, d := range grant.Doors {
		cred := string(d.Credential.Kind)
		if d.Credential.PIN != "" {
			// A PIN prints redacted; Credential.PIN.Reveal() gives the digits to send the guest.
			cred += " " + d.Credential.PIN.String()
		}
		fmt.Fprintf(out, "  door        %s: %s, %s, %s", d.DoorID, d.State, cred, d.Credential.Delivery)
		if len(d.Credential.DeliveredTo) > 0 {
			fmt.Fprintf(out, " to %s", strings.Join(d.Credential.DeliveredTo, ", "))
		}
		fmt.Fprintln(out)
	}
	fmt.Fprintf(out, "  state       %s (usable now: %v)\n", grant.State(), grant.Usable(time.Now()))
	// The access went ahead; a notice says what the vendor adjusted or could not do.
	for _, n := range grant.AllNotices() {
		fmt.Fprintf(out, "  notice      %s: %s\n", n.Code, n.Message)
	}
	return grant, nil
}

// ensureAgain is a trigger delivered again: EnsureGrant finds the grant by
// its key.
func ensureAgain(ctx context.Context, out io.Writer, g access.Granter, req access.GrantRequest) error {
	grant, outcome, err := access.EnsureGrant(ctx, g, req)
	if err != nil {
		return fmt.Errorf("grant again: %w", err)
	}
	fmt.Fprintf(out, "The same trigger again: grant %s %s\n", grant.ID, outcome)
	return nil
}

// cancel cancels the booking as a booking system does, by its key and
// twice (a cancellation delivered again is done), then shows what revoking
// the grant by its id once more answers.
func cancel(ctx context.Context, out io.Writer, g access.Granter, key, grantID string) error {
	for range 2 {
		if err := access.EnsureRevokedByKey(ctx, g, key); err != nil {
			return fmt.Errorf("cancel: %w", err)
		}
	}
	fmt.Fprintf(out, "\nCancelled booking %s (twice: already gone is done).\n", key)
	switch err := g.RevokeGrant(ctx, grantID); {
	case errors.Is(err, access.ErrNotFound):
		fmt.Fprintf(out, "Revoking grant %s by its id again: already gone, errors.Is(err, access.ErrNotFound)\n", grantID)
	case err != nil:
		return fmt.Errorf("revoke again: %w", err)
	default:
		fmt.Fprintf(out, "Revoking grant %s by its id again: nothing left to revoke\n", grantID)
	}
	return nil
}

func envOr(key, fallback string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return fallback
}

package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/resivo"
	"github.com/doorkit/doorkit/resivo/resivotest"
)

// resivoAccount is the directory's resivo account: an M2M client of a Site
// Owner on the in-memory resivo, covering both of its sites.
func resivoAccount(srv *resivotest.Server) (*resivo.Client, error) {
	return resivo.New(
		resivo.WithBaseURL(srv.URL), // omit for https://api.resivo.io
		resivo.WithHTTPClient(srv.Client()),
		resivo.WithClientCredentials(resivotest.ClientID, resivotest.ClientSecret),
		resivo.WithSites(resivotest.SiteID, resivotest.Site2ID),
		// The fake lives no longer than this program, so a store as young
		// as the program is complete. Against the real resivo, give a
		// durable store (redisstore) so that a restart cannot forget keys.
		resivo.WithKeyStore(access.NewCompleteMemoryKeyStore()),
	)
}

// runResivo is the booking flow of resivo-integration-notes.txt, on the
// same Gatekeeper as every other vendor: door names resolved to the current
// component ids on every trigger, a Remote Access Authorization Set from
// the start less the lead time to the end, in UTC, that resivo itself mails
// and texts to the visitor in the site's defaultLocale, keyed by the
// booking reference and revoked by it on cancellation.
func runResivo(ctx context.Context, gate Gatekeeper, srv *resivotest.Server, out io.Writer) error {
	start := time.Date(2030, 6, 1, 9, 0, 0, 0, time.FixedZone("CEST", 2*3600))
	b := Booking{
		Ref:     "BK-3001",
		Visitor: access.Person{Name: "Ada Lovelace", Email: "ada@example.com", Phone: "0031 6 1234 5678"},
		Site:    access.JoinID("site-resivo", resivotest.SiteID),
		Doors:   []string{resivotest.MainEntranceName, resivotest.CylinderName},
		Start:   start, End: start.Add(2 * time.Hour),
		Status: "confirmed",
	}
	// Confirmed, and the webhook delivered twice: one authorization.
	for range 2 {
		if _, err := gate.OnChange(ctx, b); err != nil {
			return err
		}
	}
	for _, m := range srv.Messages() {
		what := map[string]string{"email": "an email", "sms": "an SMS"}[m.Channel]
		fmt.Fprintf(out, "  resivo sent %s to %s in %s\n", what, m.To, m.Locale)
	}
	// The trigger fires again after a site migration renumbered the
	// components: the names resolve to the new ids, and the grant is re-made
	// on them.
	srv.Migrate(resivotest.SiteID)
	if _, err := gate.OnChange(ctx, b); err != nil {
		return err
	}
	b.Status = "cancelled"
	if _, err := gate.OnChange(ctx, b); err != nil {
		return err
	}
	live := 0
	for _, a := range srv.Authorizations() {
		if !a.Revoked {
			live++
		}
	}
	fmt.Fprintf(out, "  resivo holds %d live authorizations of %d made\n", live, len(srv.Authorizations()))
	return nil
}

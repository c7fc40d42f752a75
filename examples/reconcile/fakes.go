package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/august"
	"github.com/doorkit/doorkit/august/augusttest"
	"github.com/doorkit/doorkit/havr"
	"github.com/doorkit/doorkit/havr/havrtest"
	"github.com/doorkit/doorkit/primis"
	"github.com/doorkit/doorkit/primis/primistest"
	"github.com/doorkit/doorkit/resivo"
	"github.com/doorkit/doorkit/resivo/resivotest"
)

// Account names in the Directory.
const (
	havrAccount   = "hq-havr"
	augustAccount = "hq-august"
	resivoAccount = "hq-resivo"
	primisAccount = "lab-primis"
)

// env is a Directory of four vendor accounts, one per vendor, each on
// doorkit's in-memory fake, with the vendors' own tools beside it (the Havr
// app, the resivo portal) to make drift the way people do.
type env struct {
	dir *access.Directory

	havr    *havrtest.Server
	havrApp *havr.Client // the Havr app, as the lock owner uses it

	august      *augusttest.Server
	augustLocks []string // the locks that take PIN grants
	augustHooks *httptest.Server
	augustPIN   *events // PIN results August sent to the webhook

	resivo *resivotest.Server
	primis *primistest.Server
}

// newEnv starts the four fakes; extraAugustLocks adds August locks with a
// keypad and a bridge beside the demo's front door.
func newEnv(ctx context.Context, extraAugustLocks int) (_ *env, err error) {
	e := &env{dir: access.NewDirectory(), augustPIN: &events{}}
	defer func() {
		if err != nil {
			e.Close()
		}
	}()

	e.havr = havrtest.NewServer()
	h, err := havr.New(havr.WithBaseURL(e.havr.URL), havr.WithHTTPClient(pooled(e.havr.Client())),
		havr.WithPassword(havrtest.OwnerEmail, havrtest.OwnerPassword))
	if err != nil {
		return nil, err
	}
	e.havrApp, err = havr.New(havr.WithBaseURL(e.havr.URL), havr.WithHTTPClient(pooled(e.havr.Client())),
		havr.WithPassword(havrtest.OwnerEmail, havrtest.OwnerPassword))
	if err != nil {
		return nil, err
	}

	e.august = augusttest.NewServer()
	e.augustLocks = []string{augusttest.FrontDoorID}
	for i := range extraAugustLocks {
		e.augustLocks = append(e.augustLocks, e.august.AddLock(augusttest.Lock{Name: fmt.Sprintf("Room %d", i+1),
			HouseID: augusttest.HouseID, Keypad: true, Bridge: true}, augusttest.OwnerID))
	}
	hooks, err := august.NewWebhookHandler("X-Reconcile-Token", augustHookToken,
		august.WithEventFunc(func(_ context.Context, ev *august.Event) {
			if ev.Kind() == august.EventPINCommand {
				e.augustPIN.add()
			}
		}))
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("POST /august/events", hooks)
	e.augustHooks = httptest.NewServer(mux)
	e.august.SetWebhookClient(e.augustHooks.Client())
	a, err := august.New(august.WithBaseURL(e.august.URL), august.WithHTTPClient(pooled(e.august.Client())),
		august.WithAPIKey(augusttest.APIKey), august.WithTokens(e.august.NewToken(augusttest.OwnerID), ""),
		august.WithWebhook(e.augustHooks.URL+"/august/events", hooks))
	if err != nil {
		return nil, err
	}
	// Once per lock: the registration names the static token August sends
	// back, which the handler checks.
	for _, lockID := range e.augustLocks {
		if _, _, err := a.Webhooks.Register(ctx, lockID, august.WebhookRequest{URL: e.augustHooks.URL + "/august/events",
			ClientID: augusttest.ClientID, Header: "X-Reconcile-Token", Token: augustHookToken,
			NotificationTypes: []august.NotificationType{august.NotifyOperation}}); err != nil {
			return nil, err
		}
	}

	e.resivo = resivotest.NewServer()
	r, err := resivo.New(resivo.WithBaseURL(e.resivo.URL), resivo.WithHTTPClient(pooled(e.resivo.Client())),
		resivo.WithClientCredentials(resivotest.ClientID, resivotest.ClientSecret), resivo.WithSites(resivotest.SiteID))
	if err != nil {
		return nil, err
	}

	e.primis = primistest.NewServer()
	p, err := primis.New(primis.WithBaseURL(e.primis.URL), primis.WithHTTPClient(pooled(e.primis.Client())),
		primis.WithPassword(primistest.UserEmail, primistest.UserPassword), primis.WithPhoneID("reconcile-example"))
	if err != nil {
		return nil, err
	}

	for _, acct := range []struct {
		name   string
		client any
	}{{havrAccount, h}, {augustAccount, a}, {resivoAccount, r}, {primisAccount, p}} {
		if err := e.dir.Add(acct.name, acct.client); err != nil {
			return nil, err
		}
	}
	return e, nil
}

// pooled keeps as many idle connections per host as doorkit's default
// transport does (httptest's client keeps two), so concurrent reads reuse
// their TLS connections.
func pooled(c *http.Client) *http.Client {
	t := c.Transport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = 64
	return &http.Client{Transport: t}
}

// The static token August sends back with every webhook call; in
// production a long random secret from your secret store.
const augustHookToken = "reconcile-example-static-token-01"

func (e *env) Close() {
	if e.havr != nil {
		e.havr.Close()
	}
	if e.august != nil {
		e.august.Close()
	}
	if e.augustHooks != nil {
		e.augustHooks.Close()
	}
	if e.resivo != nil {
		e.resivo.Close()
	}
	if e.primis != nil {
		e.primis.Close()
	}
}

// Door ids in the Directory.
func havrDoor(id int64) string { return access.JoinID(havrAccount, havr.ID(id).String()) }
func augustDoor(lockID string) string {
	return access.JoinID(augustAccount, lockID)
}
func resivoDoor(component string) string {
	return access.JoinID(resivoAccount, resivotest.SiteID+"/"+component)
}

// waitAugustSettled waits until no August grant is still being loaded:
// August confirms each PIN command by webhook, a moment after its answer.
// It waits on those calls, not on the clock.
func (e *env) waitAugustSettled(ctx context.Context) error {
	client, _ := e.dir.Account(augustAccount)
	lister := client.(access.GrantLister)
	for {
		seen := e.augustPIN.count()
		pending := false
		for g, err := range lister.ListGrants(ctx, access.GrantFilter{}) {
			if err != nil {
				return err
			}
			pending = pending || g.State() == access.GrantPending
		}
		if !pending {
			return nil
		}
		if err := e.augustPIN.waitPast(ctx, seen); err != nil {
			return fmt.Errorf("waiting for August to confirm the PINs: %w", err)
		}
	}
}

// events counts webhook calls and lets a caller wait for the next one.
type events struct {
	mu   sync.Mutex
	n    int
	wake chan struct{}
}

func (e *events) add() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.n++
	if e.wake != nil {
		close(e.wake)
		e.wake = nil
	}
}

func (e *events) count() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.n
}

// waitPast waits until more than n calls have been counted.
func (e *events) waitPast(ctx context.Context, n int) error {
	for {
		e.mu.Lock()
		if e.n > n {
			e.mu.Unlock()
			return nil
		}
		if e.wake == nil {
			e.wake = make(chan struct{})
		}
		wake := e.wake
		e.mu.Unlock()
		select {
		case <-wake:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// webhookWait bounds the example's waits for August's webhook calls.
const webhookWait = 30 * time.Second

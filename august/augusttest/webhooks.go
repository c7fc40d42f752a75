package augusttest

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"
)

var notificationTypes = []string{"operation", "battery", "systemstatus", "configuration", "accessmgmt"}

// registerWebhook is POST /webhook/:lockID {url, method, clientID, header,
// token, notificationTypes}. One registration per lock and client:
// registering again overwrites it.
func (s *Server) registerWebhook(w http.ResponseWriter, r *http.Request, c *caller) {
	var b struct {
		URL               string   `json:"url"`
		Method            string   `json:"method"`
		ClientID          string   `json:"clientID"`
		Header            string   `json:"header"`
		Token             string   `json:"token"`
		NotificationTypes []string `json:"notificationTypes"`
	}
	if !readJSON(w, r, &b) || !requireString(w, "url", b.URL) || !requireString(w, "clientID", b.ClientID) {
		return
	}
	if !webhookURL(b.URL, false) {
		writeError(w, http.StatusBadRequest, "InvalidArgument", "url must be an absolute http(s) URL")
		return
	}
	b.Method = strings.ToUpper(b.Method)
	if b.Method == "" {
		b.Method = http.MethodPost
	}
	if b.Method != http.MethodPost && b.Method != http.MethodPut {
		writeError(w, http.StatusBadRequest, "InvalidArgument", "method must be POST or PUT")
		return
	}
	if (b.Header == "") != (b.Token == "") {
		writeError(w, http.StatusBadRequest, "MissingParameter", "header and token go together")
		return
	}
	if b.Header != "" && !validHeaderName(b.Header) {
		writeError(w, http.StatusBadRequest, "InvalidArgument", "header must be an HTTP header name")
		return
	}
	if len(b.NotificationTypes) == 0 {
		writeError(w, http.StatusBadRequest, "MissingParameter", "notificationTypes must be a non-empty array")
		return
	}
	for _, t := range b.NotificationTypes {
		if !contains(notificationTypes, t) {
			writeError(w, http.StatusBadRequest, "InvalidArgument", "notificationTypes must be operation, battery, systemstatus, configuration or accessmgmt")
			return
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	l, ok := s.lockFor(w, r, c)
	if !ok {
		return
	}
	s.webhooks[l.ID+"\x00"+b.ClientID] = &Webhook{LockID: l.ID, URL: b.URL, Method: b.Method, ClientID: b.ClientID,
		Header: b.Header, Token: b.Token, NotificationTypes: append([]string(nil), b.NotificationTypes...)}
	writeSuccess(w)
}

func validHeaderName(h string) bool {
	for _, r := range h {
		if !(r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return h != ""
}

func (s *Server) deleteWebhook(w http.ResponseWriter, r *http.Request, c *caller) {
	s.mu.Lock()
	defer s.mu.Unlock()
	l, ok := s.lockFor(w, r, c)
	if !ok {
		return
	}
	key := l.ID + "\x00" + r.PathValue("clientID")
	if s.webhooks[key] == nil {
		writeError(w, http.StatusNotFound, "ResourceNotFound", "no webhook for this lock and client")
		return
	}
	delete(s.webhooks, key)
	writeSuccess(w)
}

// notify queues an event for every registration on lockID that asked for
// typ. accessmgmt is "not implemented yet" at August: nothing is sent for
// it. Callers hold s.mu.
func (s *Server) notify(lockID, typ string, fields map[string]any) {
	outs := s.registeredOutbounds(lockID, typ, fields, "")
	if len(outs) > 0 {
		s.deliveries.enqueue(&job{outs: outs})
	}
}

// registeredOutbounds builds the deliveries of one event to the
// registrations on lockID that asked for typ, skipping the URL skip.
// Callers hold s.mu.
func (s *Server) registeredOutbounds(lockID, typ string, fields map[string]any, skip string) []outbound {
	ev := map[string]any{"eventID": newUUID(), "notificationType": typ, "lockID": lockID, "dateTime": iso(s.clock())}
	mergeFields(ev, fields)
	var hooks []*Webhook
	for _, h := range s.webhooks {
		if h.LockID == lockID && contains(h.NotificationTypes, typ) && typ != "accessmgmt" && h.URL != skip {
			hooks = append(hooks, h)
		}
	}
	sort.Slice(hooks, func(i, j int) bool { return hooks[i].ClientID < hooks[j].ClientID })
	outs := make([]outbound, 0, len(hooks))
	for _, h := range hooks {
		outs = append(outs, newOutbound(lockID, h.URL, h.Method, h.Header, h.Token, ev))
	}
	return outs
}

// mergeFields sets fields on ev; a nil value removes the field.
func mergeFields(ev, fields map[string]any) {
	for k, v := range fields {
		if v == nil {
			delete(ev, k)
			continue
		}
		ev[k] = v
	}
}

func (s *Server) createSubscriber(w http.ResponseWriter, r *http.Request, c *caller) {
	var b struct {
		Scopes []string `json:"scopes"`
	}
	if !readJSON(w, r, &b) {
		return
	}
	if len(b.Scopes) == 0 {
		writeError(w, http.StatusBadRequest, "MissingParameter", "scopes must be a non-empty array")
		return
	}
	seen := map[string]bool{}
	for _, sc := range b.Scopes {
		if sc != "lock" || seen[sc] {
			writeError(w, http.StatusBadRequest, "InvalidArgument", `scopes must be unique and each "lock"`)
			return
		}
		seen[sc] = true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.subscribers) >= maxHistory {
		writeError(w, http.StatusTooManyRequests, "TooManyRequests", "too many websocket subscribers")
		return
	}
	sub := &subscriber{ID: newUUID(), Scopes: b.Scopes, ClientID: c.clientID, UserID: c.user.ID}
	s.subscribers[sub.ID] = sub
	writeJSON(w, http.StatusOK, subscriberJSON(sub))
}

func subscriberJSON(sub *subscriber) map[string]any {
	return map[string]any{"subscriberID": sub.ID, "scopes": sub.Scopes, "clientID": sub.ClientID, "userID": sub.UserID}
}

func (s *Server) subscriberFor(w http.ResponseWriter, r *http.Request, c *caller) *subscriber {
	sub := s.subscribers[r.PathValue("subID")]
	if sub == nil || sub.UserID != c.user.ID {
		writeError(w, http.StatusNotFound, "ResourceNotFound", "subscriber does not exist")
		return nil
	}
	return sub
}

func (s *Server) getSubscriber(w http.ResponseWriter, r *http.Request, c *caller) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if sub := s.subscriberFor(w, r, c); sub != nil {
		writeJSON(w, http.StatusOK, subscriberJSON(sub))
	}
}

func (s *Server) deleteSubscriber(w http.ResponseWriter, r *http.Request, c *caller) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if sub := s.subscriberFor(w, r, c); sub != nil {
		delete(s.subscribers, sub.ID)
		writeSuccess(w)
	}
}

// Subscribers returns how many websocket subscribers exist.
func (s *Server) Subscribers() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.subscribers)
}

// Delivery is one webhook call the fake made (or tried to make).
type Delivery struct {
	EventID string
	Type    string // notificationType of the event
	LockID  string
	URL     string
	Method  string
	Header  http.Header
	Body    []byte
	Status  int    // the receiver's answer; 0 when the call failed
	Err     string // why the call failed
	Time    time.Time
}

// outbound is one event on its way to one URL.
type outbound struct {
	eventID, typ, lockID string
	url, method          string
	header, token        string
	body                 []byte
}

func newOutbound(lockID, url, method, header, token string, ev map[string]any) outbound {
	body, _ := json.Marshal(ev)
	id, _ := ev["eventID"].(string)
	typ, _ := ev["notificationType"].(string)
	return outbound{eventID: id, typ: typ, lockID: lockID, url: url, method: method, header: header, token: token, body: body}
}

// job is a unit of asynchronous work: apply (run under s.mu when the job
// is released) changes state and returns what to deliver; outs are
// deliveries known in advance.
type job struct {
	apply func() []outbound
	outs  []outbound
}

// deliverer runs jobs in order on one goroutine.
type deliverer struct {
	s      *Server
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu      sync.Mutex
	client  *http.Client
	hold    bool
	held    []*job
	ready   []*job
	busy    bool
	repeat  int
	delay   time.Duration
	wake    chan struct{}
	idle    chan struct{} // closed while nothing is ready or running
	closed  bool
	history []Delivery
	sent    map[string][]outbound // by event id, for Redeliver; pruned with history
}

func newDeliverer(s *Server) *deliverer {
	ctx, cancel := context.WithCancel(context.Background())
	d := &deliverer{s: s, ctx: ctx, cancel: cancel, client: &http.Client{Timeout: 10 * time.Second}, repeat: 1,
		wake: make(chan struct{}, 1), idle: make(chan struct{}), sent: map[string][]outbound{}}
	close(d.idle)
	d.wg.Add(1)
	go d.run()
	return d
}

func (d *deliverer) enqueue(j *job) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return
	}
	if d.hold {
		d.held = append(d.held, j)
		return
	}
	d.readyLocked(j)
}

func (d *deliverer) readyLocked(j *job) {
	d.ready = append(d.ready, j)
	select {
	case <-d.idle:
		d.idle = make(chan struct{})
	default:
	}
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

func (d *deliverer) run() {
	defer d.wg.Done()
	for {
		d.mu.Lock()
		for len(d.ready) == 0 {
			d.busy = false
			select {
			case <-d.idle:
			default:
				close(d.idle)
			}
			d.mu.Unlock()
			select {
			case <-d.wake:
			case <-d.ctx.Done():
				return
			}
			d.mu.Lock()
		}
		j := d.ready[0]
		d.ready = d.ready[1:]
		d.busy = true
		delay, repeat, client := d.delay, d.repeat, d.client
		d.mu.Unlock()
		if delay > 0 {
			select {
			case <-time.After(delay):
			case <-d.ctx.Done():
				return
			}
		}
		outs := j.outs
		if j.apply != nil {
			d.s.mu.Lock()
			outs = j.apply()
			d.s.mu.Unlock()
		}
		for _, o := range outs {
			for range repeat {
				d.send(client, o)
			}
		}
	}
}

func (d *deliverer) send(client *http.Client, o outbound) {
	rec := Delivery{EventID: o.eventID, Type: o.typ, LockID: o.lockID, URL: o.url, Method: o.method, Body: o.body, Time: time.Now()}
	req, err := http.NewRequestWithContext(d.ctx, o.method, o.url, bytes.NewReader(o.body))
	if err == nil {
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("User-Agent", "augusttest-webhooks")
		if o.header != "" {
			req.Header.Set(o.header, o.token)
		}
		rec.Header = req.Header.Clone()
		var resp *http.Response
		if resp, err = client.Do(req); err == nil {
			rec.Status = resp.StatusCode
			resp.Body.Close()
		}
	}
	if err != nil {
		rec.Err = err.Error()
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.history = append(d.history, rec)
	if _, ok := d.sent[o.eventID]; !ok || !containsOutbound(d.sent[o.eventID], o) {
		d.sent[o.eventID] = append(d.sent[o.eventID], o)
	}
	// Trim in chunks so a long run copies the history rarely.
	if len(d.history) > maxHistory+maxHistory/4 {
		d.history = append(d.history[:0:0], d.history[len(d.history)-maxHistory:]...)
		keep := make(map[string]bool, len(d.history))
		for _, h := range d.history {
			keep[h.EventID] = true
		}
		for id := range d.sent {
			if !keep[id] {
				delete(d.sent, id)
			}
		}
	}
}

func containsOutbound(list []outbound, o outbound) bool {
	for _, x := range list {
		if x.url == o.url {
			return true
		}
	}
	return false
}

func (d *deliverer) close() {
	d.mu.Lock()
	d.closed = true
	d.held, d.ready = nil, nil
	d.mu.Unlock()
	d.cancel()
	d.wg.Wait()
}

// SetWebhookClient sets the client deliveries are made with (to reach an
// httptest server, or an http.Handler through a custom transport).
func (s *Server) SetWebhookClient(c *http.Client) {
	s.deliveries.mu.Lock()
	defer s.deliveries.mu.Unlock()
	s.deliveries.client = c
}

// SetCommandResultHeader sets whether the results of commands that name
// their own webhook (PIN commands, the master PIN, remote operate v2 with a
// webhook) carry the static header and token of a lock's registration. August
// documents the header for lock webhooks (POST /webhook/:lockID) only, so
// both readings are plausible: on (the default) sends it as described in
// the package doc; off sends none, and the receiver must authenticate the
// call some other way.
func (s *Server) SetCommandResultHeader(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.noCommandHeader = !on
}

// HoldDeliveries, when on, keeps every asynchronous result (PIN commands,
// async remote operate, notifications) from happening until released:
// a PIN being loaded stays "created" and an async unlock does not act.
// Turning it off releases everything held.
func (s *Server) HoldDeliveries(on bool) {
	d := s.deliveries
	d.mu.Lock()
	defer d.mu.Unlock()
	d.hold = on
	if !on {
		for _, j := range d.held {
			d.readyLocked(j)
		}
		d.held = nil
	}
}

// ReleaseDeliveries lets the oldest n held results happen (all when n <= 0)
// and returns how many it released; it keeps holding new ones.
func (s *Server) ReleaseDeliveries(n int) int {
	d := s.deliveries
	d.mu.Lock()
	defer d.mu.Unlock()
	if n <= 0 || n > len(d.held) {
		n = len(d.held)
	}
	for _, j := range d.held[:n] {
		d.readyLocked(j)
	}
	d.held = append(d.held[:0:0], d.held[n:]...)
	return n
}

// HeldDeliveries returns how many results are held.
func (s *Server) HeldDeliveries() int {
	s.deliveries.mu.Lock()
	defer s.deliveries.mu.Unlock()
	return len(s.deliveries.held)
}

// RepeatDeliveries makes every delivery from now on be sent n times (as
// August may repeat them); 1 restores single delivery.
func (s *Server) RepeatDeliveries(n int) {
	s.deliveries.mu.Lock()
	defer s.deliveries.mu.Unlock()
	s.deliveries.repeat = max(n, 1)
}

// SetDeliveryDelay makes each released result wait d of real time first.
func (s *Server) SetDeliveryDelay(d time.Duration) {
	s.deliveries.mu.Lock()
	defer s.deliveries.mu.Unlock()
	s.deliveries.delay = d
}

// Redeliver sends an already delivered event again, to every URL it went
// to, and returns how many deliveries it queued.
func (s *Server) Redeliver(eventID string) int {
	d := s.deliveries
	d.mu.Lock()
	outs := append([]outbound(nil), d.sent[eventID]...)
	d.mu.Unlock()
	if len(outs) > 0 {
		d.enqueue(&job{outs: outs})
	}
	return len(outs)
}

// Deliveries returns the webhook calls made so far (at least the newest
// 4096).
func (s *Server) Deliveries() []Delivery {
	s.deliveries.mu.Lock()
	defer s.deliveries.mu.Unlock()
	return append([]Delivery(nil), s.deliveries.history...)
}

// WaitDeliveries returns when every released result has happened and been
// delivered (held ones do not count), or when ctx ends.
func (s *Server) WaitDeliveries(ctx context.Context) error {
	s.deliveries.mu.Lock()
	idle := s.deliveries.idle
	s.deliveries.mu.Unlock()
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

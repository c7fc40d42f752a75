package access

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
)

// Plan is what PlanGrants found: the changes that would make the vendors
// hold what the bookings want, the grants it may not touch, and the health
// of the others. It prints like a Terraform plan (String, WriteTo) and
// encodes to JSON; neither shows a PIN. Apply carries it out; a plan
// decoded from JSON can be read but not applied.
type Plan struct {
	// At is when the plan was made, in UTC.
	At time.Time `json:"at"`
	// Prefix is the owned key prefix.
	Prefix string `json:"prefix"`
	// LeadTime is the lead time health was judged by.
	LeadTime time.Duration `json:"-"`
	// Accounts says how each account was read and whether completely.
	Accounts []AccountPlan `json:"accounts"`
	// Changes holds one change per owned grant key and account (keep
	// included), ordered by account and key.
	Changes []Change `json:"changes"`
	// Unmanaged lists the grants without a key or under another prefix:
	// reported, never touched.
	Unmanaged []Unmanaged `json:"unmanaged"`
	// Findings says what is not right by its deadline.
	Findings []Finding `json:"findings"`
	// NextCheck is the next moment something changes by itself (a wanted
	// grant's start minus the lead time, or its end), in UTC; zero when
	// nothing will. Plan again then, the way a controller requeues.
	NextCheck time.Time `json:"next_check,omitzero"`

	target Granter
}

// Source says how an account's grants were read.
type Source string

const (
	// SourceListing: the vendor's own listing of every grant it holds.
	SourceListing Source = "listing"
	// SourceKeyStore: the vendor cannot list its grants; the keys under the
	// owned prefix came from the KeyStore and each grant was read by id.
	// Grants made without a key, or whose key the store lost, are not seen.
	SourceKeyStore Source = "key store"
)

// AccountPlan is how one account was read.
type AccountPlan struct {
	// Name is the account's name in the Directory; "" for a plan over one
	// client.
	Name   string `json:"name"`
	Source Source `json:"source"`
	// Complete is false when the account's grants could not all be read;
	// Error says why, and no revoke is planned in it.
	Complete bool   `json:"complete"`
	Error    string `json:"error,omitempty"`
	// Read is how many grants were read; Owned how many of them, not yet
	// ended, carry an owned key (what the brake measures against).
	Read  int `json:"read"`
	Owned int `json:"owned"`
	// Braked says why the account's revokes were withheld by the brake.
	Braked string `json:"braked,omitempty"`
}

// ChangeAction is what a change does.
type ChangeAction string

// Change actions.
const (
	ActionCreate   ChangeAction = "create"
	ActionUpdate   ChangeAction = "update"
	ActionRecreate ChangeAction = "recreate"
	ActionRevoke   ChangeAction = "revoke"
	ActionKeep     ChangeAction = "keep"
)

// ChangeCause is why a change is planned, for programs to switch on;
// Change.Reason says it for people.
type ChangeCause string

// Change causes.
const (
	CauseNotHeld        ChangeCause = "not_held"        // create: wanted, the vendor holds no grant
	CauseMatches        ChangeCause = "matches"         // keep
	CauseFailed         ChangeCause = "failed"          // recreate: the vendor reports the grant failed
	CauseDoorsDiffer    ChangeCause = "doors_differ"    // recreate
	CauseHolderDiffers  ChangeCause = "holder_differs"  // recreate
	CauseWindowDiffers  ChangeCause = "window_differs"  // update or recreate; no record of what doorkit applied
	CauseBookingMoved   ChangeCause = "booking_moved"   // update or recreate: the vendor holds what doorkit applied
	CauseChangedOutside ChangeCause = "changed_outside" // update or recreate: the window was changed outside doorkit
	CauseNotWanted      ChangeCause = "not_wanted"      // revoke: no booking wants the key (here)
	CauseEnded          ChangeCause = "ended"           // revoke: the booking is over, the grant is not
	CauseDuplicate      ChangeCause = "duplicate"       // revoke: another grant carries the key
)

// Change is one planned change.
type Change struct {
	Action  ChangeAction `json:"action"`
	Cause   ChangeCause  `json:"cause"`
	Account string       `json:"account,omitempty"`
	Key     string       `json:"key"`
	// GrantID is the held grant (every action but create).
	GrantID string `json:"grant_id,omitempty"`
	// DoorIDs are the wanted doors, or the held grant's for a revoke.
	DoorIDs []string `json:"door_ids"`
	// Window is the wanted window, or the held grant's for a revoke.
	Window Window `json:"window,omitzero"`
	// HeldWindow is the held grant's window when it differs.
	HeldWindow *Window `json:"held_window,omitempty"`
	Reason     string  `json:"reason"`
	// Withheld says why Apply will not carry out this change: a revoke in
	// an account whose grants could not all be read or held back by the
	// brake, a create for a key not seen in such an account; "" otherwise.
	Withheld string `json:"withheld,omitempty"`

	want      *GrantRequest // what Apply ensures, as the caller gave it
	held      *Grant        // what the vendor showed, in its own ids
	elsewhere bool          // the key is wanted in another account
}

// Unmanaged is a grant the plan may not touch: it has no key, or its key
// is outside the owned prefix.
type Unmanaged struct {
	Account string     `json:"account,omitempty"`
	GrantID string     `json:"grant_id"`
	Key     string     `json:"key,omitempty"`
	DoorIDs []string   `json:"door_ids"`
	Window  Window     `json:"window"`
	State   GrantState `json:"state"`
	Why     string     `json:"why"`
}

// FindingKind names what a finding is about.
type FindingKind string

// Finding kinds.
const (
	// FindingNotIssued: the window starts within the lead time or has
	// started, and the grant is missing or not set up on some door.
	FindingNotIssued FindingKind = "not_issued"
	// FindingNotRevoked: the booking is gone or over and access works now.
	FindingNotRevoked FindingKind = "not_revoked"
	// FindingChangedOutside: the vendor's window differs from the one
	// doorkit last applied: it was edited in the vendor's portal.
	FindingChangedOutside FindingKind = "changed_outside"
	// FindingOutcomeUnknown: a create for the key may have been made; the
	// key is left out of the plan until that is resolved.
	FindingOutcomeUnknown FindingKind = "outcome_unknown"
)

// Finding is something not right, with the deadline it is measured by.
type Finding struct {
	Kind    FindingKind `json:"kind"`
	Account string      `json:"account,omitempty"`
	Key     string      `json:"key"`
	GrantID string      `json:"grant_id,omitempty"`
	// DoorIDs are the doors concerned.
	DoorIDs []string `json:"door_ids,omitempty"`
	// Deadline is when it had to be right: the window's start for
	// FindingNotIssued, its end for FindingNotRevoked; zero when unknown.
	Deadline time.Time `json:"deadline,omitzero"`
	// Detail says what is wrong, in the vendor's words where it gave any.
	Detail string `json:"detail"`
}

// PlanSummary counts a plan's parts.
type PlanSummary struct {
	Create     int `json:"create"`
	Update     int `json:"update"`
	Recreate   int `json:"recreate"`
	Revoke     int `json:"revoke"`   // revokes Apply carries out
	Withheld   int `json:"withheld"` // changes Apply will not carry out (Change.Withheld)
	Keep       int `json:"keep"`
	Unmanaged  int `json:"unmanaged"`
	Findings   int `json:"findings"`
	Incomplete int `json:"incomplete_accounts"`
}

// Summary counts the plan's changes, unmanaged grants, findings and
// incomplete accounts.
func (p *Plan) Summary() PlanSummary {
	var s PlanSummary
	for _, c := range p.Changes {
		switch {
		case c.Withheld != "":
			s.Withheld++
		case c.Action == ActionCreate:
			s.Create++
		case c.Action == ActionUpdate:
			s.Update++
		case c.Action == ActionRecreate:
			s.Recreate++
		case c.Action == ActionRevoke:
			s.Revoke++
		case c.Action == ActionKeep:
			s.Keep++
		}
	}
	s.Unmanaged, s.Findings = len(p.Unmanaged), len(p.Findings)
	for _, a := range p.Accounts {
		if !a.Complete {
			s.Incomplete++
		}
	}
	return s
}

// Converged reports a plan with nothing to do: no change but keeps, no
// withheld revoke, no finding and every account read completely. Unmanaged
// grants do not count: they are never touched.
func (p *Plan) Converged() bool {
	s := p.Summary()
	return s.Create+s.Update+s.Recreate+s.Revoke+s.Withheld+s.Findings+s.Incomplete == 0
}

// MarshalJSON encodes the plan with its lead time as a duration string and
// its summary.
func (p *Plan) MarshalJSON() ([]byte, error) {
	type plain Plan
	return json.Marshal(struct {
		*plain
		LeadTime string      `json:"lead_time"`
		Summary  PlanSummary `json:"summary"`
	}{(*plain)(p), p.LeadTime.String(), p.Summary()})
}

// String returns the plan as WriteTo prints it.
func (p *Plan) String() string {
	var b strings.Builder
	_, _ = p.WriteTo(&b)
	return b.String()
}

var actionSymbol = map[ChangeAction]string{ActionCreate: "+", ActionUpdate: "~", ActionRecreate: "-/+", ActionRevoke: "-"}

// WriteTo prints the plan the way Terraform prints one: how each account
// was read, one line per change (keeps are only counted), the unmanaged
// grants, the findings, then the counts and the next check.
func (p *Plan) WriteTo(w io.Writer) (int64, error) {
	cw := &countWriter{w: w}
	fmt.Fprintf(cw, "Plan for keys %q at %s (lead time %s)\n", p.Prefix, fmtTime(p.At), p.LeadTime)
	if len(p.Accounts) > 0 {
		fmt.Fprintln(cw, "\nAccounts:")
		tw := tabwriter.NewWriter(cw, 0, 0, 2, ' ', 0)
		for _, a := range p.Accounts {
			line := fmt.Sprintf("  %s\t%s\t%d read, %d owned", accountLabel(a.Name), a.Source, a.Read, a.Owned)
			if a.Source == SourceKeyStore {
				line += "; read key by key from the key store: grants made without a key are not seen"
			}
			if !a.Complete {
				line += "; INCOMPLETE, no revoke planned: " + a.Error
			}
			if a.Braked != "" {
				line += "; revokes withheld by " + a.Braked
			}
			fmt.Fprintln(tw, line)
		}
		tw.Flush()
	}
	s := p.Summary()
	if n := len(p.Changes) - s.Keep; n > 0 {
		fmt.Fprintln(cw, "\nChanges:")
		tw := tabwriter.NewWriter(cw, 0, 0, 2, ' ', 0)
		for _, c := range p.Changes {
			if c.Action == ActionKeep {
				continue
			}
			what := actionSymbol[c.Action] + " " + string(c.Action)
			if c.Withheld != "" {
				what = "! " + string(c.Action) + " (withheld)"
			}
			where := "grant " + c.GrantID
			if c.GrantID == "" {
				where = "doors " + strings.Join(c.DoorIDs, ",")
			}
			reason := c.Reason
			if c.Action == ActionCreate {
				reason += "; " + c.Window.String()
			}
			if c.Withheld != "" {
				reason += "; withheld: " + c.Withheld
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", what, c.Key, where, reason)
		}
		tw.Flush()
	}
	if len(p.Unmanaged) > 0 {
		fmt.Fprintln(cw, "\nUnmanaged (reported, never touched):")
		tw := tabwriter.NewWriter(cw, 0, 0, 2, ' ', 0)
		for _, u := range p.Unmanaged {
			fmt.Fprintf(tw, "  grant %s\tdoors %s\t%s\t%s\t%s\n", u.GrantID, strings.Join(u.DoorIDs, ","), u.Window, u.State, u.Why)
		}
		tw.Flush()
	}
	if len(p.Findings) > 0 {
		fmt.Fprintln(cw, "\nFindings:")
		tw := tabwriter.NewWriter(cw, 0, 0, 2, ' ', 0)
		for _, f := range p.Findings {
			where := f.GrantID
			if where == "" {
				where = accountLabel(f.Account)
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", strings.ReplaceAll(string(f.Kind), "_", " "), f.Key, where, f.Detail)
		}
		tw.Flush()
	}
	fmt.Fprintln(cw)
	if p.Converged() {
		fmt.Fprintf(cw, "No changes: the vendors hold what the bookings want (%d unchanged", s.Keep)
		if s.Unmanaged > 0 {
			fmt.Fprintf(cw, ", %d unmanaged", s.Unmanaged)
		}
		fmt.Fprintln(cw, ").")
	} else {
		fmt.Fprintf(cw, "Plan: %d to create, %d to update, %d to recreate, %d to revoke, %d unchanged.", s.Create, s.Update, s.Recreate, s.Revoke, s.Keep)
		if s.Withheld > 0 {
			fmt.Fprintf(cw, " %d withheld.", s.Withheld)
		}
		if s.Unmanaged > 0 {
			fmt.Fprintf(cw, " %d unmanaged.", s.Unmanaged)
		}
		if s.Findings > 0 {
			fmt.Fprintf(cw, " %d finding(s).", s.Findings)
		}
		if s.Incomplete > 0 {
			fmt.Fprintf(cw, " %d account(s) incomplete.", s.Incomplete)
		}
		fmt.Fprintln(cw)
	}
	if !p.NextCheck.IsZero() {
		fmt.Fprintf(cw, "Next check: %s\n", fmtTime(p.NextCheck))
	}
	return cw.n, cw.err
}

func accountLabel(name string) string {
	if name == "" {
		return "(client)"
	}
	return name
}

// countWriter counts what it writes and keeps the first error.
type countWriter struct {
	w   io.Writer
	n   int64
	err error
}

func (c *countWriter) Write(b []byte) (int, error) {
	if c.err != nil {
		return len(b), nil
	}
	n, err := c.w.Write(b)
	c.n += int64(n)
	c.err = err
	return len(b), nil
}

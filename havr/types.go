package havr

import (
	"bytes"
	"fmt"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/internal/rest"
)

// ID is a Havr identifier. The API documents ids as integers; ID also reads
// them when sent as strings of digits.
type ID int64

func (id *ID) UnmarshalJSON(b []byte) error {
	// Parsed in place: ids are the most frequent values in every answer,
	// and going through a string would allocate for each.
	digits := b
	if len(b) >= 2 && b[0] == '"' && b[len(b)-1] == '"' {
		digits = b[1 : len(b)-1]
	}
	switch {
	case bytes.Equal(b, []byte("null")), len(b) >= 2 && len(digits) == 0:
		*id = 0
		return nil
	}
	n, ok := parseInt(digits)
	if !ok {
		return fmt.Errorf("havr: id %s is not an integer", b)
	}
	*id = ID(n)
	return nil
}

// parseInt parses an optionally signed decimal integer without allocating.
func parseInt(b []byte) (int64, bool) {
	neg := len(b) > 0 && b[0] == '-'
	if neg {
		b = b[1:]
	}
	if len(b) == 0 || len(b) > 19 {
		return 0, false
	}
	var n uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + uint64(c-'0')
	}
	if n > 1<<63-1 {
		return 0, false
	}
	if neg {
		return -int64(n), true
	}
	return int64(n), true
}

func (id ID) String() string { return strconv.FormatInt(int64(id), 10) }

// Ptr returns a pointer to v, for the optional fields of update requests.
func Ptr[T any](v T) *T { return &v }

// Time is a Havr timestamp. Havr wants UTC ISO 8601 without milliseconds
// ("2017-04-01T12:30:00Z"), which MarshalJSON writes whatever the zone of
// the value; it answers with or without milliseconds, both of which
// UnmarshalJSON reads. The zero Time marshals as null; use omitzero in
// request structs to leave it out.
type Time struct {
	time.Time
}

// At returns t as a Time.
func At(t time.Time) Time { return Time{t} }

// truncate drops what Havr's format cannot carry: the fraction of a second.
func (t Time) truncate() Time { return Time{t.Truncate(Resolution)} }

// TimeLayout is the format Havr accepts.
const TimeLayout = "2006-01-02T15:04:05Z"

func (t Time) MarshalJSON() ([]byte, error) {
	if t.IsZero() {
		return []byte("null"), nil
	}
	if err := rest.CheckTime("time", t.Time); err != nil {
		return nil, err
	}
	return []byte(`"` + t.UTC().Format(TimeLayout) + `"`), nil
}

func (t *Time) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, []byte("null")) || bytes.Equal(b, []byte(`""`)) {
		t.Time = time.Time{}
		return nil
	}
	if len(b) < 2 || b[0] != '"' || b[len(b)-1] != '"' {
		return fmt.Errorf("havr: timestamp %s is not a string", b)
	}
	// time.Time.UnmarshalText reads RFC 3339 with or without fractional
	// seconds straight from the bytes.
	var parsed time.Time
	if err := parsed.UnmarshalText(b[1 : len(b)-1]); err != nil {
		return fmt.Errorf("havr: timestamp %s is not ISO 8601: %w", b, err)
	}
	t.Time = parsed.UTC()
	return nil
}

// Recurrency repeats an access or a do-not-disturb period.
type Recurrency string

// Recurrencies.
const (
	RecurrencyNone  Recurrency = "none"
	RecurrencyDay   Recurrency = "day"
	RecurrencyWeek  Recurrency = "week"
	RecurrencyMonth Recurrency = "month"
	RecurrencyYear  Recurrency = "year"
)

// ExistingStatus is the life-cycle status most Havr objects carry.
type ExistingStatus string

// Existing statuses.
const (
	StatusActive               ExistingStatus = "active"
	StatusPending              ExistingStatus = "pending"
	StatusDeleted              ExistingStatus = "deleted"
	StatusInactive             ExistingStatus = "inactive"
	StatusRejected             ExistingStatus = "rejected"
	StatusWaitingForActivation ExistingStatus = "waiting_for_activation"
	StatusWaitingForUser       ExistingStatus = "waiting_for_user"
)

// MaxDescriptionLength is Havr's limit on door lock descriptions and the
// like, in characters.
const MaxDescriptionLength = 40

// validateDescription rejects a description over 40 characters.
func validateDescription(field, s string) error {
	if n := utf8.RuneCountInString(s); n > MaxDescriptionLength {
		return access.Invalid(field, fmt.Sprintf("is %d characters; Havr allows at most %d", n, MaxDescriptionLength))
	}
	return nil
}

// validateEmail applies access.ValidateEmail, the one rule for addresses in
// every package (net/mail, one bare address, at most 254 bytes), under the
// request's own field name.

// Resolution is the precision of Havr timestamps: whole seconds. Times are
// truncated to it before a period is checked, since that is what is sent.
const Resolution = time.Second

// validatePeriod checks a start/end/recurrency triple: end after start, and a
// recurrency no shorter than the period it repeats (a daily access cannot
// last several days). Both dates are first truncated to whole seconds, as
// MarshalJSON sends them, so a sub-second period that would go out with
// start == end is refused. The recurrency rule is documented; "end after
// start" is an assumption: the document states no such rule, but a period
// with nothing inside it cannot be what a caller means.
func validatePeriod(start, end Time, rec Recurrency) error {
	for _, b := range []struct {
		field string
		t     Time
	}{{"StartDate", start}, {"EndDate", end}} {
		if err := rest.CheckTime(b.field, b.t.Time); !b.t.IsZero() && err != nil {
			return err
		}
	}
	start, end = start.truncate(), end.truncate()
	if !start.IsZero() && !end.IsZero() && !end.After(start.Time) {
		return access.Invalid("EndDate", fmt.Sprintf("%s is not after start %s (Havr's resolution is one second)",
			end.UTC().Format(TimeLayout), start.UTC().Format(TimeLayout)))
	}
	var limit time.Time
	switch rec {
	case "", RecurrencyNone:
		return nil
	case RecurrencyDay:
		limit = start.Add(24 * time.Hour)
	case RecurrencyWeek:
		limit = start.AddDate(0, 0, 7)
	case RecurrencyMonth:
		limit = start.AddDate(0, 1, 0)
	case RecurrencyYear:
		limit = start.AddDate(1, 0, 0)
	default:
		return access.Invalid("Recurrency", fmt.Sprintf("%q is not day, week, month, year or none", rec))
	}
	if start.IsZero() || end.IsZero() {
		return access.Invalid("Recurrency", "a recurrent period needs a start and an end date")
	}
	if end.After(limit) {
		return access.Invalid("Recurrency", fmt.Sprintf("%s recurrency cannot be applied to a period longer than one %s", rec, rec))
	}
	return nil
}

// KToken is an encrypted K token: what a phone sends a lock to open it.
// Requesting one resets the previous one, so these calls are never retried.
type KToken struct {
	KToken       access.Secret `json:"k_token"`
	LastKTokenID string        `json:"last_k_token_id"`
}

// wrap puts a body under its resource key, as most Havr requests are:
// {"door_lock": {...}}.
func wrap(key string, v any) map[string]any { return map[string]any{key: v} }

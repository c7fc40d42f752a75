package primis

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// ID is a Primis identifier. The document types ids as strings but its
// examples send some as numbers ({"id":3}); ID accepts both and keeps the
// text.
type ID string

func (id *ID) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, []byte("null")) {
		*id = ""
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*id = ID(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return fmt.Errorf("primis: id %s is neither a string nor a number", b)
	}
	*id = ID(n.String())
	return nil
}

func (id ID) String() string { return string(id) }

// Time is a Primis timestamp. Schedules use "2006-01-02 15:04:05.0" with
// 1900-01-01 00:00:00.0 meaning "not set", which Time reports as the zero
// time; RFC 3339 and epoch milliseconds are accepted too, since the document
// does not show the beacon timestamps.
type Time struct {
	time.Time
}

// primisLayout is the schedule format, e.g. "1900-01-01 00:00:00.0".
const primisLayout = "2006-01-02 15:04:05.0"

var notSet = time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)

var timeLayouts = []string{primisLayout, "2006-01-02 15:04:05.999999999", "2006-01-02 15:04:05", time.RFC3339Nano}

func (t *Time) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, []byte("null")) {
		t.Time = time.Time{}
		return nil
	}
	if len(b) > 0 && b[0] != '"' {
		ms, err := strconv.ParseInt(string(b), 10, 64)
		if err != nil {
			return fmt.Errorf("primis: timestamp %s: not a string or epoch milliseconds", b)
		}
		t.Time = time.UnixMilli(ms).UTC()
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	if s == "" {
		t.Time = time.Time{}
		return nil
	}
	for _, layout := range timeLayouts {
		if parsed, err := time.Parse(layout, s); err == nil {
			if parsed.Equal(notSet) {
				parsed = time.Time{}
			}
			t.Time = parsed
			return nil
		}
	}
	return fmt.Errorf("primis: unrecognised timestamp %q", s)
}

// MarshalJSON writes the schedule format, and 1900-01-01 00:00:00.0 for the
// zero time.
func (t Time) MarshalJSON() ([]byte, error) {
	v := t.Time
	if v.IsZero() {
		v = notSet
	}
	return json.Marshal(v.Format(primisLayout))
}

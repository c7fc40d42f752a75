package access

import (
	"fmt"
	"time"
)

// Prepare readies a grant window for a vendor whose times have the given
// resolution (time.Second, time.Minute; 0 or less means no rounding). Every
// implementation calls it before sending a window, so that every vendor
// treats windows the same way:
//
//   - both bounds are converted to UTC and truncated to the resolution;
//   - an end at or before now is ErrInvalid (the grant could never be used);
//   - a start before now is clamped to now, rounded up to the resolution, with
//     a NoticeStartClamped notice (vendors such as igloohome refuse a start in
//     the past; a booking whose trigger arrives late should still work);
//   - an end not after the (clamped) start is ErrInvalid.
//
// A truncation that moves a bound by a second or more (minute-resolution
// vendors) adds a NoticeWindowRounded notice.
func (w Window) Prepare(now time.Time, resolution time.Duration) (Window, []Notice, error) {
	if err := w.Validate(); err != nil {
		return Window{}, nil, err
	}
	var notices []Notice
	out := w.UTC()
	now = now.UTC()
	if resolution > 0 {
		for _, b := range []struct {
			field string
			t     *time.Time
		}{{"Window.Start", &out.Start}, {"Window.End", &out.End}} {
			rounded := b.t.Truncate(resolution)
			if b.t.Sub(rounded) >= time.Second {
				notices = append(notices, Notice{Code: NoticeWindowRounded, Field: b.field,
					Message: fmt.Sprintf("%s rounded down to %s (the vendor's resolution is %s)",
						b.field, rounded.Format(time.RFC3339), resolution)})
			}
			*b.t = rounded
		}
	}
	if !out.End.After(now) {
		return Window{}, nil, Invalid("Window.End", fmt.Sprintf("%s is not in the future", out.End.Format(time.RFC3339)))
	}
	if out.Start.Before(now) {
		clamped := now
		if resolution > 0 {
			if r := now.Truncate(resolution); r.Before(now) {
				clamped = r.Add(resolution)
			}
		}
		notices = append(notices, Notice{Code: NoticeStartClamped, Field: "Window.Start",
			Message: fmt.Sprintf("start %s is in the past; clamped to %s",
				out.Start.Format(time.RFC3339), clamped.Format(time.RFC3339))})
		out.Start = clamped
	}
	if !out.End.After(out.Start) {
		return Window{}, nil, Invalid("Window.End", fmt.Sprintf("%s is not after start %s",
			out.End.Format(time.RFC3339), out.Start.Format(time.RFC3339)))
	}
	return out, notices, nil
}

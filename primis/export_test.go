package primis

import "time"

// SetClock makes c read the time from now, for its token expiries and
// renewals, so tests move a token towards its end without waiting.
func SetClock(c *Client, now func() time.Time) { c.tokens.SetClock(now) }

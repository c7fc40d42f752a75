package havr

import "time"

// SetRollbackGrace shortens how long c's rollbacks may outlive the
// caller's context, so tests of a clean-up that runs out of time are quick.
func SetRollbackGrace(c *Client, d time.Duration) { c.rollbackGrace = d }

// KeyFromNote is keyFromNote, for the external tests.
var KeyFromNote = keyFromNote

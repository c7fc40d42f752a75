// Package aimd is the one rule by which doorkit's shared rate budgets
// (access.NewMemoryRateBudget within a process, redisstore's Budget across
// replicas) answer a vendor's refusals, so that moving from one to the
// other changes where the state lives, not how the fleet paces itself.
//
// The rule is AIMD (additive increase, multiplicative decrease) over time:
//
//   - a refusal (429, or 503 with Retry-After) pushes the budget's next
//     slot at least the Retry-After away, for every client of the budget:
//     the vendor's limit is the account's, not one client's;
//   - it multiplies the rate by Cut, at most once per CutSpacing (the
//     refusals of one burst reach the budget from several clients within a
//     round trip, and a store may resend a Backoff whose reply it lost:
//     both count once);
//   - the rate climbs back linearly by Recovery of the full rate per
//     second. The budget does not see successes, so recovery is timed.
//
// Refused every second, the rate settles where a cut and a second's
// recovery balance: Cut*Recovery/(1-Cut) of the full rate, a fifth. It
// cannot fall further, so no floor is needed; each refusal's Retry-After
// is still waited out by every client.
//
// The budgets are given the vendor's own limit, so a refusal means jitter
// or another user of the account, not a wrong guess: a gentle cut that
// comes back within seconds costs less than a halving that takes half a
// minute, and the pushed slot already waits out what the vendor asked.
package aimd

import "time"

const (
	// Cut multiplies the rate at a refusal.
	Cut = 0.8
	// CutSpacing is the least time between two cuts.
	CutSpacing = time.Second
	// Recovery is the share of the full rate that comes back per second.
	Recovery = 0.05
)

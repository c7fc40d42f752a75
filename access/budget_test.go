package access_test

import (
	"testing"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/internal/storetest"
)

// TestMemoryRateBudgetRule: the memory budget answers refusals by the rule
// redisstore's Budget follows, in the scenario both run.
func TestMemoryRateBudgetRule(t *testing.T) {
	storetest.BudgetRule(t, func(perSecond float64, burst int) storetest.ClockedBudget {
		b, advance := access.NewMemoryRateBudgetAt(perSecond, burst)
		return storetest.ClockedBudget{RateBudget: b, Advance: advance}
	})
}

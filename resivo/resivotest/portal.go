package resivotest

import (
	"fmt"
	"time"
)

// EditValidity changes an authorization's validFrom and validTo, as a
// site manager does in the resivo portal (the API offers no such call), so
// tests can make the drift a reconcile must find.
func (s *Server) EditValidity(authorizationID string, from, to time.Time) error {
	if !to.After(from) {
		return fmt.Errorf("resivotest: validTo %s is not after validFrom %s", to, from)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.authorizations[authorizationID]
	if a == nil {
		return fmt.Errorf("resivotest: no authorization %q", authorizationID)
	}
	a.ValidFrom, a.ValidTo = from.UTC(), to.UTC()
	return nil
}

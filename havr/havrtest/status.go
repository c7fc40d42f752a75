package havrtest

// SetSharedKeyStatus sets the existing_status a shared key reports and
// returns false when there is no such key. Havr documents "active" and
// "waiting_for_user" for shared keys and nothing else, so tests use it to
// make the fake answer a status no client knows, and check what the
// client makes of it.
func (s *Server) SetSharedKeyStatus(id int64, status string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	k, ok := s.keys[id]
	if ok {
		k.status = status
	}
	return ok
}

package havrtest

import (
	"net/http"
	"unicode/utf8"
)

// noteLimit is how the fake treats long shared-key notes.
type noteLimit struct {
	max      int // in characters; 0: no limit
	truncate bool
}

// SetNoteLimit makes the fake treat a shared key's note longer than max
// characters as a server with a limit could, where the document gives none:
// refuse the create with 400 {"error": "Note is too long", "error_code":
// "invalid_note"}, or, with truncate, keep the note cut to max characters
// and answer with it. max 0 restores the default: notes of any length.
func (s *Server) SetNoteLimit(max int, truncate bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.noteLimit = noteLimit{max: max, truncate: truncate}
}

// note applies the note limit to a note being stored; false when the
// request was refused (the answer is written). The caller holds s.mu.
func (s *Server) note(w http.ResponseWriter, note string) (string, bool) {
	lim := s.noteLimit
	if lim.max == 0 || utf8.RuneCountInString(note) <= lim.max {
		return note, true
	}
	if !lim.truncate {
		writeError(w, http.StatusBadRequest, "Note is too long", "invalid_note")
		return "", false
	}
	n := 0
	for i := range note {
		if n == lim.max {
			return note[:i], true
		}
		n++
	}
	return note, true
}

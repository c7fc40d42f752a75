package havr

// KeyFromNote is keyFromNote, for the external tests.
var KeyFromNote = keyFromNote

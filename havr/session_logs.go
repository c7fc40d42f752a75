package havr

// SessionLogsService is not written yet.
type SessionLogsService service

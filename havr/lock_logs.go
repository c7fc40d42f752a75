package havr

// LockLogsService is not written yet.
type LockLogsService service

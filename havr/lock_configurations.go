package havr

// LockConfigurationsService is not written yet.
type LockConfigurationsService service

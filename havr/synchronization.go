package havr

// SynchronizationService is not written yet.
type SynchronizationService service

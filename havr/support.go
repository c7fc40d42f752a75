package havr

// SupportService is not written yet.
type SupportService service

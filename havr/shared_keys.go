package havr

// SharedKeysService is not written yet.
type SharedKeysService service

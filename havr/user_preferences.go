package havr

// UserPreferencesService is not written yet.
type UserPreferencesService service

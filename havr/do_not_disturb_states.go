package havr

// DoNotDisturbStatesService is not written yet.
type DoNotDisturbStatesService service

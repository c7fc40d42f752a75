package havr

// OfflineModeConfigurationsService is not written yet.
type OfflineModeConfigurationsService service

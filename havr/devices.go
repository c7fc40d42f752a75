package havr

// DevicesService is not written yet.
type DevicesService service

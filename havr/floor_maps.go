package havr

// FloorMapsService is not written yet.
type FloorMapsService service

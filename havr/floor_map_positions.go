package havr

// FloorMapPositionsService is not written yet.
type FloorMapPositionsService service

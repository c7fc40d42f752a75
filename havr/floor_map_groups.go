package havr

// FloorMapGroupsService is not written yet.
type FloorMapGroupsService service

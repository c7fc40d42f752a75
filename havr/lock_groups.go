package havr

// LockGroupsService is not written yet.
type LockGroupsService service

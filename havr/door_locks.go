package havr

// DoorLocksService is not written yet.
type DoorLocksService service

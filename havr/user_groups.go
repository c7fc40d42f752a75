package havr

// UserGroupsService is not written yet.
type UserGroupsService service

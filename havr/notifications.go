package havr

// NotificationsService is not written yet.
type NotificationsService service

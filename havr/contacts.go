package havr

// ContactsService is not written yet.
type ContactsService service

package havr

// EmploymentsService is not written yet.
type EmploymentsService service

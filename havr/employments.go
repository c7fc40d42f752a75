package havr

import (
	"context"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/internal/rest"
)

// EmploymentsService covers employments: the link between a company and a
// user who works for it, which the user accepts or rejects.
type EmploymentsService service

// Employment makes a user an employee of a company.
type Employment struct {
	ID             ID             `json:"id"`
	UserID         ID             `json:"user_id"` // the employee
	ExistingStatus ExistingStatus `json:"existing_status"`
	CompanyID      ID             `json:"company_id"`
}

// List returns the current user's employments.
//
// GET /v1/employments
func (s *EmploymentsService) List(ctx context.Context) ([]Employment, *Response, error) {
	return do[[]Employment](ctx, s.client.api, rest.Get("v1/employments"))
}

// Get returns an employment.
//
// GET /v1/employments/:employment_id
func (s *EmploymentsService) Get(ctx context.Context, employmentID ID) (*Employment, *Response, error) {
	return do[*Employment](ctx, s.client.api, rest.Get("v1/employments/%v", employmentID))
}

// ListByCompany returns the employments of a company of the current user.
// It only reads, hence the POST is retried like a GET.
//
// POST /v1/employments/employments_of_company
func (s *EmploymentsService) ListByCompany(ctx context.Context, companyID ID) ([]Employment, *Response, error) {
	if companyID == 0 {
		return nil, nil, access.Invalid("CompanyID", "is required")
	}
	body := wrap("employment", map[string]ID{"company_id": companyID})
	return do[[]Employment](ctx, s.client.api, rest.Post("v1/employments/employments_of_company").WithBody(body).Idempotent())
}

// EmploymentRequest employs a user in a company of the current user.
type EmploymentRequest struct {
	UserID    ID `json:"user_id"`
	CompanyID ID `json:"company_id"`
	// ExistingStatus is optional: active, deleted or pending. (The
	// document's table describes it as "Identifier of the company", a
	// copy slip; its type is the status.)
	ExistingStatus ExistingStatus `json:"existing_status,omitempty"`
}

// Create employs a user in a company of the current user.
//
// POST /v1/employments
func (s *EmploymentsService) Create(ctx context.Context, req EmploymentRequest) (*Employment, *Response, error) {
	if req.UserID == 0 {
		return nil, nil, access.Invalid("UserID", "is required")
	}
	if req.CompanyID == 0 {
		return nil, nil, access.Invalid("CompanyID", "is required")
	}
	switch req.ExistingStatus {
	case "", StatusActive, StatusDeleted, StatusPending:
	default:
		return nil, nil, access.Invalid("ExistingStatus", `must be "active", "deleted" or "pending"`)
	}
	return do[*Employment](ctx, s.client.api, rest.Post("v1/employments").WithBody(wrap("employment", req)))
}

// Delete deletes an employment. The document answers 200 without a body.
//
// DELETE /v1/employments/:employment_id
func (s *EmploymentsService) Delete(ctx context.Context, employmentID ID) (*Response, error) {
	return send(ctx, s.client.api, rest.Delete("v1/employments/%v", employmentID))
}

// Answer accepts or rejects a pending employment of the current user. The
// document answers 200 without a body.
//
// POST /v1/employments/answer_employment_request/:employment_id
func (s *EmploymentsService) Answer(ctx context.Context, employmentID ID, accepted bool) (*Response, error) {
	body := wrap("employment", map[string]bool{"accepted": accepted})
	return send(ctx, s.client.api, rest.Post("v1/employments/answer_employment_request/%v", employmentID).WithBody(body))
}

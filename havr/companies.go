package havr

import (
	"context"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/internal/rest"
)

// CompaniesService covers companies: organisations whose employees share
// access.
type CompaniesService service

// Company is a company managed by a user.
type Company struct {
	ID             ID              `json:"id"`
	UserID         ID              `json:"user_id"` // the owner
	ExistingStatus ExistingStatus  `json:"existing_status"`
	MaxEmployees   int             `json:"max_employees"`
	Name           string          `json:"name"`
	Activity       CompanyActivity `json:"activity"`
}

// CompanyActivity is a company's general activity.
type CompanyActivity string

// Company activities.
const (
	ActivityDelivery CompanyActivity = "delivery"
	ActivityOther    CompanyActivity = "other"
)

func (a CompanyActivity) validate() error {
	switch a {
	case ActivityDelivery, ActivityOther:
		return nil
	}
	return access.Invalid("Activity", `must be "delivery" or "other"`)
}

// CompanyWithEmployees is a company and its employees.
type CompanyWithEmployees struct {
	Company   Company `json:"company"`
	Employees []User  `json:"employees"`
}

// List returns the companies managed by the current user.
//
// GET /v1/companies
func (s *CompaniesService) List(ctx context.Context) ([]Company, *Response, error) {
	return do[[]Company](ctx, s.client.api, rest.Get("v1/companies"))
}

// Get returns a company.
//
// GET /v1/companies/:company_id
func (s *CompaniesService) Get(ctx context.Context, companyID ID) (*Company, *Response, error) {
	return do[*Company](ctx, s.client.api, rest.Get("v1/companies/%v", companyID))
}

// GetWithEmployees returns the current user's company and its employees.
//
// GET /v1/companies/company_with_employees
func (s *CompaniesService) GetWithEmployees(ctx context.Context) (*CompanyWithEmployees, *Response, error) {
	return do[*CompanyWithEmployees](ctx, s.client.api, rest.Get("v1/companies/company_with_employees"))
}

// ListEmployees returns the employees of a company.
//
// POST /v1/companies/employees_of_company
func (s *CompaniesService) ListEmployees(ctx context.Context, companyID ID) ([]User, *Response, error) {
	body := wrap("company", map[string]ID{"company_id": companyID})
	return do[[]User](ctx, s.client.api, rest.Post("v1/companies/employees_of_company").WithBody(body).Idempotent())
}

// CompanyRequest creates a company.
type CompanyRequest struct {
	MaxEmployees int             `json:"max_employees"`
	Name         string          `json:"name"`
	Activity     CompanyActivity `json:"activity"`
}

// Create creates a company owned by the current user.
//
// POST /v1/companies
func (s *CompaniesService) Create(ctx context.Context, req CompanyRequest) (*Company, *Response, error) {
	if req.Name == "" {
		return nil, nil, access.Invalid("Name", "is required")
	}
	if req.MaxEmployees <= 0 {
		return nil, nil, access.Invalid("MaxEmployees", "must be positive")
	}
	if err := req.Activity.validate(); err != nil {
		return nil, nil, err
	}
	return do[*Company](ctx, s.client.api, rest.Post("v1/companies").WithBody(wrap("company", req)))
}

// CompanyUpdate changes a company; nil fields are left as they are.
type CompanyUpdate struct {
	MaxEmployees *int             `json:"max_employees,omitempty"`
	Name         *string          `json:"name,omitempty"`
	Activity     *CompanyActivity `json:"activity,omitempty"`
}

// Update changes a company.
//
// PATCH /v1/companies/:company_id
func (s *CompaniesService) Update(ctx context.Context, companyID ID, req CompanyUpdate) (*Company, *Response, error) {
	if req.Activity != nil {
		if err := req.Activity.validate(); err != nil {
			return nil, nil, err
		}
	}
	if req.MaxEmployees != nil && *req.MaxEmployees <= 0 {
		return nil, nil, access.Invalid("MaxEmployees", "must be positive")
	}
	return do[*Company](ctx, s.client.api, rest.Patch("v1/companies/%v", companyID).WithBody(wrap("company", req)))
}

// Delete deletes a company.
//
// DELETE /v1/companies/:company_id
func (s *CompaniesService) Delete(ctx context.Context, companyID ID) (*Response, error) {
	return send(ctx, s.client.api, rest.Delete("v1/companies/%v", companyID))
}

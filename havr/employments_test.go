package havr

import (
	"context"
	"testing"

	"github.com/doorkit/doorkit/access"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var testEmployment = Employment{ID: 1, UserID: 6, ExistingStatus: StatusActive, CompanyID: 1}

func TestEmploymentsEndpoints(t *testing.T) {
	harness.Run(t, []endpointCase{
		{
			Name: "List", Method: "GET", Path: "/v1/employments", Response: "employment_list_response.json",
			Call:  func(ctx context.Context, c *Client) (any, error) { v, _, err := c.Employments.List(ctx); return v, err },
			Check: func(t *testing.T, v any) { assert.Equal(t, []Employment{testEmployment}, v) },
		},
		{
			Name: "Get", Method: "GET", Path: "/v1/employments/1", Response: "employment_get_response.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.Employments.Get(ctx, 1)
				return v, err
			},
			Check: func(t *testing.T, v any) { assert.Equal(t, &testEmployment, v) },
		},
		{
			Name: "ListByCompany", Method: "POST", Path: "/v1/employments/employments_of_company",
			Request: "employment_list_by_company_request.json", Response: "employment_list_response.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.Employments.ListByCompany(ctx, 1)
				return v, err
			},
			Check: func(t *testing.T, v any) { assert.Equal(t, []Employment{testEmployment}, v) },
		},
		{
			Name: "Create", Method: "POST", Path: "/v1/employments", Request: "employment_create_request.json",
			Status: 201, Response: "employment_get_response.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.Employments.Create(ctx, EmploymentRequest{UserID: 6, CompanyID: 1})
				return v, err
			},
			Check: func(t *testing.T, v any) { assert.Equal(t, &testEmployment, v) },
		},
		{
			Name: "Create: with status", Method: "POST", Path: "/v1/employments",
			Request: `{"employment": {"user_id": 6, "company_id": 1, "existing_status": "pending"}}`,
			Status:  201, Response: "employment_get_response.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.Employments.Create(ctx, EmploymentRequest{UserID: 6, CompanyID: 1, ExistingStatus: StatusPending})
				return v, err
			},
			Check: func(t *testing.T, v any) { assert.Equal(t, &testEmployment, v) },
		},
		{
			Name: "Delete", Method: "DELETE", Path: "/v1/employments/1",
			Call:  func(ctx context.Context, c *Client) (any, error) { return c.Employments.Delete(ctx, 1) },
			Check: func(t *testing.T, v any) { assert.Equal(t, 200, v.(*Response).StatusCode) },
		},
		{
			Name: "Answer", Method: "POST", Path: "/v1/employments/answer_employment_request/1",
			Request: "employment_answer_request.json",
			Call:    func(ctx context.Context, c *Client) (any, error) { return c.Employments.Answer(ctx, 1, true) },
			Check:   func(t *testing.T, v any) { assert.Equal(t, 200, v.(*Response).StatusCode) },
		},
		{
			// false is sent, not left out.
			Name: "Answer: reject", Method: "POST", Path: "/v1/employments/answer_employment_request/1",
			Request: `{"employment": {"accepted": false}}`,
			Call:    func(ctx context.Context, c *Client) (any, error) { return c.Employments.Answer(ctx, 1, false) },
		},
	})
}

func TestEmploymentsErrors(t *testing.T) {
	const employmentNotExist = `{
  "error": "Employment does not exist",
  "error_code": "employment_does_not_exist"
}`
	const companyNotExist = `{
  "error": "Company does not exist",
  "error_code": "company_does_not_exist"
}`
	const anotherOnesCompany = `{
  "error": "Can't access another one's company",
  "error_code": "cant_access_another_ones_company"
}`
	get := func(ctx context.Context, c *Client) error { _, _, err := c.Employments.Get(ctx, 1); return err }
	byCompany := func(ctx context.Context, c *Client) error {
		_, _, err := c.Employments.ListByCompany(ctx, 1)
		return err
	}
	create := func(ctx context.Context, c *Client) error {
		_, _, err := c.Employments.Create(ctx, EmploymentRequest{UserID: 6, CompanyID: 1})
		return err
	}
	del := func(ctx context.Context, c *Client) error { _, err := c.Employments.Delete(ctx, 1); return err }
	answer := func(ctx context.Context, c *Client) error { _, err := c.Employments.Answer(ctx, 1, true); return err }
	employmentNotFound := havrError(404, "employment_does_not_exist", "Employment does not exist")
	companyNotFound := havrError(404, "company_does_not_exist", "Company does not exist")
	companyForbidden := havrError(403, "cant_access_another_ones_company", "Can't access another one's company")
	harness.RunErrors(t, []errorCase{
		{Name: "Get: does not exist", Status: 404, Body: employmentNotExist, Sentinel: access.ErrNotFound, Call: get, Check: employmentNotFound},
		{Name: "Get: another one's company", Status: 403, Body: anotherOnesCompany, Sentinel: access.ErrForbidden, Call: get, Check: companyForbidden},
		{Name: "ListByCompany: does not exist", Status: 404, Body: companyNotExist, Sentinel: access.ErrNotFound, Call: byCompany, Check: companyNotFound},
		{Name: "ListByCompany: another one's", Status: 403, Body: anotherOnesCompany, Sentinel: access.ErrForbidden, Call: byCompany, Check: companyForbidden},
		{Name: "Create: user does not exist", Status: 404, Sentinel: access.ErrNotFound, Call: create,
			Body: `{
  "error": "User does not exist",
  "error_code": "user_does_not_exist"
}`, Check: havrError(404, "user_does_not_exist", "User does not exist")},
		{Name: "Create: company does not exist", Status: 404, Body: companyNotExist, Sentinel: access.ErrNotFound, Call: create, Check: companyNotFound},
		// A 400 whose code says "already": a conflict.
		{Name: "Create: already exists", Status: 400, Sentinel: access.ErrConflict, Call: create,
			Body: `{
  "error": "Employment already exist",
  "error_code": "employment_already_exists"
}`, Check: havrError(400, "employment_already_exists", "Employment already exist")},
		{Name: "Create: user is owner", Status: 400, Sentinel: access.ErrInvalid, Call: create,
			Body: `{
  "error": "User is owner of company",
  "error_code": "user_is_owner_of_company"
}`, Check: havrError(400, "user_is_owner_of_company", "User is owner of company")},
		{Name: "Create: another one's company", Status: 403, Body: anotherOnesCompany, Sentinel: access.ErrForbidden, Call: create, Check: companyForbidden},
		{Name: "Delete: does not exist", Status: 404, Sentinel: access.ErrNotFound, Call: del,
			Body: `{
  "error": "Employment does not exist",
   "error_code": "employment_does_not_exist"
}`, Check: employmentNotFound},
		{Name: "Delete: another one's company", Status: 403, Body: anotherOnesCompany, Sentinel: access.ErrForbidden, Call: del, Check: companyForbidden},
		{Name: "Answer: does not exist", Status: 404, Body: employmentNotExist, Sentinel: access.ErrNotFound, Call: answer, Check: employmentNotFound},
		{Name: "Answer: another one's", Status: 403, Sentinel: access.ErrForbidden, Call: answer,
			Body: `{
  "error": "Can't access another one's employment",
  "error_code": "cant_access_another_ones_employment"
}`, Check: havrError(403, "cant_access_another_ones_employment", "Can't access another one's employment")},
	})
}

func TestEmploymentsValidation(t *testing.T) {
	c := newTestClient(t, noRequests(t))
	ctx := context.Background()
	_, _, err := c.Employments.ListByCompany(ctx, 0)
	require.ErrorIs(t, err, access.ErrInvalid)
	for name, req := range map[string]EmploymentRequest{
		"no user":        {CompanyID: 1},
		"no company":     {UserID: 6},
		"unknown status": {UserID: 6, CompanyID: 1, ExistingStatus: StatusWaitingForUser},
	} {
		_, _, err := c.Employments.Create(ctx, req)
		require.ErrorIs(t, err, access.ErrInvalid, name)
	}
}

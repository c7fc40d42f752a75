package havr

import (
	"context"
	"testing"

	"github.com/doorkit/doorkit/access"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var testCompany = Company{ID: 1, UserID: 6, ExistingStatus: StatusActive, MaxEmployees: 100, Name: "name", Activity: ActivityDelivery}

var testUser = User{ID: 6, Email: "ada@example.com", FirstName: "Ada", LastName: "Lovelace", PhoneNumber: "+33648243834",
	AccountStatus: "active", PreferredLanguage: "en", Favorites: []ID{1, 5},
	PictureURL: "pictures/profile/eef477e129cbe2509d90c3aba4b5e808eef477e129cbe2509d90c3aba4b5e808.png"}

func TestCompaniesEndpoints(t *testing.T) {
	harness.Run(t, []endpointCase{
		{
			Name: "List", Method: "GET", Path: "/v1/companies", Response: "companies.json",
			Call:  func(ctx context.Context, c *Client) (any, error) { v, _, err := c.Companies.List(ctx); return v, err },
			Check: func(t *testing.T, v any) { assert.Equal(t, []Company{testCompany}, v) },
		},
		{
			Name: "Get", Method: "GET", Path: "/v1/companies/1", Response: "company.json",
			Call:  func(ctx context.Context, c *Client) (any, error) { v, _, err := c.Companies.Get(ctx, 1); return v, err },
			Check: func(t *testing.T, v any) { assert.Equal(t, &testCompany, v) },
		},
		{
			Name: "GetWithEmployees", Method: "GET", Path: "/v1/companies/company_with_employees", Response: "company_with_employees.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.Companies.GetWithEmployees(ctx)
				return v, err
			},
			Check: func(t *testing.T, v any) {
				assert.Equal(t, &CompanyWithEmployees{Company: testCompany, Employees: []User{testUser}}, v)
			},
		},
		{
			Name: "ListEmployees", Method: "POST", Path: "/v1/companies/employees_of_company",
			Request: "company_employees_request.json", Response: "users.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.Companies.ListEmployees(ctx, 1)
				return v, err
			},
			Check: func(t *testing.T, v any) { assert.Equal(t, []User{testUser}, v) },
		},
		{
			Name: "Create", Method: "POST", Path: "/v1/companies", Request: "company_create_request.json",
			Status: 201, Response: "company.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.Companies.Create(ctx, CompanyRequest{MaxEmployees: 50, Name: "company_name", Activity: ActivityOther})
				return v, err
			},
			Check: func(t *testing.T, v any) { assert.Equal(t, &testCompany, v) },
		},
		{
			Name: "Update", Method: "PATCH", Path: "/v1/companies/1", Request: "company_update_request.json", Response: "company.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.Companies.Update(ctx, 1, CompanyUpdate{MaxEmployees: Ptr(60)})
				return v, err
			},
			Check: func(t *testing.T, v any) { assert.Equal(t, &testCompany, v) },
		},
		{
			Name: "Delete", Method: "DELETE", Path: "/v1/companies/1",
			Call: func(ctx context.Context, c *Client) (any, error) {
				resp, err := c.Companies.Delete(ctx, 1)
				return resp, err
			},
		},
	})
}

func TestCompaniesErrors(t *testing.T) {
	get := func(ctx context.Context, c *Client) error { _, _, err := c.Companies.Get(ctx, 1); return err }
	update := func(ctx context.Context, c *Client) error {
		_, _, err := c.Companies.Update(ctx, 1, CompanyUpdate{Name: Ptr("x")})
		return err
	}
	del := func(ctx context.Context, c *Client) error { _, err := c.Companies.Delete(ctx, 1); return err }
	employees := func(ctx context.Context, c *Client) error { _, _, err := c.Companies.ListEmployees(ctx, 1); return err }
	withEmployees := func(ctx context.Context, c *Client) error { _, _, err := c.Companies.GetWithEmployees(ctx); return err }
	harness.RunErrors(t, []errorCase{
		{Name: "Get: does not exist", Status: 404, Body: "error_company_does_not_exist_plain.json", Sentinel: access.ErrNotFound, Call: get,
			Check: havrError(404, "", "Company does not exist")},
		{Name: "Get: another one's", Status: 403, Body: "error_cant_access_company_plain.json", Sentinel: access.ErrForbidden, Call: get,
			Check: havrError(403, "", "Can't access another one's company")},
		{Name: "GetWithEmployees: does not exist", Status: 404, Body: "error_company_does_not_exist.json", Sentinel: access.ErrNotFound, Call: withEmployees,
			Check: havrError(404, "company_does_not_exist", "Company does not exist")},
		{Name: "ListEmployees: does not exist", Status: 404, Body: "error_company_does_not_exist.json", Sentinel: access.ErrNotFound, Call: employees,
			Check: havrError(404, "company_does_not_exist", "Company does not exist")},
		{Name: "ListEmployees: another one's", Status: 403, Body: "error_cant_access_company.json", Sentinel: access.ErrForbidden, Call: employees,
			Check: havrError(403, "cant_access_another_ones_company", "Can't access another one's company")},
		{Name: "Update: does not exist", Status: 404, Body: "error_company_does_not_exist.json", Sentinel: access.ErrNotFound, Call: update,
			Check: havrError(404, "company_does_not_exist", "Company does not exist")},
		// The document gives this 403 with the code company_does_not_exist;
		// the code wins, as it names the cause.
		{Name: "Update: another one's", Status: 403, Body: `{"error": "Can't access another one's company", "error_code" : "company_does_not_exist"}`,
			Sentinel: access.ErrNotFound, Call: update, Check: havrError(403, "company_does_not_exist", "Can't access another one's company")},
		{Name: "Delete: does not exist", Status: 404, Body: "error_company_does_not_exist_plain.json", Sentinel: access.ErrNotFound, Call: del},
		{Name: "Delete: another one's", Status: 403, Body: "error_cant_access_company_plain.json", Sentinel: access.ErrForbidden, Call: del},
	})
}

func TestCompaniesValidation(t *testing.T) {
	c := newTestClient(t, noRequests(t))
	ctx := context.Background()
	for name, req := range map[string]CompanyRequest{
		"no name":          {MaxEmployees: 1, Activity: ActivityOther},
		"no max employees": {Name: "n", Activity: ActivityOther},
		"unknown activity": {Name: "n", MaxEmployees: 1, Activity: "farming"},
	} {
		_, _, err := c.Companies.Create(ctx, req)
		require.ErrorIs(t, err, access.ErrInvalid, name)
	}
	_, _, err := c.Companies.Update(ctx, 1, CompanyUpdate{Activity: Ptr(CompanyActivity("x"))})
	require.ErrorIs(t, err, access.ErrInvalid)
	_, _, err = c.Companies.Update(ctx, 1, CompanyUpdate{MaxEmployees: Ptr(0)})
	require.ErrorIs(t, err, access.ErrInvalid)
}

package havr

import (
	"context"
	"testing"

	"github.com/doorkit/doorkit/access"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSupportEndpoints(t *testing.T) {
	checkOK := func(t *testing.T, v any) { assert.Equal(t, 200, v.(*Response).StatusCode) }
	harness.Run(t, []endpointCase{
		{
			Name: "ReportBug", Method: "POST", Path: "/support/v1/report_bug", Request: "support_report_bug_request.json",
			Call:  func(ctx context.Context, c *Client) (any, error) { return c.Support.ReportBug(ctx, "message") },
			Check: checkOK,
		},
		{
			Name: "SendFeedback", Method: "POST", Path: "/support/v1/feedback", Request: "support_feedback_request.json",
			Call:  func(ctx context.Context, c *Client) (any, error) { return c.Support.SendFeedback(ctx, "message") },
			Check: checkOK,
		},
		{
			Name: "RequestCustomService", Method: "POST", Path: "/support/v1/custom_service",
			Request: "support_custom_service_request.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				return c.Support.RequestCustomService(ctx, "message")
			},
			Check: checkOK,
		},
		{
			Name: "SendEULA", Method: "POST", Path: "/support/v1/send_eula", Request: "support_send_eula_request.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				return c.Support.SendEULA(ctx, SupportEULARequest{Email: "email@email.com", Language: SupportEnglish})
			},
			Check: checkOK,
		},
		{
			// The document names the languages "FR and EN": the upper case
			// is accepted and sent as given.
			Name: "SendEULA: upper case", Method: "POST", Path: "/support/v1/send_eula",
			Request: `{"eula": {"email": "email@email.com", "language": "FR"}}`,
			Call: func(ctx context.Context, c *Client) (any, error) {
				return c.Support.SendEULA(ctx, SupportEULARequest{Email: "email@email.com", Language: "FR"})
			},
			Check: checkOK,
		},
		{
			Name: "WebsitePrivacyURL", Method: "GET", Path: "/support/v1/website_privacy_url",
			Response: "support_website_privacy_url_response.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.Support.WebsitePrivacyURL(ctx)
				return v, err
			},
			Check: func(t *testing.T, v any) { assert.Equal(t, &SupportPrivacyURL{PrivacyRoute: "https://url.havr.io"}, v) },
		},
		{
			Name: "Ping", Method: "GET", Path: "/v1/ping", Response: "support_ping_response.json",
			Call:  func(ctx context.Context, c *Client) (any, error) { return c.Support.Ping(ctx) },
			Check: checkOK,
		},
	})
}

// The document gives no error example for these operations; an error
// answer still comes back as an *Error matching its status's sentinel.
func TestSupportErrors(t *testing.T) {
	harness.RunErrors(t, []errorCase{
		{Name: "ReportBug: server error", Status: 503, Body: `{"error": "Service Unavailable"}`, Sentinel: access.ErrUnavailable,
			Call:  func(ctx context.Context, c *Client) error { _, err := c.Support.ReportBug(ctx, "m"); return err },
			Check: havrError(503, "", "Service Unavailable")},
	})
}

func TestSupportValidation(t *testing.T) {
	c := newTestClient(t, noRequests(t))
	ctx := context.Background()
	for name, call := range map[string]func() (*Response, error){
		"bug":            func() (*Response, error) { return c.Support.ReportBug(ctx, "") },
		"feedback":       func() (*Response, error) { return c.Support.SendFeedback(ctx, " \n") },
		"custom service": func() (*Response, error) { return c.Support.RequestCustomService(ctx, "") },
	} {
		_, err := call()
		require.ErrorIs(t, err, access.ErrInvalid, name)
	}
	for name, req := range map[string]SupportEULARequest{
		"no email":         {Language: SupportFrench},
		"not an email":     {Email: "email", Language: SupportFrench},
		"no language":      {Email: "email@email.com"},
		"unknown language": {Email: "email@email.com", Language: "de"},
	} {
		_, err := c.Support.SendEULA(ctx, req)
		require.ErrorIs(t, err, access.ErrInvalid, name)
	}
}

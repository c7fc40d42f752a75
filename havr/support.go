package havr

import (
	"context"
	"strings"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/internal/rest"
)

// SupportService covers the support emails (bug reports, feedback, custom
// service requests, the EULA), the website's privacy URL and the API ping.
//
// The document gives no answer for the support emails; they are taken as 200
// with nothing to read.
type SupportService service

// supportMessage is the body of the support emails.
type supportMessage struct {
	Message string `json:"message"`
}

// sendMessage sends a support email: call with the message under key.
func (s *SupportService) sendMessage(ctx context.Context, call *rest.Call, key, message string) (*Response, error) {
	if strings.TrimSpace(message) == "" {
		return nil, access.Invalid("message", "is required")
	}
	return send(ctx, s.client.api, call.WithBody(wrap(key, supportMessage{Message: message})))
}

// ReportBug sends a bug report to Havr's support.
//
// POST /support/v1/report_bug
func (s *SupportService) ReportBug(ctx context.Context, message string) (*Response, error) {
	return s.sendMessage(ctx, rest.Post("support/v1/report_bug"), "bug_report", message)
}

// SendFeedback sends feedback to Havr's support.
//
// POST /support/v1/feedback
func (s *SupportService) SendFeedback(ctx context.Context, message string) (*Response, error) {
	return s.sendMessage(ctx, rest.Post("support/v1/feedback"), "feedback", message)
}

// RequestCustomService asks Havr's support for a custom service.
//
// POST /support/v1/custom_service
func (s *SupportService) RequestCustomService(ctx context.Context, message string) (*Response, error) {
	return s.sendMessage(ctx, rest.Post("support/v1/custom_service"), "custom_service", message)
}

// SupportLanguage is the language of an email Havr sends.
type SupportLanguage string

// Supported languages. The document names them "FR and EN" and sends "en" in
// its example; the lower-case form is used, and either case is accepted.
const (
	SupportEnglish SupportLanguage = "en"
	SupportFrench  SupportLanguage = "fr"
)

// SupportEULARequest asks for the End User License Agreement by email.
type SupportEULARequest struct {
	Email    string          `json:"email"` // the recipient
	Language SupportLanguage `json:"language"`
}

// SendEULA emails the End User License Agreement to an address.
//
// POST /support/v1/send_eula
func (s *SupportService) SendEULA(ctx context.Context, req SupportEULARequest) (*Response, error) {
	if err := access.ValidateEmailField("Email", req.Email); err != nil {
		return nil, err
	}
	if !strings.EqualFold(string(req.Language), string(SupportEnglish)) && !strings.EqualFold(string(req.Language), string(SupportFrench)) {
		return nil, access.Invalid("Language", `must be "en" or "fr"`)
	}
	return send(ctx, s.client.api, rest.Post("support/v1/send_eula").WithBody(wrap("eula", req)))
}

// SupportPrivacyURL is the address of Havr's privacy policy.
type SupportPrivacyURL struct {
	PrivacyRoute string `json:"privacy_route"`
}

// WebsitePrivacyURL returns the address of the website's privacy policy.
//
// GET /support/v1/website_privacy_url
func (s *SupportService) WebsitePrivacyURL(ctx context.Context) (*SupportPrivacyURL, *Response, error) {
	return do[*SupportPrivacyURL](ctx, s.client.api, rest.Get("support/v1/website_privacy_url"))
}

// Ping checks that the API answers; the document answers 200 with {}. Like
// every request the document does not mark unauthenticated, it carries the
// access token.
//
// GET /v1/ping
func (s *SupportService) Ping(ctx context.Context) (*Response, error) {
	return send(ctx, s.client.api, rest.Get("v1/ping"))
}

package havr

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestSessionLogsEndpoints(t *testing.T) {
	harness.Run(t, []endpointCase{
		{
			Name: "List", Method: "GET", Path: "/v1/session_logs", Response: "session_log_list_response.json",
			Call: func(ctx context.Context, c *Client) (any, error) { v, _, err := c.SessionLogs.List(ctx); return v, err },
			Check: func(t *testing.T, v any) {
				// device_id is null in the document's example.
				assert.Equal(t, []SessionLog{{ID: 3, UserID: 6, DeviceID: 0, OAuthClientID: 12, UserAgent: "ios/10.2", Active: true}}, v)
			},
		},
	})
}

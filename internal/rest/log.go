package rest

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"time"
)

// maxLoggedBody bounds how much of a body goes into one log record.
const maxLoggedBody = 8 << 10

// LogTransport logs every attempt at debug level: method, path (never the
// query), status, duration and the server's request id. Headers, the query
// and JSON or form bodies are logged only when Bodies is set, and then with
// secret keys (IsSecretKey), personal data (IsPersonalKey) and SecretFields
// redacted, and the secrets the request sent scrubbed from both bodies
// wherever they appear (a vendor may echo them in free text, see
// ScrubAnswer). It sits under the auth transport so it records what is really
// sent, and it costs nothing when the logger is disabled for debug.
type LogTransport struct {
	Base   http.RoundTripper
	Logger *slog.Logger
	// Bodies adds headers, query and bodies to each record, redacted.
	Bodies bool
	// SecretFields are the vendor's own secret JSON or form keys, redacted
	// like IsSecretKey's (Havr's door-lock settings code "base64").
	SecretFields []string
}

// WithLogging wraps base in a LogTransport that logs no bodies, or returns
// base when logger is nil.
func WithLogging(base http.RoundTripper, logger *slog.Logger) http.RoundTripper {
	if logger == nil {
		return base
	}
	return &LogTransport{Base: base, Logger: logger}
}

func (t *LogTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	if !t.Logger.Enabled(ctx, slog.LevelDebug) {
		return t.Base.RoundTrip(req)
	}
	secret := bodySecret(t.SecretFields)
	var sent []string // the secrets the request sends, scrubbed from logged bodies
	if t.Bodies {
		sent = sentSecrets(req, t.SecretFields)
	}
	attrs := []slog.Attr{
		slog.String("method", req.Method),
		slog.String("path", shownURL(req).EscapedPath()),
	}
	if t.Bodies {
		if req.URL.RawQuery != "" {
			attrs = append(attrs, slog.String("query", redactBy(req.URL.Query(), secret).Encode()))
		}
		attrs = append(attrs, slog.Any("request_header", RedactHeader(req.Header)))
		if req.GetBody != nil && req.ContentLength != 0 {
			if body, err := req.GetBody(); err == nil {
				b := ReadBounded(body, maxLoggedBody)
				body.Close()
				b = scrubBody(b, sent)
				attrs = append(attrs, slog.String("request_body", redactBodyBy(req.Header.Get("Content-Type"), b, secret)))
			}
		}
	}
	start := time.Now()
	resp, err := t.Base.RoundTrip(req)
	attrs = append(attrs, slog.Duration("duration", time.Since(start)))
	if err != nil {
		attrs = append(attrs, slog.String("error", (&RequestError{Err: err, secrets: errorSecrets(req, t.SecretFields)}).errMessage()))
		t.Logger.LogAttrs(ctx, slog.LevelDebug, "http attempt failed", attrs...)
		return nil, err
	}
	attrs = append(attrs, slog.Int("status", resp.StatusCode))
	if id := RequestID(resp.Header); id != "" {
		attrs = append(attrs, slog.String("request_id", id))
	}
	if t.Bodies {
		attrs = append(attrs, slog.Any("response_header", RedactHeader(resp.Header)))
		if resp.Body != nil {
			head := ReadBounded(resp.Body, maxLoggedBody)
			resp.Body = readCloser{io.MultiReader(bytes.NewReader(head), resp.Body), resp.Body}
			// The vendor may echo what it was sent in free text.
			head = scrubBody(head, sent)
			attrs = append(attrs, slog.String("response_body", redactBodyBy(resp.Header.Get("Content-Type"), head, secret)))
		}
	}
	t.Logger.LogAttrs(ctx, slog.LevelDebug, "http attempt", attrs...)
	return resp, nil
}

type readCloser struct {
	io.Reader
	io.Closer
}

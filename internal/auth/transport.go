package auth

import (
	"io"
	"net/http"

	"golang.org/x/oauth2"
)

// TokenSource is what Transport needs: tokens, and a way to report one the
// server rejected.
type TokenSource interface {
	Token() (*oauth2.Token, error)
	Invalidate(stale *oauth2.Token)
}

// Transport authorises every attempt with a current token. On a 401 it
// invalidates the token, obtains a new one once and resends the request from
// GetBody; a second 401 is returned to the caller. A 401 means the server did
// not act on the request, so resending even a POST is safe.
type Transport struct {
	Base   http.RoundTripper
	Source TokenSource
	// Apply sets the token on a request; nil sets "Authorization: Bearer".
	Apply func(req *http.Request, tok *oauth2.Token)
}

func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	tok, err := t.Source.Token()
	if err != nil {
		closeBody(req)
		return nil, err
	}
	resp, err := t.send(req, tok)
	if err != nil || resp.StatusCode != http.StatusUnauthorized {
		return resp, err
	}
	if req.GetBody == nil && req.Body != nil && req.Body != http.NoBody {
		return resp, nil // cannot resend this body
	}
	t.Source.Invalidate(tok)
	fresh, err := t.Source.Token()
	if err != nil {
		drain(resp)
		return nil, err
	}
	if fresh.AccessToken == tok.AccessToken {
		return resp, nil
	}
	drain(resp)
	retry := req.Clone(req.Context())
	if req.GetBody != nil {
		if retry.Body, err = req.GetBody(); err != nil {
			return nil, err
		}
	}
	return t.send(retry, fresh)
}

func (t *Transport) send(req *http.Request, tok *oauth2.Token) (*http.Response, error) {
	out := req.Clone(req.Context())
	if t.Apply != nil {
		t.Apply(out, tok)
	} else {
		out.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	}
	return t.Base.RoundTrip(out)
}

func drain(resp *http.Response) {
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	_ = resp.Body.Close()
}

func closeBody(req *http.Request) {
	if req.Body != nil {
		_ = req.Body.Close()
	}
}

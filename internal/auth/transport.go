package auth

import (
	"context"
	"errors"
	"io"
	"net/http"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/internal/unsent"
	"golang.org/x/oauth2"
)

// TokenSource is what Transport needs: tokens obtained within a request's
// context, the token held now, and a way to report one the server rejected.
type TokenSource interface {
	TokenContext(ctx context.Context) (*oauth2.Token, error)
	Current() *oauth2.Token
	Invalidate(stale *oauth2.Token)
}

// Transport authorises every attempt with a current token. On a 401 it
// invalidates the token, obtains a new one once and resends the request from
// GetBody; a second 401 is returned to the caller, unless the token resent
// was adopted from a shared store (a peer's, which may have expired since it
// was saved): then the source renews once more. A 401 means the server did
// not act on the request, so resending even a POST is safe.
//
// Waiting for a token ends with the request's context: the caller gets
// ctx.Err() while the fetch goes on for others.
type Transport struct {
	Base   http.RoundTripper
	Source TokenSource
	// Apply sets the token on a request; nil sets "Authorization: Bearer".
	Apply func(req *http.Request, tok *oauth2.Token)
}

type withoutRefreshKey struct{}

// WithoutRefresh marks requests made with ctx to go out with the token the
// source holds now, as is: none is fetched, and a 401 is returned to the
// caller (the token is invalidated, so the next ordinary request renews it).
// A token check such as a ping uses it, so that it reports an invalid token
// instead of replacing it.
func WithoutRefresh(ctx context.Context) context.Context {
	return context.WithValue(ctx, withoutRefreshKey{}, true)
}

func withoutRefresh(ctx context.Context) bool {
	v, _ := ctx.Value(withoutRefreshKey{}).(bool)
	return v
}

// ErrNoToken is returned for a request marked WithoutRefresh when the
// source holds no token.
const ErrNoToken = errString("auth: no token to send")

func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	if withoutRefresh(ctx) {
		return t.sendCurrent(req)
	}
	tok, err := t.Source.TokenContext(ctx)
	if err != nil {
		closeBody(req)
		return nil, tokenError(ctx, err)
	}
	resp, err := t.send(req, tok)
	if req.GetBody == nil && req.Body != nil && req.Body != http.NoBody {
		return resp, err // cannot resend this body
	}
	for renewals := 0; err == nil && resp.StatusCode == http.StatusUnauthorized; renewals++ {
		if renewals == 1 && !t.adopted(tok) || renewals == 2 {
			break
		}
		t.Source.Invalidate(tok)
		fresh, ferr := t.Source.TokenContext(ctx)
		if ferr != nil {
			drain(resp)
			return nil, tokenError(ctx, ferr)
		}
		if fresh.AccessToken == tok.AccessToken {
			break
		}
		drain(resp)
		retry := req.Clone(ctx)
		if req.GetBody != nil {
			if retry.Body, err = req.GetBody(); err != nil {
				return nil, err
			}
		}
		tok = fresh
		resp, err = t.send(retry, tok)
	}
	return resp, err
}

// adopted reports whether tok came from a shared store rather than from
// the vendor.
func (t *Transport) adopted(tok *oauth2.Token) bool {
	a, ok := t.Source.(interface{ Adopted(*oauth2.Token) bool })
	return ok && a.Adopted(tok)
}

// sendCurrent sends req with the token held now, without renewing it.
func (t *Transport) sendCurrent(req *http.Request) (*http.Response, error) {
	tok := t.Source.Current()
	if tok == nil || tok.AccessToken == "" {
		closeBody(req)
		return nil, ErrNoToken
	}
	resp, err := t.send(req, tok)
	if err == nil && resp.StatusCode == http.StatusUnauthorized {
		t.Source.Invalidate(tok)
	}
	return resp, err
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

// TokenError reports that no token could be obtained for a request, which
// therefore was not sent (or, after a 401, not acted on). The token request
// has its own retries, so the request is not retried on top of them
// (NotSent), and it is never of unknown outcome, even when the token
// request was: errors.Is matches what the token failure matches except
// access.ErrOutcomeUnknown, and errors.As reaches the vendor's error.
type TokenError struct {
	Err error
}

func (e *TokenError) Error() string { return "obtain token: " + e.Err.Error() }

// NotSent says the request did not go out; rest does not resend it.
func (e *TokenError) NotSent() bool { return true }

// Is matches what the token failure matches, except ErrOutcomeUnknown.
func (e *TokenError) Is(target error) bool {
	return target != access.ErrOutcomeUnknown && errors.Is(e.Err, target)
}

// As reaches the token failure's own errors, such as the vendor's *Error.
func (e *TokenError) As(target any) bool { return errors.As(e.Err, target) }

// tokenError wraps a failure to obtain a token, unless it is the request's
// own context ending, which stays the context's error (errors.Is matches
// it) marked as not sent.
func tokenError(ctx context.Context, err error) error {
	if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
		return &unsent.Error{Err: err}
	}
	return &TokenError{Err: err}
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

// Package callctx names the context value rest puts on the requests of a
// call, so that the layers under rest that rest's own tests use (the auth
// transport) can read what they need of it without importing rest.
package callctx

import "net/http"

// Key is the context key of a call's value.
type Key struct{}

// Value is what the value under Key tells those layers.
type Value interface {
	// Private reports that no caller holds the request: rest built it for
	// one call of Do, so a transport under rest may set a header on it in
	// place rather than copy it.
	Private() bool
}

// Private reports whether req is a private request (see Value).
func Private(req *http.Request) bool {
	v, ok := req.Context().Value(Key{}).(Value)
	return ok && v.Private()
}

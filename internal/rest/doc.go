// Package rest is doorkit's shared HTTP plumbing: it builds requests from
// path templates, sends them through go-retryablehttp with doorkit's retry
// policy, decodes JSON results and hands non-2xx bodies to the vendor's error
// decoder. It knows nothing about any vendor; vendor behaviour (error
// decoding, default headers, auth) is passed in as values.
package rest

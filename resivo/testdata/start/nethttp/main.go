// Command nethttp makes what a hand-written client of an HTTPS JSON API
// needs (an http.Client over TLS, a JSON body) and exits: the floor of
// any program that talks to a vendor.
package main

import (
	"bytes"
	"crypto/tls"
	"encoding/json"
	"net/http"
	"time"
)

func main() {
	hc := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{MinVersion: tls.VersionTLS12}}}
	body, err := json.Marshal(map[string]string{"grant_type": "client_credentials"})
	if err != nil {
		panic(err)
	}
	req, err := http.NewRequest(http.MethodPost, "https://api.example/oauth2/token", bytes.NewReader(body))
	if err != nil {
		panic(err)
	}
	_, _ = hc, req
}

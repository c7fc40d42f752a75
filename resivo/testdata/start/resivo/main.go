// Command resivo makes a resivo client with the default SMS number rule
// and exits: the start of a program that uses resivo.
package main

import "github.com/doorkit/doorkit/resivo"

func main() {
	if _, err := resivo.New(resivo.WithClientCredentials("id", "secret"), resivo.WithSites("site")); err != nil {
		panic(err)
	}
}

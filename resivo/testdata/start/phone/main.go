// Command phone makes a resivo client that checks SMS numbers against
// libphonenumber's metadata (phone.NormalizeSMS) and exits.
package main

import (
	"github.com/doorkit/doorkit/phone"
	"github.com/doorkit/doorkit/resivo"
)

func main() {
	if _, err := resivo.New(resivo.WithClientCredentials("id", "secret"), resivo.WithSites("site"),
		resivo.WithSMSNumbers(phone.NormalizeSMS)); err != nil {
		panic(err)
	}
}

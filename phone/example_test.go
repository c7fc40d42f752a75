package phone_test

import (
	"fmt"

	"github.com/doorkit/doorkit/phone"
)

func ExampleNormalizeSMS() {
	for _, raw := range []string{"+31 6 1234 5678", "0031 6 1234 5678", "06 1234 5678", "+31 20 123 4567"} {
		number, reason := phone.NormalizeSMS(raw)
		if reason != "" {
			fmt.Println(reason) // a notice on the grant; the SMS is dropped, email goes ahead
			continue
		}
		fmt.Println(number)
	}
	// Output:
	// +31612345678
	// +31612345678
	// SMS skipped: 06 1234 5678 has no country code
	// SMS skipped: +31 20 123 4567 is a fixed-line number
}

// Command august makes an August client and exits: the start of a program
// that uses August, for comparison.
package main

import "github.com/doorkit/doorkit/august"

func main() {
	if _, err := august.New(august.WithAPIKey("key"), august.WithTokens("a", "r")); err != nil {
		panic(err)
	}
}

// Command havr makes a Havr client and exits: the start of a program that
// uses a vendor without SMS, for comparison.
package main

import "github.com/doorkit/doorkit/havr"

func main() {
	if _, err := havr.New(havr.WithBaseURL("https://havr.example"), havr.WithTokens("a", "r")); err != nil {
		panic(err)
	}
}

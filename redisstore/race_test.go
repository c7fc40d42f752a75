//go:build race

package redisstore_test

// raceDetector is true when the tests run under the race detector, which
// slows the process enough to stall it for longer than a vendor's slack.
const raceDetector = true

//go:build race

package main

// raceDetector: seeding 10,000 grants under the race detector takes minutes
// on a 2-core machine, and a listing that slow meets the response-header
// bound and is resent, which the request counts would take for the plan's.
const raceDetector = true

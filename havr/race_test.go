//go:build race

package havr_test

// raceDetector: under the race detector the process stalls for long
// stretches on a loaded machine, so tests whose counts depend on how
// requests spread over time (answers 429 of a paced run) check only what
// holds whatever the timing.
const raceDetector = true

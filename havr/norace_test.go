//go:build !race

package havr_test

const raceDetector = false

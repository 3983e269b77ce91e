//go:build race

package reports_test

// raceEnabled says the race detector is on (see skipHugeUnderRace).
const raceEnabled = true

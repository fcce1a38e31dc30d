package api

import (
	"testing"
	"time"
)

// SetConsoleClock sets the clock of the interview pages until the test ends.
func SetConsoleClock(t testing.TB, now func() time.Time) {
	old := consoleNow
	consoleNow = now
	t.Cleanup(func() { consoleNow = old })
}

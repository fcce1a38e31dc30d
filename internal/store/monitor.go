package store

import (
	"context"
	"sync"

	"go.mongodb.org/mongo-driver/v2/event"
)

// Monitor counts the commands the driver sends, by command name. Tests use it to show that
// an operation costs a fixed number of round trips.
type Monitor struct {
	mu     sync.Mutex
	counts map[string]int
}

// NewMonitor returns a Monitor with no counts.
func NewMonitor() *Monitor { return &Monitor{counts: map[string]int{}} }

// Reset sets every count to zero.
func (m *Monitor) Reset() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.counts = map[string]int{}
}

// Total returns the number of commands sent since the last Reset, leaving out the driver's
// own handshakes and heartbeats.
func (m *Monitor) Total() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for _, c := range m.counts {
		n += c
	}
	return n
}

// Counts returns a copy of the counts by command name.
func (m *Monitor) Counts() map[string]int {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make(map[string]int, len(m.counts))
	for k, v := range m.counts {
		out[k] = v
	}
	return out
}

func (m *Monitor) commandMonitor() *event.CommandMonitor {
	return &event.CommandMonitor{
		Started: func(_ context.Context, e *event.CommandStartedEvent) {
			switch e.CommandName {
			case "hello", "isMaster", "ismaster", "ping", "endSessions", "saslStart", "saslContinue":
				return
			}
			m.mu.Lock()
			m.counts[e.CommandName]++
			m.mu.Unlock()
		},
	}
}

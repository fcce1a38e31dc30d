package mediation

import "time"

// StateCount is how many cases of a body are in a state.
type StateCount struct {
	Body  string
	State State
	Count int
}

// FinishedCase is what statistics need of a case that has ended one way or another.
type FinishedCase struct {
	ID         string
	Body       string
	State      State
	AcceptedAt time.Time
	EndedAt    *time.Time
	AgreedAt   *time.Time
}

// finishedStates are the states of a case that has ended one way or another; a case in
// StateAgreement has reached its outcome even while its performance is still checked.
var finishedStates = []State{StateAgreement, StateEnded, StateWithdrawn, StateReferred, StateClosed}

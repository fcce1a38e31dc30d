package mediation

// MediatorStore keeps mediation bodies and mediators. (Filled in by the assignment work.)
type MediatorStore interface{}

package mediation

// CaseStore keeps cases. (Filled in by the cases work.)
type CaseStore interface{}

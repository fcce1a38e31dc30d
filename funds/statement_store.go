package funds

// StatementStore keeps imported bank statements. (Filled in by the statements work.)
type StatementStore interface{}

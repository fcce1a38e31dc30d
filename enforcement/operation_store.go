package enforcement

// OperationStore keeps operations and inspections. (Filled in by the operations work.)
type OperationStore interface{}

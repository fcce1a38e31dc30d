package funds

// PlanStore keeps refund plans. (Filled in by the refund plan work.)
type PlanStore interface{}

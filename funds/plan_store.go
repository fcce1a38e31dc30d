package funds

import "context"

// PlanStore keeps refund plans.
type PlanStore interface {
	// InsertPlan stores a new plan; a taken id is errPlanIDTaken.
	InsertPlan(ctx context.Context, p *RefundPlan) error
	// GetPlan returns one plan; a missing one is NotFound.
	GetPlan(ctx context.Context, id string) (*RefundPlan, error)
	// UpdatePlan replaces the plan stored at version p.Version-1 with p; another version is
	// Stale.
	UpdatePlan(ctx context.Context, p *RefundPlan) error
	// PlanHeadsOf returns the account's plans, oldest first, without their claims,
	// allocation, payouts and payments.
	PlanHeadsOf(ctx context.Context, accountID string) ([]RefundPlan, error)
}

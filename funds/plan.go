package funds

import (
	"fmt"
	"strings"
	"time"

	"prepaidreg/internal/errs"
	"prepaidreg/internal/workday"
	"prepaidreg/registry"
)

// PlanState is where a refund plan stands.
type PlanState string

// The plan states: proposed by a fund officer, then approved or rejected by a supervisor who
// is not the proposer, and paid once every share due from the account is in the ledger.
const (
	PlanProposed PlanState = "proposed"
	PlanApproved PlanState = "approved"
	PlanRejected PlanState = "rejected"
	PlanPaid     PlanState = "paid"
)

// open reports whether a plan in this state still claims the account's money.
func (st PlanState) open() bool { return st == PlanProposed || st == PlanApproved }

// MaxPlanClaims is the most claims one stored refund plan takes. AllocateRefunds shares among
// up to MaxRefundClaims, but a plan keeps its claims, shares and payments in one document,
// which MongoDB caps at 16 MiB: at about 500 bytes a claim, 20,000 claims stay well below.
const MaxPlanClaims = 20_000

// Bounds of a plan's claim fields. A claim id goes into the idempotency key of its payment,
// plan:<plan id>:<claim id>, which is at most 100 printable ASCII characters.
const (
	maxPlanClaimID  = 64
	maxConsumerName = 50
	maxPhone        = 30
)

// RefundPlan (退款分配方案) shares what is left of a frozen account's money, and what its covers
// pay, among the consumers' verified claims.
//
// Who pays what: AvailableFen is HeldFen, the balance held in the supervised account at the
// proposal, plus InsuredFen, the covers (performance-bond insurance, bank guarantees) valid on
// the proposal day. The account can pay out only what it holds, so each share is split in two
// (Payouts): AccountFen, paid from the account as a ledger refund by PayPlan, and CoverFen,
// to be paid by the insurer or guarantor under its policy, outside the ledger. The held money
// is split pro rata to the shares with the same rule as the allocation (AllocateRefunds on the
// shares), so every consumer receives the same fraction of their share from the account, and
// the account parts add up to min(held, shares) exactly. The plan records the cover parts as
// owed by the covers; it does not track the insurer's payment.
type RefundPlan struct {
	ID        string        `json:"id" bson:"_id"`
	AccountID string        `json:"account_id" bson:"account_id"`
	USCC      registry.USCC `json:"uscc" bson:"uscc"`
	State     PlanState     `json:"state" bson:"state"`

	HeldFen      int64 `json:"held_fen" bson:"held_fen"`
	InsuredFen   int64 `json:"insured_fen" bson:"insured_fen"`
	AvailableFen int64 `json:"available_fen" bson:"available_fen"`
	// AccountFen and CoverFen are the sums of the payouts' parts.
	AccountFen int64 `json:"account_fen" bson:"account_fen"`
	CoverFen   int64 `json:"cover_fen" bson:"cover_fen"`

	Allocation Allocation    `json:"allocation" bson:"allocation"`
	Claims     []RefundClaim `json:"claims" bson:"claims"`
	Payouts    []Payout      `json:"payouts" bson:"payouts"`
	Payments   []PlanPayment `json:"payments" bson:"payments"`

	ProposedBy   string     `json:"proposed_by" bson:"proposed_by"`
	ProposedAt   time.Time  `json:"proposed_at" bson:"proposed_at"`
	ApprovedBy   string     `json:"approved_by,omitempty" bson:"approved_by,omitempty"`
	ApprovedAt   *time.Time `json:"approved_at,omitempty" bson:"approved_at,omitempty"`
	ApprovalNote string     `json:"approval_note,omitempty" bson:"approval_note,omitempty"`
	RejectedBy   string     `json:"rejected_by,omitempty" bson:"rejected_by,omitempty"`
	RejectedAt   *time.Time `json:"rejected_at,omitempty" bson:"rejected_at,omitempty"`
	RejectReason string     `json:"reject_reason,omitempty" bson:"reject_reason,omitempty"`
	PaidAt       *time.Time `json:"paid_at,omitempty" bson:"paid_at,omitempty"`

	Version   int64     `json:"version" bson:"version"`
	UpdatedAt time.Time `json:"updated_at" bson:"updated_at"`
}

// Payout says who pays a claim's share: AccountFen from the supervised account, CoverFen
// from the covers. The two add up to ShareFen.
type Payout struct {
	ClaimID    string `json:"claim_id" bson:"claim_id"`
	ShareFen   int64  `json:"share_fen" bson:"share_fen"`
	AccountFen int64  `json:"account_fen" bson:"account_fen"`
	CoverFen   int64  `json:"cover_fen" bson:"cover_fen"`
}

// PlanPayment is a share's account part posted to the ledger as a refund.
type PlanPayment struct {
	ClaimID   string    `json:"claim_id" bson:"claim_id"`
	EntryID   string    `json:"entry_id" bson:"entry_id"`
	AmountFen int64     `json:"amount_fen" bson:"amount_fen"`
	At        time.Time `json:"at" bson:"at"`
}

// PlanInput is what proposing a refund plan takes: the consumers' claims, imported or typed.
type PlanInput struct {
	Claims []RefundClaim `json:"claims"`
}

func (p *RefundPlan) target() string { return "refund_plan/" + p.ID }

// PlanPaymentKey is the idempotency key of the ledger refund that pays a claim's account
// part. A claim is paid by this one entry: the key makes a second payment impossible.
func PlanPaymentKey(planID, claimID string) string { return "plan:" + planID + ":" + claimID }

// planReference is the reference of that refund.
func planReference(planID, claimID string) string { return "退款 " + planID + " " + claimID }

// payout returns the claim's payout, or false.
func (p *RefundPlan) payout(claimID string) (Payout, bool) {
	for _, o := range p.Payouts {
		if o.ClaimID == claimID {
			return o, true
		}
	}
	return Payout{}, false
}

// paid returns what the recorded payments paid the claim.
func (p *RefundPlan) paid(claimID string) int64 {
	var sum int64
	for _, m := range p.Payments {
		if m.ClaimID == claimID {
			sum += m.AmountFen
		}
	}
	return sum
}

// settled reports whether every account part is paid.
func (p *RefundPlan) settled() bool {
	done := make(map[string]int64, len(p.Payments))
	for _, m := range p.Payments {
		done[m.ClaimID] += m.AmountFen
	}
	for _, o := range p.Payouts {
		if done[o.ClaimID] < o.AccountFen {
			return false
		}
	}
	return true
}

// Masked returns a copy of the plan with every consumer's name and phone masked (张*,
// 138****1234), for anyone whose role does not need them (DESIGN.md, "Who uses it").
func (p RefundPlan) Masked() RefundPlan {
	p.Claims = maskClaims(p.Claims)
	return p
}

func maskClaims(claims []RefundClaim) []RefundClaim {
	out := make([]RefundClaim, len(claims))
	for i, c := range claims {
		c.ConsumerName, c.ConsumerPhone = registry.MaskName(c.ConsumerName), registry.MaskPhone(c.ConsumerPhone)
		out[i] = c
	}
	return out
}

// checkPlanInput checks what AllocateRefunds does not: the number of claims a plan document
// holds, claim ids fit for an idempotency key, and the consumer's name the plan document
// prints. It returns the claims with names and phones trimmed.
func checkPlanInput(in PlanInput) ([]RefundClaim, []errs.FieldError) {
	if len(in.Claims) > MaxPlanClaims {
		return nil, []errs.FieldError{field("claims", fmt.Sprintf(
			"一个退款方案最多 %d 项申请，收到 %d 项 (at most %d claims, got %d)",
			MaxPlanClaims, len(in.Claims), MaxPlanClaims, len(in.Claims)))}
	}
	var fe []errs.FieldError
	claims := make([]RefundClaim, len(in.Claims))
	for i, c := range in.Claims {
		name := func(f string) string { return fmt.Sprintf("claims[%d].%s", i, f) }
		c.ConsumerName, c.ConsumerPhone = strings.TrimSpace(c.ConsumerName), strings.TrimSpace(c.ConsumerPhone)
		if c.ID != "" && !planClaimIDOK(c.ID) {
			fe = append(fe, field(name("id"), fmt.Sprintf(
				"申请编号为1至%d个字母、数字或 - _ . : / (1 to %d letters, digits or - _ . : /)",
				maxPlanClaimID, maxPlanClaimID)))
		}
		fe = append(fe, checkText(name("consumer_name"), c.ConsumerName, true, maxConsumerName,
			"消费者姓名 (the consumer's name)")...)
		fe = append(fe, checkText(name("consumer_phone"), c.ConsumerPhone, false, maxPhone, "联系电话 (the phone)")...)
		claims[i] = c
		if len(fe) > allocMaxFieldErrors {
			break
		}
	}
	return claims, fe
}

func planClaimIDOK(id string) bool {
	if len(id) > maxPlanClaimID {
		return false
	}
	for i := 0; i < len(id); i++ {
		switch b := id[i]; {
		case b >= '0' && b <= '9', b >= 'A' && b <= 'Z', b >= 'a' && b <= 'z':
		case b == '-' || b == '_' || b == '.' || b == ':' || b == '/':
		default:
			return false
		}
	}
	return true
}

// splitPayouts splits each share between the account and the covers: the account pays
// min(held, total shares), shared among the claims pro rata to their shares by the
// allocation's own rule, so the parts add up to it exactly and none exceeds its share.
func splitPayouts(a Allocation, held int64) ([]Payout, error) {
	out := make([]Payout, len(a.Shares))
	var total int64
	var weights []RefundClaim
	for i, s := range a.Shares {
		out[i] = Payout{ClaimID: s.ClaimID, ShareFen: s.ShareFen}
		total += s.ShareFen
		if s.ShareFen > 0 {
			weights = append(weights,
				RefundClaim{ID: s.ClaimID, ClaimFen: s.ShareFen, VerifiedFen: s.ShareFen, Source: ClaimFromImport})
		}
	}
	fromAccount := min(held, total)
	if fromAccount > 0 {
		split, err := AllocateRefunds(fromAccount, weights)
		if err != nil {
			return nil, errs.Wrap(errs.Internal, "funds.splitPayouts", err)
		}
		parts := make(map[string]int64, len(split.Shares))
		for _, s := range split.Shares {
			parts[s.ClaimID] = s.ShareFen
		}
		for i := range out {
			out[i].AccountFen = parts[out[i].ClaimID]
		}
	}
	for i := range out {
		out[i].CoverFen = out[i].ShareFen - out[i].AccountFen
	}
	return out, nil
}

// newPlanID returns a readable id: the proposal's day in Asia/Shanghai and six random hex
// digits, e.g. RP-20260921-4f9a0c.
func newPlanID(now time.Time) string {
	return "RP-" + now.In(workday.Zone).Format("20060102") + "-" + randHex(3)
}

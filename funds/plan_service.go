package funds

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"prepaidreg/internal/audit"
	"prepaidreg/internal/errs"
	"prepaidreg/internal/money"
	"prepaidreg/internal/store"
	"prepaidreg/registry"
)

// roleSupervisor is the role that approves refund plans. DESIGN.md's four eyes has list
// decisions approved by a supervisor who is not the proposer; a refund plan, which pays out
// consumers' money, is held to the same rule.
const roleSupervisor = "supervisor"

// ProposePlan proposes a refund plan for a frozen account: what is left of a gone
// enterprise's money is shared among its consumers' verified claims. The funds available are
// the balance held plus the covers valid today (less what earlier paid plans of the account
// already charged to them); AllocateRefunds shares them, in full when they suffice, otherwise
// pro rata with its remainder rule, and its refusals come back as field errors (a claim above
// its verified amount among them). Each share is then split between the account and the
// covers (see RefundPlan). An account has at most one plan proposed or approved at a time.
//
// Claims come in as the caller has them (typed, imported, or read from complaints and
// mediation agreements by the caller: this package may not import the mediation module).
func (s *Service) ProposePlan(
	ctx context.Context,
	actor audit.Actor,
	accountID string,
	in PlanInput,
) (*RefundPlan, error) {
	const op = "funds.ProposePlan"
	claims, fe := checkPlanInput(in)
	if len(fe) > 0 {
		return nil, errs.Fields(op, fe...)
	}

	// One proposal per account at a time, so that two cannot both find no open plan.
	defer store.LockDocument(PlansCollection, "account:"+accountID)()
	a, err := s.store.GetAccount(ctx, accountID)
	if err != nil {
		return nil, err
	}
	if !a.Frozen {
		return nil, errs.E(errs.Conflict, op, "账户未冻结：退款方案分配的是已冻结账户的资金 "+
			"(the account is not frozen: a refund plan shares the money of a frozen account)")
	}
	held, insured, err := s.planFunds(ctx, op, a, "")
	if err != nil {
		return nil, err
	}

	alloc, err := AllocateRefunds(held+insured, claims)
	if err != nil {
		return nil, errs.Wrap(errs.KindOf(err), op, err)
	}
	payouts, err := splitPayouts(alloc, held)
	if err != nil {
		return nil, err
	}

	now := s.clock()
	p := &RefundPlan{ID: newPlanID(now), AccountID: a.ID, USCC: a.USCC, State: PlanProposed,
		HeldFen: held, InsuredFen: insured, AvailableFen: held + insured,
		Allocation: alloc, Claims: claims, Payouts: payouts, Payments: []PlanPayment{},
		ProposedBy: actor.Username, ProposedAt: now, Version: 1, UpdatedAt: now}
	for _, o := range payouts {
		p.AccountFen += o.AccountFen
		p.CoverFen += o.CoverFen
	}
	if err := s.insertPlan(ctx, p); err != nil {
		return nil, err
	}
	if err := s.recordPlan(ctx, actor, "refund_plan.propose", p, proposalChange(p)); err != nil {
		return nil, errs.Wrap(errs.Internal, op, err)
	}
	return p, nil
}

// planFunds returns what a plan of account a may share: the balance held, and the covers
// valid today less what the account's paid plans charged to them. It refuses when another
// plan than except is still proposed or approved.
func (s *Service) planFunds(ctx context.Context, op string, a *Account, except string) (int64, int64, error) {
	heads, err := s.store.PlanHeadsOf(ctx, a.ID)
	if err != nil {
		return 0, 0, err
	}
	var charged int64
	for _, h := range heads {
		switch {
		case h.ID == except:
		case h.State.open():
			return 0, 0, errs.E(errs.Conflict, op, fmt.Sprintf(
				"该账户已有待审批或待支付的退款方案 %s (the account already has an open refund plan)", h.ID))
		case h.State == PlanPaid:
			charged += h.CoverFen
		}
	}
	return a.HeldFen, max(0, a.InsuredOn(dayOf(s.now()))-charged), nil
}

// insertPlan stores p, drawing a new id while the one drawn is taken.
func (s *Service) insertPlan(ctx context.Context, p *RefundPlan) error {
	for attempt := 0; ; attempt++ {
		err := s.store.InsertPlan(ctx, p)
		if !errors.Is(err, errPlanIDTaken) {
			return err
		}
		if attempt == 4 {
			return errs.E(errs.Internal, "funds.ProposePlan", "no free refund plan id")
		}
		p.ID = newPlanID(p.ProposedAt)
	}
}

// proposalChange is what the trail keeps of a proposal: the figures and the allocation rule,
// and a SHA-256 digest of the claims and shares stored with the plan (which never change
// afterwards), so that the record binds them without copying consumers' names and phones
// into the trail.
func proposalChange(p *RefundPlan) map[string]any {
	h := sha256.New()
	_ = json.NewEncoder(h).Encode(struct {
		Claims  []RefundClaim `json:"claims"`
		Shares  []Share       `json:"shares"`
		Payouts []Payout      `json:"payouts"`
	}{p.Claims, p.Allocation.Shares, p.Payouts})
	return map[string]any{
		"account_id": p.AccountID, "uscc": p.USCC, "state": p.State,
		"held_fen": p.HeldFen, "insured_fen": p.InsuredFen, "available_fen": p.AvailableFen,
		"account_fen": p.AccountFen, "cover_fen": p.CoverFen,
		"total_verified_fen": p.Allocation.TotalVerifiedFen, "full": p.Allocation.Full,
		"claims": len(p.Claims), "claims_sha256": hex.EncodeToString(h.Sum(nil)),
	}
}

// ApprovePlan approves the proposed plan read at ifVersion. The approver must have the
// supervisor role and not be the proposer (DESIGN.md, "Four eyes"). Approving recomputes
// nothing: when the balance held or the covers have changed since the proposal, the plan no
// longer shares what there is, and it is refused; reject it and propose a new one.
func (s *Service) ApprovePlan(
	ctx context.Context,
	actor audit.Actor,
	id string,
	ifVersion int64,
	note string,
) (*RefundPlan, error) {
	const op = "funds.ApprovePlan"
	note = strings.TrimSpace(note)
	if fe := checkText("note", note, false, 500, "审批意见 (the note)"); fe != nil {
		return nil, errs.Fields(op, fe...)
	}
	return s.changePlan(ctx, actor, op, "refund_plan.approve", id, ifVersion,
		func(p *RefundPlan, now time.Time) (any, error) {
			if err := decider(op, actor, p); err != nil {
				return nil, err
			}
			a, err := s.store.GetAccount(ctx, p.AccountID)
			if err != nil {
				return nil, err
			}
			held, insured, err := s.planFunds(ctx, op, a, p.ID)
			if err != nil {
				return nil, err
			}
			if held != p.HeldFen || insured != p.InsuredFen {
				return nil, errs.E(errs.Conflict, op, fmt.Sprintf(
					"拟定后资金已变化：拟定时存管余额 %s 元、保障 %s 元，现为 %s 元、%s 元；请驳回本方案并重新拟定 "+
						"(the funds changed since the proposal; reject this plan and propose a new one)",
					money.Yuan(p.HeldFen), money.Yuan(p.InsuredFen), money.Yuan(held), money.Yuan(insured)))
			}
			p.State, p.ApprovedBy, p.ApprovedAt, p.ApprovalNote = PlanApproved, actor.Username, &now, note
			return map[string]any{"state": p.State, "note": note}, nil
		})
}

// RejectPlan turns down the proposed plan read at ifVersion, for the reason given. Like an
// approval it is for a supervisor who is not the proposer.
func (s *Service) RejectPlan(
	ctx context.Context,
	actor audit.Actor,
	id string,
	ifVersion int64,
	reason string,
) (*RefundPlan, error) {
	const op = "funds.RejectPlan"
	reason = strings.TrimSpace(reason)
	if fe := checkText("reason", reason, true, 500, "驳回理由 (the reason)"); fe != nil {
		return nil, errs.Fields(op, fe...)
	}
	return s.changePlan(ctx, actor, op, "refund_plan.reject", id, ifVersion,
		func(p *RefundPlan, now time.Time) (any, error) {
			if err := decider(op, actor, p); err != nil {
				return nil, err
			}
			p.State, p.RejectedBy, p.RejectedAt, p.RejectReason = PlanRejected, actor.Username, &now, reason
			return map[string]any{"state": p.State, "reason": reason}, nil
		})
}

// decider checks that actor may decide on the proposed plan p: a supervisor who did not
// propose it.
func decider(op string, actor audit.Actor, p *RefundPlan) error {
	switch {
	case p.State != PlanProposed:
		return errs.E(errs.Conflict, op,
			fmt.Sprintf("方案状态为 %s，只能审批待审批的方案 (only a proposed plan is decided)", p.State))
	case actor.Username == p.ProposedBy:
		return errs.E(errs.Forbidden, op, "审批人不能是拟定人 (the approver may not be the proposer: four eyes)")
	case actor.Role != roleSupervisor:
		return errs.E(errs.Forbidden, op, "只有审核负责人可以审批退款方案 (only a supervisor decides a refund plan)")
	}
	return nil
}

// changePlan applies fn to the plan read at ifVersion under the plan's lock, stores it one
// version up and records the change fn describes.
func (s *Service) changePlan(
	ctx context.Context,
	actor audit.Actor,
	op, action, id string,
	ifVersion int64,
	fn func(p *RefundPlan, now time.Time) (any, error),
) (*RefundPlan, error) {
	defer store.LockDocument(PlansCollection, id)()
	p, err := s.store.GetPlan(ctx, id)
	if err != nil {
		return nil, err
	}
	if p.Version != ifVersion {
		return nil, errStalePlan
	}
	now := s.clock()
	change, err := fn(p, now)
	if err != nil {
		return nil, err
	}
	p.Version++
	p.UpdatedAt = now
	if err := s.store.UpdatePlan(ctx, p); err != nil {
		return nil, err
	}
	if err := s.recordPlan(ctx, actor, action, p, change); err != nil {
		return nil, errs.Wrap(errs.Internal, op, err)
	}
	return p, nil
}

func (s *Service) recordPlan(ctx context.Context, actor audit.Actor, action string, p *RefundPlan, change any) error {
	_, err := s.audit.Append(ctx, audit.Entry{Actor: actor, Action: action, Target: p.target(),
		Version: p.Version, Change: change})
	return err
}

// PayPlan pays the approved plan read at ifVersion: one ledger refund per share whose
// account part is above zero, posted through PostEntry under the key
// plan:<plan id>:<claim id> with the reference "退款 <plan id> <claim id>", and records the
// payments on the plan. When every account part is paid the plan is paid. The cover parts
// are not posted: the covers pay them outside the account.
//
// A retried or interrupted payment never pays twice: a key already posted replays its entry.
// When a posting fails, the payments made so far are recorded and the error returned; the
// next PayPlan, at the plan's new version, continues. A paid plan answers as it is.
//
// Each posting reads the plan to check it (see checkPlanRefund), so paying N claims costs N
// reads of the whole plan document.
func (s *Service) PayPlan(ctx context.Context, actor audit.Actor, id string, ifVersion int64) (*RefundPlan, error) {
	const op = "funds.PayPlan"
	p, err := s.store.GetPlan(ctx, id)
	if err != nil {
		return nil, err
	}
	if p.Version != ifVersion {
		return nil, errStalePlan
	}
	switch p.State {
	case PlanPaid:
		return p, nil
	case PlanApproved:
	default:
		return nil, errs.E(errs.Conflict, op,
			fmt.Sprintf("方案状态为 %s，只有已批准的方案可以支付 (only an approved plan is paid)", p.State))
	}

	// Post the parts not yet recorded. The plan's lock is not held here: PostEntry takes the
	// account's, and the locks are striped, so holding both could deadlock.
	var made []PlanPayment
	var postErr error
	for _, o := range p.Payouts {
		due := o.AccountFen - p.paid(o.ClaimID)
		if due <= 0 {
			continue
		}
		key := PlanPaymentKey(p.ID, o.ClaimID)
		// The part may be posted already, by a PayPlan that stopped before recording it or by
		// hand under the plan's key (checkPlanRefund allowed only the whole part then).
		e, err := s.store.GetEntry(ctx, p.AccountID+":"+key)
		if errs.Is(err, errs.NotFound) {
			e, _, err = s.PostEntry(ctx, actor, p.AccountID, key, EntryInput{Type: EntryRefund, AmountFen: due,
				Reference: planReference(p.ID, o.ClaimID), Plan: p.ID, PlanClaim: o.ClaimID})
		}
		if err != nil {
			postErr = err
			break
		}
		made = append(made, PlanPayment{ClaimID: o.ClaimID, EntryID: e.ID, AmountFen: e.AmountFen, At: e.PostedAt})
	}

	paid, err := s.recordPayments(ctx, actor, op, id, made)
	if err != nil {
		return nil, err
	}
	if postErr != nil {
		return paid, postErr
	}
	return paid, nil
}

// recordPayments adds the payments the plan does not have yet, and marks it paid when every
// account part is; a payment another PayPlan recorded meanwhile is not recorded twice.
func (s *Service) recordPayments(
	ctx context.Context,
	actor audit.Actor,
	op, id string,
	made []PlanPayment,
) (*RefundPlan, error) {
	defer store.LockDocument(PlansCollection, id)()
	p, err := s.store.GetPlan(ctx, id)
	if err != nil {
		return nil, err
	}
	var added []PlanPayment
	for _, m := range made {
		if p.paid(m.ClaimID) == 0 {
			p.Payments = append(p.Payments, m)
			added = append(added, m)
		}
	}
	done := p.State == PlanApproved && p.settled()
	if len(added) == 0 && !done {
		return p, nil
	}
	now := s.clock()
	change := map[string]any{"payments": added}
	if done {
		p.State, p.PaidAt = PlanPaid, &now
		change["state"] = p.State
	}
	p.Version++
	p.UpdatedAt = now
	if err := s.store.UpdatePlan(ctx, p); err != nil {
		return nil, err
	}
	if err := s.recordPlan(ctx, actor, "refund_plan.pay", p, change); err != nil {
		return nil, errs.Wrap(errs.Internal, op, err)
	}
	return p, nil
}

// checkPlanRefund checks a refund posted under a refund plan, the one kind of entry a frozen
// account takes: the plan exists, is this account's and is approved (not yet paid), the
// entry names one of its claims in plan_claim under the key PlanPaymentKey, and the amount
// is that claim's whole unpaid account part. A part is paid by one entry: the key makes a
// second payment of the same claim impossible, which is why a smaller amount is refused too
// (it would leave the rest unpayable). It is called under the account's lock.
func (s *Service) checkPlanRefund(ctx context.Context, op string, a *Account, in EntryInput, key string) error {
	if in.Type != EntryRefund {
		return errs.Fields(op, field("plan", "只有退款记录可以指明退款计划 (only a refund names a refund plan)"))
	}
	if in.Plan == "" || in.PlanClaim == "" {
		return errs.Fields(op, field("plan_claim",
			"按退款方案退款须同时指明方案和申请编号 (a plan refund names both the plan and the claim)"))
	}
	p, err := s.store.GetPlan(ctx, in.Plan)
	if errs.Is(err, errs.NotFound) || (err == nil && p.AccountID != a.ID) {
		return errs.Fields(op,
			field("plan", "本账户没有这个退款方案："+in.Plan+" (no such refund plan for this account)"))
	}
	if err != nil {
		return err
	}
	switch p.State {
	case PlanApproved:
	case PlanPaid:
		return errs.E(errs.Conflict, op, "退款方案已全部支付 (the refund plan is paid in full)")
	default:
		return errs.E(errs.Conflict, op,
			fmt.Sprintf("退款方案未经批准（%s），不能据此退款 (the refund plan is not approved)", p.State))
	}

	o, ok := p.payout(in.PlanClaim)
	if !ok {
		return errs.Fields(op,
			field("plan_claim", "退款方案中没有这项申请："+in.PlanClaim+" (no such claim in the plan)"))
	}
	if want := PlanPaymentKey(p.ID, o.ClaimID); key != want {
		return errs.Fields(op, field("idempotency_key",
			"按退款方案退款的幂等键须为 "+want+" (a plan refund is posted under the key "+want+")"))
	}
	due := o.AccountFen - p.paid(o.ClaimID)
	if in.AmountFen != due {
		return errs.Fields(op, field("amount_fen", fmt.Sprintf(
			"该申请应由监管账户支付的未付金额为 %s 元，须一次付清 "+
				"(the claim's unpaid account part is %s yuan, paid in one entry)",
			money.Yuan(due), money.Yuan(due))))
	}
	return nil
}

// Plan returns one refund plan, consumers in full.
func (s *Service) Plan(ctx context.Context, id string) (*RefundPlan, error) {
	return s.store.GetPlan(ctx, id)
}

// Plans returns the account's refund plans, oldest first, without their claims, allocation,
// payouts and payments.
func (s *Service) Plans(ctx context.Context, accountID string) ([]RefundPlan, error) {
	if _, err := s.store.GetAccount(ctx, accountID); err != nil {
		return nil, err
	}
	return s.store.PlanHeadsOf(ctx, accountID)
}

// PlanDocument renders the plan as a PDF with RefundPlanPDF: consumers masked, the account
// number masked, the approver once approved. A rejected plan has no document.
func (s *Service) PlanDocument(ctx context.Context, id, bureau string) ([]byte, error) {
	const op = "funds.PlanDocument"
	p, err := s.store.GetPlan(ctx, id)
	if err != nil {
		return nil, err
	}
	if p.State == PlanRejected {
		return nil, errs.E(errs.Conflict, op, "退款方案已驳回 (the refund plan was rejected)")
	}
	a, err := s.store.GetAccount(ctx, p.AccountID)
	if err != nil {
		return nil, err
	}
	ents, _, err := s.registry.EnterprisesByUSCC(ctx, []registry.USCC{p.USCC})
	if err != nil {
		return nil, err
	}
	name := string(p.USCC)
	if len(ents) == 1 {
		name = ents[0].Name
	}
	d := RefundPlanDoc{PlanID: p.ID, EnterpriseName: name, USCC: p.USCC, Bank: strings.TrimSpace(a.Bank + a.Branch),
		AccountNumber: a.AccountNumber, HeldFen: p.HeldFen, InsuranceFen: p.InsuredFen, Claims: p.Claims,
		ProposedBy: p.ProposedBy, ProposedAt: p.ProposedAt, Bureau: bureau}
	if p.ApprovedAt != nil {
		d.ApprovedBy, d.ApprovedAt = p.ApprovedBy, *p.ApprovedAt
	}
	return RefundPlanPDF(d)
}

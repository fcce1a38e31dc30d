package funds

import (
	"context"
	"fmt"

	"prepaidreg/internal/audit"
	"prepaidreg/internal/errs"
	"prepaidreg/internal/money"
	"prepaidreg/internal/store"
)

// Default and largest page of an account's entries.
const (
	defaultEntryPage = 100
	maxEntryPage     = 500
)

// PostEntry posts one entry to the account's ledger under the poster's idempotency key and
// returns it. The same key posts once: posted again with the same body, it answers with the
// entry first posted and replayed true, across restarts too; with another body it is refused.
// An entry the rules refuse writes nothing.
//
// The entry is stored first, the account's cached balances after it, under the account's
// lock. A crash between the two leaves an entry beyond the account's applied sequence. The
// next posting meets it as a taken sequence number (the unique index on account and
// sequence), or, when the rules refuse that posting, looks for it before answering; either
// way it applies such entries first and judges its own entry after them. Reconcile applies
// them too.
//
// A posting costs a fixed number of commands whatever the ledger's length: the entry and the
// account are read by _id, the entry inserted, the account replaced, the audit records
// appended. On the embedded store any other query of the entries reads every entry.
func (s *Service) PostEntry(
	ctx context.Context,
	actor audit.Actor,
	accountID, idempotencyKey string,
	in EntryInput,
) (*Entry, bool, error) {
	const op = "funds.PostEntry"
	now := s.clock()

	// Parse: the key and what needs no store.
	if f := checkKey(idempotencyKey); f != nil {
		return nil, false, errs.Fields(op, *f)
	}
	hash := bodyHash(in)
	in, fe := checkEntry(in, now)
	if len(fe) > 0 {
		return nil, false, errs.Fields(op, fe...)
	}
	id := accountID + ":" + idempotencyKey

	// A key seen before answers with its first entry, whatever has changed since. Entries
	// are immutable, so this needs no lock.
	prior, err := s.store.GetEntry(ctx, id)
	if err == nil {
		return replay(op, prior, hash)
	}
	if !errs.Is(err, errs.NotFound) {
		return nil, false, err
	}

	defer store.LockDocument(AccountsCollection, accountID)()
	a, err := s.store.GetAccount(ctx, accountID)
	if err != nil {
		return nil, false, err
	}
	e := &Entry{ID: id, AccountID: a.ID, Currency: in.Currency, Reference: in.Reference,
		OccurredAt: in.OccurredAt, Corrects: in.Corrects, Plan: in.Plan, PlanClaim: in.PlanClaim,
		IdempotencyKey: idempotencyKey, BodyHash: hash, PostedAt: now, PostedBy: actor.Username}
	for attempt := 0; ; attempt++ {
		// Check the rules against the account as it stands, and store the entry.
		effect, err := s.checkPosting(ctx, op, a, in, e)
		if err == nil {
			e.Seq = a.AppliedSeq + 1
			if err = s.store.InsertEntry(ctx, e); err == nil {
				return e, false, s.applyPosted(ctx, op, actor, a, e, effect)
			}
			if !errs.Is(err, errs.Conflict) {
				return nil, false, err
			}
			// Another process may have posted the same key since we looked.
			if prior, gerr := s.store.GetEntry(ctx, id); gerr == nil {
				return replay(op, prior, hash)
			}
		}

		// Refused, or the sequence number is taken: a posting that stopped may have left
		// entries beyond the applied sequence. Apply them and judge the entry again.
		if attempt > 0 {
			return nil, false, err
		}
		caught, cerr := s.catchUp(ctx, a)
		if cerr != nil {
			return nil, false, cerr
		}
		if !caught {
			return nil, false, err
		}
	}
}

// catchUp applies the entries stored beyond a's applied sequence, if any, and reports
// whether there were some. The caller holds the account's lock.
func (s *Service) catchUp(ctx context.Context, a *Account) (bool, error) {
	pending, err := s.store.EntriesOf(ctx, a.ID, a.AppliedSeq, 0)
	if err != nil || len(pending) == 0 {
		return false, err
	}
	return true, s.applyPending(ctx, a, pending)
}

// applyPosted moves the account's cached balances by a stored entry's effect and records the
// entry and the account's new version. The caller holds the account's lock.
func (s *Service) applyPosted(
	ctx context.Context,
	op string,
	actor audit.Actor,
	a *Account,
	e *Entry,
	effect Effect,
) error {
	balancesOf(a).add(effect, e.Seq).setOn(a)
	a.Version++
	a.UpdatedAt = e.PostedAt
	if err := s.store.UpdateAccount(ctx, a); err != nil {
		return errs.Wrap(errs.KindOf(err), op, err)
	}
	_, err := s.audit.AppendMany(ctx, []audit.Entry{
		{Actor: actor, Action: "fund_entry.post", Target: e.target(), Change: map[string]any{"entry": e}},
		{Actor: actor, Action: "fund_account.balance", Target: a.target(), Version: a.Version,
			Change: balanceChange(a, e.ID)},
	})
	if err != nil {
		return errs.Wrap(errs.Internal, op, err)
	}
	return nil
}

// replay answers a key used before: with its entry when the body is the same.
func replay(op string, e *Entry, hash string) (*Entry, bool, error) {
	if e.BodyHash != hash {
		return nil, false, errs.E(errs.Conflict, op,
			"此幂等键已用于另一笔记录 (this Idempotency-Key was used with a different entry)")
	}
	return e, true, nil
}

func balanceChange(a *Account, entries ...string) map[string]any {
	return map[string]any{"entries": entries, "applied_seq": a.AppliedSeq, "held_fen": a.HeldFen,
		"outstanding_fen": a.OutstandingFen, "released_fen": a.ReleasedFen}
}

// checkPosting applies the ledger's rules to an entry about to be posted to a, completes e
// with its type and amount, and returns its effect on the balances.
func (s *Service) checkPosting(ctx context.Context, op string, a *Account, in EntryInput, e *Entry) (Effect, error) {
	if a.State != AccountOpen {
		return Effect{}, errs.E(errs.Conflict, op, "账户已销户，不能入账 (the account is closed)")
	}
	// A frozen account takes nothing but refunds to consumers paid under an approved refund
	// plan; a refund that names a plan is held to it, frozen account or not.
	if in.Plan != "" || in.PlanClaim != "" {
		if err := s.checkPlanRefund(ctx, op, a, in, e.IdempotencyKey); err != nil {
			return Effect{}, err
		}
	} else if a.Frozen {
		reason := ""
		if a.Freeze != nil {
			reason = "（" + a.Freeze.Reason + "）"
		}
		return Effect{}, errs.E(errs.Conflict, op, "账户已冻结"+reason+"，除退款计划内的退款外不能入账或划转 "+
			"(the account is frozen; only refunds under a refund plan pass)")
	}

	effect := effectOf(in.Type, in.AmountFen)
	if in.Type == EntryCorrection {
		var err error
		if in.AmountFen, effect, err = s.correction(ctx, op, a, in); err != nil {
			return Effect{}, err
		}
	}
	before := balancesOf(a)
	after := before.add(effect, before.AppliedSeq+1)
	if err := s.checkBalances(op, a, in, before, after); err != nil {
		return Effect{}, err
	}
	e.Type, e.AmountFen = in.Type, in.AmountFen
	return effect, nil
}

// correction checks that a correction names an entry of this account that is neither a
// correction nor corrected already, and returns its amount and effect: the corrected entry's
// amount, and its effect negated.
func (s *Service) correction(ctx context.Context, op string, a *Account, in EntryInput) (int64, Effect, error) {
	c, err := s.store.GetEntry(ctx, in.Corrects)
	if errs.Is(err, errs.NotFound) || (err == nil && c.AccountID != a.ID) {
		return 0, Effect{}, errs.Fields(op,
			field("corrects", "本账户没有这条记录："+in.Corrects+" (no such entry on this account)"))
	}
	if err != nil {
		return 0, Effect{}, err
	}
	if c.Type == EntryCorrection {
		return 0, Effect{}, errs.Fields(op, field("corrects", "更正记录不能再被更正；请按正确金额另行入账 "+
			"(a correction cannot be corrected; post the right amount as a new entry)"))
	}
	done, err := s.store.CorrectionsOf(ctx, a.ID, c.ID)
	if err != nil {
		return 0, Effect{}, err
	}
	if len(done) > 0 {
		return 0, Effect{}, errs.Fields(op,
			field("corrects", "该记录已被 "+done[0].ID+" 更正 (the entry is already corrected)"))
	}
	if in.AmountFen != 0 && in.AmountFen != c.AmountFen {
		return 0, Effect{}, errs.Fields(op, field("amount_fen", fmt.Sprintf(
			"更正冲销原记录的全部金额 %s 元 (a correction reverses the whole %s yuan)",
			money.Yuan(c.AmountFen), money.Yuan(c.AmountFen))))
	}
	return c.AmountFen, effectOf(c.Type, c.AmountFen).negate(), nil
}

// checkBalances refuses an entry that would take a balance where it may not go.
func (s *Service) checkBalances(op string, a *Account, in EntryInput, before, after Balances) error {
	yuan := money.Yuan
	if (in.Type == EntryRelease || in.Type == EntryRefund) && in.AmountFen > before.HeldFen {
		return errs.E(errs.Conflict, op,
			fmt.Sprintf("金额 %s 元超过存管余额 %s 元 (the amount is more than the %s yuan held)",
				yuan(in.AmountFen), yuan(before.HeldFen), yuan(before.HeldFen)))
	}
	if after.OutstandingFen < 0 {
		return errs.E(errs.Conflict, op, fmt.Sprintf("未兑付预收余额将为负数：现为 %s 元 "+
			"(the outstanding prepaid balance, %s yuan, would fall below zero)",
			yuan(before.OutstandingFen), yuan(before.OutstandingFen)))
	}
	if after.HeldFen < 0 || after.ReleasedFen < 0 {
		return errs.E(errs.Conflict, op,
			fmt.Sprintf("更正后余额将为负数：存管余额 %s 元，已划转 %s 元 (a balance would fall below zero)",
				yuan(before.HeldFen), yuan(before.ReleasedFen)))
	}
	if after.HeldFen > MaxBalanceFen || after.OutstandingFen > MaxBalanceFen || after.ReleasedFen > MaxBalanceFen {
		return errs.E(errs.Conflict, op, "余额超出系统上限 (a balance would exceed the system's limit)")
	}

	// A release may not take the funds held, with the cover valid today, below the deposit
	// required on what remains outstanding after it (DESIGN.md, "Deposits").
	if in.Type != EntryRelease {
		return nil
	}
	required := RequiredFor(after.OutstandingFen, a.RequiredSharePercent)
	insured := a.InsuredOn(dayOf(s.now()))
	if after.HeldFen+insured >= required {
		return nil
	}
	cover := ""
	if insured > 0 {
		cover = fmt.Sprintf("，另有保险或保函 %s 元", yuan(insured))
	}
	return errs.E(errs.Conflict, op, fmt.Sprintf(
		"划转后存管资金低于应存额度：存管余额 %s 元，本次划转 %s 元，划转后 %s 元%s，"+
			"应存 %s 元（未兑付余额 %s 元的 %d%%）"+
			" (held %s yuan, release %s, held after %s, required %s)",
		yuan(before.HeldFen), yuan(in.AmountFen), yuan(after.HeldFen), cover, yuan(required),
		yuan(after.OutstandingFen), a.RequiredSharePercent,
		yuan(before.HeldFen), yuan(in.AmountFen), yuan(after.HeldFen), yuan(required)))
}

// applyPending applies to a's cached balances the entries stored beyond its applied sequence
// (a posting that stopped between its entry and its balances) and records the new version.
// The caller holds the account's lock.
func (s *Service) applyPending(ctx context.Context, a *Account, pending []Entry) error {
	const op = "funds.applyPending"
	b := balancesOf(a)
	ids := make([]string, 0, len(pending))
	for i := range pending {
		e := &pending[i]
		effect, err := s.effectOfStored(ctx, e)
		if err != nil {
			return err
		}
		b = b.add(effect, e.Seq)
		ids = append(ids, e.ID)
	}
	b.setOn(a)
	a.Version++
	a.UpdatedAt = s.clock()
	if err := s.store.UpdateAccount(ctx, a); err != nil {
		return errs.Wrap(errs.KindOf(err), op, err)
	}
	records := make([]audit.Entry, 0, len(pending)+1)
	for i := range pending {
		e := &pending[i]
		records = append(records, audit.Entry{Actor: audit.System, Action: "fund_entry.post", Target: e.target(),
			Change: map[string]any{"entry": e, "recovered": true}})
	}
	records = append(records, audit.Entry{Actor: audit.System, Action: "fund_account.balance", Target: a.target(),
		Version: a.Version, Change: balanceChange(a, ids...)})
	if _, err := s.audit.AppendMany(ctx, records); err != nil {
		return errs.Wrap(errs.Internal, op, err)
	}
	return nil
}

// effectOfStored returns a stored entry's effect, reading the entry a correction reverses.
func (s *Service) effectOfStored(ctx context.Context, e *Entry) (Effect, error) {
	if e.Type != EntryCorrection {
		return effectOf(e.Type, e.AmountFen), nil
	}
	c, err := s.store.GetEntry(ctx, e.Corrects)
	if err != nil {
		return Effect{}, err
	}
	return effectOf(c.Type, c.AmountFen).negate(), nil
}

// Entries returns a page of the account's ledger in sequence order, after the sequence
// afterSeq.
func (s *Service) Entries(ctx context.Context, accountID string, afterSeq int64, limit int) ([]Entry, error) {
	if _, err := s.store.GetAccount(ctx, accountID); err != nil {
		return nil, err
	}
	if limit <= 0 {
		limit = defaultEntryPage
	}
	return s.store.EntriesOf(ctx, accountID, afterSeq, min(limit, maxEntryPage))
}

// LedgerBalances returns the balances a ledger's entries make, in the order given; a
// correction's effect is the negation of the entry it names, which must be among them.
func LedgerBalances(entries []Entry) (Balances, error) {
	byID := make(map[string]*Entry, len(entries))
	for i := range entries {
		byID[entries[i].ID] = &entries[i]
	}
	var b Balances
	for i := range entries {
		e := &entries[i]
		effect := effectOf(e.Type, e.AmountFen)
		if e.Type == EntryCorrection {
			c, ok := byID[e.Corrects]
			if !ok {
				return b, errs.E(errs.Internal, "funds.LedgerBalances", "correction "+e.ID+" names a missing entry")
			}
			effect = effectOf(c.Type, c.AmountFen).negate()
		}
		b = b.add(effect, max(b.AppliedSeq, e.Seq))
	}
	return b, nil
}

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
// The account's lock is held from the read to the audit record. The entry is stored first,
// the account's cached balances after it; a crash between the two leaves an entry beyond the
// account's applied sequence, which the next posting (or Reconcile) applies before anything
// else.
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

	// Load the account and, in one more read, the ledger around this entry.
	defer store.LockDocument(AccountsCollection, accountID)()
	a, err := s.store.GetAccount(ctx, accountID)
	if err != nil {
		return nil, false, err
	}
	st, err := s.store.PostingState(ctx, accountID, id, a.AppliedSeq, in.Corrects)
	if err != nil {
		return nil, false, err
	}
	if len(st.Pending) > 0 {
		if err := s.applyPending(ctx, a, st.Pending); err != nil {
			return nil, false, err
		}
	}

	// A key seen before answers with its first entry, whatever has changed since.
	if st.Existing != nil {
		return replay(op, st.Existing, hash)
	}

	// Check the rules against the account as it stands.
	in, effect, err := s.checkPosting(op, a, in, st)
	if err != nil {
		return nil, false, err
	}

	// Store the entry, then the balances it moves.
	e := &Entry{ID: id, AccountID: a.ID, Seq: a.AppliedSeq + 1, Type: in.Type, AmountFen: in.AmountFen,
		Currency: in.Currency, Reference: in.Reference, OccurredAt: in.OccurredAt, Corrects: in.Corrects,
		Plan: in.Plan, IdempotencyKey: idempotencyKey, BodyHash: hash, PostedAt: now, PostedBy: actor.Username}
	if err := s.store.InsertEntry(ctx, e); err != nil {
		// Another process may have posted the same key between our read and our insert.
		if prior, gerr := s.store.GetEntry(ctx, id); gerr == nil {
			return replay(op, prior, hash)
		}
		return nil, false, err
	}
	balancesOf(a).add(effect, e.Seq).setOn(a)
	a.Version++
	a.UpdatedAt = now
	if err := s.store.UpdateAccount(ctx, a); err != nil {
		return nil, false, errs.Wrap(errs.KindOf(err), op, err)
	}

	// Record the entry and the account's new version.
	_, err = s.audit.AppendMany(ctx, []audit.Entry{
		{Actor: actor, Action: "fund_entry.post", Target: e.target(), Change: map[string]any{"entry": e}},
		{Actor: actor, Action: "fund_account.balance", Target: a.target(), Version: a.Version,
			Change: balanceChange(a, e.ID)},
	})
	if err != nil {
		return nil, false, errs.Wrap(errs.Internal, op, err)
	}
	return e, false, nil
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

// checkPosting applies the ledger's rules to an entry about to be posted to a and returns it
// completed, with its effect on the balances.
func (s *Service) checkPosting(op string, a *Account, in EntryInput, st *PostingState) (EntryInput, Effect, error) {
	if a.State != AccountOpen {
		return in, Effect{}, errs.E(errs.Conflict, op, "账户已销户，不能入账 (the account is closed)")
	}
	// A frozen account takes nothing but refunds to consumers paid under a refund plan.
	// Refund plans are later work: for now any named plan is taken as approved.
	if a.Frozen && (in.Type != EntryRefund || in.Plan == "") {
		reason := ""
		if a.Freeze != nil {
			reason = "（" + a.Freeze.Reason + "）"
		}
		return in, Effect{}, errs.E(errs.Conflict, op, "账户已冻结"+reason+"，除退款计划内的退款外不能入账或划转 "+
			"(the account is frozen; only refunds under a refund plan pass)")
	}

	effect := effectOf(in.Type, in.AmountFen)
	if in.Type == EntryCorrection {
		var err error
		if in, effect, err = correction(op, in, st); err != nil {
			return in, Effect{}, err
		}
	}
	before := balancesOf(a)
	after := before.add(effect, before.AppliedSeq+1)
	if err := s.checkBalances(op, a, in, before, after); err != nil {
		return in, Effect{}, err
	}
	return in, effect, nil
}

// correction checks that a correction names an entry of this account that is neither a
// correction nor corrected already, and returns its effect: the corrected entry's, negated.
func correction(op string, in EntryInput, st *PostingState) (EntryInput, Effect, error) {
	c := st.Corrected
	switch {
	case c == nil:
		return in, Effect{}, errs.Fields(op, field("corrects", "本账户没有这条记录："+in.Corrects+" (no such entry on this account)"))
	case c.Type == EntryCorrection:
		return in, Effect{}, errs.Fields(op, field("corrects", "更正记录不能再被更正；请按正确金额另行入账 "+
			"(a correction cannot be corrected; post the right amount as a new entry)"))
	case len(st.Corrections) > 0:
		return in, Effect{}, errs.Fields(op, field("corrects", "该记录已被 "+st.Corrections[0].ID+" 更正 "+
			"(the entry is already corrected)"))
	case in.AmountFen != 0 && in.AmountFen != c.AmountFen:
		return in, Effect{}, errs.Fields(op, field("amount_fen", fmt.Sprintf(
			"更正冲销原记录的全部金额 %s 元 (a correction reverses the whole %s yuan)", money.Yuan(c.AmountFen), money.Yuan(c.AmountFen))))
	}
	in.AmountFen = c.AmountFen
	return in, effectOf(c.Type, c.AmountFen).negate(), nil
}

// checkBalances refuses an entry that would take a balance where it may not go.
func (s *Service) checkBalances(op string, a *Account, in EntryInput, before, after Balances) error {
	yuan := money.Yuan
	if (in.Type == EntryRelease || in.Type == EntryRefund) && in.AmountFen > before.HeldFen {
		return errs.E(errs.Conflict, op, fmt.Sprintf("金额 %s 元超过存管余额 %s 元 (the amount is more than the %s yuan held)",
			yuan(in.AmountFen), yuan(before.HeldFen), yuan(before.HeldFen)))
	}
	if after.OutstandingFen < 0 {
		return errs.E(errs.Conflict, op, fmt.Sprintf("未兑付预收余额将为负数：现为 %s 元 (the outstanding prepaid balance, %s yuan, would fall below zero)",
			yuan(before.OutstandingFen), yuan(before.OutstandingFen)))
	}
	if after.HeldFen < 0 || after.ReleasedFen < 0 {
		return errs.E(errs.Conflict, op, fmt.Sprintf("更正后余额将为负数：存管余额 %s 元，已划转 %s 元 (a balance would fall below zero)",
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
		"划转后存管资金低于应存额度：存管余额 %s 元，本次划转 %s 元，划转后 %s 元%s，应存 %s 元（未兑付余额 %s 元的 %d%%）"+
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

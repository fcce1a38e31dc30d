package funds

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"prepaidreg/internal/audit"
	"prepaidreg/internal/errs"
	"prepaidreg/internal/store"
	"prepaidreg/registry"
)

// OpenAccount opens a supervised account for an enterprise on file. An enterprise has at
// most one open account with a given bank account number.
func (s *Service) OpenAccount(ctx context.Context, actor audit.Actor, in FundAccountInput) (*Account, error) {
	const op = "funds.OpenAccount"
	now := s.clock()

	a, fe := accountOf(in, actor.Username, now)
	if len(fe) > 0 {
		return nil, errs.Fields(op, fe...)
	}
	_, missing, err := s.registry.EnterprisesByUSCC(ctx, []registry.USCC{a.USCC})
	if err != nil {
		return nil, err
	}
	if len(missing) > 0 {
		return nil, errs.Fields(op,
			field("uscc", "没有这家企业的档案："+string(a.USCC)+" (no such enterprise on file)"))
	}

	// The check and the insert hold one lock per enterprise and number, so that two openings
	// of the same account cannot both pass the check.
	defer store.LockDocument(AccountsCollection, "open:"+string(a.USCC)+":"+a.AccountNumber)()
	_, err = s.store.OpenAccountByNumber(ctx, a.USCC, a.AccountNumber)
	if err == nil {
		return nil, errs.E(errs.Conflict, op,
			"该企业已有此银行账号的存管账户 (the enterprise already has an open account with this number)")
	}
	if !errs.Is(err, errs.NotFound) {
		return nil, err
	}
	if err := s.store.InsertAccount(ctx, a); err != nil {
		return nil, err
	}

	if err := s.record(ctx, actor, "fund_account.open", a, map[string]any{"after": a.Masked()}); err != nil {
		return nil, errs.Wrap(errs.Internal, op, err)
	}
	a.derive(dayOf(now))
	return a, nil
}

// Account returns one account with its balances, its requirement and its coverage today,
// with the account number in full. It costs one read whatever the number of entries.
func (s *Service) Account(ctx context.Context, id string) (*Account, error) {
	a, err := s.store.GetAccount(ctx, id)
	if err != nil {
		return nil, err
	}
	a.derive(dayOf(s.now()))
	return a, nil
}

// Accounts returns the enterprise's accounts, oldest first, with their numbers masked.
func (s *Service) Accounts(ctx context.Context, uscc registry.USCC) ([]Account, error) {
	list, err := s.store.AccountsOf(ctx, uscc)
	if err != nil {
		return nil, err
	}
	day := dayOf(s.now())
	for i := range list {
		list[i].derive(day)
		list[i] = list[i].Masked()
	}
	return list, nil
}

// maxAccountsListed bounds the accounts AllAccounts returns.
const maxAccountsListed = 500

// AllAccounts returns every account, numbers masked, the lowest coverage first (those with
// nothing required last), at most 500: the list a fund officer works down. A district with more
// accounts searches by enterprise.
func (s *Service) AllAccounts(ctx context.Context) ([]Account, error) {
	list, err := s.store.AllAccounts(ctx)
	if err != nil {
		return nil, err
	}
	day := dayOf(s.now())
	for i := range list {
		list[i].derive(day)
		list[i] = list[i].Masked()
	}
	slices.SortStableFunc(list, func(a, b Account) int {
		switch {
		case a.Coverage == nil && b.Coverage == nil:
			return strings.Compare(a.ID, b.ID)
		case a.Coverage == nil:
			return 1
		case b.Coverage == nil:
			return -1
		}
		return cmp.Compare(*a.Coverage, *b.Coverage)
	})
	return list[:min(len(list), maxAccountsListed)], nil
}

// AddCover adds an insurance policy or bank guarantee to the account read at ifVersion.
func (s *Service) AddCover(
	ctx context.Context,
	actor audit.Actor,
	accountID string,
	ifVersion int64,
	in CoverInput,
) (*Account, error) {
	const op = "funds.AddCover"
	c, fe := coverOf(in, actor.Username, s.clock())
	if len(fe) > 0 {
		return nil, errs.Fields(op, fe...)
	}
	return s.change(ctx, actor, op, "fund_account.cover", accountID, ifVersion, func(a *Account) (any, error) {
		if len(a.Covers) >= MaxCovers {
			return nil, errs.E(errs.Conflict, op,
				fmt.Sprintf("一个账户至多登记%d份保单或保函 (at most %d covers)", MaxCovers, MaxCovers))
		}
		for _, old := range a.Covers {
			if old.PolicyNumber == c.PolicyNumber {
				return nil, errs.E(errs.Conflict, op, "该保单或保函已登记 (this policy is already on the account)")
			}
		}
		a.Covers = append(a.Covers, c)
		return map[string]any{"cover": c}, nil
	})
}

// Freeze freezes the account read at ifVersion: no release, deposit or other entry passes
// until it is unfrozen, save refunds paid under a refund plan. Black-listing the enterprise
// will freeze its accounts through this method.
func (s *Service) Freeze(
	ctx context.Context,
	actor audit.Actor,
	accountID string,
	ifVersion int64,
	reason string,
) (*Account, error) {
	const op = "funds.Freeze"
	reason = strings.TrimSpace(reason)
	if fe := checkText("reason", reason, true, 500, "冻结原因 (the reason)"); fe != nil {
		return nil, errs.Fields(op, fe...)
	}
	return s.change(ctx, actor, op, "fund_account.freeze", accountID, ifVersion, func(a *Account) (any, error) {
		if a.Frozen {
			return nil, errs.E(errs.Conflict, op, "账户已冻结 (the account is already frozen)")
		}
		a.Frozen = true
		a.Freeze = &Freeze{Reason: reason, At: s.clock(), By: actor.Username}
		return map[string]any{"frozen": true, "reason": reason}, nil
	})
}

// Unfreeze lifts the freeze of the account read at ifVersion.
func (s *Service) Unfreeze(
	ctx context.Context,
	actor audit.Actor,
	accountID string,
	ifVersion int64,
	reason string,
) (*Account, error) {
	const op = "funds.Unfreeze"
	reason = strings.TrimSpace(reason)
	if fe := checkText("reason", reason, true, 500, "解冻原因 (the reason)"); fe != nil {
		return nil, errs.Fields(op, fe...)
	}
	return s.change(ctx, actor, op, "fund_account.unfreeze", accountID, ifVersion, func(a *Account) (any, error) {
		if !a.Frozen {
			return nil, errs.E(errs.Conflict, op, "账户未冻结 (the account is not frozen)")
		}
		before := a.Freeze
		a.Frozen, a.Freeze = false, nil
		return map[string]any{"frozen": false, "reason": reason, "lifted": before}, nil
	})
}

var errStaleAccount = errs.E(errs.Stale, "funds.Account",
	"存管账户已被他人修改，请刷新后重试 (the account changed since you read it)")

// change applies fn to the account read at ifVersion under the account's lock, stores it one
// version up and records the change fn describes.
func (s *Service) change(
	ctx context.Context,
	actor audit.Actor,
	op, action, id string,
	ifVersion int64,
	fn func(a *Account) (any, error),
) (*Account, error) {
	defer store.LockDocument(AccountsCollection, id)()
	a, err := s.store.GetAccount(ctx, id)
	if err != nil {
		return nil, err
	}
	if a.Version != ifVersion {
		return nil, errStaleAccount
	}
	if a.State != AccountOpen {
		return nil, errs.E(errs.Conflict, op, "账户已销户 (the account is closed)")
	}
	change, err := fn(a)
	if err != nil {
		return nil, err
	}
	a.Version++
	a.UpdatedAt = s.clock()
	if err := s.store.UpdateAccount(ctx, a); err != nil {
		return nil, err
	}
	if err := s.record(ctx, actor, action, a, change); err != nil {
		return nil, errs.Wrap(errs.Internal, op, err)
	}
	a.derive(dayOf(s.now()))
	return a, nil
}

// record appends the audit record of an account's new version.
func (s *Service) record(ctx context.Context, actor audit.Actor, action string, a *Account, change any) error {
	_, err := s.audit.Append(ctx, audit.Entry{Actor: actor, Action: action, Target: a.target(),
		Version: a.Version, Change: change})
	return err
}

// FreezeOnBlackList freezes every open account of an enterprise just black-listed for taking
// prepayments and vanishing (《市场监督管理严重违法失信名单管理办法》 art. 8): no release may
// pass while what is held waits to be shared among its consumers. Other list entries change
// nothing. It implements registry.ListedHook; the system is the actor, the decision the reason.
func (s *Service) FreezeOnBlackList(ctx context.Context, e registry.ListEntry) error {
	if e.Kind != registry.ListBlack || e.LegalBasisCode != registry.BasisAbsconded {
		return nil
	}
	accounts, err := s.store.AccountsOf(ctx, e.USCC)
	if err != nil {
		return err
	}
	reason := []rune("列入严重违法失信名单（" + e.DecisionNumber + "）：" + e.Reason)
	if len(reason) > 500 {
		reason = reason[:500]
	}
	for _, a := range accounts {
		if a.State != AccountOpen || a.Frozen {
			continue
		}
		if _, err := s.Freeze(ctx, audit.System, a.ID, a.Version, string(reason)); err != nil {
			return err
		}
	}
	return nil
}

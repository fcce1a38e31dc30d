package funds

import (
	"context"
	"time"

	"prepaidreg/internal/errs"
	"prepaidreg/registry"
)

// maxStatementDays bounds the period of one statement document.
const maxStatementDays = 366

// StatementDocument renders the fund statement (对账单) of the account for the days of from
// to the day of to, both included, in Asia/Shanghai (StatementPDF). The ledger fills it: the
// opening balances are the effect of every entry that occurred before the first day; each
// entry of the period follows in the order entries occurred, with its signed effect on the
// funds held and the balances after it; the closing balances are those after the last; the
// requirement is the account's share of the closing outstanding balance, and the cover is
// what the covers valid on the last day insure. bureau, when given, heads the document.
func (s *Service) StatementDocument(
	ctx context.Context,
	accountID string,
	from, to time.Time,
	bureau string,
) ([]byte, error) {
	const op = "funds.StatementDocument"
	start, end := stmtDay(from), stmtDay(to).AddDate(0, 0, 1)
	if !end.After(start) {
		return nil, errs.Fields(op, field("to", "截止日期早于起始日期 (to is before from)"))
	}
	if daysBetween(start, end) > maxStatementDays {
		return nil, errs.Fields(op, field("to", "对账期间不超过366天 (a period of at most 366 days)"))
	}
	a, err := s.store.GetAccount(ctx, accountID)
	if err != nil {
		return nil, err
	}
	found, _, err := s.registry.EnterprisesByUSCC(ctx, []registry.USCC{a.USCC})
	if err != nil {
		return nil, err
	}
	name := ""
	if len(found) == 1 {
		name = found[0].Name
	}
	l, err := s.ledger(ctx, a.ID)
	if err != nil {
		return nil, err
	}

	d := StatementDoc{AccountID: a.ID, EnterpriseName: name, USCC: a.USCC, Bank: a.Bank,
		AccountNumber: a.AccountNumber, FromDay: dayOf(start), ToDay: dayOf(end.AddDate(0, 0, -1)),
		RequiredSharePercent: a.RequiredSharePercent, Bureau: bureau, GeneratedAt: s.clock(), Lines: []StatementLine{}}
	d.OpeningHeldFen, d.OpeningOutstandingFen = l.at(start)
	first, last := l.before(start), l.before(end)
	for i := first; i < last; i++ {
		it := l.items[i]
		held, outstanding := l.after(i)
		d.Lines = append(d.Lines, StatementLine{At: it.OccurredAt, Type: string(it.Type), Reference: it.Reference,
			AmountFen: it.Effect.Held, HeldAfterFen: held, OutstandingAfterFen: outstanding})
	}
	d.ClosingHeldFen, d.ClosingOutstandingFen = l.after(last - 1)
	d.RequiredFen = RequiredFor(d.ClosingOutstandingFen, a.RequiredSharePercent)
	d.InsuredFen = a.InsuredOn(d.ToDay)
	return StatementPDF(d)
}

package api

import (
	"cmp"
	"context"
	"fmt"
	"html/template"
	"net/url"
	"slices"
	"time"

	"prepaidreg/funds"
	"prepaidreg/internal/workday"
	"prepaidreg/registry"
)

// fundsChartView is the dossier's chart of the enterprise's coverage over time, with the
// caption that says how to read it; both are empty when nothing was ever required.
type fundsChartView struct {
	Chart template.HTML
	Note  string
}

// coverageStep is one ledger entry of one of the enterprise's accounts, with what it does to
// that account's balances.
type coverageStep struct {
	entry               funds.Entry
	account             int
	heldDelta, outDelta int64
}

// dossierFundsChart draws the coverage of the enterprise's open accounts taken together after
// each of their ledger entries, in the order the entries occurred: the cash held plus the
// covers valid that day, over the deposits required, summed over the accounts. Each entry's
// effect is the account page's (entryEffect), so one account's chart matches its page.
//
// It reads every open account's whole ledger, as the account page does for one; a dossier
// of an enterprise with many large ledgers is slower for it.
func (s *server) dossierFundsChart(ctx context.Context, uscc registry.USCC) (fundsChartView, error) {
	list, err := s.Funds.Accounts(ctx, uscc)
	if err != nil {
		return fundsChartView{}, err
	}
	var accounts []funds.Account
	var steps []coverageStep
	for _, a := range list {
		if a.State != funds.AccountOpen {
			continue
		}
		entries, err := s.wholeLedger(ctx, a.ID)
		if err != nil {
			return fundsChartView{}, err
		}
		byID := make(map[string]funds.Entry, len(entries))
		for _, e := range entries {
			byID[e.ID] = e
		}
		for _, e := range entries {
			dh, do, err := entryEffect(e, byID)
			if err != nil {
				return fundsChartView{}, err
			}
			steps = append(steps, coverageStep{entry: e, account: len(accounts), heldDelta: dh, outDelta: do})
		}
		accounts = append(accounts, a)
	}
	// One account keeps its sequence order, as its page does; several are interleaved by
	// the time each entry occurred.
	if len(accounts) > 1 {
		slices.SortStableFunc(steps, func(a, b coverageStep) int {
			return cmp.Or(a.entry.OccurredAt.Compare(b.entry.OccurredAt), cmp.Compare(a.account, b.account),
				cmp.Compare(a.entry.Seq, b.entry.Seq))
		})
	}
	rows := coverageRows(accounts, steps)
	v := fundsChartView{}
	v.Chart, v.Note = coverageChart(rows)
	if v.Chart != "" && len(accounts) > 1 {
		v.Note = fmt.Sprintf("%d个存管账户合计。", len(accounts)) + v.Note
	}
	return v, nil
}

// coverageRows works out, after each step, the coverage of all the accounts together, as
// ledger rows the account page's chart draws (coverageChart).
func coverageRows(accounts []funds.Account, steps []coverageStep) []ledgerRow {
	held := make([]int64, len(accounts))
	outstanding := make([]int64, len(accounts))
	rows := make([]ledgerRow, 0, len(steps))
	for _, st := range steps {
		held[st.account] += st.heldDelta
		outstanding[st.account] += st.outDelta
		day := st.entry.OccurredAt.In(workday.Zone).Format(time.DateOnly)
		var cash, insured, required int64
		for i := range accounts {
			cash += held[i]
			required += funds.RequiredFor(outstanding[i], accounts[i].RequiredSharePercent)
			insured += accounts[i].InsuredOn(day)
		}
		r := ledgerRow{Entry: st.entry}
		if required > 0 {
			// In floating point, as the account page: the ratio is drawn, never stored.
			r.Covered = true
			r.CoveragePct = int64(min(float64(cash+insured)/float64(required)*100, 1e9))
		}
		rows = append(rows, r)
	}
	return rows
}

// fundPlanPath is the console page of a refund plan.
func fundPlanPath(id string) string { return "/console/funds/plans/" + url.PathEscape(id) }

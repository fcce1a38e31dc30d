package api

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"html/template"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"prepaidreg/funds"
	"prepaidreg/internal/chart"
	"prepaidreg/internal/errs"
	"prepaidreg/internal/money"
	"prepaidreg/internal/workday"
)

// Bounds of the account page: entries read per call, entries per ledger page, bars of the
// coverage chart, and the coverage the chart draws at most so that one huge ratio (a deposit
// against a tiny sale) does not flatten every other bar.
const (
	ledgerReadPage  = 500
	ledgerPageSize  = 50
	chartPoints     = 60
	chartCapPercent = 300
)

// ledgerRow is one entry of the ledger with the balances and the coverage after it.
type ledgerRow struct {
	funds.Entry
	TypeLabel string
	// Signed is the amount with the sign of its effect: + for money sold or held, − for money
	// paid out or an entry reversed.
	Signed      string
	Held        string
	Outstanding string
	// CoveragePct is the coverage after the entry in whole per cent; Covered is false when
	// nothing was required then.
	CoveragePct int64
	Covered     bool
}

// fundAccountView is one account in full, with its ledger, chart and forms.
type fundAccountView struct {
	fundForm
	A          *funds.Account
	Path       string
	Enterprise string
	Dossier    string
	TierLabel  string
	Figures    coverageView
	Covers     []coverView
	Ledger     []ledgerRow
	Chart      template.HTML
	ChartNote  string
	PrevURL    string
	NextURL    string
	Officer    bool
	Types      []option
	CoverKinds []option
	// Key is the idempotency key of this rendering's entry form: sent twice, it posts once.
	Key     string
	Done    string
	Refused string
}

// coverView is one cover in words.
type coverView struct {
	funds.Cover
	KindLabel, Amount string
	// Valid says the cover counts today.
	Valid bool
}

func (s *server) fundAccountPage(c *fiber.Ctx) error {
	q, err := queryParams(c, "after", "done")
	if err != nil {
		return err
	}
	if _, ok := fundsDone[q["done"]]; q["done"] != "" && !ok {
		return badQuery("done", "未知的操作 (unknown action)")
	}
	after := int64(-1)
	if q["after"] != "" {
		after, err = strconv.ParseInt(q["after"], 10, 64)
		if err != nil || after < 0 {
			return badQuery("after", "应为不小于0的整数：从这一序号之后显示 (a sequence number)")
		}
	}
	v, err := s.fundAccountViewOf(c, c.Params("id"), after)
	if err != nil {
		return err
	}
	v.Done = fundsDone[q["done"]]
	return s.renderFundAccount(c, pageData{}, v)
}

// fundAccountViewOf reads the account and its whole ledger and lays them out; after is the
// sequence the ledger page starts after, or -1 for the latest page.
func (s *server) fundAccountViewOf(c *fiber.Ctx, id string, after int64) (*fundAccountView, error) {
	ctx := c.UserContext()
	a, err := s.Funds.Account(ctx, id)
	if err != nil {
		return nil, err
	}
	entries, err := s.wholeLedger(ctx, id)
	if err != nil {
		return nil, err
	}
	rows, err := ledgerRows(a, entries)
	if err != nil {
		return nil, err
	}

	v := &fundAccountView{A: a, Path: fundAccountPath(a.ID), Enterprise: s.enterpriseName(ctx, a.USCC),
		TierLabel: labelOr(tierLabels, string(a.Tier)), Figures: coverageOf(a), Officer: fundOfficer(c)}
	if !v.Officer {
		// Regulators and supervisors keep the dossiers; the link is theirs.
		v.Dossier = dossierPath(a.USCC)
	}
	today := s.Funds.Now().In(workday.Zone).Format(time.DateOnly)
	for _, cv := range a.Covers {
		v.Covers = append(v.Covers, coverView{Cover: cv, KindLabel: labelOr(coverKindLabels, string(cv.Kind)),
			Amount: money.Yuan(cv.CoveredFen), Valid: cv.ValidFrom <= today && today <= cv.ValidTo})
	}
	v.Chart, v.ChartNote = coverageChart(rows)
	v.pageLedger(rows, after)
	for _, t := range entryTypeOrder {
		v.Types = append(v.Types, option{Value: string(t), Label: entryTypeLabels[string(t)]})
	}
	for _, k := range []funds.CoverKind{funds.CoverInsurance, funds.CoverBankGuarantee} {
		v.CoverKinds = append(v.CoverKinds, option{Value: string(k), Label: coverKindLabels[string(k)]})
	}
	return v, nil
}

// wholeLedger reads every entry of the account, in sequence order, a page at a time. The
// chart needs the balances after each entry, which only the whole ledger gives; on the
// embedded store each page is a scan of the entries, so a ledger of n entries costs n/500
// scans.
func (s *server) wholeLedger(ctx context.Context, id string) ([]funds.Entry, error) {
	var all []funds.Entry
	after := int64(0)
	for {
		page, err := s.Funds.Entries(ctx, id, after, ledgerReadPage)
		if err != nil {
			return nil, err
		}
		all = append(all, page...)
		if len(page) < ledgerReadPage {
			return all, nil
		}
		after = page[len(page)-1].Seq
	}
}

// ledgerRows works out the balances and the coverage after each entry, in order. Each
// entry's effect is taken from funds.LedgerBalances, the ledger's own rules: alone for most
// entries, and for a correction as the balances of the corrected entry and the correction
// less those of the corrected entry.
func ledgerRows(a *funds.Account, entries []funds.Entry) ([]ledgerRow, error) {
	byID := make(map[string]funds.Entry, len(entries))
	for _, e := range entries {
		byID[e.ID] = e
	}
	rows := make([]ledgerRow, 0, len(entries))
	var held, outstanding int64
	for _, e := range entries {
		dh, do, err := entryEffect(e, byID)
		if err != nil {
			return nil, err
		}
		held, outstanding = held+dh, outstanding+do
		r := ledgerRow{Entry: e, TypeLabel: labelOr(entryTypeLabels, string(e.Type)),
			Held: money.Yuan(held), Outstanding: money.Yuan(outstanding)}
		sign := dh
		if sign == 0 {
			sign = do
		}
		r.Signed = "+" + money.Yuan(e.AmountFen)
		if sign < 0 {
			r.Signed = "−" + money.Yuan(e.AmountFen)
		}
		required := funds.RequiredFor(outstanding, a.RequiredSharePercent)
		if required > 0 {
			insured := a.InsuredOn(e.OccurredAt.In(workday.Zone).Format(time.DateOnly))
			r.Covered = true
			// In floating point: held × 100 could pass int64 for the largest balances. The
			// ratio is shown, never stored or summed.
			r.CoveragePct = int64(min(float64(held+insured)/float64(required)*100, 1e9))
		}
		rows = append(rows, r)
	}
	return rows, nil
}

// entryEffect returns what the entry does to the held and the outstanding balances.
func entryEffect(e funds.Entry, byID map[string]funds.Entry) (held, outstanding int64, err error) {
	if e.Type != funds.EntryCorrection {
		b, err := funds.LedgerBalances([]funds.Entry{e})
		return b.HeldFen, b.OutstandingFen, err
	}
	c, ok := byID[e.Corrects]
	if !ok {
		return 0, 0, errs.E(errs.Internal, "api.entryEffect", "correction "+e.ID+" names an entry not in the ledger")
	}
	before, err := funds.LedgerBalances([]funds.Entry{c})
	if err != nil {
		return 0, 0, err
	}
	after, err := funds.LedgerBalances([]funds.Entry{c, e})
	return after.HeldFen - before.HeldFen, after.OutstandingFen - before.OutstandingFen, err
}

// coverageChart draws the coverage after each of the latest entries that left something
// required, and the caption that says how to read it.
func coverageChart(rows []ledgerRow) (template.HTML, string) {
	var points []chart.Point
	capped := false
	for _, r := range rows {
		if !r.Covered {
			continue
		}
		pct := r.CoveragePct
		if pct > chartCapPercent {
			pct, capped = chartCapPercent, true
		}
		points = append(points, chart.Point{Label: fmt.Sprintf("#%d %s", r.Seq,
			r.OccurredAt.In(workday.Zone).Format("01-02")), Value: pct})
	}
	if len(points) == 0 {
		return "", ""
	}
	if len(points) > chartPoints {
		points = points[len(points)-chartPoints:]
	}
	// Labels take some 60 of the chart's 684 units of width; show as many as fit.
	step := (len(points)*60 + 683) / 684
	note := fmt.Sprintf("每笔记账后的覆盖率（%%），按记账顺序，最近%d笔；目标为100%%，"+
		"低于100%%即存管资金不足。", len(points))
	if capped {
		note += fmt.Sprintf("超过%d%%的按%d%%绘制。", chartCapPercent, chartCapPercent)
	}
	return chart.Bars("存管资金覆盖率（%）", points, step), note
}

// pageLedger keeps the ledger page that starts after the sequence after, or the latest page,
// with links to the pages before and after it.
func (v *fundAccountView) pageLedger(rows []ledgerRow, after int64) {
	n := int64(len(rows))
	if after < 0 {
		after = max(0, n-ledgerPageSize)
	}
	after = min(after, n)
	end := min(after+ledgerPageSize, n)
	// Sequence numbers run from 1 without gaps, so row i holds sequence i+1.
	v.Ledger = rows[after:end]
	if after > 0 {
		v.PrevURL = v.Path + "?after=" + strconv.FormatInt(max(0, after-ledgerPageSize), 10) + "#ledger"
	}
	if end < n {
		v.NextURL = v.Path + "?after=" + strconv.FormatInt(end, 10) + "#ledger"
	}
}

func (s *server) renderFundAccount(c *fiber.Ctx, d pageData, v *fundAccountView) error {
	if d.Form == nil {
		d.Form = map[string]string{}
	}
	if d.FieldErrors == nil {
		d.FieldErrors = map[string]string{}
	}
	// Every rendering gets a fresh key, a refused form's too: a refused entry wrote nothing,
	// and a key kept from a form sent with other values would be refused as reused.
	v.Key = newFormKey()
	if d.Form["entry.type"] == "" {
		d.Form["entry.type"] = string(funds.EntrySale)
	}
	for i := range v.Types {
		v.Types[i].Selected = v.Types[i].Value == d.Form["entry.type"]
	}
	for i := range v.CoverKinds {
		v.CoverKinds[i].Selected = v.CoverKinds[i].Value == d.Form["cover.kind"]
	}
	v.form, v.errors = d.Form, d.FieldErrors
	d.Title = "存管账户 " + v.A.ID
	d.Data = v
	return s.render(c, "funds_account", d)
}

// newFormKey returns a fresh idempotency key for one rendering of the entry form.
func newFormKey() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return "console-" + hex.EncodeToString(b)
}

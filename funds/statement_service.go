package funds

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"time"

	"prepaidreg/internal/audit"
	"prepaidreg/internal/errs"
	"prepaidreg/internal/money"
	"prepaidreg/internal/store"
	"prepaidreg/registry"
)

// MaxImportList bounds each list a statement import keeps (matched, unmatched, discrepancies,
// row errors); its counts are always complete.
const MaxImportList = 200

// StatementImport is the record of one bank statement imported for one account: what was
// read, how it matched the ledger over the statement's period, and where the balances
// disagree. It is immutable; the same file imported again for the same account returns it.
type StatementImport struct {
	// ID is derived from the account and the file's content, so that a file is imported once.
	ID          string        `json:"id" bson:"_id"`
	AccountID   string        `json:"account_id" bson:"account_id"`
	USCC        registry.USCC `json:"uscc" bson:"uscc"`
	FileName    string        `json:"file_name" bson:"file_name"`
	ContentHash string        `json:"content_hash" bson:"content_hash"`
	// From and To are the first and last days of the statement's lines, midnight in
	// Asia/Shanghai.
	From   time.Time       `json:"from" bson:"from"`
	To     time.Time       `json:"to" bson:"to"`
	Counts StatementCounts `json:"counts" bson:"counts"`

	Matched            []Pair               `json:"matched" bson:"matched"`
	AmountMismatches   []Pair               `json:"amount_mismatches" bson:"amount_mismatches"`
	UnmatchedStatement []StatementEntry     `json:"unmatched_statement" bson:"unmatched_statement"`
	UnmatchedLedger    []LedgerLine         `json:"unmatched_ledger" bson:"unmatched_ledger"`
	Discrepancies      []BalanceDiscrepancy `json:"discrepancies" bson:"discrepancies"`
	RowErrors          []RowError           `json:"row_errors" bson:"row_errors"`
	// Truncated says that some list holds only its first MaxImportList items.
	Truncated bool `json:"truncated" bson:"truncated"`

	ImportedBy string    `json:"imported_by" bson:"imported_by"`
	ImportedAt time.Time `json:"imported_at" bson:"imported_at"`

	// Replayed says the file had been imported before and this is the first import's record.
	Replayed bool `json:"replayed" bson:"-"`
	// Alert is the statement_mismatch alert the import raised or updated, if any.
	Alert *Alert `json:"alert,omitempty" bson:"-"`
}

// StatementCounts are the sizes of an import's lists, in full.
type StatementCounts struct {
	StatementLines     int `json:"statement_lines" bson:"statement_lines"`
	LedgerLines        int `json:"ledger_lines" bson:"ledger_lines"`
	Matched            int `json:"matched" bson:"matched"`
	AmountMismatches   int `json:"amount_mismatches" bson:"amount_mismatches"`
	UnmatchedStatement int `json:"unmatched_statement" bson:"unmatched_statement"`
	UnmatchedLedger    int `json:"unmatched_ledger" bson:"unmatched_ledger"`
	Discrepancies      int `json:"discrepancies" bson:"discrepancies"`
	RowErrors          int `json:"row_errors" bson:"row_errors"`
}

// Disagrees reports whether the statement and the ledger disagree anywhere.
func (c StatementCounts) Disagrees() bool {
	return c.Discrepancies+c.AmountMismatches+c.UnmatchedStatement+c.UnmatchedLedger > 0
}

func (imp *StatementImport) target() string { return "fund_statement/" + imp.ID }

var errStmtNoLines = errs.E(errs.Invalid, "funds.ImportStatement",
	"对账单中没有可读取的交易行 (the statement has no readable lines)")

// ImportStatement reads a bank's statement of the account (ParseStatement), matches it with
// the ledger's entries that occurred in the statement's period (MatchStatement), compares
// the bank's daily closing balances with the amount the ledger held at the end of each day
// (CheckBalances), and stores and records the outcome. Ledger lines carry each entry's
// effect on the money in the bank account: deposits and interest +, releases and refunds −,
// a correction minus the effect of the entry it corrects; sales move no money and are left
// out, and an entry and its correction that both fall in the period cancel and are left out.
//
// The import is idempotent by content: the same file imported again for the account returns
// the first import, Replayed set, and writes nothing. A balance discrepancy, an amount
// mismatch or an unmatched line on either side raises (or updates) the account's
// statement_mismatch alert. A file refused by ParseStatement, or with no readable line,
// writes nothing.
//
// It reads the account's whole ledger once: the held amount at the end of a day depends on
// every entry before it.
func (s *Service) ImportStatement(
	ctx context.Context,
	actor audit.Actor,
	accountID string,
	r io.Reader,
	name string,
) (*StatementImport, error) {
	const op = "funds.ImportStatement"
	name = strings.TrimSpace(name)
	if fe := checkText("name", name, false, 200, "文件名 (the file name)"); fe != nil {
		return nil, errs.Fields(op, fe...)
	}
	a, err := s.store.GetAccount(ctx, accountID)
	if err != nil {
		return nil, err
	}

	// Parse: one byte past the bound is enough for ParseStatement to refuse the file.
	data, err := io.ReadAll(io.LimitReader(r, StatementMaxBytes+1))
	if err != nil {
		return nil, errs.Wrap(errs.Invalid, op, err)
	}
	st, err := ParseStatement(bytes.NewReader(data), name)
	if err != nil {
		return nil, err
	}
	if len(st.Lines) == 0 {
		return nil, errStmtNoLines
	}

	imp, err := s.storeImport(ctx, actor, a, st, data, name)
	if err != nil || imp.Replayed || !imp.Counts.Disagrees() {
		return imp, err
	}
	alert, _, err := s.raise(ctx, a, mismatchFinding(imp))
	imp.Alert = alert
	return imp, err
}

// storeImport matches the statement and stores its import, or returns the import of the
// same file made before.
func (s *Service) storeImport(
	ctx context.Context,
	actor audit.Actor,
	a *Account,
	st *Statement,
	data []byte,
	name string,
) (*StatementImport, error) {
	const op = "funds.ImportStatement"
	sum := sha256.Sum256(data)
	hash := hex.EncodeToString(sum[:])
	idSum := sha256.Sum256([]byte(a.ID + "\x00" + hash))
	id := "FS-" + hex.EncodeToString(idSum[:12])

	defer store.LockDocument(StatementsCollection, id)()
	if prior, err := s.store.GetStatement(ctx, id); err == nil {
		prior.Replayed = true
		return prior, nil
	} else if !errs.Is(err, errs.NotFound) {
		return nil, err
	}

	l, err := s.ledger(ctx, a.ID)
	if err != nil {
		return nil, err
	}
	imp := matchImport(st, l)
	imp.ID, imp.AccountID, imp.USCC, imp.FileName, imp.ContentHash = id, a.ID, a.USCC, name, hash
	imp.ImportedBy, imp.ImportedAt = actor.Username, s.clock()
	if err := s.store.InsertStatement(ctx, imp); err != nil {
		// Another process imported the same file meanwhile.
		if prior, gerr := s.store.GetStatement(ctx, id); gerr == nil {
			prior.Replayed = true
			return prior, nil
		}
		return nil, err
	}

	_, err = s.audit.Append(ctx, audit.Entry{Actor: actor, Action: "fund_statement.import", Target: imp.target(),
		Change: map[string]any{"account_id": a.ID, "file_name": name, "content_hash": hash,
			"from": imp.From, "to": imp.To, "counts": imp.Counts}})
	if err != nil {
		return nil, errs.Wrap(errs.Internal, op, err)
	}
	return imp, nil
}

// matchImport matches the statement with the ledger over the statement's period and checks
// its balances, and returns the import's findings, lists bounded.
func matchImport(st *Statement, l *ledger) *StatementImport {
	end := st.To.AddDate(0, 0, 1)
	lines := l.bankLines(st.From, end)
	m := MatchStatement(st.Lines, lines)
	disc := CheckBalances(st.Lines, func(day time.Time) int64 {
		held, _ := l.at(day.AddDate(0, 0, 1))
		return held
	})

	imp := &StatementImport{From: st.From, To: st.To, Counts: StatementCounts{
		StatementLines: len(st.Lines), LedgerLines: len(lines), Matched: len(m.Matched),
		AmountMismatches: len(m.AmountMismatches), UnmatchedStatement: len(m.UnmatchedStatement),
		UnmatchedLedger: len(m.UnmatchedLedger), Discrepancies: len(disc), RowErrors: len(st.Errors),
	}}
	imp.Matched = bounded(m.Matched, &imp.Truncated)
	imp.AmountMismatches = bounded(m.AmountMismatches, &imp.Truncated)
	imp.UnmatchedStatement = bounded(m.UnmatchedStatement, &imp.Truncated)
	imp.UnmatchedLedger = bounded(m.UnmatchedLedger, &imp.Truncated)
	imp.Discrepancies = bounded(disc, &imp.Truncated)
	imp.RowErrors = bounded(st.Errors, &imp.Truncated)
	return imp
}

// bounded returns the first MaxImportList items of list, never nil, and notes a cut.
func bounded[T any](list []T, cut *bool) []T {
	if len(list) > MaxImportList {
		*cut = true
		list = list[:MaxImportList]
	}
	return append(make([]T, 0, len(list)), list...)
}

// mismatchFinding is the statement_mismatch finding of an import that disagrees.
func mismatchFinding(imp *StatementImport) finding {
	c := imp.Counts
	var worst int64
	for _, d := range imp.Discrepancies {
		worst = max(worst, stmtAbs(d.DifferenceFen))
	}
	var parts []string
	if c.Discrepancies > 0 {
		parts = append(parts, fmt.Sprintf("余额不符 %d 天，最大差额 %s 元", c.Discrepancies, money.Yuan(worst)))
	}
	if c.AmountMismatches > 0 {
		parts = append(parts, fmt.Sprintf("金额不符 %d 笔", c.AmountMismatches))
	}
	if c.UnmatchedStatement > 0 {
		parts = append(parts, fmt.Sprintf("银行流水未匹配 %d 笔", c.UnmatchedStatement))
	}
	if c.UnmatchedLedger > 0 {
		parts = append(parts, fmt.Sprintf("账簿记录未匹配 %d 笔", c.UnmatchedLedger))
	}
	detail := fmt.Sprintf("对账单“%s”（%s至%s）与账簿不符：%s；已匹配 %d 笔。", imp.FileName,
		planDate(imp.From), planDate(imp.To), strings.Join(parts, "；"), c.Matched)
	return finding{Kind: AlertStatementMismatch, Detail: detail, Evidence: []string{imp.ID}, Figures: map[string]int64{
		"discrepancies": int64(c.Discrepancies), "max_difference_fen": worst,
		"amount_mismatches": int64(c.AmountMismatches), "unmatched_statement": int64(c.UnmatchedStatement),
		"unmatched_ledger": int64(c.UnmatchedLedger), "matched": int64(c.Matched),
	}}
}

// ledgerItem is an entry with its effect on the balances worked out, a correction's from the
// entry it corrects.
type ledgerItem struct {
	Entry
	Effect Effect
	// CorrectedBy is the correction that reverses this entry, if any.
	CorrectedBy string
}

// ledger is an account's entries in the order they occurred (ties in sequence order), with
// the balances after each.
type ledger struct {
	items       []ledgerItem
	held        []int64
	outstanding []int64
	byID        map[string]int
}

// ledger reads the account's whole ledger.
func (s *Service) ledger(ctx context.Context, accountID string) (*ledger, error) {
	entries, err := s.store.EntriesOf(ctx, accountID, 0, 0)
	if err != nil {
		return nil, err
	}
	return ledgerOf(entries)
}

// ledgerOf orders the entries as they occurred and works out their effects; a correction must
// find the entry it corrects among them.
func ledgerOf(entries []Entry) (*ledger, error) {
	l := &ledger{items: make([]ledgerItem, len(entries)), byID: make(map[string]int, len(entries))}
	for i, e := range entries {
		l.items[i] = ledgerItem{Entry: e, Effect: effectOf(e.Type, e.AmountFen)}
	}
	slices.SortStableFunc(l.items, func(a, b ledgerItem) int {
		return cmp.Or(a.OccurredAt.Compare(b.OccurredAt), cmp.Compare(a.Seq, b.Seq))
	})
	for i := range l.items {
		l.byID[l.items[i].ID] = i
	}
	for i := range l.items {
		it := &l.items[i]
		if it.Type != EntryCorrection {
			continue
		}
		j, ok := l.byID[it.Corrects]
		if !ok {
			return nil, errs.E(errs.Internal, "funds.ledger", "correction "+it.ID+" names a missing entry")
		}
		c := &l.items[j]
		it.Effect = effectOf(c.Type, c.AmountFen).negate()
		c.CorrectedBy = it.ID
	}

	var held, outstanding int64
	l.held, l.outstanding = make([]int64, len(l.items)), make([]int64, len(l.items))
	for i, it := range l.items {
		held += it.Effect.Held
		outstanding += it.Effect.Outstanding
		l.held[i], l.outstanding[i] = held, outstanding
	}
	return l, nil
}

// before returns the number of entries that occurred before t.
func (l *ledger) before(t time.Time) int {
	return sort.Search(len(l.items), func(i int) bool { return !l.items[i].OccurredAt.Before(t) })
}

// at returns the balances after every entry that occurred before t.
func (l *ledger) at(t time.Time) (held, outstanding int64) {
	return l.after(l.before(t) - 1)
}

// after returns the balances after the i-th entry; before the first for i < 0.
func (l *ledger) after(i int) (held, outstanding int64) {
	if i < 0 {
		return 0, 0
	}
	return l.held[i], l.outstanding[i]
}

// bankLines returns the ledger's lines that move money through the bank and occurred in
// [from, end): sales are left out, and so are an entry and its correction when both fall in
// the period.
func (l *ledger) bankLines(from, end time.Time) []LedgerLine {
	in := func(t time.Time) bool { return !t.Before(from) && t.Before(end) }
	lines := []LedgerLine{}
	for _, it := range l.items[l.before(from):l.before(end)] {
		if it.Type == EntrySale || it.Effect.Held == 0 {
			continue
		}
		if it.CorrectedBy != "" && in(l.items[l.byID[it.CorrectedBy]].OccurredAt) {
			continue
		}
		if it.Type == EntryCorrection && in(l.items[l.byID[it.Corrects]].OccurredAt) {
			continue
		}
		lines = append(lines, LedgerLine{EntryID: it.ID, Reference: it.Reference, AmountFen: it.Effect.Held,
			OccurredAt: it.OccurredAt})
	}
	return lines
}

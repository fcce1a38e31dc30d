package api

import (
	"net/http"
	"path/filepath"

	"github.com/gofiber/fiber/v2"

	"prepaidreg/funds"
	"prepaidreg/internal/errs"
	"prepaidreg/internal/money"
	"prepaidreg/internal/workday"
)

// statementView is the statement import page: the upload form and, after an upload, how the
// bank's statement matched the ledger.
type statementView struct {
	A          *funds.Account
	Path       string
	Enterprise string
	Officer    bool
	Imp        *funds.StatementImport
	// The import's lists in words: amounts in yuan with their sign, days in Beijing time.
	Matched, Mismatches []stmtPairView
	BankOnly            []stmtLineView
	LedgerOnly          []stmtLineView
	Discrepancies       []stmtBalanceView
}

// stmtLineView is one line of the bank's statement or of the ledger.
type stmtLineView struct {
	Row       int
	EntryID   string
	Day       string
	Reference string
	Amount    string
}

// stmtPairView is a statement line and the ledger line it was matched with.
type stmtPairView struct {
	Bank, Ledger stmtLineView
	By           string
}

// stmtBalanceView is a day whose closing balances disagree.
type stmtBalanceView struct {
	Day                        string
	Row                        int
	Statement, Ledger, Differs string
}

var matchRuleLabels = map[string]string{
	string(funds.MatchedByReference): "流水号", string(funds.MatchedByAmountAndDay): "金额和日期",
}

func (s *server) fundStatementPage(c *fiber.Ctx) error {
	if _, err := queryParams(c); err != nil {
		return err
	}
	v, err := s.statementViewOf(c, c.Params("id"))
	if err != nil {
		return err
	}
	return s.renderStatement(c, pageData{}, v)
}

func (s *server) statementViewOf(c *fiber.Ctx, id string) (*statementView, error) {
	a, err := s.Funds.Account(c.UserContext(), id)
	if err != nil {
		return nil, err
	}
	return &statementView{A: a, Path: fundAccountPath(a.ID), Enterprise: s.enterpriseName(c.UserContext(), a.USCC),
		Officer: fundOfficer(c)}, nil
}

// importFundStatementForm imports the uploaded CSV and shows how it matched. The service
// keeps every import; it offers no list of them, so the page shows this one's result.
func (s *server) importFundStatementForm(c *fiber.Ctx) error {
	id := c.Params("id")
	v, err := s.statementViewOf(c, id)
	if err != nil {
		return err
	}
	fh, err := c.FormFile("file")
	if err != nil {
		return s.refusedStatement(c, v, http.StatusBadRequest,
			"请选择要上传的对账单 CSV 文件 (choose a file to upload)")
	}
	if fh.Size > funds.StatementMaxBytes {
		return s.refusedStatement(c, v, http.StatusRequestEntityTooLarge, "对账单文件超过20 MiB (file over 20 MiB)")
	}
	f, err := fh.Open()
	if err != nil {
		return s.refusedStatement(c, v, http.StatusBadRequest, "上传的文件无法读取 (cannot read the upload)")
	}
	defer f.Close()

	imp, err := s.Funds.ImportStatement(c.UserContext(), actor(c), id, f, filepath.Base(fh.Filename))
	if imp == nil && err != nil {
		if !errs.Is(err, errs.Invalid) {
			return err
		}
		return s.refusedStatement(c, v, http.StatusBadRequest, errorText(err))
	}
	if err != nil {
		// The import is stored; only raising its alert failed. The result stands, and the
		// hourly sweep raises the alert again.
		s.logger.Error("statement mismatch alert not raised", "account", id, "import", imp.ID, "err", err)
	}
	v.setImport(imp)
	return s.renderStatement(c, pageData{}, v)
}

func (s *server) refusedStatement(c *fiber.Ctx, v *statementView, status int, msg string) error {
	c.Status(status)
	return s.renderStatement(c, pageData{FieldErrors: map[string]string{"file": msg},
		Error: "未导入：" + msg}, v)
}

// setImport lays the import's lists out in words.
func (v *statementView) setImport(imp *funds.StatementImport) {
	v.Imp = imp
	for _, p := range imp.Matched {
		v.Matched = append(v.Matched, pairView(p))
	}
	for _, p := range imp.AmountMismatches {
		v.Mismatches = append(v.Mismatches, pairView(p))
	}
	for _, l := range imp.UnmatchedStatement {
		v.BankOnly = append(v.BankOnly, bankLineView(l))
	}
	for _, l := range imp.UnmatchedLedger {
		v.LedgerOnly = append(v.LedgerOnly, ledgerLineView(l))
	}
	for _, d := range imp.Discrepancies {
		v.Discrepancies = append(v.Discrepancies, stmtBalanceView{Day: d.Day.In(workday.Zone).Format("2006-01-02"),
			Row: d.Row, Statement: money.Yuan(d.StatementFen), Ledger: money.Yuan(d.LedgerFen),
			Differs: signedYuan(d.DifferenceFen)})
	}
}

func pairView(p funds.Pair) stmtPairView {
	return stmtPairView{Bank: bankLineView(p.Statement), Ledger: ledgerLineView(p.Ledger),
		By: labelOr(matchRuleLabels, string(p.By))}
}

func bankLineView(l funds.StatementEntry) stmtLineView {
	return stmtLineView{Row: l.Row, Day: l.Date.In(workday.Zone).Format("2006-01-02"), Reference: l.Reference,
		Amount: signedYuan(l.AmountFen)}
}

func ledgerLineView(l funds.LedgerLine) stmtLineView {
	return stmtLineView{EntryID: l.EntryID, Day: l.OccurredAt.In(workday.Zone).Format("2006-01-02"),
		Reference: l.Reference, Amount: signedYuan(l.AmountFen)}
}

// signedYuan writes fen as yuan with a + or − sign.
func signedYuan(fen int64) string {
	if fen < 0 {
		return "−" + money.Yuan(-fen)
	}
	return "+" + money.Yuan(fen)
}

func (s *server) renderStatement(c *fiber.Ctx, d pageData, v *statementView) error {
	d.Title, d.Data = "导入对账单 "+v.A.ID, v
	return s.render(c, "funds_statement", d)
}

package funds

import (
	"fmt"
	"math/big"
	"strings"
	"time"

	"prepaidreg/internal/errs"
	"prepaidreg/internal/money"
	"prepaidreg/internal/pdf"
	"prepaidreg/internal/workday"
	"prepaidreg/registry"
)

// stmtTitle is the statement's name, printed at its top and in every footer.
const stmtTitle = "预付资金监管账户对账单"

// stmtMaxBalanceFen bounds every balance on a statement, as the ledger bounds its balances
// (10^17 fen), so that no sum of a statement's figures overflows.
const stmtMaxBalanceFen = 10_000 * MaxRefundFen

// stmtMaxFieldErrors caps the field errors one refusal lists.
const stmtMaxFieldErrors = 50

// stmtTypes name the ledger's entry types as a statement shows them.
var stmtTypes = map[string]string{
	"sale":       "预收款销售",
	"deposit":    "存入监管账户",
	"release":    "释放",
	"refund":     "退款",
	"interest":   "利息",
	"correction": "冲正",
}

// StatementDoc is what a fund statement (对账单) of one supervised account for a period is
// made from. The ledger fills it: the balances at the start of the period, every entry of the
// period in ledger order, the balances at its end, and the deposit requirement and cover at
// its end.
type StatementDoc struct {
	AccountID      string        `json:"account_id"`
	EnterpriseName string        `json:"enterprise_name"`
	USCC           registry.USCC `json:"uscc"`
	Bank           string        `json:"bank"`
	// AccountNumber is the account's number in full; the statement masks it.
	AccountNumber string `json:"account_number"`
	// FromDay and ToDay are the first and last days of the period ("2006-01-02" in
	// Asia/Shanghai), both included.
	FromDay               string          `json:"from_day"`
	ToDay                 string          `json:"to_day"`
	OpeningHeldFen        int64           `json:"opening_held_fen"`
	OpeningOutstandingFen int64           `json:"opening_outstanding_fen"`
	Lines                 []StatementLine `json:"lines"`
	ClosingHeldFen        int64           `json:"closing_held_fen"`
	ClosingOutstandingFen int64           `json:"closing_outstanding_fen"`
	// RequiredSharePercent and RequiredFen are the deposit required at the end of the period:
	// the share of the outstanding balance and the amount (RequiredFor).
	RequiredSharePercent int   `json:"required_share_percent"`
	RequiredFen          int64 `json:"required_fen"`
	// InsuredFen is what the insurance policies and bank guarantees valid on ToDay cover.
	InsuredFen int64 `json:"insured_fen"`
	// Bureau, when given, is printed above the title.
	Bureau      string    `json:"bureau,omitempty"`
	GeneratedAt time.Time `json:"generated_at"`
}

// StatementLine is one ledger entry on a statement.
type StatementLine struct {
	At time.Time `json:"at"`
	// Type is the entry's type as the ledger names it: sale, deposit, release, refund,
	// interest or correction.
	Type      string `json:"type"`
	Reference string `json:"reference"`
	// AmountFen is the entry's signed effect on the held balance: + for a deposit or interest,
	// − for a release or refund, 0 for a sale, either for a correction.
	AmountFen           int64 `json:"amount_fen"`
	HeldAfterFen        int64 `json:"held_after_fen"`
	OutstandingAfterFen int64 `json:"outstanding_after_fen"`
}

// StatementPDF renders the statement of one account for a period: the enterprise, the bank
// and the masked account number, the period, the opening balances (held in the account, and
// prepaid but not yet used), each entry in order with its date, type, reference, signed
// amount and the balances after it, the closing balances, the required deposit, the cover
// and the coverage ((held + cover) ÷ required, in per cent to two decimals, rounded half up),
// and when it was generated, which also dates the PDF.
//
// The figures must agree: each line's held balance is the one before it plus its amount, the
// closing balances are those after the last line (the opening ones with no lines), and the
// lines fall within the period in time order. A statement whose figures do not agree is
// refused as Invalid, naming the first line that breaks, so that a wrong statement is never
// printed.
func StatementPDF(d StatementDoc) ([]byte, error) {
	const op = "funds.StatementPDF"
	if fe := stmtCheck(d); len(fe) > 0 {
		return nil, errs.Fields(op, fe...)
	}

	doc := pdf.New(stmtTitle + "　" + stmtPeriod(d))
	doc.SetDate(d.GeneratedAt)

	doc.Title(strings.TrimPrefix(d.Bureau+"\n"+stmtTitle, "\n"))
	doc.Field("企业名称", d.EnterpriseName)
	doc.Field("统一社会信用代码", string(d.USCC))
	doc.Field("开户银行", d.Bank)
	doc.Field("监管账户", MaskNumber(strings.ReplaceAll(strings.TrimSpace(d.AccountNumber), " ", "")))
	doc.Field("对账期间", stmtPeriod(d))

	doc.Heading("一、期初余额")
	doc.Field("监管资金余额", money.Yuan(d.OpeningHeldFen)+"元")
	doc.Field("预收资金余额", money.Yuan(d.OpeningOutstandingFen)+"元")

	doc.Heading("二、本期明细")
	if len(d.Lines) == 0 {
		doc.Paragraph("本期无记账。")
	} else {
		doc.Table(stmtHeaders, stmtWidths, stmtRows(d.Lines))
	}

	doc.Heading("三、期末余额")
	doc.Field("监管资金余额", money.Yuan(d.ClosingHeldFen)+"元")
	doc.Field("预收资金余额", money.Yuan(d.ClosingOutstandingFen)+"元")
	doc.Field("本期监管资金变动", stmtSigned(d.ClosingHeldFen-d.OpeningHeldFen)+"元")

	doc.Heading("四、存管要求与保障")
	doc.Field("应存管金额",
		fmt.Sprintf("%s元（期末预收资金余额的%d%%）", money.Yuan(d.RequiredFen), d.RequiredSharePercent))
	doc.Field("保险及保函保障", money.Yuan(d.InsuredFen)+"元")
	doc.Field("覆盖率", stmtCoverage(d.ClosingHeldFen+d.InsuredFen, d.RequiredFen))

	doc.Spacer(6)
	doc.Field("生成时间", stmtDateTime(d.GeneratedAt))

	out, err := doc.Bytes()
	if err != nil {
		return nil, errs.Wrap(errs.Internal, op, err)
	}
	return out, nil
}

// The columns of a statement's table.
var (
	stmtHeaders = []string{"日期", "类型", "业务参考号", "监管资金变动（元）",
		"监管资金余额（元）", "预收资金余额（元）"}
	stmtWidths = []float64{22, 28, 39, 27, 27, 27}
)

// stmtRows lays the lines out as table rows.
func stmtRows(lines []StatementLine) [][]string {
	rows := make([][]string, len(lines))
	for i, l := range lines {
		rows[i] = []string{l.At.In(workday.Zone).Format(time.DateOnly), stmtTypes[l.Type], l.Reference,
			stmtSigned(l.AmountFen), money.Yuan(l.HeldAfterFen), money.Yuan(l.OutstandingAfterFen)}
	}
	return rows
}

// stmtCheck checks that the statement is complete and its figures agree.
func stmtCheck(d StatementDoc) []errs.FieldError {
	var fe []errs.FieldError
	for _, r := range []struct{ name, value, what string }{
		{"enterprise_name", d.EnterpriseName, "企业名称 (the enterprise's name)"},
		{"uscc", string(d.USCC), "统一社会信用代码 (the USCC)"},
		{"bank", d.Bank, "开户银行 (the bank)"},
		{"account_number", d.AccountNumber, "监管账户账号 (the account number)"},
	} {
		if strings.TrimSpace(r.value) == "" {
			fe = append(fe, allocField(r.name, "须填写"+r.what+" (required)"))
		}
	}
	if d.GeneratedAt.IsZero() {
		fe = append(fe, allocField("generated_at", "须有生成时间 (the time of generation is required)"))
	}
	for _, b := range []struct {
		name     string
		fen, min int64
	}{
		{"opening_held_fen", d.OpeningHeldFen, -stmtMaxBalanceFen},
		{"opening_outstanding_fen", d.OpeningOutstandingFen, -stmtMaxBalanceFen},
		{"closing_held_fen", d.ClosingHeldFen, -stmtMaxBalanceFen},
		{"closing_outstanding_fen", d.ClosingOutstandingFen, -stmtMaxBalanceFen},
		{"required_fen", d.RequiredFen, 0},
		{"insured_fen", d.InsuredFen, 0},
	} {
		if b.fen < b.min || b.fen > stmtMaxBalanceFen {
			fe = append(fe, allocField(b.name, fmt.Sprintf("金额须在 %s 至 %s 元之间 (amount out of range)",
				money.Yuan(b.min), money.Yuan(stmtMaxBalanceFen))))
		}
	}
	if d.RequiredSharePercent < 0 || d.RequiredSharePercent > 100 {
		fe = append(fe, allocField("required_share_percent", "存管比例须在 0 至 100 之间 (must be from 0 to 100)"))
	}

	from, to, pfe := stmtPeriodBounds(d.FromDay, d.ToDay)
	fe = append(fe, pfe...)
	if len(fe) > 0 {
		return fe
	}
	return stmtCheckLines(d, from, to)
}

// stmtPeriodBounds parses the period into its first instant and the instant after it.
func stmtPeriodBounds(fromDay, toDay string) (time.Time, time.Time, []errs.FieldError) {
	var fe []errs.FieldError
	from, err := time.ParseInLocation(time.DateOnly, fromDay, workday.Zone)
	if err != nil {
		fe = append(fe, allocField("from_day", "起始日期应为 2006-01-02 格式 (a day as 2006-01-02)"))
	}
	to, err := time.ParseInLocation(time.DateOnly, toDay, workday.Zone)
	if err != nil {
		fe = append(fe, allocField("to_day", "截止日期应为 2006-01-02 格式 (a day as 2006-01-02)"))
	}
	if len(fe) == 0 && to.Before(from) {
		fe = append(fe, allocField("to_day", "截止日期早于起始日期 (to_day is before from_day)"))
	}
	return from, to.AddDate(0, 0, 1), fe
}

// stmtCheckLines checks each line against the one before it, and the closing balances
// against the last line.
func stmtCheckLines(d StatementDoc, from, end time.Time) []errs.FieldError {
	var fe []errs.FieldError
	add := func(i int, f, msg string) {
		if len(fe) < stmtMaxFieldErrors {
			fe = append(fe, allocField(fmt.Sprintf("lines[%d].%s", i, f), msg))
		}
	}
	held, outstanding, last := d.OpeningHeldFen, d.OpeningOutstandingFen, from
	for i, l := range d.Lines {
		switch {
		case l.At.Before(last) && !l.At.Before(from):
			add(i, "at", "记账时间早于上一笔 (entries must be in time order)")
		case l.At.Before(from) || !l.At.Before(end):
			add(i, "at", "记账时间不在对账期间内 (the entry is outside the period)")
		default:
			last = l.At
		}
		if stmtTypes[l.Type] == "" {
			add(i, "type", fmt.Sprintf("未知类型 %q (unknown type)", l.Type))
		}
		if l.AmountFen < -MaxRefundFen || l.AmountFen > MaxRefundFen {
			add(i, "amount_fen", "金额超出范围 (amount out of range)")
			return fe
		}
		if l.HeldAfterFen != held+l.AmountFen {
			add(i, "held_after_fen",
				fmt.Sprintf("应为 %s 元（上一余额 %s 元加本笔 %s 元） (does not follow from the line before)",
					money.Yuan(held+l.AmountFen), money.Yuan(held), stmtSigned(l.AmountFen)))
		}
		if l.OutstandingAfterFen < -stmtMaxBalanceFen || l.OutstandingAfterFen > stmtMaxBalanceFen ||
			l.HeldAfterFen < -stmtMaxBalanceFen || l.HeldAfterFen > stmtMaxBalanceFen {
			add(i, "held_after_fen", "余额超出范围 (balance out of range)")
			return fe
		}
		held, outstanding = l.HeldAfterFen, l.OutstandingAfterFen
	}
	if d.ClosingHeldFen != held {
		fe = append(fe, allocField("closing_held_fen", fmt.Sprintf(
			"期末监管资金余额应为 %s 元 (does not follow from the lines)", money.Yuan(held))))
	}
	if d.ClosingOutstandingFen != outstanding {
		fe = append(fe, allocField("closing_outstanding_fen", fmt.Sprintf(
			"期末预收资金余额应为 %s 元 (does not follow from the lines)", money.Yuan(outstanding))))
	}
	return fe
}

// stmtPeriod shows the period as 2026年10月1日至2026年10月31日.
func stmtPeriod(d StatementDoc) string {
	from, _ := time.ParseInLocation(time.DateOnly, d.FromDay, workday.Zone)
	to, _ := time.ParseInLocation(time.DateOnly, d.ToDay, workday.Zone)
	return planDate(from) + "至" + planDate(to)
}

// stmtSigned shows an amount in yuan with its sign: +1,234.56, -1,234.56, 0.00.
func stmtSigned(fen int64) string {
	if fen > 0 {
		return "+" + money.Yuan(fen)
	}
	return money.Yuan(fen)
}

// stmtCoverage shows covered ÷ required as a percentage with two decimals, rounded half up
// in exact arithmetic, or says that nothing is required.
func stmtCoverage(covered, required int64) string {
	if required <= 0 {
		return "无应存管金额"
	}
	// Basis points, round(covered × 10000 ÷ required) half away from zero, in big integers:
	// a large balance over a tiny requirement leaves int64.
	num := new(big.Int).Mul(big.NewInt(covered), big.NewInt(2*10_000))
	num.Add(num, big.NewInt(int64(stmtSign(covered))*required))
	bp := num.Quo(num, big.NewInt(2*required))
	sign := ""
	if bp.Sign() < 0 {
		sign = "-"
		bp.Neg(bp)
	}
	whole, frac := new(big.Int).QuoRem(bp, big.NewInt(100), new(big.Int))
	return fmt.Sprintf("%s%s.%02d%%（（期末监管资金余额＋保障金额）÷应存管金额）", sign, whole, frac.Int64())
}

// stmtSign is 1 for a positive or zero amount and −1 for a negative one.
func stmtSign(fen int64) int {
	if fen < 0 {
		return -1
	}
	return 1
}

// stmtDateTime shows an instant in Asia/Shanghai as 2026年11月1日 09:00.
func stmtDateTime(t time.Time) string {
	return planDate(t) + " " + t.In(workday.Zone).Format("15:04")
}

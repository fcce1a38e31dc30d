package mediation

import (
	"fmt"
	"math/big"
	"strings"
	"time"

	"prepaidreg/internal/errs"
	"prepaidreg/internal/money"
	"prepaidreg/internal/workday"
)

// RefundMethod names the rule a refund was worked out by.
type RefundMethod string

// Refund rules.
const (
	// RefundCoolingOff is Beijing's seven-day return of an unused card, in full.
	RefundCoolingOff RefundMethod = "cooling_off"
	// RefundStoredValue is what was paid less the value of what was used.
	RefundStoredValue RefundMethod = "stored_value"
	// RefundCourse is what was paid for the lessons not taken.
	RefundCourse RefundMethod = "course"
)

// Limits of the arithmetic.
const (
	// maxRefundFen bounds every amount: 10^13 fen is 100 billion yuan, far above any card,
	// and keeps every product of the working exact.
	maxRefundFen = 10_000_000_000_000
	// maxLessons bounds the number of lessons of a course.
	maxLessons = 100_000
	// coolingOffDays is Beijing's period for returning an unused card (《北京市单用途预付卡
	// 管理条例》); a setting if another city's rule is wanted.
	coolingOffDays = 7
	// Card limits of 商务部《单用途商业预付卡管理办法（试行）》第二十二条.
	anonymousCardLimitFen = 100_000
	namedCardLimitFen     = 500_000
)

// refundRounding is the rounding rule, stated on every refund. Standard cards and course
// contracts are drafted by the enterprise, and a standard term open to two readings is read
// against the party that drafted it (《民法典》第四百九十八条); so the fraction of a fen
// goes to the consumer.
const refundRounding = "按比例折算时，已消费部分舍去不足一分的尾数，应退部分相应进一分，" +
	"尾差归消费者（格式条款有两种以上解释的，作不利于提供格式条款一方的解释，《民法典》第四百九十八条）。"

// Step is one line of the working: what is computed, how, and the amount it gives in fen.
type Step struct {
	Label      string `json:"label"`
	Expression string `json:"expression"`
	ResultFen  int64  `json:"result_fen"`
}

// Refund is the refund a card's holder is due under the rules, with the working a mediator
// can put to both sides.
type Refund struct {
	DueFen int64        `json:"due_fen"`
	Method RefundMethod `json:"method"`
	// Basis says which rule applies and where it comes from.
	Basis string `json:"basis"`
	// Rounding states how fractions of a fen are rounded.
	Rounding string `json:"rounding"`
	Steps    []Step `json:"steps"`
	// CoolingOffLastDay is the last day ("2006-01-02") on which an unused card could be
	// returned in full.
	CoolingOffLastDay string `json:"cooling_off_last_day"`
	// ClaimFen is what the consumer asks for; DifferenceFen is ClaimFen − DueFen when a claim
	// was made.
	ClaimFen      int64    `json:"claim_fen"`
	DifferenceFen int64    `json:"difference_fen"`
	Notes         []string `json:"notes"`
}

// ComputeRefund works out, in fen, the refund due on card as of asOf, and compares it with
// the claim (0 when the consumer named no amount). The rules, tried in order:
//
//  1. Cooling-off (《北京市单用途预付卡管理条例》): nothing used and asOf not later than the
//     seventh calendar day after the day of purchase in Asia/Shanghai (the day of purchase
//     itself does not count, 《民法典》第二百零一条) — the whole amount paid.
//  2. Course sold by the lesson (type course, or any card with lessons): paid ×
//     (lessons − lessons used) ÷ lessons.
//  3. Stored value: paid − value used. A card sold at a discount (face value above what was
//     paid) spent its face value, so the value used is converted at paid ÷ face.
//
// Fractions of a fen go to the consumer (refundRounding). The result is never negative and
// never more than was paid. Invalid input is refused with one field error per problem.
// A last day of the cooling-off period falling on a public holiday is not moved (《民法典》
// 第二百零三条 would move it): the function counts calendar days and has no calendar.
func ComputeRefund(card Card, claimFen int64, asOf time.Time) (Refund, error) {
	const op = "mediation.ComputeRefund"
	bought, fe := checkRefundInput(card, claimFen, asOf)
	if len(fe) > 0 {
		return Refund{}, errs.Fields(op, fe...)
	}

	lastDay := bought.AddDate(0, 0, coolingOffDays)
	r := Refund{Rounding: refundRounding, CoolingOffLastDay: lastDay.Format(time.DateOnly), Notes: []string{}}
	unused := card.UsedFen == 0 && card.LessonsUsed == 0
	today := workday.Day(asOf)
	switch {
	case unused && !today.After(lastDay):
		coolingOffRefund(&r, card, bought, today)
	case card.Kind == CardCourse || card.Lessons > 0:
		courseRefund(&r, card)
	default:
		storedValueRefund(&r, card)
	}
	if unused && today.After(lastDay) {
		r.Notes = append(r.Notes, fmt.Sprintf("未消费，但购卡后七日的期限已于 %s 届满，不适用七日内全额退款。",
			r.CoolingOffLastDay))
	}

	// Never negative, never more than was paid, whatever the working gave.
	r.DueFen = min(max(r.DueFen, 0), card.PaidFen)
	r.Notes = append(r.Notes, cardLimitNotes(card)...)
	r.ClaimFen = claimFen
	if claimFen > 0 && claimFen != r.DueFen {
		r.DifferenceFen = claimFen - r.DueFen
		more := "多"
		if r.DifferenceFen < 0 {
			more = "少"
		}
		r.Notes = append(r.Notes, fmt.Sprintf("消费者诉求 %s 元，比测算应退金额 %s 元%s %s 元。",
			money.Yuan(claimFen), money.Yuan(r.DueFen), more, money.Yuan(abs64(r.DifferenceFen))))
	}
	return r, nil
}

// checkRefundInput returns the day the card was bought, or the problems with the input.
func checkRefundInput(card Card, claimFen int64, asOf time.Time) (time.Time, []errs.FieldError) {
	var fe []errs.FieldError
	amount := func(name string, fen int64) {
		switch {
		case fen < 0:
			fe = append(fe, field(name, "金额不能为负数 (an amount cannot be negative)"))
		case fen > maxRefundFen:
			fe = append(fe, field(name, "金额超过 100,000,000,000.00 元，请核对 (amount too large)"))
		}
	}
	amount("card.face_value_fen", card.FaceValueFen)
	amount("card.paid_fen", card.PaidFen)
	amount("card.used_fen", card.UsedFen)
	amount("claim_fen", claimFen)

	switch card.Kind {
	case CardAnonymous, CardNamed, CardCourse, CardOther:
	default:
		fe = append(fe, field("card.type", fmt.Sprintf(
			"未知的卡类型 %q，应为 anonymous、named、course 或 other (unknown card type)", card.Kind)))
	}
	if faceOf(card) >= 0 && card.UsedFen > faceOf(card) && card.UsedFen <= maxRefundFen {
		fe = append(fe, field("card.used_fen",
			fmt.Sprintf("已消费金额 %s 元大于卡面值 %s 元 (used more than the face value)",
				money.Yuan(card.UsedFen), money.Yuan(faceOf(card)))))
	}

	switch {
	case card.Lessons < 0 || card.Lessons > maxLessons:
		fe = append(fe, field("card.lessons", "课时数应在 0 至 100000 之间 (lessons out of range)"))
	case card.Kind == CardCourse && card.Lessons == 0:
		fe = append(fe, field("card.lessons", "按课时销售的课程须填写总课时 (a course needs its number of lessons)"))
	}
	switch {
	case card.LessonsUsed < 0:
		fe = append(fe, field("card.lessons_used", "已上课时不能为负数 (lessons used cannot be negative)"))
	case card.LessonsUsed > card.Lessons:
		fe = append(fe, field("card.lessons_used",
			fmt.Sprintf("已上课时 %d 大于总课时 %d (more lessons used than bought)", card.LessonsUsed, card.Lessons)))
	}

	bought, err := time.ParseInLocation(time.DateOnly, strings.TrimSpace(card.BoughtOn), workday.Zone)
	switch {
	case err != nil:
		fe = append(fe, field("card.bought_on", "购卡日期应为 2006-01-02 格式的日期 (bought_on is not a date)"))
	case bought.After(workday.Day(asOf)):
		fe = append(fe, field("card.bought_on", fmt.Sprintf("购卡日期 %s 晚于测算日 %s (bought_on is in the future)",
			card.BoughtOn, workday.Day(asOf).Format(time.DateOnly))))
	}
	return bought, fe
}

// faceOf is the card's face value; a card without one is taken at what was paid.
func faceOf(card Card) int64 {
	if card.FaceValueFen == 0 {
		return card.PaidFen
	}
	return card.FaceValueFen
}

// coolingOffRefund is the full refund of an unused card within seven days of purchase.
func coolingOffRefund(r *Refund, card Card, bought, today time.Time) {
	r.Method = RefundCoolingOff
	r.Basis = "《北京市单用途预付卡管理条例》：购卡后七日内未消费的，消费者可以要求退卡，" +
		"经营者应当在五日内全额退还已付款项。"
	r.DueFen = card.PaidFen
	r.Steps = []Step{{
		Label: "七日内未消费，全额退款",
		Expression: fmt.Sprintf("购卡日 %s（当日不计入），期满日 %s，测算日 %s，已消费 0.00 元；"+
			"应退金额 = 已付金额 = %s 元",
			bought.Format(time.DateOnly), r.CoolingOffLastDay, today.Format(time.DateOnly), money.Yuan(card.PaidFen)),
		ResultFen: card.PaidFen,
	}}
}

// courseRefund is what was paid for the lessons not taken, the fraction of a fen to the
// consumer.
func courseRefund(r *Refund, card Card) {
	r.Method = RefundCourse
	r.Basis = "按课时销售的课程：按未上课时占总课时的比例退还已付金额。"
	left := int64(card.Lessons - card.LessonsUsed)
	due, exact := divideUp(card.PaidFen*left, int64(card.Lessons))
	expr := fmt.Sprintf("已付金额 × （总课时 − 已上课时） ÷ 总课时 = %s × （%d − %d） ÷ %d = %s 元",
		money.Yuan(card.PaidFen), card.Lessons, card.LessonsUsed, card.Lessons, exact)
	if !isExact(exact) {
		expr += "，不足一分的尾数进一分 = " + money.Yuan(due) + " 元"
	}
	r.DueFen = due
	r.Steps = []Step{{Label: "按剩余课时折算应退金额", Expression: expr, ResultFen: due}}
}

// storedValueRefund is what was paid less the value used, converted at paid ÷ face value for
// a card sold at a discount.
func storedValueRefund(r *Refund, card Card) {
	r.Method = RefundStoredValue
	face := faceOf(card)
	if face <= card.PaidFen {
		r.Basis = "储值卡：退还已付金额扣除已消费金额后的余额。"
		r.DueFen = card.PaidFen - card.UsedFen
		r.Steps = []Step{{
			Label: "应退金额",
			Expression: fmt.Sprintf("已付金额 − 已消费金额 = %s − %s = %s 元",
				money.Yuan(card.PaidFen), money.Yuan(card.UsedFen), money.Yuan(r.DueFen)),
			ResultFen: r.DueFen,
		}}
		return
	}

	r.Basis = "折扣储值卡：已消费的面值按实付金额与面值之比折算为实付金额，退还已付金额扣除折算后已消费金额的余额。"
	used, exact := divideDown(new(big.Int).Mul(big.NewInt(card.UsedFen), big.NewInt(card.PaidFen)), face)
	expr := fmt.Sprintf("已消费面值 × 实付金额 ÷ 面值 = %s × %s ÷ %s = %s 元",
		money.Yuan(card.UsedFen), money.Yuan(card.PaidFen), money.Yuan(face), exact)
	if !isExact(exact) {
		expr += "，舍去不足一分的尾数 = " + money.Yuan(used) + " 元"
	}
	r.DueFen = card.PaidFen - used
	r.Steps = []Step{
		{Label: "已消费金额按实付比例折算", Expression: expr, ResultFen: used},
		{
			Label: "应退金额",
			Expression: fmt.Sprintf("实付金额 − 折算后已消费金额 = %s − %s = %s 元",
				money.Yuan(card.PaidFen), money.Yuan(used), money.Yuan(r.DueFen)),
			ResultFen: r.DueFen,
		},
	}
}

// cardLimitNotes points out a card above the limits of 商务部《单用途商业预付卡管理办法（试
// 行）》; it does not change the refund.
func cardLimitNotes(card Card) []string {
	face := faceOf(card)
	switch {
	case card.Kind == CardAnonymous && face > anonymousCardLimitFen:
		return []string{fmt.Sprintf("该不记名卡面值 %s 元，超过单张不记名卡 1,000.00 元的限额"+
			"（《单用途商业预付卡管理办法（试行）》第二十二条）。", money.Yuan(face))}
	case card.Kind == CardNamed && face > namedCardLimitFen:
		return []string{fmt.Sprintf("该记名卡面值 %s 元，超过单张记名卡 5,000.00 元的限额"+
			"（《单用途商业预付卡管理办法（试行）》第二十二条）。", money.Yuan(face))}
	}
	return nil
}

// divideDown returns num ÷ den in fen rounded down, and the exact quotient in yuan as text.
func divideDown(num *big.Int, den int64) (int64, string) {
	q, rem := new(big.Int).QuoRem(num, big.NewInt(den), new(big.Int))
	return q.Int64(), yuanExact(q.Int64(), rem.Int64(), den)
}

// divideUp returns num ÷ den in fen rounded up, and the exact quotient in yuan as text.
func divideUp(num, den int64) (int64, string) {
	q, rem := num/den, num%den
	text := yuanExact(q, rem, den)
	if rem > 0 {
		q++
	}
	return q, text
}

// yuanExact shows q + rem/den fen in yuan with the fraction of a fen written out, up to four
// more digits and then "…", as 266.664 or 666.6666…
func yuanExact(q, rem, den int64) string {
	text := money.Yuan(q)
	if rem == 0 {
		return text
	}
	for range 4 {
		rem *= 10
		text += string(rune('0' + rem/den))
		rem %= den
		if rem == 0 {
			return text
		}
	}
	return text + "…"
}

// isExact reports whether a yuanExact text is a whole number of fen.
func isExact(text string) bool {
	_, frac, _ := strings.Cut(text, ".")
	return len(frac) == 2
}

func abs64(n int64) int64 {
	if n < 0 {
		return -n
	}
	return n
}

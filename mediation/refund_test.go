package mediation

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"prepaidreg/internal/errs"
	"prepaidreg/internal/workday"
)

// refundAsOf is 2026-09-21 09:00 in Beijing.
var refundAsOf = time.Date(2026, 9, 21, 1, 0, 0, 0, time.UTC)

func TestComputeRefund(t *testing.T) {
	tests := []struct {
		name     string
		card     Card
		claimFen int64
		asOf     time.Time
		method   RefundMethod
		dueFen   int64
		steps    []Step
		notes    []string
	}{
		{
			name:   "stored value, no discount",
			card:   Card{Kind: CardNamed, FaceValueFen: 300000, PaidFen: 300000, UsedFen: 125000, BoughtOn: "2026-01-10"},
			method: RefundStoredValue, dueFen: 175000,
			steps: []Step{{"应退金额", "已付金额 − 已消费金额 = 3,000.00 − 1,250.00 = 1,750.00 元", 175000}},
		},
		{
			name:   "stored value without a face value is taken at what was paid",
			card:   Card{Kind: CardOther, PaidFen: 50001, UsedFen: 1, BoughtOn: "2026-01-10"},
			method: RefundStoredValue, dueFen: 50000,
			steps: []Step{{"应退金额", "已付金额 − 已消费金额 = 500.01 − 0.01 = 500.00 元", 50000}},
		},
		{
			name: "discount card, used value converted and its fraction of a fen dropped",
			// 33,333 × 80,000 ÷ 100,000 = 26,666.4 fen used → 26,666; 80,000 − 26,666 = 53,334.
			card:   Card{Kind: CardNamed, FaceValueFen: 100000, PaidFen: 80000, UsedFen: 33333, BoughtOn: "2026-03-01"},
			method: RefundStoredValue, dueFen: 53334,
			steps: []Step{
				{"已消费金额按实付比例折算", "已消费面值 × 实付金额 ÷ 面值 = 333.33 × 800.00 ÷ 1,000.00 = 266.664 元，" +
					"舍去不足一分的尾数 = 266.66 元", 26666},
				{"应退金额", "实付金额 − 折算后已消费金额 = 800.00 − 266.66 = 533.34 元", 53334},
			},
		},
		{
			name: "discount card, exact conversion",
			// 125,000 × 400,000 ÷ 500,000 = 100,000 fen used; 400,000 − 100,000 = 300,000.
			card: Card{Kind: CardNamed, FaceValueFen: 500000, PaidFen: 400000, UsedFen: 125000,
				BoughtOn: "2026-03-01"},
			method: RefundStoredValue, dueFen: 300000,
			steps: []Step{
				{"已消费金额按实付比例折算",
					"已消费面值 × 实付金额 ÷ 面值 = 1,250.00 × 4,000.00 ÷ 5,000.00 = 1,000.00 元", 100000},
				{"应退金额", "实付金额 − 折算后已消费金额 = 4,000.00 − 1,000.00 = 3,000.00 元", 300000},
			},
		},
		{
			name: "discount card, one fen used is worth less than a fen",
			// 1 × 200,000 ÷ 300,000 = 0.666… fen → 0; the whole 200,000 comes back.
			card:   Card{Kind: CardNamed, FaceValueFen: 300000, PaidFen: 200000, UsedFen: 1, BoughtOn: "2026-03-01"},
			method: RefundStoredValue, dueFen: 200000,
			steps: []Step{
				{"已消费金额按实付比例折算", "已消费面值 × 实付金额 ÷ 面值 = 0.01 × 2,000.00 ÷ 3,000.00 = 0.006666… 元，" +
					"舍去不足一分的尾数 = 0.00 元", 0},
				{"应退金额", "实付金额 − 折算后已消费金额 = 2,000.00 − 0.00 = 2,000.00 元", 200000},
			},
		},
		{
			name:   "discount card fully used",
			card:   Card{Kind: CardNamed, FaceValueFen: 300000, PaidFen: 200000, UsedFen: 300000, BoughtOn: "2026-03-01"},
			method: RefundStoredValue, dueFen: 0,
			steps: []Step{
				{"已消费金额按实付比例折算",
					"已消费面值 × 实付金额 ÷ 面值 = 3,000.00 × 2,000.00 ÷ 3,000.00 = 2,000.00 元", 200000},
				{"应退金额", "实付金额 − 折算后已消费金额 = 2,000.00 − 2,000.00 = 0.00 元", 0},
			},
		},
		{
			name: "course, exact",
			// 300,000 × 17 ÷ 24 = 5,100,000 ÷ 24 = 212,500.
			card:   Card{Kind: CardCourse, PaidFen: 300000, Lessons: 24, LessonsUsed: 7, BoughtOn: "2026-02-01"},
			method: RefundCourse, dueFen: 212500,
			steps: []Step{{"按剩余课时折算应退金额",
				"已付金额 × （总课时 − 已上课时） ÷ 总课时 = 3,000.00 × （24 − 7） ÷ 24 = 2,125.00 元", 212500}},
		},
		{
			name: "course, a third of a fen goes to the consumer",
			// 100,000 × 2 ÷ 3 = 66,666.67 fen → 66,667.
			card:   Card{Kind: CardCourse, PaidFen: 100000, Lessons: 3, LessonsUsed: 1, BoughtOn: "2026-02-01"},
			method: RefundCourse, dueFen: 66667,
			steps: []Step{{"按剩余课时折算应退金额",
				"已付金额 × （总课时 − 已上课时） ÷ 总课时 = 1,000.00 × （3 − 1） ÷ 3 = 666.666666… 元，" +
					"不足一分的尾数进一分 = 666.67 元", 66667}},
		},
		{
			name: "course, odd amount and seven lessons",
			// 99,999 × 5 = 499,995; ÷ 7 = 71,427 remainder 6 (71,427.857… fen) → 71,428.
			card:   Card{Kind: CardOther, PaidFen: 99999, Lessons: 7, LessonsUsed: 2, BoughtOn: "2026-02-01"},
			method: RefundCourse, dueFen: 71428,
			steps: []Step{{"按剩余课时折算应退金额",
				"已付金额 × （总课时 − 已上课时） ÷ 总课时 = 999.99 × （7 − 2） ÷ 7 = 714.278571… 元，" +
					"不足一分的尾数进一分 = 714.28 元", 71428}},
		},
		{
			name:   "course, every lesson taken",
			card:   Card{Kind: CardCourse, PaidFen: 100000, Lessons: 10, LessonsUsed: 10, BoughtOn: "2026-02-01"},
			method: RefundCourse, dueFen: 0,
			steps: []Step{{"按剩余课时折算应退金额",
				"已付金额 × （总课时 − 已上课时） ÷ 总课时 = 1,000.00 × （10 − 10） ÷ 10 = 0.00 元", 0}},
		},
		{
			name:   "cooling-off, on the seventh day",
			card:   Card{Kind: CardNamed, FaceValueFen: 100000, PaidFen: 80000, BoughtOn: "2026-09-14"},
			method: RefundCoolingOff, dueFen: 80000,
			steps: []Step{{"七日内未消费，全额退款", "购卡日 2026-09-14（当日不计入），期满日 2026-09-21，测算日 2026-09-21，" +
				"已消费 0.00 元；应退金额 = 已付金额 = 800.00 元", 80000}},
		},
		{
			name:   "cooling-off for an unused course",
			card:   Card{Kind: CardCourse, PaidFen: 360000, Lessons: 12, BoughtOn: "2026-09-20"},
			method: RefundCoolingOff, dueFen: 360000,
			steps: []Step{{"七日内未消费，全额退款", "购卡日 2026-09-20（当日不计入），期满日 2026-09-27，测算日 2026-09-21，" +
				"已消费 0.00 元；应退金额 = 已付金额 = 3,600.00 元", 360000}},
		},
		{
			name:   "cooling-off over on the eighth day",
			card:   Card{Kind: CardNamed, FaceValueFen: 80000, PaidFen: 80000, BoughtOn: "2026-09-13"},
			method: RefundStoredValue, dueFen: 80000,
			steps: []Step{{"应退金额", "已付金额 − 已消费金额 = 800.00 − 0.00 = 800.00 元", 80000}},
			notes: []string{"未消费，但购卡后七日的期限已于 2026-09-20 届满，不适用七日内全额退款。"},
		},
		{
			name: "days counted in Beijing: 16:30 UTC is the next day there",
			card: Card{Kind: CardNamed, PaidFen: 80000, BoughtOn: "2026-09-14"},
			asOf: time.Date(2026, 9, 21, 16, 30, 0, 0, time.UTC), method: RefundStoredValue, dueFen: 80000,
			steps: []Step{{"应退金额", "已付金额 − 已消费金额 = 800.00 − 0.00 = 800.00 元", 80000}},
			notes: []string{"未消费，但购卡后七日的期限已于 2026-09-21 届满，不适用七日内全额退款。"},
		},
		{
			name:     "claim above the amount due",
			card:     Card{Kind: CardNamed, PaidFen: 300000, UsedFen: 125000, BoughtOn: "2026-01-10"},
			claimFen: 200000, method: RefundStoredValue, dueFen: 175000,
			steps: []Step{{"应退金额", "已付金额 − 已消费金额 = 3,000.00 − 1,250.00 = 1,750.00 元", 175000}},
			notes: []string{"消费者诉求 2,000.00 元，比测算应退金额 1,750.00 元多 250.00 元。"},
		},
		{
			name:     "claim below the amount due, over-limit anonymous card",
			card:     Card{Kind: CardAnonymous, FaceValueFen: 200000, PaidFen: 200000, UsedFen: 0, BoughtOn: "2026-01-10"},
			claimFen: 123456, method: RefundStoredValue, dueFen: 200000,
			steps: []Step{{"应退金额", "已付金额 − 已消费金额 = 2,000.00 − 0.00 = 2,000.00 元", 200000}},
			notes: []string{
				"未消费，但购卡后七日的期限已于 2026-01-17 届满，不适用七日内全额退款。",
				"该不记名卡面值 2,000.00 元，超过单张不记名卡 1,000.00 元的限额（《单用途商业预付卡管理办法（试行）》第二十二条）。",
				"消费者诉求 1,234.56 元，比测算应退金额 2,000.00 元少 765.44 元。",
			},
		},
		{
			name:     "claim equal to the amount due",
			card:     Card{Kind: CardNamed, PaidFen: 300000, UsedFen: 125000, BoughtOn: "2026-01-10"},
			claimFen: 175000, method: RefundStoredValue, dueFen: 175000,
			steps: []Step{{"应退金额", "已付金额 − 已消费金额 = 3,000.00 − 1,250.00 = 1,750.00 元", 175000}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			asOf := tt.asOf
			if asOf.IsZero() {
				asOf = refundAsOf
			}
			got, err := ComputeRefund(tt.card, tt.claimFen, asOf)
			require.NoError(t, err)
			assert.Equal(t, tt.method, got.Method)
			assert.Equal(t, tt.dueFen, got.DueFen)
			assert.Equal(t, tt.steps, got.Steps)
			if tt.notes == nil {
				tt.notes = []string{}
			}
			assert.Equal(t, tt.notes, got.Notes)
			assert.Equal(t, refundRounding, got.Rounding)
			assert.NotEmpty(t, got.Basis)
			assert.Equal(t, tt.claimFen, got.ClaimFen)
			if tt.claimFen > 0 {
				assert.Equal(t, tt.claimFen-tt.dueFen, got.DifferenceFen)
			}
			assert.GreaterOrEqual(t, got.DueFen, int64(0))
			assert.LessOrEqual(t, got.DueFen, tt.card.PaidFen)
		})
	}
}

func TestComputeRefund_LastDayOfCoolingOff(t *testing.T) {
	got, err := ComputeRefund(Card{Kind: CardNamed, PaidFen: 1, BoughtOn: "2026-12-28"}, 0, refundAsOf.AddDate(0, 4, 0))
	require.NoError(t, err)
	assert.Equal(t, "2027-01-04", got.CoolingOffLastDay, "seven calendar days, across the year's end")
}

func TestComputeRefund_LargestAmountsStayExact(t *testing.T) {
	// 9,999,999,999,999 × 10,000,000,000,000 overflows int64; the conversion must not.
	card := Card{Kind: CardNamed, FaceValueFen: maxRefundFen, PaidFen: maxRefundFen - 1, UsedFen: maxRefundFen - 1,
		BoughtOn: "2026-01-01"}
	got, err := ComputeRefund(card, 0, refundAsOf)
	require.NoError(t, err)
	// used = (10^13 − 1)² ÷ 10^13 = 10^13 − 2 + 1/10^13 → 9,999,999,999,998; due = 1.
	assert.Equal(t, int64(maxRefundFen-2), got.Steps[0].ResultFen)
	assert.Equal(t, int64(1), got.DueFen)
}

func TestComputeRefund_Invalid(t *testing.T) {
	valid := Card{Kind: CardNamed, FaceValueFen: 100000, PaidFen: 80000, UsedFen: 1000, BoughtOn: "2026-09-01"}
	tests := []struct {
		name   string
		change func(c *Card)
		claim  int64
		fields []string
	}{
		{"negative amounts", func(c *Card) { c.PaidFen, c.UsedFen = -1, -5 }, -1,
			[]string{"card.paid_fen", "card.used_fen", "claim_fen"}},
		{"used more than the face value", func(c *Card) { c.UsedFen = 100001 }, 0, []string{"card.used_fen"}},
		{"used more than paid on a card without a face value", func(c *Card) {
			c.FaceValueFen, c.UsedFen = 0, 80001
		}, 0, []string{"card.used_fen"}},
		{"more lessons used than bought", func(c *Card) { c.Kind, c.Lessons, c.LessonsUsed = CardCourse, 10, 11 }, 0,
			[]string{"card.lessons_used"}},
		{"course without lessons", func(c *Card) { c.Kind = CardCourse }, 0, []string{"card.lessons"}},
		{"negative lessons", func(c *Card) { c.Lessons, c.LessonsUsed = -1, -1 }, 0,
			[]string{"card.lessons", "card.lessons_used"}},
		{"bought in the future", func(c *Card) { c.BoughtOn = "2026-09-22" }, 0, []string{"card.bought_on"}},
		{"bought on no date", func(c *Card) { c.BoughtOn = "2026-02-30" }, 0, []string{"card.bought_on"}},
		{"no purchase date", func(c *Card) { c.BoughtOn = "" }, 0, []string{"card.bought_on"}},
		{"paid above 10^13 fen", func(c *Card) { c.PaidFen, c.FaceValueFen = maxRefundFen+1, maxRefundFen+1 }, 0,
			[]string{"card.face_value_fen", "card.paid_fen"}},
		{"unknown card type", func(c *Card) { c.Kind = "gift" }, 0, []string{"card.type"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			card := valid
			tt.change(&card)
			_, err := ComputeRefund(card, tt.claim, refundAsOf)
			require.Error(t, err)
			assert.Equal(t, errs.Invalid, errs.KindOf(err))
			assert.Equal(t, tt.fields, fieldNames(err))
		})
	}
	_, err := ComputeRefund(valid, 0, time.Date(2026, 9, 1, 0, 0, 0, 0, workday.Zone))
	require.NoError(t, err, "bought on the day of the computation")
}

package funds

import (
	"fmt"
	"math/bits"
	"slices"
	"strings"

	"prepaidreg/internal/errs"
	"prepaidreg/internal/money"
)

// Limits of a refund allocation. With at most 100,000 claims of at most 10^13 fen each, the
// total verified stays below 10^18 fen and fits an int64; the products available × verified
// (up to 10^26) are worked out in 128 bits.
const (
	// MaxRefundClaims is the most claims one refund plan may share funds among.
	MaxRefundClaims = 100_000
	// MaxRefundFen bounds the funds available and every claim: 10^13 fen, a hundred billion
	// yuan, the ledger's largest single amount.
	MaxRefundFen int64 = 10_000_000_000_000
)

// allocMaxFieldErrors caps the field errors one refusal lists; the rest are counted.
const allocMaxFieldErrors = 50

// The sources a refund claim may come from.
const (
	ClaimFromComplaint = "complaint"
	ClaimFromMediation = "mediation"
	ClaimFromImport    = "import"
)

// The allocation rules, as Allocation.Rule states them: Chinese for the documents, English
// after it for everyone else.
const (
	allocRuleFullZH = "可分配资金足以支付全部核实金额：每项申请按核实金额全额退款，结余不作分配。"
	allocRuleFullEN = "The funds available cover every verified amount: each claim is refunded its " +
		"verified amount in full, and the surplus is not allocated."
	allocRuleProRataZH = "可分配资金不足以支付全部核实金额：按各项申请核实金额占核实总额的比例分配，" +
		"每项先得“可分配资金×核实金额÷核实总额”舍去不足一分的部分；" +
		"舍去后剩余的若干分，按各项被舍去的尾数从大到小，每项加一分，直至分完；" +
		"尾数相同的，核实金额较小的优先；仍相同的，按申请编号顺序。" +
		"各项分配金额之和等于可分配资金，且任何一项都不超过其核实金额。"
	allocRuleProRataEN = "The funds available do not cover every verified amount: each claim first " +
		"receives available × verified ÷ total verified, rounded down to the fen; the fen left over " +
		"go one each to the claims with the largest remainders dropped by that rounding, equal " +
		"remainders to the smaller verified amount first, then to the smaller claim id. The shares " +
		"add up exactly to the funds available, and none exceeds its verified amount."
)

// RefundClaim is one consumer's claim on the funds of a refund plan: what they asked for and
// what the regulator verified they are owed (the unused prepaid balance on record).
type RefundClaim struct {
	ID            string `json:"id"`
	ConsumerName  string `json:"consumer_name"`
	ConsumerPhone string `json:"consumer_phone"`
	ClaimFen      int64  `json:"claim_fen"`
	VerifiedFen   int64  `json:"verified_fen"`
	// Source is where the claim came from: complaint, mediation or import.
	Source string `json:"source"`
}

// Share is what one claim receives under an allocation.
type Share struct {
	ClaimID     string `json:"claim_id"`
	ClaimFen    int64  `json:"claim_fen"`
	VerifiedFen int64  `json:"verified_fen"`
	ShareFen    int64  `json:"share_fen"`
	// RemainderFen is the fen of the rounding remainder this claim received, 0 or 1; it is
	// included in ShareFen.
	RemainderFen int64 `json:"remainder_fen"`
	// Note says when the share was worked out on something other than what was asked.
	Note string `json:"note,omitempty"`
}

// Allocation is how the funds available to a refund plan are shared among its claims. The
// shares are in the order of the claims, and add up to AvailableFen when the funds fall short
// (Full false, ShortfallFen > 0) or to TotalVerifiedFen when they suffice (Full true, the rest
// in SurplusFen).
type Allocation struct {
	AvailableFen     int64   `json:"available_fen"`
	TotalVerifiedFen int64   `json:"total_verified_fen"`
	Full             bool    `json:"full"`
	SurplusFen       int64   `json:"surplus_fen"`
	ShortfallFen     int64   `json:"shortfall_fen"`
	Shares           []Share `json:"shares"`
	// Rule states in words, Chinese then English, how the shares were worked out.
	Rule string `json:"rule"`
}

// RuleZH returns the Chinese part of the allocation's rule, as a document prints it.
func (a Allocation) RuleZH() string {
	if a.Full {
		return allocRuleFullZH
	}
	return allocRuleProRataZH
}

// AllocateRefunds shares availableFen, the money held in the supervised account plus what
// insurance pays, among the claims of a refund plan.
//
// Every share is worked out on the claim's verified amount. A claim that asks for more than
// was verified (claim_fen > verified_fen) is refused with the whole plan, naming the claim:
// a refund plan whose claims exceed the consumers' verified amounts is not accepted, and the
// claim must be corrected or its verification redone. A claim that asks for less than was
// verified is allocated on the verified amount, and its share says so in Note.
//
// When the funds cover the total verified, each claim receives its verified amount in full
// and the rest is SurplusFen. Otherwise each claim receives
//
//	floor(available × verified / total verified)
//
// in exact integer arithmetic, and the R fen left over (0 ≤ R < number of claims) go one each
// to the R claims with the largest remainder (available × verified mod total verified); equal
// remainders go to the smaller verified amount first, a fen being worth more to a small
// claim, and then to the smaller claim id (byte order), so the result depends only on the
// claims and not on their order. The shares then add up to availableFen exactly, and none
// exceeds its verified amount.
//
// Refused as Invalid, one field error per problem (such as claims[3].verified_fen): funds
// not above zero or above MaxRefundFen; no claims or more than MaxRefundClaims; a claim with
// no id, a repeated id, an unknown source, or an amount asked or verified not above zero or
// above MaxRefundFen.
func AllocateRefunds(availableFen int64, claims []RefundClaim) (Allocation, error) {
	const op = "funds.AllocateRefunds"
	total, fe := allocCheck(availableFen, claims)
	if len(fe) > 0 {
		return Allocation{}, errs.Fields(op, fe...)
	}

	a := Allocation{AvailableFen: availableFen, TotalVerifiedFen: total, Shares: make([]Share, len(claims))}
	for i, c := range claims {
		a.Shares[i] = Share{ClaimID: c.ID, ClaimFen: c.ClaimFen, VerifiedFen: c.VerifiedFen}
		if c.ClaimFen < c.VerifiedFen {
			a.Shares[i].Note = "核实金额高于申请金额，按核实金额分配 " +
				"(verified above the amount asked: allocated on the verified amount)"
		}
	}

	if availableFen >= total {
		a.Full, a.SurplusFen = true, availableFen-total
		a.Rule = allocRuleFullZH + " (" + allocRuleFullEN + ")"
		for i := range a.Shares {
			a.Shares[i].ShareFen = a.Shares[i].VerifiedFen
		}
		return a, nil
	}

	a.ShortfallFen = total - availableFen
	a.Rule = allocRuleProRataZH + " (" + allocRuleProRataEN + ")"
	allocProRata(a.Shares, availableFen, total)
	return a, nil
}

// allocProRata fills the shares of available < total: the floor of each exact quota, then
// one fen each to the largest remainders (Hamilton's largest-remainder method).
func allocProRata(shares []Share, available, total int64) {
	rems := make([]uint64, len(shares))
	left := available
	for i := range shares {
		// available × verified < total × 2^64, so the high word is below total and Div64
		// cannot overflow.
		hi, lo := bits.Mul64(uint64(available), uint64(shares[i].VerifiedFen))
		q, r := bits.Div64(hi, lo, uint64(total))
		shares[i].ShareFen = int64(q)
		rems[i] = r
		left -= int64(q)
	}
	if left == 0 {
		return
	}

	order := make([]int, len(shares))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(x, y int) int {
		switch {
		case rems[x] != rems[y]:
			return allocCompareDesc(rems[x], rems[y])
		case shares[x].VerifiedFen != shares[y].VerifiedFen:
			return allocCompareDesc(uint64(shares[y].VerifiedFen), uint64(shares[x].VerifiedFen))
		}
		return strings.Compare(shares[x].ClaimID, shares[y].ClaimID)
	})
	// The remainders add up to left × total, each below total, so the first left claims
	// all have a remainder above zero.
	for _, i := range order[:left] {
		shares[i].ShareFen++
		shares[i].RemainderFen = 1
	}
}

// allocCompareDesc orders larger values first.
func allocCompareDesc(x, y uint64) int {
	switch {
	case x > y:
		return -1
	case x < y:
		return 1
	}
	return 0
}

// allocCheck checks the funds and the claims and returns the total verified.
func allocCheck(available int64, claims []RefundClaim) (int64, []errs.FieldError) {
	var fe []errs.FieldError
	if msg := allocAmountProblem(available); msg != "" {
		fe = append(fe, allocField("available_fen", "可分配资金"+msg))
	}
	switch {
	case len(claims) == 0:
		return 0, append(fe, allocField("claims", "退款方案至少须有一项申请 (a refund plan needs at least one claim)"))
	case len(claims) > MaxRefundClaims:
		return 0, append(fe, allocField("claims", fmt.Sprintf(
			"一个退款方案最多 %d 项申请，收到 %d 项 (at most %d claims, got %d)",
			MaxRefundClaims, len(claims), MaxRefundClaims, len(claims))))
	}

	var total int64
	more := 0
	seen := make(map[string]int, len(claims))
	for i, c := range claims {
		problems := allocClaimProblems(i, c, seen)
		if len(fe)+len(problems) > allocMaxFieldErrors {
			more += len(problems)
			continue
		}
		fe = append(fe, problems...)
		if len(problems) == 0 {
			total += c.VerifiedFen
		}
	}
	if more > 0 {
		fe = append(fe,
			allocField("claims", fmt.Sprintf("另有 %d 处错误未列出 (%d more problems not listed)", more, more)))
	}
	return total, fe
}

// allocClaimProblems checks claim i; seen maps the ids met so far to their index.
func allocClaimProblems(i int, c RefundClaim, seen map[string]int) []errs.FieldError {
	var fe []errs.FieldError
	name := func(f string) string { return fmt.Sprintf("claims[%d].%s", i, f) }

	switch id := strings.TrimSpace(c.ID); {
	case id == "":
		fe = append(fe, allocField(name("id"), "须有申请编号 (the claim id is required)"))
	case id != c.ID:
		fe = append(fe, allocField(name("id"), "申请编号前后不能有空格 (the claim id has spaces around it)"))
	default:
		if j, dup := seen[c.ID]; dup {
			fe = append(fe, allocField(name("id"), fmt.Sprintf(
				"申请编号 %s 与第 %d 项重复 (claim id %s repeats claims[%d])", c.ID, j+1, c.ID, j)))
		} else {
			seen[c.ID] = i
		}
	}
	switch c.Source {
	case ClaimFromComplaint, ClaimFromMediation, ClaimFromImport:
	default:
		fe = append(fe, allocField(name("source"), fmt.Sprintf(
			"未知来源 %q，应为 complaint、mediation 或 import (unknown source)", c.Source)))
	}

	claimMsg, verifiedMsg := allocAmountProblem(c.ClaimFen), allocAmountProblem(c.VerifiedFen)
	if claimMsg != "" {
		fe = append(fe, allocField(name("claim_fen"), "申请金额"+claimMsg))
	}
	if verifiedMsg != "" {
		fe = append(fe, allocField(name("verified_fen"), "核实金额"+verifiedMsg))
	}
	if claimMsg == "" && verifiedMsg == "" && c.ClaimFen > c.VerifiedFen {
		fe = append(fe, allocField(name("claim_fen"), fmt.Sprintf(
			"申请 %s 的申请金额 %s 元超过核实金额 %s 元，退款方案不予受理 "+
				"(claim %s asks for more than its verified amount: claims exceed the consumers' verified amounts)",
			c.ID, money.Yuan(c.ClaimFen), money.Yuan(c.VerifiedFen), c.ID)))
	}
	return fe
}

// allocAmountProblem says what is wrong with an amount, or "" when it is above zero and at
// most MaxRefundFen.
func allocAmountProblem(fen int64) string {
	switch {
	case fen <= 0:
		return "须大于零 (must be more than zero)"
	case fen > MaxRefundFen:
		return fmt.Sprintf("不能超过 %s 元 (must be at most %d fen)", money.Yuan(MaxRefundFen), MaxRefundFen)
	}
	return ""
}

func allocField(name, msg string) errs.FieldError { return errs.FieldError{Field: name, Message: msg} }

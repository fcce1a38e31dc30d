package funds

import (
	"fmt"
	"strings"
	"time"

	"prepaidreg/internal/errs"
)

// CoverKind is what covers part of a deposit requirement.
type CoverKind string

// The cover kinds: a performance-bond insurance policy (履约保证保险) or a bank guarantee
// (银行保函).
const (
	CoverInsurance     CoverKind = "insurance"
	CoverBankGuarantee CoverKind = "bank_guarantee"
)

// Valid reports whether k is one of the kinds.
func (k CoverKind) Valid() bool { return k == CoverInsurance || k == CoverBankGuarantee }

// MaxCovers is the most covers one account keeps; they live in the account document.
const MaxCovers = 50

// Cover is an insurance policy or a bank guarantee that covers part or all of an account's
// required deposit from ValidFrom to ValidTo, both days included.
type Cover struct {
	Kind         CoverKind `json:"kind" bson:"kind"`
	Insurer      string    `json:"insurer" bson:"insurer"`
	PolicyNumber string    `json:"policy_number" bson:"policy_number"`
	CoveredFen   int64     `json:"covered_fen" bson:"covered_fen"`
	ValidFrom    string    `json:"valid_from" bson:"valid_from"`
	ValidTo      string    `json:"valid_to" bson:"valid_to"`
	AddedAt      time.Time `json:"added_at" bson:"added_at"`
	AddedBy      string    `json:"added_by" bson:"added_by"`
}

// CoverInput is what adding a cover takes. Dates are days, "2006-01-02".
type CoverInput struct {
	Kind         CoverKind `json:"kind"`
	Insurer      string    `json:"insurer"`
	PolicyNumber string    `json:"policy_number"`
	CoveredFen   int64     `json:"covered_fen"`
	ValidFrom    string    `json:"valid_from"`
	ValidTo      string    `json:"valid_to"`
}

// coverOf checks a cover's input and builds it.
func coverOf(in CoverInput, by string, now time.Time) (Cover, []errs.FieldError) {
	var fe []errs.FieldError
	if !in.Kind.Valid() {
		fe = append(fe,
			field("kind", fmt.Sprintf("未知保障方式 %q，应为 insurance 或 bank_guarantee (unknown kind)", in.Kind)))
	}
	insurer, number := strings.TrimSpace(in.Insurer), strings.TrimSpace(in.PolicyNumber)
	fe = append(fe, checkText("insurer", insurer, true, maxNameRunes, "保险公司或银行 (the insurer or bank)")...)
	fe = append(fe, checkText("policy_number", number, true, 64, "保单号或保函编号 (the policy number)")...)
	if msg := amountProblem(in.CoveredFen); msg != "" {
		fe = append(fe, field("covered_fen", msg))
	}
	from, ffe := parseDate("valid_from", in.ValidFrom, "生效日期 (the first valid day)")
	to, tfe := parseDate("valid_to", in.ValidTo, "到期日期 (the last valid day)")
	fe = append(append(fe, ffe...), tfe...)
	if ffe == nil && tfe == nil && to < from {
		fe = append(fe, field("valid_to", "到期日期早于生效日期 (valid_to is before valid_from)"))
	}
	c := Cover{Kind: in.Kind, Insurer: insurer, PolicyNumber: number, CoveredFen: in.CoveredFen,
		ValidFrom: from, ValidTo: to, AddedAt: now, AddedBy: by}
	return c, fe
}

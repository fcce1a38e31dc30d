package funds

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"

	"prepaidreg/internal/errs"
	"prepaidreg/internal/money"
)

// EntryType says what a ledger entry moved.
type EntryType string

// The entry types and what each does to the balances.
const (
	// EntrySale reports prepaid sales: outstanding +.
	EntrySale EntryType = "sale"
	// EntryDeposit is money paid into the supervised account: held +.
	EntryDeposit EntryType = "deposit"
	// EntryRelease is money paid out to the enterprise as services are delivered: held −,
	// outstanding −, released +.
	EntryRelease EntryType = "release"
	// EntryRefund is money paid back to consumers: held −, outstanding −.
	EntryRefund EntryType = "refund"
	// EntryInterest is interest the bank credits: held +.
	EntryInterest EntryType = "interest"
	// EntryCorrection reverses in full the entry it names in Corrects; the right amount is
	// then posted as a new entry.
	EntryCorrection EntryType = "correction"
)

// Valid reports whether t is one of the types.
func (t EntryType) Valid() bool {
	switch t {
	case EntrySale, EntryDeposit, EntryRelease, EntryRefund, EntryInterest, EntryCorrection:
		return true
	}
	return false
}

// MaxAmountFen is the largest amount one entry may carry: 10^13 fen, a hundred billion yuan.
const MaxAmountFen int64 = 10_000_000_000_000

// MaxBalanceFen bounds every balance (10^17 fen) so that sums over accounts stay far from
// int64 overflow.
const MaxBalanceFen int64 = 10_000 * MaxAmountFen

// Currency is the only currency the ledger keeps.
const Currency = "CNY"

// Entry is one immutable movement of money in an account's ledger. Its id is the account's
// id and the poster's idempotency key, so the same entry cannot be stored twice; Seq numbers
// the account's entries from 1 without gaps.
type Entry struct {
	ID         string    `json:"id" bson:"_id"`
	AccountID  string    `json:"account_id" bson:"account_id"`
	Seq        int64     `json:"seq" bson:"seq"`
	Type       EntryType `json:"type" bson:"type"`
	AmountFen  int64     `json:"amount_fen" bson:"amount_fen"`
	Currency   string    `json:"currency" bson:"currency"`
	Reference  string    `json:"reference" bson:"reference"`
	OccurredAt time.Time `json:"occurred_at" bson:"occurred_at"`
	Corrects   string    `json:"corrects,omitempty" bson:"corrects,omitempty"`
	// Plan is the refund plan a refund on a frozen account is paid under.
	Plan string `json:"plan,omitempty" bson:"plan,omitempty"`
	// PlanClaim is the claim of that plan the refund pays.
	PlanClaim string `json:"plan_claim,omitempty" bson:"plan_claim,omitempty"`

	IdempotencyKey string `json:"idempotency_key" bson:"idempotency_key"`
	// BodyHash identifies the request body the key was first used with.
	BodyHash string    `json:"-" bson:"body_hash"`
	PostedAt time.Time `json:"posted_at" bson:"posted_at"`
	PostedBy string    `json:"posted_by" bson:"posted_by"`
}

func (e *Entry) target() string { return "fund_entry/" + e.ID }

// EntryInput is what posting an entry takes.
type EntryInput struct {
	Type      EntryType `json:"type"`
	AmountFen int64     `json:"amount_fen"`
	// Currency defaults to CNY, the only one accepted.
	Currency  string `json:"currency,omitempty"`
	Reference string `json:"reference"`
	// OccurredAt defaults to the time of posting; it may not be in the future.
	OccurredAt time.Time `json:"occurred_at"`
	// Corrects names the entry a correction reverses. A correction's amount may be left at
	// zero; given, it must be the corrected entry's.
	Corrects string `json:"corrects,omitempty"`
	// Plan names the refund plan a refund on a frozen account is paid under.
	Plan string `json:"plan,omitempty"`
	// PlanClaim names the claim of that plan the refund pays.
	PlanClaim string `json:"plan_claim,omitempty"`
}

// Effect is what an entry does to an account's balances.
type Effect struct {
	Held, Outstanding, Released int64
}

// effectOf returns the effect of an entry of type t and amount; a correction's effect is the
// corrected entry's, negated, and is worked out by the caller.
func effectOf(t EntryType, amount int64) Effect {
	switch t {
	case EntrySale:
		return Effect{Outstanding: amount}
	case EntryDeposit, EntryInterest:
		return Effect{Held: amount}
	case EntryRelease:
		return Effect{Held: -amount, Outstanding: -amount, Released: amount}
	case EntryRefund:
		return Effect{Held: -amount, Outstanding: -amount}
	}
	return Effect{}
}

func (e Effect) negate() Effect { return Effect{-e.Held, -e.Outstanding, -e.Released} }

// Balances are an account's figures as the ledger makes them.
type Balances struct {
	HeldFen, OutstandingFen, ReleasedFen int64
	AppliedSeq                           int64
}

func (b Balances) add(e Effect, seq int64) Balances {
	return Balances{b.HeldFen + e.Held, b.OutstandingFen + e.Outstanding, b.ReleasedFen + e.Released, seq}
}

func balancesOf(a *Account) Balances {
	return Balances{a.HeldFen, a.OutstandingFen, a.ReleasedFen, a.AppliedSeq}
}

func (b Balances) setOn(a *Account) {
	a.HeldFen, a.OutstandingFen, a.ReleasedFen, a.AppliedSeq = b.HeldFen, b.OutstandingFen, b.ReleasedFen, b.AppliedSeq
}

// maxKeyLength bounds an idempotency key.
const maxKeyLength = 100

// checkKey checks an idempotency key: 1 to 100 printable ASCII characters.
func checkKey(key string) *errs.FieldError {
	if key == "" || len(key) > maxKeyLength {
		f := field("idempotency_key", fmt.Sprintf(
			"须提供1至%d个字符的幂等键 (an Idempotency-Key of 1 to %d characters is required)",
			maxKeyLength, maxKeyLength))
		return &f
	}
	for i := 0; i < len(key); i++ {
		if key[i] < 0x20 || key[i] > 0x7e {
			f := field("idempotency_key", "幂等键只能包含可打印的ASCII字符 (printable ASCII characters only)")
			return &f
		}
	}
	return nil
}

// amountProblem says what is wrong with an amount in fen, or "" when nothing is.
func amountProblem(fen int64) string {
	switch {
	case fen < 0:
		return "金额不能为负数 (the amount is negative)"
	case fen == 0:
		return "金额须大于零 (the amount is zero)"
	case fen > MaxAmountFen:
		return fmt.Sprintf("金额不能超过%s元 (the amount is over %s yuan)",
			money.Yuan(MaxAmountFen), money.Yuan(MaxAmountFen))
	}
	return ""
}

// checkEntry checks what needs no store and returns the input with its defaults applied.
func checkEntry(in EntryInput, now time.Time) (EntryInput, []errs.FieldError) {
	var fe []errs.FieldError
	if !in.Type.Valid() {
		fe = append(fe, field("type", fmt.Sprintf(
			"未知类型 %q，应为 sale、deposit、release、refund、interest 或 correction (unknown entry type)", in.Type)))
	}
	if in.Type == EntryCorrection {
		if in.AmountFen != 0 {
			if msg := amountProblem(in.AmountFen); msg != "" {
				fe = append(fe, field("amount_fen", msg))
			}
		}
		if in.Corrects == "" {
			fe = append(fe, field("corrects", "更正须指明被更正的记录 (a correction names the entry it corrects)"))
		}
	} else {
		if msg := amountProblem(in.AmountFen); msg != "" {
			fe = append(fe, field("amount_fen", msg))
		}
		if in.Corrects != "" {
			fe = append(fe, field("corrects", "只有更正记录可以指明被更正的记录 (only a correction names an entry)"))
		}
	}

	in.Currency = strings.ToUpper(strings.TrimSpace(in.Currency))
	if in.Currency == "" {
		in.Currency = Currency
	}
	if in.Currency != Currency {
		fe = append(fe, field("currency", "只接受人民币 CNY (only CNY is accepted)"))
	}
	in.Reference = strings.TrimSpace(in.Reference)
	fe = append(fe, checkText("reference", in.Reference, false, 200, "凭证号 (the reference)")...)
	in.Plan = strings.TrimSpace(in.Plan)
	fe = append(fe, checkText("plan", in.Plan, false, 64, "退款计划 (the refund plan)")...)
	if in.Plan != "" && in.Type != EntryRefund {
		fe = append(fe, field("plan", "只有退款记录可以指明退款计划 (only a refund names a refund plan)"))
	}

	if in.OccurredAt.IsZero() {
		in.OccurredAt = now
	}
	in.OccurredAt = in.OccurredAt.UTC().Truncate(time.Millisecond)
	if in.OccurredAt.After(now) {
		fe = append(fe, field("occurred_at", "发生时间不能晚于当前时间 (occurred_at is in the future)"))
	}
	return in, fe
}

// bodyHash identifies a request body: the same key with another body is refused. It is taken
// of the input as sent, before defaults, so that a replay hashes alike whenever it comes.
func bodyHash(in EntryInput) string {
	currency := strings.ToUpper(strings.TrimSpace(in.Currency))
	if currency == "" {
		currency = Currency
	}
	occurred := ""
	if !in.OccurredAt.IsZero() {
		occurred = in.OccurredAt.UTC().Truncate(time.Millisecond).Format(time.RFC3339Nano)
	}
	h := sha256.New()
	for _, f := range []string{string(in.Type), strconv.FormatInt(in.AmountFen, 10), currency,
		strings.TrimSpace(in.Reference), occurred, in.Corrects, strings.TrimSpace(in.Plan)} {
		// Length-prefixing keeps field boundaries unambiguous.
		fmt.Fprintf(h, "%d:%s;", len(f), f)
	}
	// Only when set, so that the hashes of entries posted before the field existed hold.
	if in.PlanClaim != "" {
		fmt.Fprintf(h, "plan_claim=%d:%s;", len(in.PlanClaim), in.PlanClaim)
	}
	return hex.EncodeToString(h.Sum(nil))
}

package funds

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"prepaidreg/internal/errs"
	"prepaidreg/internal/workday"
	"prepaidreg/registry"
)

// Tier is the class of issuer that decides the share of the outstanding prepaid balance an
// enterprise keeps in its supervised account.
type Tier string

// The tiers. The national shares are those of 商务部《单用途商业预付卡管理办法（试行）》 (2012) for
// 规模 (scale), 集团 (group) and 品牌 (brand) issuers: 20, 30 and 40 per cent; Beijing's 40 per
// cent is the local rule of 《北京市单用途预付卡管理条例》 and the default (DESIGN.md, "Deposits").
const (
	TierScale   Tier = "scale"
	TierGroup   Tier = "group"
	TierBrand   Tier = "brand"
	TierBeijing Tier = "beijing"
)

// DefaultTier is the tier of an account opened without one.
const DefaultTier = TierBeijing

var tierShares = map[Tier]int{TierScale: 20, TierGroup: 30, TierBrand: 40, TierBeijing: 40}

// SharePercent returns the tier's required share in per cent, or 0 for an unknown tier.
func (t Tier) SharePercent() int { return tierShares[t] }

// Valid reports whether t is one of the tiers.
func (t Tier) Valid() bool { return tierShares[t] > 0 }

// AccountState says whether an account takes entries.
type AccountState string

// The account states. An account is opened open; closing it is later work.
const (
	AccountOpen   AccountState = "open"
	AccountClosed AccountState = "closed"
)

// Account is a supervised bank account (存管账户) of one enterprise, with its covers, its
// freeze, and its balances as cached from the ledger.
//
// The account is the one versioned document of the module: opening it is version 1, and every
// change (a cover added, a freeze, an unfreeze, the balances moved by a posted entry or fixed by
// Reconcile) raises the version by one and has its audit record. Ledger entries are immutable
// and carry no version; each has its own "fund_entry.post" record.
type Account struct {
	ID                   string        `json:"id" bson:"_id"`
	USCC                 registry.USCC `json:"uscc" bson:"uscc"`
	Bank                 string        `json:"bank" bson:"bank"`
	Branch               string        `json:"branch" bson:"branch"`
	AccountNumber        string        `json:"account_number" bson:"account_number"`
	AgreementDate        string        `json:"agreement_date" bson:"agreement_date"`
	Tier                 Tier          `json:"tier" bson:"tier"`
	RequiredSharePercent int           `json:"required_share_percent" bson:"required_share_percent"`
	State                AccountState  `json:"state" bson:"state"`
	Frozen               bool          `json:"frozen" bson:"frozen"`
	Freeze               *Freeze       `json:"freeze,omitempty" bson:"freeze,omitempty"`
	Covers               []Cover       `json:"covers" bson:"covers"`

	// HeldFen, OutstandingFen and ReleasedFen are the balances of the ledger's entries up to
	// AppliedSeq, cached here so that reading them costs one read.
	HeldFen        int64 `json:"held_fen" bson:"held_fen"`
	OutstandingFen int64 `json:"outstanding_fen" bson:"outstanding_fen"`
	ReleasedFen    int64 `json:"released_fen" bson:"released_fen"`
	AppliedSeq     int64 `json:"applied_seq" bson:"applied_seq"`

	// RequiredFen, InsuredFen and Coverage are worked out on each read from the balances,
	// the share and the covers valid that day; they are not stored.
	RequiredFen int64    `json:"required_fen" bson:"-"`
	InsuredFen  int64    `json:"insured_fen" bson:"-"`
	Coverage    *float64 `json:"coverage" bson:"-"`

	Version   int64     `json:"version" bson:"version"`
	CreatedAt time.Time `json:"created_at" bson:"created_at"`
	CreatedBy string    `json:"created_by" bson:"created_by"`
	UpdatedAt time.Time `json:"updated_at" bson:"updated_at"`
}

// Freeze says who froze an account, when and why.
type Freeze struct {
	Reason string    `json:"reason" bson:"reason"`
	At     time.Time `json:"at" bson:"at"`
	By     string    `json:"by" bson:"by"`
}

func (a *Account) target() string { return "fund_account/" + a.ID }

// Masked returns a copy of the account whose number shows only its last four digits, as
// account lists show it: 6222 **** **** 1234 for a number of 16 digits or more (the first
// four name the bank's range, the stars hide how long it is), **** 1234 for a shorter one.
func (a Account) Masked() Account {
	a.AccountNumber = MaskNumber(a.AccountNumber)
	return a
}

// MaskNumber masks a bank account number as Account.Masked does.
func MaskNumber(n string) string {
	if len(n) <= 4 {
		return strings.Repeat("*", len(n))
	}
	if len(n) >= 16 {
		return n[:4] + " **** **** " + n[len(n)-4:]
	}
	return "**** " + n[len(n)-4:]
}

// RequiredFor returns the deposit required for an outstanding prepaid balance at a share in
// per cent: outstanding × share / 100, rounded up to the fen so that the requirement is never
// understated. It is computed in integers, without overflow for any int64 balance.
func RequiredFor(outstandingFen int64, sharePercent int) int64 {
	if outstandingFen <= 0 || sharePercent <= 0 {
		return 0
	}
	share := int64(sharePercent)
	q, r := outstandingFen/100, outstandingFen%100
	return q*share + (r*share+99)/100
}

// InsuredOn returns the amount the account's covers insure on day ("2006-01-02" in
// Asia/Shanghai): only covers valid that day, both ends included, count.
func (a *Account) InsuredOn(day string) int64 {
	var sum int64
	for _, c := range a.Covers {
		if c.ValidFrom <= day && day <= c.ValidTo {
			sum += c.CoveredFen
		}
	}
	return sum
}

// derive fills the figures worked out on read: the required deposit for the current
// outstanding balance, the cover valid on day, and the coverage (held plus insured over
// required), a ratio for display only, null when nothing is required.
//
// The requirement is taken on the outstanding balance as the ledger stands, not on its value
// at the end of the previous quarter that the rule names: quarter-end snapshots come with the
// statements import.
func (a *Account) derive(day string) {
	a.RequiredFen = RequiredFor(a.OutstandingFen, a.RequiredSharePercent)
	a.InsuredFen = a.InsuredOn(day)
	a.Coverage = coverage(a.HeldFen+a.InsuredFen, a.RequiredFen)
	if a.Covers == nil {
		a.Covers = []Cover{}
	}
}

// coverage returns covered / required rounded to four decimals, or nil when nothing is
// required.
func coverage(covered, required int64) *float64 {
	if required <= 0 {
		return nil
	}
	v := math.Round(float64(covered)/float64(required)*10000) / 10000
	return &v
}

// dayOf returns t's day in Asia/Shanghai as "2006-01-02".
func dayOf(t time.Time) string { return t.In(workday.Zone).Format(time.DateOnly) }

// FundAccountInput is what opening an account takes.
type FundAccountInput struct {
	USCC          string `json:"uscc"`
	Bank          string `json:"bank"`
	Branch        string `json:"branch"`
	AccountNumber string `json:"account_number"`
	// AgreementDate is the day the supervision agreement was signed, "2006-01-02".
	AgreementDate string `json:"agreement_date"`
	// Tier defaults to DefaultTier.
	Tier Tier `json:"tier"`
	// RequiredSharePercent overrides the tier's share, 1 to 100; nil keeps the tier's.
	RequiredSharePercent *int `json:"required_share_percent,omitempty"`
}

// Bounds of the account fields.
const (
	minAccountDigits = 8
	maxAccountDigits = 32
	maxNameRunes     = 100
)

// accountOf checks what needs no store and builds a new account.
func accountOf(in FundAccountInput, by string, now time.Time) (*Account, []errs.FieldError) {
	var fe []errs.FieldError
	code, err := registry.ParseUSCC(in.USCC)
	if err != nil {
		fe = append(fe, field("uscc", err.Error()))
	}
	bank, branch := strings.TrimSpace(in.Bank), strings.TrimSpace(in.Branch)
	fe = append(fe, checkText("bank", bank, true, maxNameRunes, "开户银行 (the bank)")...)
	fe = append(fe, checkText("branch", branch, false, maxNameRunes, "开户网点 (the branch)")...)
	number, nfe := parseAccountNumber(in.AccountNumber)
	fe = append(fe, nfe...)
	date, dfe := parseDate("agreement_date", in.AgreementDate, "监管协议签订日期 (the agreement date)")
	fe = append(fe, dfe...)
	if dfe == nil && date > dayOf(now) {
		fe = append(fe, field("agreement_date", "监管协议签订日期不能晚于今天 (the agreement date is in the future)"))
	}

	tier := in.Tier
	if tier == "" {
		tier = DefaultTier
	}
	share := tier.SharePercent()
	if !tier.Valid() {
		fe = append(fe,
			field("tier", fmt.Sprintf("未知类别 %q，应为 scale、group、brand 或 beijing (unknown tier)", in.Tier)))
	}
	if p := in.RequiredSharePercent; p != nil {
		share = *p
		if *p < 1 || *p > 100 {
			fe = append(fe,
				field("required_share_percent", "存管比例应为1至100之间的整数 (a whole per cent from 1 to 100)"))
		}
	}

	a := &Account{
		ID: newAccountID(), USCC: code, Bank: bank, Branch: branch, AccountNumber: number,
		AgreementDate: date, Tier: tier, RequiredSharePercent: share, State: AccountOpen, Covers: []Cover{},
		Version: 1, CreatedAt: now, CreatedBy: by, UpdatedAt: now,
	}
	return a, fe
}

// parseAccountNumber accepts the digits of a bank account number, with the spaces people
// group them by when they copy one.
func parseAccountNumber(s string) (string, []errs.FieldError) {
	n := strings.ReplaceAll(strings.TrimSpace(s), " ", "")
	msg := fmt.Sprintf("银行账号应为%d至%d位数字 (the account number is %d to %d digits)",
		minAccountDigits, maxAccountDigits, minAccountDigits, maxAccountDigits)
	if len(n) < minAccountDigits || len(n) > maxAccountDigits {
		return n, []errs.FieldError{field("account_number", msg)}
	}
	for _, r := range n {
		if r < '0' || r > '9' {
			return n, []errs.FieldError{field("account_number", msg)}
		}
	}
	return n, nil
}

// parseDate checks a day written "2006-01-02".
func parseDate(name, s, what string) (string, []errs.FieldError) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", []errs.FieldError{field(name, "须填写"+what)}
	}
	if _, err := time.Parse(time.DateOnly, s); err != nil {
		return s, []errs.FieldError{field(name, "日期格式应为 2006-01-02 (a date as 2006-01-02)")}
	}
	return s, nil
}

// checkText checks a one-line text field: required or not, at most max characters, no
// control characters.
func checkText(name, v string, required bool, max int, what string) []errs.FieldError {
	switch {
	case v == "" && required:
		return []errs.FieldError{field(name, "须填写"+what)}
	case !utf8.ValidString(v) || strings.ContainsFunc(v, isControl):
		return []errs.FieldError{field(name, "含有无效字符 (contains invalid characters)")}
	case utf8.RuneCountInString(v) > max:
		return []errs.FieldError{field(name, fmt.Sprintf("不超过%d字 (at most %d characters)", max, max))}
	}
	return nil
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

func field(name, msg string) errs.FieldError { return errs.FieldError{Field: name, Message: msg} }

// newAccountID returns a readable id such as FA-4f9a0c1d2e.
func newAccountID() string { return "FA-" + randHex(5) }

func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

package api

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"prepaidreg/funds"
	"prepaidreg/internal/errs"
	"prepaidreg/internal/money"
	"prepaidreg/internal/user"
	"prepaidreg/registry"
)

// Roles of the fund supervision pages: fund officers keep the accounts and their ledgers;
// regulators and supervisors read them, and all three may freeze an account.
var (
	fundPages = []user.Role{user.FundOfficer, user.Regulator, user.Supervisor}
)

func fundAccountPath(id string) string { return "/console/funds/accounts/" + url.PathEscape(id) }

// Words the fund pages show for the service's codes.
var (
	entryTypeLabels = map[string]string{
		string(funds.EntrySale): "预收款销售", string(funds.EntryDeposit): "存入", string(funds.EntryRelease): "释放",
		string(funds.EntryRefund): "退款", string(funds.EntryInterest): "利息", string(funds.EntryCorrection): "冲正",
	}
	entryTypeOrder = []funds.EntryType{funds.EntrySale, funds.EntryDeposit, funds.EntryRelease, funds.EntryRefund,
		funds.EntryInterest, funds.EntryCorrection}
	tierLabels = map[string]string{
		string(funds.TierScale): "规模", string(funds.TierGroup): "集团", string(funds.TierBrand): "品牌",
		string(funds.TierBeijing): "北京",
	}
	tierOrder       = []funds.Tier{funds.TierBeijing, funds.TierScale, funds.TierGroup, funds.TierBrand}
	coverKindLabels = map[string]string{
		string(funds.CoverInsurance): "履约保证保险", string(funds.CoverBankGuarantee): "银行保函",
	}
)

// fundsDone confirms an action that was taken; "replayed" is a form sent twice.
var fundsDone = map[string]string{
	"open": "存管账户已开立。", "entry": "已记账。", "replayed": "已提交过，未重复记账。",
	"cover": "已登记保单或保函。", "freeze": "账户已冻结。", "unfreeze": "账户已解冻。",
}

// fundOfficer reports whether the signed-in user keeps accounts: opens them, posts entries
// and adds covers.
func fundOfficer(c *fiber.Ctx) bool {
	u := currentUser(c)
	return u != nil && u.Role == user.FundOfficer
}

// coverageView is an account's figures in words: balances in yuan, the coverage in per cent
// and what is missing when it is short.
type coverageView struct {
	Held, Outstanding, Released, Required, Insured string
	// Percent is the coverage as "85.0%", or "" when nothing is required.
	Percent string
	Short   bool
	// Shortfall is what the held funds and covers lack of the requirement, in yuan.
	Shortfall string
}

func coverageOf(a *funds.Account) coverageView {
	v := coverageView{Held: money.Yuan(a.HeldFen), Outstanding: money.Yuan(a.OutstandingFen),
		Released: money.Yuan(a.ReleasedFen), Required: money.Yuan(a.RequiredFen), Insured: money.Yuan(a.InsuredFen)}
	if a.Coverage == nil {
		return v
	}
	v.Percent = strconv.FormatFloat(*a.Coverage*100, 'f', 1, 64) + "%"
	if gap := a.RequiredFen - a.HeldFen - a.InsuredFen; gap > 0 {
		v.Short, v.Shortfall = true, money.Yuan(gap)
	}
	return v
}

// accountRow is one account of the list.
type accountRow struct {
	funds.Account
	Path, Enterprise, TierLabel string
	Figures                     coverageView
}

// fundAccountsView is the accounts list page.
type fundAccountsView struct {
	fundForm
	USCC    string
	Rows    []accountRow
	Officer bool
	Tiers   []option
	Done    string
	// Asked says a code was searched for, so that an empty list means none.
	Asked bool
}

// openAccountFields are the inputs of the form that opens an account.
var openAccountFields = []string{"uscc", "bank", "branch", "account_number", "agreement_date", "tier", "share"}

func (s *server) fundAccountsPage(c *fiber.Ctx) error {
	q, err := queryParams(c, "uscc", "done")
	if err != nil {
		return err
	}
	if _, ok := fundsDone[q["done"]]; q["done"] != "" && !ok {
		return badQuery("done", "未知的操作 (unknown action)")
	}
	v := &fundAccountsView{USCC: strings.TrimSpace(q["uscc"]), Done: fundsDone[q["done"]]}
	if v.USCC != "" {
		code, err := registry.ParseUSCC(v.USCC)
		if err != nil {
			return badQuery("uscc", err.Error())
		}
		v.USCC, v.Asked = code.String(), true
		if v.Rows, err = s.accountRows(c.UserContext(), code); err != nil {
			return err
		}
	} else if v.Rows, err = s.allAccountRows(c.UserContext()); err != nil {
		return err
	}
	return s.renderFundAccounts(c,
		pageData{Form: map[string]string{"uscc": v.USCC, "tier": string(funds.DefaultTier)}}, v)
}

// accountRows returns the enterprise's accounts, numbers masked, with its name.
func (s *server) accountRows(ctx context.Context, code registry.USCC) ([]accountRow, error) {
	list, err := s.Funds.Accounts(ctx, code)
	if err != nil {
		return nil, err
	}
	name := s.enterpriseName(ctx, code)
	rows := make([]accountRow, 0, len(list))
	for i := range list {
		a := &list[i]
		rows = append(rows, accountRow{Account: *a, Path: fundAccountPath(a.ID), Enterprise: name,
			TierLabel: labelOr(tierLabels, string(a.Tier)), Figures: coverageOf(a)})
	}
	return rows, nil
}

// allAccountRows returns every account, the lowest coverage first, with the enterprises' names
// read in one go.
func (s *server) allAccountRows(ctx context.Context) ([]accountRow, error) {
	list, err := s.Funds.AllAccounts(ctx)
	if err != nil {
		return nil, err
	}
	codes := make([]registry.USCC, len(list))
	for i, a := range list {
		codes[i] = a.USCC
	}
	found, _, err := s.Registry.EnterprisesByUSCC(ctx, codes)
	if err != nil {
		return nil, err
	}
	names := make(map[registry.USCC]string, len(found))
	for _, e := range found {
		names[e.USCC] = e.Name
	}
	rows := make([]accountRow, 0, len(list))
	for i := range list {
		a := &list[i]
		rows = append(rows, accountRow{Account: *a, Path: fundAccountPath(a.ID), Enterprise: names[a.USCC],
			TierLabel: labelOr(tierLabels, string(a.Tier)), Figures: coverageOf(a)})
	}
	return rows, nil
}

// enterpriseName returns the enterprise's name, or "" when it cannot be read: the pages then
// show the code alone.
func (s *server) enterpriseName(ctx context.Context, code registry.USCC) string {
	found, _, err := s.Registry.EnterprisesByUSCC(ctx, []registry.USCC{code})
	if err != nil || len(found) == 0 {
		return ""
	}
	return found[0].Name
}

func (s *server) renderFundAccounts(c *fiber.Ctx, d pageData, v *fundAccountsView) error {
	v.Officer = fundOfficer(c)
	v.form, v.errors = d.Form, d.FieldErrors
	v.Tiers = tierOptions(d.Form["tier"])
	d.Title, d.Data = "资金监管", v
	return s.render(c, "funds_accounts", d)
}

func tierOptions(selected string) []option {
	out := make([]option, 0, len(tierOrder))
	for _, t := range tierOrder {
		out = append(out,
			option{Value: string(t), Label: fmt.Sprintf("%s（%d%%）", tierLabels[string(t)], t.SharePercent()),
				Selected: selected == string(t)})
	}
	return out
}

func (s *server) openFundAccountForm(c *fiber.Ctx) error {
	if err := checkFormSize(c); err != nil {
		return err
	}
	form := readForm(c, openAccountFields)
	for k, val := range form {
		form[k] = strings.TrimSpace(val)
	}
	in := funds.FundAccountInput{USCC: form["uscc"], Bank: form["bank"], Branch: form["branch"],
		AccountNumber: form["account_number"], AgreementDate: form["agreement_date"], Tier: funds.Tier(form["tier"])}
	local := map[string]string{}
	if form["share"] != "" {
		n, err := strconv.Atoi(form["share"])
		if err != nil {
			local["share"] = "存管比例应为1至100之间的整数 (a whole per cent from 1 to 100)"
		}
		in.RequiredSharePercent = &n
	}
	v := &fundAccountsView{USCC: form["uscc"]}
	if len(local) > 0 {
		c.Status(http.StatusBadRequest)
		return s.renderFundAccounts(c, pageData{Form: form, FieldErrors: local,
			Error: "未开立：请按表单中的红字说明修改后重新提交。"}, v)
	}

	a, err := s.Funds.OpenAccount(c.UserContext(), actor(c), in)
	if err == nil {
		return c.Redirect(fundAccountPath(a.ID)+"?done=open", http.StatusSeeOther)
	}
	if !errs.Is(err, errs.Invalid) && !errs.Is(err, errs.Conflict) {
		return err
	}
	placed, top := placeErrors(errs.FieldsOf(err), openAccountInputs, nil)
	d := pageData{Form: form, FieldErrors: placed, Error: "未开立：请按表单中的红字说明修改后重新提交。"}
	switch {
	case errs.Is(err, errs.Conflict):
		d.Error = "未开立：" + errs.MessageOf(err)
	case top != "":
		d.Error = "未开立：" + top
	}
	c.Status(kindStatus[errs.KindOf(err)])
	return s.renderFundAccounts(c, d, v)
}

// openAccountInputs names the input each of the service's fields is shown beside.
var openAccountInputs = map[string]string{
	"uscc": "uscc", "bank": "bank", "branch": "branch", "account_number": "account_number",
	"agreement_date": "agreement_date", "tier": "tier", "required_share_percent": "share",
}

// fundForm holds what a refused form was sent with and the messages beside its inputs. Keys
// are the input's name, prefixed with its form's action on the account page ("entry.reference").
type fundForm struct {
	form, errors map[string]string
}

// fundField is one text input with what was typed and its message.
type fundField struct {
	ID, Name, Label, Hint, Value, Err, Type, Mode string
}

// Val returns what the input key held.
func (f *fundForm) Val(key string) string { return f.form[key] }

// Err returns the message shown beside the input key.
func (f *fundForm) Err(key string) string { return f.errors[key] }

// F returns the text input key with its label and hint. An amount in yuan ends in _yuan, a
// day in _date, _from or _to.
func (f *fundForm) F(key, label, hint string) fundField {
	action, name, found := strings.Cut(key, ".")
	id := key
	if !found {
		name = action
	} else {
		id = action + "-" + name
	}
	v := fundField{ID: id, Name: name, Label: label, Hint: hint, Value: f.form[key], Err: f.errors[key]}
	switch {
	case strings.HasSuffix(name, "_yuan"):
		v.Mode = "decimal"
	case strings.HasSuffix(name, "_date"), strings.HasSuffix(name, "_from"), strings.HasSuffix(name, "_to"):
		v.Type = "date"
	case name == "share" || name == "account_number":
		v.Mode = "numeric"
	}
	return v
}

package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"prepaidreg/internal/chart"
	"prepaidreg/internal/errs"
	"prepaidreg/internal/money"
	"prepaidreg/registry"
)

// defaultDistrict is the district a new registration starts in: Chaoyang, the bureau's own.
const defaultDistrict = "110105"

// option is one choice of a select or a checkbox group.
type option struct {
	Value    string
	Label    string
	Selected bool
}

// searchView is what the enterprise list page shows besides the search form's values.
type searchView struct {
	Items      []registry.Enterprise
	Areas      *registry.Areas
	Districts  []option
	Industries []option
	Statuses   []option
	// Regulator says the user may register enterprises and open their dossiers.
	Regulator bool
	NextURL   string
}

// enterpriseFormView is what the register and edit form shows besides the typed values.
type enterpriseFormView struct {
	// USCC is the code of the enterprise being edited; empty on the register form.
	USCC       string
	Districts  []option
	Streets    []string
	Industries []option
	Statuses   []option
	CardTypes  []option
	// Stale says the save was refused because someone else changed the file meanwhile.
	Stale bool
}

func (s *server) enterprisesPage(c *fiber.Ctx) error {
	form := map[string]string{
		"q": c.Query("q", c.Query("name")), "uscc": c.Query("uscc"), "district": c.Query("district"),
		"industry": c.Query("industry"), "status": c.Query("status"),
	}
	d := pageData{Title: "企业档案", Form: form}
	view := s.searchView(c, form)
	d.Data = view

	q, err := s.parseEnterpriseQuery(c)
	if err != nil {
		fields, ok := queryErrors(err)
		if !ok {
			return err
		}
		d.FieldErrors, d.Error = placeErrors(fields, searchInputs, nil)
		c.Status(http.StatusBadRequest)
		return s.render(c, "enterprises", d)
	}
	page, err := s.Registry.ListEnterprises(c.UserContext(), q)
	if err != nil {
		return err
	}
	view.Items = page.Items
	if page.Next != "" {
		view.NextURL = nextPageURL(c, encodeCursor(string(page.Next)))
	}
	return s.render(c, "enterprises", d)
}

// searchView fills in the search form's choices; the page's handler adds the results.
func (s *server) searchView(c *fiber.Ctx, form map[string]string) *searchView {
	u := currentUser(c)
	return &searchView{
		Areas:      s.Registry.Areas(),
		Districts:  s.districtOptions(form["district"]),
		Industries: industryOptions(form["industry"]),
		Statuses:   statusOptions(form["status"]),
		Regulator:  u != nil && slices.Contains(regulators, u.Role),
	}
}

// searchInputs names the search form input each query parameter is shown beside.
var searchInputs = map[string]string{
	"q": "q", "name": "q", "uscc": "uscc", "district": "district", "industry": "industry", "status": "status",
}

// queryErrors returns the field messages of a refused search, or false for any other error.
func queryErrors(err error) ([]errs.FieldError, bool) {
	var he *httpError
	if !errors.As(err, &he) || he.status != http.StatusBadRequest {
		return nil, false
	}
	if len(he.fields) == 0 {
		return []errs.FieldError{{Message: he.detail}}, true
	}
	return he.fields, true
}

// nextPageURL repeats the search with the cursor of the next page.
func nextPageURL(c *fiber.Ctx, cursor string) string {
	v := url.Values{}
	for _, k := range []string{"q", "name", "uscc", "district", "industry", "status", "limit"} {
		if c.Query(k) != "" {
			v.Set(k, c.Query(k))
		}
	}
	v.Set("cursor", cursor)
	return "/console/enterprises?" + v.Encode()
}

func (s *server) newEnterprisePage(c *fiber.Ctx) error {
	form := map[string]string{
		"district": defaultDistrict, "status": string(registry.StatusOperating), "balance": "0.00",
	}
	return s.renderEnterpriseForm(c, pageData{Form: form}, "", false)
}

func (s *server) createEnterpriseForm(c *fiber.Ctx) error {
	if err := checkFormSize(c); err != nil {
		return err
	}
	form := readEnterpriseForm(c)
	in, conv := enterpriseInput(form)
	if len(conv.errors) > 0 {
		return s.enterpriseFormFailed(c, form, "", conv, s.formProblems(in))
	}
	e, err := s.Registry.CreateEnterprise(c.UserContext(), actor(c), in)
	if err != nil {
		return s.enterpriseFormFailed(c, form, "", conv, err)
	}
	return c.Redirect(dossierPath(e.USCC), http.StatusSeeOther)
}

func (s *server) editEnterprisePage(c *fiber.Ctx) error {
	e, err := s.Registry.Enterprise(c.UserContext(), c.Params("uscc"))
	if err != nil {
		return err
	}
	return s.renderEnterpriseForm(c, pageData{Form: enterpriseFormOf(e)}, e.USCC.String(), false)
}

func (s *server) updateEnterpriseForm(c *fiber.Ctx) error {
	if err := checkFormSize(c); err != nil {
		return err
	}
	e, err := s.Registry.Enterprise(c.UserContext(), c.Params("uscc"))
	if err != nil {
		return err
	}
	form := readEnterpriseForm(c)
	form["uscc"] = e.USCC.String()
	version, err := strconv.ParseInt(form["version"], 10, 64)
	if err != nil || version < 1 {
		return newHTTPError(http.StatusBadRequest,
			"表单缺少版本号，请重新打开编辑页 (the form has no version: reopen it)")
	}

	in, conv := enterpriseInput(form)
	if len(conv.errors) > 0 {
		return s.enterpriseFormFailed(c, form, form["uscc"], conv, s.formProblems(in))
	}
	in.Prepaid.BalanceReportedOn = e.Prepaid.BalanceReportedOn
	e, err = s.Registry.UpdateEnterprise(c.UserContext(), actor(c), e.USCC.String(), version, patchOf(in))
	if err != nil {
		return s.enterpriseFormFailed(c, form, form["uscc"], conv, err)
	}
	return c.Redirect(dossierPath(e.USCC), http.StatusSeeOther)
}

// formProblems checks a form the form itself could not read in full, so that the registry's
// messages for the other fields show beside the form's own.
func (s *server) formProblems(in registry.EnterpriseInput) error {
	return &errs.Error{Kind: errs.Invalid, Op: "api.enterpriseForm", Fields: s.Registry.CheckEnterprise(in)}
}

// enterpriseFormFailed shows the form again after a refused save, with what was typed: field
// messages beside their inputs (400), a USCC already on file beside the code (409), and a
// version someone else has moved on from at the top (412).
func (s *server) enterpriseFormFailed(
	c *fiber.Ctx,
	form map[string]string,
	uscc string,
	conv formConversion,
	err error,
) error {
	d := pageData{Form: form, FieldErrors: map[string]string{}}
	stale := false
	switch {
	case errs.Is(err, errs.Invalid):
		d.FieldErrors, d.Error = placeErrors(errs.FieldsOf(err), enterpriseInputs, conv.storeLines)
		c.Status(http.StatusBadRequest)
	case errs.Is(err, errs.Conflict):
		d.FieldErrors["uscc"] = errs.MessageOf(err)
		c.Status(http.StatusConflict)
	case errs.Is(err, errs.Stale):
		d.Error, stale = "已被他人修改：您打开编辑页之后，本企业档案已被他人修改，您的修改没有保存。", true
		c.Status(http.StatusPreconditionFailed)
	default:
		return err
	}
	// The registry words its balance limit in fen, the form asks for yuan; and where the form
	// could not read the amount at all, its own message replaces the registry's.
	if d.FieldErrors["balance"] != "" {
		d.FieldErrors["balance"] = "预收款余额应在0至100亿元之间 (0 to 10 billion yuan)"
	}
	own, _ := placeErrors(conv.errors, enterpriseInputs, nil)
	for input, msg := range own {
		d.FieldErrors[input] = msg
	}
	return s.renderEnterpriseForm(c, d, uscc, stale)
}

// renderEnterpriseForm shows the register form, or with uscc the edit form of that enterprise.
func (s *server) renderEnterpriseForm(c *fiber.Ctx, d pageData, uscc string, stale bool) error {
	d.Title = "登记企业"
	if uscc != "" {
		d.Title = "修改企业档案"
	}
	district := d.Form["district"]
	d.Data = enterpriseFormView{
		USCC:       uscc,
		Districts:  s.districtOptions(district),
		Streets:    s.Registry.Areas().Streets[district],
		Industries: industryOptions(d.Form["industry"]),
		Statuses:   statusOptions(d.Form["status"]),
		CardTypes:  cardTypeOptions(d.Form),
		Stale:      stale,
	}
	return s.render(c, "enterprise_form", d)
}

// checkFormSize refuses a form larger than any honest registration; the app's own limit is
// set for uploads.
func checkFormSize(c *fiber.Ctx) error {
	if len(c.Body()) > maxJSONBody {
		return newHTTPError(http.StatusRequestEntityTooLarge, "表单内容超过1 MiB (form over 1 MiB)")
	}
	return nil
}

func dossierPath(uscc registry.USCC) string { return "/console/enterprises/" + uscc.String() }

func (s *server) dossierPage(c *fiber.Ctx) error {
	d, err := s.Registry.Dossier(c.UserContext(), c.Params("uscc"))
	if err != nil {
		return err
	}
	v := s.dossierViewOf(d)
	if v.RiskHistory, err = s.Registry.RiskHistory(c.UserContext(), d.Enterprise.USCC.String(), 20); err != nil {
		return err
	}
	if v.FundsChart, err = s.dossierFundsChart(c.UserContext(), d.Enterprise.USCC); err != nil {
		return err
	}
	return s.render(c, "dossier", pageData{Title: d.Enterprise.Name, Data: v})
}

// dossierView is a dossier with its codes turned into the words the page shows.
type dossierView struct {
	*registry.Dossier
	DistrictName string
	// Categories, DailyChart and ComplaintURL show the complaints section: the counts by
	// category, the daily series and the list of the enterprise's complaints.
	Categories   []option
	DailyChart   template.HTML
	ComplaintURL string
	RiskLevel    string
	RiskChart    template.HTML
	RiskHistory  []registry.Assessment
	ListLabel    string
	Interviews   []registry.DossierRecord
	Enforcement  []registry.DossierRecord
	Mediation    []registry.DossierRecord
	Changes      []changeView
	// FundsChart is the coverage of the enterprise's supervised accounts over time.
	FundsChart fundsChartView
}

// changeView is one entry of the change history.
type changeView struct {
	At      time.Time
	Actor   string
	Action  string
	Version int64
	Fields  string
}

func (s *server) dossierViewOf(d *registry.Dossier) dossierView {
	v := dossierView{
		Dossier:      d,
		DistrictName: s.Registry.Areas().DistrictName(d.Enterprise.District),
		RiskLevel:    labelOr(riskLevelLabels, d.Risk.Level),
		ListLabel:    labelOr(listLabels, d.ListStatus.List),
		Interviews:   d.Interviews,
		Enforcement:  d.Enforcement,
		Mediation:    d.Mediation,
	}
	v.Categories = complaintCategories(d.Complaints.ByCategory)
	v.DailyChart = dailyComplaintChart(d.Complaints.Daily)
	v.RiskChart = riskFactorChart(d.Risk.Factors)
	v.ComplaintURL = "/console/complaints?uscc=" + url.QueryEscape(d.Enterprise.USCC.String())
	for _, ch := range d.Changes {
		v.Changes = append(v.Changes, changeView{
			At: ch.At, Actor: ch.Actor, Action: labelOr(actionLabels, ch.Action),
			Version: ch.Version, Fields: changedFields(ch),
		})
	}
	return v
}

var (
	riskLevelLabels = map[string]string{"low": "低", "medium": "中", "high": "高", "critical": "极高"}
	listLabels      = map[string]string{"grey": "灰名单", "black": "黑名单"}
	actionLabels    = map[string]string{"enterprise.create": "登记", "enterprise.update": "修改"}
	fieldLabels     = map[string]string{
		"name": "企业名称", "aliases": "曾用名/别名", "legal_representative": "法定代表人",
		"registered_address": "注册地址", "district": "所在区", "street": "街乡", "industry": "行业",
		"contact_phone": "联系电话", "status": "经营状态", "stores": "门店", "prepaid": "预付业务",
	}
)

// labelOr returns the label of code, or the code itself when it has none.
func labelOr(labels map[string]string, code string) string {
	if l, ok := labels[code]; ok {
		return l
	}
	return code
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// changedFields names the fields an update changed; a registration changes no single field.
func changedFields(ch registry.DossierChange) string {
	if ch.Action != "enterprise.update" {
		return ""
	}
	var diff map[string]json.RawMessage
	if json.Unmarshal(ch.Change, &diff) != nil {
		return ""
	}
	var names []string
	for _, k := range sortedKeys(diff) {
		names = append(names, labelOr(fieldLabels, k))
	}
	return strings.Join(names, "、")
}

// recordViews shows records that other modules file in the dossier: the top-level fields of
// each, in name order, text as it is and anything else as JSON.

func (s *server) districtOptions(selected string) []option {
	areas := s.Registry.Areas()
	var out []option
	for _, code := range areas.DistrictCodes() {
		out = append(out, option{Value: code, Label: areas.DistrictName(code), Selected: code == selected})
	}
	return out
}

func industryOptions(selected string) []option {
	var out []option
	for _, i := range registry.Industries {
		out = append(out, option{Value: string(i), Label: i.Label(), Selected: string(i) == selected})
	}
	return out
}

func statusOptions(selected string) []option {
	var out []option
	for _, st := range registry.Statuses {
		out = append(out, option{Value: string(st), Label: st.Label(), Selected: string(st) == selected})
	}
	return out
}

func cardTypeOptions(form map[string]string) []option {
	var out []option
	for _, ct := range registry.CardTypes {
		out = append(out, option{Value: string(ct), Label: ct.Label(), Selected: form[cardKey(ct)] != ""})
	}
	return out
}

// cardKey is the form map's key for a ticked card type.
func cardKey(ct registry.CardType) string { return "card_types." + string(ct) }

// enterpriseTextInputs are the form's inputs that hold one text each.
var enterpriseTextInputs = []string{
	"uscc", "name", "aliases", "legal_representative", "registered_address", "district", "street",
	"industry", "contact_phone", "status", "stores", "balance", "supervised_account", "version",
}

// enterpriseInputs names the form input each registry field is shown beside; an indexed field
// such as stores[2].address goes by the part before its index.
var enterpriseInputs = map[string]string{
	"uscc": "uscc", "name": "name", "aliases": "aliases", "legal_representative": "legal_representative",
	"registered_address": "registered_address", "district": "district", "street": "street",
	"industry": "industry", "contact_phone": "contact_phone", "status": "status", "stores": "stores",
	"prepaid.card_types":              "card_types",
	"prepaid.outstanding_balance_fen": "balance",
	"prepaid.supervised_account":      "supervised_account",
}

// readEnterpriseForm reads the posted form as typed. Ticked card types are kept both as one
// list and as one key each, for the checkboxes.
func readEnterpriseForm(c *fiber.Ctx) map[string]string {
	form := map[string]string{}
	for _, k := range enterpriseTextInputs {
		form[k] = strings.ToValidUTF8(c.FormValue(k), "\uFFFD")
	}
	var cards []string
	for _, v := range c.Request().PostArgs().PeekMulti("card_types") {
		ct := strings.ToValidUTF8(string(v), "\uFFFD")
		cards = append(cards, ct)
		form[cardKey(registry.CardType(ct))] = "on"
	}
	form["card_types"] = strings.Join(cards, "\n")
	return form
}

// enterpriseFormOf fills the form with an enterprise's file, for editing.
func enterpriseFormOf(e *registry.Enterprise) map[string]string {
	form := map[string]string{
		"uscc": e.USCC.String(), "name": e.Name, "aliases": strings.Join(e.Aliases, "\n"),
		"legal_representative": e.LegalRepresentative, "registered_address": e.RegisteredAddress,
		"district": e.District, "street": e.Street, "industry": string(e.Industry),
		"contact_phone": e.ContactPhone, "status": string(e.Status), "stores": storesText(e.Stores),
		"balance":            yuanInput(e.Prepaid.OutstandingBalanceFen),
		"supervised_account": e.Prepaid.SupervisedAccount,
		"version":            strconv.FormatInt(e.Version, 10),
	}
	var cards []string
	for _, ct := range e.Prepaid.CardTypes {
		cards = append(cards, string(ct))
		form[cardKey(ct)] = "on"
	}
	form["card_types"] = strings.Join(cards, "\n")
	return form
}

// yuanInput writes an amount in fen as the form takes it back: yuan with two decimals, no commas.
func yuanInput(fen int64) string { return fmt.Sprintf("%d.%02d", fen/100, fen%100) }

// storesText writes stores one a line, as the form takes them: 名称|地址, or the address alone.
func storesText(stores []registry.Shop) string {
	lines := make([]string, 0, len(stores))
	for _, st := range stores {
		if st.Name == "" {
			lines = append(lines, st.Address)
			continue
		}
		lines = append(lines, st.Name+"|"+st.Address)
	}
	return strings.Join(lines, "\n")
}

// formConversion is what reading the form learnt besides the input itself.
type formConversion struct {
	// storeLines holds the form line each store was read from, for messages about a store.
	storeLines []int
	// errors are the form's own findings, such as an amount that is not in yuan.
	errors []errs.FieldError
}

// enterpriseInput turns the typed form into the registry's input.
func enterpriseInput(form map[string]string) (registry.EnterpriseInput, formConversion) {
	var conv formConversion
	in := registry.EnterpriseInput{
		USCC: form["uscc"], Name: form["name"], Aliases: textLines(form["aliases"]),
		LegalRepresentative: form["legal_representative"], RegisteredAddress: form["registered_address"],
		District: form["district"], Street: form["street"], Industry: registry.Industry(form["industry"]),
		ContactPhone: form["contact_phone"], Status: registry.Status(form["status"]),
		Prepaid: registry.Prepaid{
			CardTypes:         []registry.CardType{},
			SupervisedAccount: strings.TrimSpace(form["supervised_account"]),
		},
	}
	in.Stores, conv.storeLines = parseStores(form["stores"])
	for _, ct := range textLines(form["card_types"]) {
		in.Prepaid.CardTypes = append(in.Prepaid.CardTypes, registry.CardType(ct))
	}

	fen, err := parseYuan(form["balance"])
	if err != nil {
		conv.errors = append(conv.errors,
			errs.FieldError{Field: "prepaid.outstanding_balance_fen", Message: err.Error()})
	}
	in.Prepaid.OutstandingBalanceFen = fen
	return in, conv
}

// patchOf changes every field the form holds.
func patchOf(in registry.EnterpriseInput) registry.EnterprisePatch {
	return registry.EnterprisePatch{
		Name: &in.Name, Aliases: &in.Aliases, LegalRepresentative: &in.LegalRepresentative,
		RegisteredAddress: &in.RegisteredAddress, District: &in.District, Street: &in.Street,
		Industry: &in.Industry, ContactPhone: &in.ContactPhone, Status: &in.Status,
		Stores: &in.Stores, Prepaid: &in.Prepaid,
	}
}

// textLines returns the non-blank lines of a textarea, trimmed.
func textLines(text string) []string {
	out := []string{}
	for _, l := range strings.Split(text, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// parseStores reads one store a line, 名称|地址 or the address alone (a full-width ｜ does as
// well), and the line number each store came from.
func parseStores(text string) ([]registry.Shop, []int) {
	shops := []registry.Shop{}
	var lines []int
	for i, l := range strings.Split(text, "\n") {
		l = strings.TrimSpace(strings.Replace(l, "｜", "|", 1))
		if l == "" {
			continue
		}
		name, addr, ok := strings.Cut(l, "|")
		if !ok {
			name, addr = "", l
		}
		shops = append(shops, registry.Shop{Name: name, Address: addr})
		lines = append(lines, i+1)
	}
	return shops, lines
}

// parseYuan reads the balance box: an amount in yuan, or nothing for none.
func parseYuan(s string) (int64, error) {
	if strings.TrimSpace(s) == "" {
		return 0, nil
	}
	return money.ParseYuan(s)
}

// placeErrors puts each field message beside the input inputs names for it, joining messages
// for one input; a message about a store says which line of the stores box it is about. What
// has no input is returned as one message for the top of the form.
func placeErrors(fields []errs.FieldError, inputs map[string]string, storeLines []int) (map[string]string, string) {
	placed := map[string]string{}
	var top []string
	for _, f := range fields {
		base, index, _ := strings.Cut(f.Field, "[")
		input, ok := inputs[base]
		if !ok {
			top = append(top, f.Message)
			continue
		}
		msg := f.Message
		if i, err := strconv.Atoi(strings.SplitN(index, "]", 2)[0]); err == nil && base == "stores" &&
			i < len(storeLines) {
			msg = fmt.Sprintf("第%d行：%s", storeLines[i], msg)
		}
		if placed[input] != "" {
			msg = placed[input] + "；" + msg
		}
		placed[input] = msg
	}
	return placed, strings.Join(top, "；")
}

// riskFactorChart draws each factor's contribution against its weight.
func riskFactorChart(factors []registry.Factor) template.HTML {
	if len(factors) == 0 {
		return ""
	}
	bars := make([]chart.HBar, len(factors))
	most := 0.0
	for i, f := range factors {
		bars[i] = chart.HBar{Label: f.Label, Value: f.Contribution,
			Note: fmt.Sprintf("%.1f / %.0f 分", f.Contribution, f.Weight)}
		most = max(most, f.Weight)
	}
	return chart.HBars("风险因素得分", bars, most)
}

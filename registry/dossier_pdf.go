package registry

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"prepaidreg/internal/errs"
	"prepaidreg/internal/money"
	"prepaidreg/internal/pdf"
)

// Fixed text of the dossier export (企业档案).
const (
	dossierTitle  = "预付式消费经营者档案"
	dossierHeader = "预付式消费经营者监管　一企一档　内部资料　注意保密"
	dossierNone   = "暂无记录"
	dossierClock  = "2006-01-02 15:04"
	dossierDate   = "2006-01-02"
)

// DossierPDF renders the file as a PDF in Chinese: the registration facts, stores and prepaid
// business, one section for each module's records (or 暂无记录 where there are none), the change
// history and the time the file was generated. Times are shown in Asia/Shanghai and money in
// yuan. areas names the district; it may be nil, and then the district shows by code only.
func DossierPDF(d *Dossier, areas *Areas) ([]byte, error) {
	const op = "registry.DossierPDF"
	if d == nil || d.Enterprise == nil {
		return nil, errs.E(errs.Invalid, op, "档案缺少企业登记信息 (the dossier has no enterprise)")
	}

	e := d.Enterprise
	doc := pdf.New(dossierTitle + "　" + e.Name)
	doc.SetHeader(dossierHeader)
	doc.Title(dossierTitle)

	writeRegistration(doc, e, areas)
	writeStores(doc, e.Stores)
	writePrepaid(doc, e.Prepaid)
	writeComplaints(doc, d.Complaints)
	writeRisk(doc, d.Risk)
	writeListStatus(doc, d.ListStatus)
	writeRecords(doc, "七、行政约谈", d.Interviews)
	writeRecords(doc, "八、执法检查", d.Enforcement)
	writeRecords(doc, "九、调解", d.Mediation)
	writeFunds(doc, d.Funds)
	writeChanges(doc, d.Changes)

	doc.Spacer(6)
	doc.Field("生成时间", clockText(d.GeneratedAt))
	doc.Paragraph("本档案由预付式消费经营者监管系统根据登记及各业务模块记录生成，内容以系统记录为准。")

	out, err := doc.Bytes()
	if err != nil {
		return nil, errs.Wrap(errs.Internal, op, err)
	}
	return out, nil
}

// writeRegistration adds the registration facts.
func writeRegistration(doc *pdf.Document, e *Enterprise, areas *Areas) {
	doc.Heading("一、登记信息")
	doc.Field("名称", e.Name)
	doc.Field("统一社会信用代码", string(e.USCC))
	doc.Field("曾用名/别名", orText(strings.Join(e.Aliases, "、"), "无"))
	doc.Field("法定代表人", e.LegalRepresentative)
	doc.Field("注册地址", e.RegisteredAddress)
	doc.Field("所在区", districtText(e.District, areas))
	doc.Field("街乡", e.Street)
	doc.Field("行业", orText(e.Industry.Label(), string(e.Industry)))
	doc.Field("联系电话", orText(e.ContactPhone, "未登记"))
	doc.Field("经营状态", orText(e.Status.Label(), string(e.Status)))
	doc.Field("档案版本", fmt.Sprintf("第 %d 版", e.Version))
	doc.Field("登记时间", clockText(e.CreatedAt))
	doc.Field("更新时间", clockText(e.UpdatedAt))
}

// districtText names a district with its code, as 朝阳区（110105）.
func districtText(code string, areas *Areas) string {
	if areas == nil || areas.DistrictName(code) == "" {
		return code
	}
	return areas.DistrictName(code) + "（" + code + "）"
}

// writeStores adds the stores as a table.
func writeStores(doc *pdf.Document, stores []Shop) {
	doc.Heading("二、门店")
	if len(stores) == 0 {
		doc.Paragraph(dossierNone)
		return
	}
	rows := make([][]string, len(stores))
	for i, s := range stores {
		rows[i] = []string{strconv.Itoa(i + 1), s.Name, s.Address}
	}
	doc.Table([]string{"序号", "门店名称", "门店地址"}, []float64{12, 55, 103}, rows)
}

// writePrepaid adds the facts of the prepaid business.
func writePrepaid(doc *pdf.Document, p Prepaid) {
	doc.Heading("三、预付式经营")
	labels := make([]string, 0, len(p.CardTypes))
	for _, c := range p.CardTypes {
		labels = append(labels, orText(c.Label(), string(c)))
	}
	doc.Field("预付卡类型", orText(strings.Join(labels, "、"), "未登记"))
	doc.Field("预收款余额", money.Yuan(p.OutstandingBalanceFen)+" 元")
	reported := "未报送"
	if p.BalanceReportedOn != nil {
		reported = p.BalanceReportedOn.In(shanghai).Format(dossierDate)
	}
	doc.Field("余额报送日期", reported)
	doc.Field("监管账户", orText(p.SupervisedAccount, "未开立"))
}

// writeComplaints adds the complaint counters, by category from the most frequent.
func writeComplaints(doc *pdf.Document, c ComplaintsSection) {
	doc.Heading("四、投诉情况")
	if c.Total == 0 && len(c.ByCategory) == 0 {
		doc.Paragraph(dossierNone)
		return
	}
	doc.Field("投诉总数", fmt.Sprintf("%d 件", c.Total))
	doc.Field("近30日", fmt.Sprintf("%d 件", c.Last30Days))
	doc.Field("近90日", fmt.Sprintf("%d 件", c.Last90Days))
	if len(c.ByCategory) == 0 {
		return
	}
	cats := make([]string, 0, len(c.ByCategory))
	for k := range c.ByCategory {
		cats = append(cats, k)
	}
	slices.SortFunc(cats, func(a, b string) int {
		return cmp.Or(cmp.Compare(c.ByCategory[b], c.ByCategory[a]), cmp.Compare(a, b))
	})
	rows := make([][]string, len(cats))
	for i, k := range cats {
		rows[i] = []string{k, strconv.FormatInt(c.ByCategory[k], 10)}
	}
	doc.Table([]string{"投诉类别", "件数"}, []float64{120, 50}, rows)
}

// riskLevelLabels names the risk levels of DESIGN.md.
var riskLevelLabels = map[string]string{
	"low": "低风险", "medium": "中风险", "high": "高风险", "critical": "极高风险",
}

// writeRisk adds the current risk assessment.
func writeRisk(doc *pdf.Document, r RiskSection) {
	doc.Heading("五、风险评估")
	if r.Score == nil {
		doc.Paragraph(dossierNone)
		return
	}
	doc.Field("风险分值", fmt.Sprintf("%d 分（满分100）", *r.Score))
	if r.Level != "" {
		doc.Field("风险等级", orText(riskLevelLabels[r.Level], r.Level))
	}
	if r.Assessed != nil {
		doc.Field("评估时间", clockText(*r.Assessed))
	}
}

// listLabels says what each list means for the enterprise.
var listLabels = map[string]string{
	"grey":  "已列入灰名单（高风险经营者消费提示）",
	"black": "已列入黑名单（严重违法失信名单）",
}

// writeListStatus adds whether the enterprise is on a list.
func writeListStatus(doc *pdf.Document, s ListStatusSection) {
	doc.Heading("六、名单状态")
	if s.List == "" {
		doc.Paragraph(dossierNone)
		return
	}
	doc.Field("名单", orText(listLabels[s.List], s.List))
}

// writeFunds adds the supervised funds and, when both amounts are known, their coverage of the
// required deposit.
func writeFunds(doc *pdf.Document, f FundsSection) {
	doc.Heading("十、资金监管")
	if f.SupervisedBalanceFen == nil && f.RequiredDepositFen == nil {
		doc.Paragraph(dossierNone)
		return
	}
	if f.SupervisedBalanceFen != nil {
		doc.Field("监管账户余额", money.Yuan(*f.SupervisedBalanceFen)+" 元")
	}
	if f.RequiredDepositFen != nil {
		doc.Field("应存管金额", money.Yuan(*f.RequiredDepositFen)+" 元")
	}
	if f.SupervisedBalanceFen != nil && f.RequiredDepositFen != nil && *f.RequiredDepositFen > 0 {
		doc.Field("存管覆盖率", percentText(*f.SupervisedBalanceFen, *f.RequiredDepositFen))
	}
}

// writeRecords adds a section of another module's records, one row each, newest as given.
func writeRecords(doc *pdf.Document, heading string, records []DossierRecord) {
	doc.Heading(heading)
	if len(records) == 0 {
		doc.Paragraph(dossierNone)
		return
	}
	rows := make([][]string, len(records))
	for i, r := range records {
		rows[i] = []string{clockText(r.At), r.Title, r.State, r.Outcome}
	}
	doc.Table([]string{"时间", "事项", "状态", "结果"}, []float64{30, 70, 25, 45}, rows)
}

// writeChanges adds the change history, newest first.
func writeChanges(doc *pdf.Document, changes []DossierChange) {
	doc.Heading("十一、变更记录")
	if len(changes) == 0 {
		doc.Paragraph(dossierNone)
		return
	}
	sorted := slices.Clone(changes)
	slices.SortStableFunc(sorted, func(a, b DossierChange) int { return b.At.Compare(a.At) })
	rows := make([][]string, len(sorted))
	for i, c := range sorted {
		rows[i] = []string{clockText(c.At), actorText(c.Actor), actionText(c), strconv.FormatInt(c.Version, 10)}
	}
	doc.Table([]string{"时间", "操作人", "操作", "版本"}, []float64{34, 30, 90, 16}, rows)
}

// actorText names who made a change; the program itself is 系统.
func actorText(actor string) string {
	if actor == "system" {
		return "系统"
	}
	return actor
}

// fieldLabels names the registration fields an update may change, by JSON name.
var fieldLabels = map[string]string{
	"name": "名称", "aliases": "曾用名/别名", "legal_representative": "法定代表人",
	"registered_address": "注册地址", "district": "所在区", "street": "街乡", "industry": "行业",
	"contact_phone": "联系电话", "status": "经营状态", "stores": "门店", "prepaid": "预付式经营",
}

// actionText says what a change did, with the fields an update changed.
func actionText(c DossierChange) string {
	switch c.Action {
	case "enterprise.create":
		return "登记"
	case "enterprise.update":
		var diff map[string]json.RawMessage
		if json.Unmarshal(c.Change, &diff) != nil || len(diff) == 0 {
			return "变更"
		}
		names := make([]string, 0, len(diff))
		for k := range diff {
			names = append(names, k)
		}
		slices.Sort(names)
		for i, k := range names {
			names[i] = orText(fieldLabels[k], k)
		}
		return "变更：" + strings.Join(names, "、")
	}
	return c.Action
}

// clockText shows a time in Asia/Shanghai to the minute, or "—" for the zero time.
func clockText(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.In(shanghai).Format(dossierClock)
}

// percentText shows part as a percentage of whole with two decimals, rounded down, using
// integer arithmetic only. whole must be positive; the balances it is used for stay far below
// the range where part × 10000 would overflow.
func percentText(part, whole int64) string {
	bp, sign := part*10000/whole, ""
	if bp < 0 {
		bp, sign = -bp, "-"
	}
	return fmt.Sprintf("%s%d.%02d%%", sign, bp/100, bp%100)
}

// orText returns s, or alt when s is empty.
func orText(s, alt string) string {
	if s == "" {
		return alt
	}
	return s
}

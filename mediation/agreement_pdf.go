package mediation

import (
	"fmt"
	"strings"
	"time"

	"prepaidreg/internal/errs"
	"prepaidreg/internal/money"
	"prepaidreg/internal/pdf"
	"prepaidreg/internal/workday"
	"prepaidreg/registry"
)

// ConsumerParty is a consumer as the mediation documents name them: in full, with phone, since
// the documents go to the parties themselves.
type ConsumerParty struct {
	Name     string `json:"name"`
	Phone    string `json:"phone"`
	IDNumber string `json:"id_number,omitempty"`
}

// EnterpriseParty is the enterprise as the mediation documents name it.
type EnterpriseParty struct {
	Name                string        `json:"name"`
	USCC                registry.USCC `json:"uscc"`
	LegalRepresentative string        `json:"legal_representative"`
	Address             string        `json:"address"`
	Phone               string        `json:"phone,omitempty"`
}

// AgreementDoc is what a mediation agreement (调解协议书; 人民调解协议书 when the body is a
// people's mediation committee) is made from. Terms name their payer and payee by name, or by
// the sides "consumer" (with one consumer) and "enterprise", which the document replaces by
// the party's name.
type AgreementDoc struct {
	CaseID string `json:"case_id"`
	// Number is the document number; the case id is printed when it is empty.
	Number       string          `json:"number,omitempty"`
	BodyName     string          `json:"body_name"`
	BodyKind     BodyKind        `json:"body_kind"`
	MediatorName string          `json:"mediator_name"`
	Consumers    []ConsumerParty `json:"consumers"`
	Enterprise   EnterpriseParty `json:"enterprise"`
	Facts        string          `json:"facts"`
	Points       []string        `json:"points"`
	Terms        []Term          `json:"terms"`
	// OverClaimReason says why the agreement gives more than was claimed, when it does.
	OverClaimReason string `json:"over_claim_reason,omitempty"`
	// SignedAt dates the agreement and the PDF, so that the same agreement gives the same bytes.
	SignedAt time.Time `json:"signed_at"`
}

// TerminationDoc is what a record of mediation ended without agreement (终止调解书) is made
// from.
type TerminationDoc struct {
	CaseID       string          `json:"case_id"`
	Number       string          `json:"number,omitempty"`
	BodyName     string          `json:"body_name"`
	BodyKind     BodyKind        `json:"body_kind"`
	MediatorName string          `json:"mediator_name"`
	Consumers    []ConsumerParty `json:"consumers"`
	Enterprise   EnterpriseParty `json:"enterprise"`
	Facts        string          `json:"facts"`
	Points       []string        `json:"points"`
	// Reason is why mediation ended, as the parties are told.
	Reason  string    `json:"reason"`
	EndedAt time.Time `json:"ended_at"`
}

// Document titles.
const (
	agreementTitle        = "调解协议书"
	peoplesAgreementTitle = "人民调解协议书"
	terminationTitle      = "终止调解书"
)

// signatureBlank is the line a party signs on.
const signatureBlank = "________________"

// PartiesOf returns the consumers of a case's claims, each once, in order, and the enterprise
// as the registry has it, for filling an AgreementDoc or TerminationDoc.
func PartiesOf(c *Case, e *registry.Enterprise) ([]ConsumerParty, EnterpriseParty) {
	var consumers []ConsumerParty
	seen := map[string]bool{}
	for _, cl := range c.Claims {
		key := cl.ConsumerName + "\x00" + cl.ConsumerPhone
		if seen[key] {
			continue
		}
		seen[key] = true
		consumers = append(consumers,
			ConsumerParty{Name: cl.ConsumerName, Phone: cl.ConsumerPhone, IDNumber: cl.IDNumber})
	}
	ent := EnterpriseParty{Name: c.EnterpriseName, USCC: c.USCC}
	if e != nil {
		ent = EnterpriseParty{Name: e.Name, USCC: e.USCC, LegalRepresentative: e.LegalRepresentative,
			Address: e.RegisteredAddress, Phone: e.ContactPhone}
	}
	return consumers, ent
}

// AgreementPDF renders the mediation agreement: the parties, the facts and the points in
// dispute, the terms, the statement that the agreement was reached voluntarily and what makes
// it binding (《中华人民共和国人民调解法》第二十八条至第三十三条), and signature lines for each
// party, the mediator and the body's stamp. Missing parts are refused as Invalid.
func AgreementPDF(d AgreementDoc) ([]byte, error) {
	const op = "mediation.AgreementPDF"
	var fe []errs.FieldError
	fe = append(fe, checkDocParties(d.BodyName, d.MediatorName, d.Consumers, d.Enterprise)...)
	if len(d.Terms) == 0 {
		fe = append(fe, field("terms", "调解协议须有协议内容 (an agreement needs terms)"))
	}
	for i, t := range d.Terms {
		if t.AmountFen < 0 {
			fe = append(fe, field(fmt.Sprintf("terms[%d].amount_fen", i),
				"金额不能为负数 (an amount cannot be negative)"))
		}
	}
	if d.SignedAt.IsZero() {
		fe = append(fe, field("signed_at", "须有签订日期 (the signing date is required)"))
	}
	if len(fe) > 0 {
		return nil, errs.Fields(op, fe...)
	}

	title := agreementTitle
	if d.BodyKind == BodyPeoples {
		title = peoplesAgreementTitle
	}
	number := docNumber(d.Number, d.CaseID)
	doc := pdf.New(strings.TrimSpace(title + "　" + number))
	doc.SetDate(d.SignedAt)

	doc.Title(d.BodyName + "\n" + title)
	doc.Field("编号", number)
	heading := docHeadings(doc)
	heading("当事人基本情况")
	writeParties(doc, d.Consumers, d.Enterprise)
	heading("纠纷的主要事实")
	doc.Paragraph(d.Facts)
	if len(d.Points) > 0 {
		heading("争议事项")
		doc.Paragraph(strings.Join(docNumbered(d.Points), "\n"))
	}

	heading("调解协议内容")
	doc.Paragraph(fmt.Sprintf("经%s调解员%s主持调解，双方当事人在平等、自愿的基础上达成如下协议：",
		d.BodyName, d.MediatorName))
	doc.Paragraph(strings.Join(termLines(d), "\n"))
	if d.OverClaimReason != "" {
		doc.Paragraph("本协议约定的金额高于申请人的请求，原因：" + d.OverClaimReason)
	}

	heading("协议效力")
	doc.Paragraph(strings.Join(agreementEffect(len(d.Consumers)+2), "\n"))

	doc.Spacer(8)
	for _, c := range d.Consumers {
		doc.Field("申请人", c.Name+"（签名或按指印）："+signatureBlank)
	}
	doc.Field("被申请人", d.Enterprise.Name+"（盖章）")
	doc.Field("法定代表人", "（或委托代理人）签名："+signatureBlank)
	doc.Field("调解员", d.MediatorName+"（签名）："+signatureBlank)
	doc.Field("调解组织", d.BodyName+"（印章）")
	doc.Field("日期", docDate(d.SignedAt))
	return docBytes(doc, op)
}

// TerminationPDF renders the record that mediation ended without agreement: the parties, the
// facts and points in dispute, the reason and date of the ending, and the remedies still open
// to the parties (《中华人民共和国人民调解法》第二十六条; 《中华人民共和国消费者权益保护法》
// 第三十九条).
func TerminationPDF(d TerminationDoc) ([]byte, error) {
	const op = "mediation.TerminationPDF"
	fe := checkDocParties(d.BodyName, d.MediatorName, d.Consumers, d.Enterprise)
	if strings.TrimSpace(d.Reason) == "" {
		fe = append(fe, field("reason", "须写明终止调解的原因 (the reason is required)"))
	}
	if d.EndedAt.IsZero() {
		fe = append(fe, field("ended_at", "须有终止日期 (the date of the ending is required)"))
	}
	if len(fe) > 0 {
		return nil, errs.Fields(op, fe...)
	}

	number := docNumber(d.Number, d.CaseID)
	doc := pdf.New(strings.TrimSpace(terminationTitle + "　" + number))
	doc.SetDate(d.EndedAt)

	doc.Title(d.BodyName + "\n" + terminationTitle)
	doc.Field("编号", number)
	heading := docHeadings(doc)
	heading("当事人基本情况")
	writeParties(doc, d.Consumers, d.Enterprise)
	heading("纠纷的主要事实")
	doc.Paragraph(d.Facts)
	if len(d.Points) > 0 {
		heading("争议事项")
		doc.Paragraph(strings.Join(docNumbered(d.Points), "\n"))
	}
	heading("终止调解的原因")
	doc.Paragraph(d.Reason)
	doc.Paragraph(fmt.Sprintf("经调解，双方当事人未能达成协议，本组织于%s终止调解。", docDate(d.EndedAt)))
	heading("当事人的其他救济途径")
	doc.Paragraph(strings.Join(terminationRemedies(len(d.Consumers)+2), "\n"))

	doc.Spacer(8)
	doc.Field("调解员", d.MediatorName+"（签名）："+signatureBlank)
	doc.Field("调解组织", d.BodyName+"（印章）")
	doc.Field("日期", docDate(d.EndedAt))
	return docBytes(doc, op)
}

// checkDocParties checks what both documents need.
func checkDocParties(body, mediator string, consumers []ConsumerParty, e EnterpriseParty) []errs.FieldError {
	var fe []errs.FieldError
	if strings.TrimSpace(body) == "" {
		fe = append(fe, field("body_name", "须有调解组织名称 (the body's name is required)"))
	}
	if strings.TrimSpace(mediator) == "" {
		fe = append(fe, field("mediator_name", "须有调解员姓名 (the mediator's name is required)"))
	}
	if len(consumers) == 0 {
		fe = append(fe, field("consumers", "至少须有一名申请人 (at least one consumer is required)"))
	}
	for i, c := range consumers {
		if strings.TrimSpace(c.Name) == "" {
			fe = append(fe, field(fmt.Sprintf("consumers[%d].name", i),
				"须有申请人姓名 (a consumer's name is required)"))
		}
	}
	if strings.TrimSpace(e.Name) == "" {
		fe = append(fe, field("enterprise.name", "须有被申请人名称 (the enterprise's name is required)"))
	}
	return fe
}

// writeParties adds each consumer and the enterprise, as 申请人 and 被申请人.
func writeParties(doc *pdf.Document, consumers []ConsumerParty, e EnterpriseParty) {
	for _, c := range consumers {
		doc.Field("申请人", c.Name)
		if c.Phone != "" {
			doc.Field("联系电话", c.Phone)
		}
		if c.IDNumber != "" {
			doc.Field("身份证件号码", c.IDNumber)
		}
	}
	doc.Field("被申请人", e.Name)
	if e.USCC != "" {
		doc.Field("统一社会信用代码", string(e.USCC))
	}
	if e.LegalRepresentative != "" {
		doc.Field("法定代表人", e.LegalRepresentative)
	}
	if e.Address != "" {
		doc.Field("住所", e.Address)
	}
	if e.Phone != "" {
		doc.Field("联系电话", e.Phone)
	}
}

// termLines writes each term as a sentence, numbered, and their total when there are several.
func termLines(d AgreementDoc) []string {
	lines := make([]string, len(d.Terms))
	var total int64
	for i, t := range d.Terms {
		s := partyName(t.Payer, d) + dueText(t.DueOn) + "向" + partyName(t.Payee, d) +
			"支付" + money.Yuan(t.AmountFen) + "元"
		if t.Method != "" {
			s += "，支付方式：" + t.Method
		}
		lines[i] = s + "。"
		total += t.AmountFen
	}
	lines = docNumbered(lines)
	if len(d.Terms) > 1 {
		lines = append(lines, "以上款项合计"+money.Yuan(total)+"元。")
	}
	return append(lines, "双方当事人就本纠纷再无其他争议。")
}

// partyName names a payer or payee: the enterprise for "enterprise", the consumer for
// "consumer" when there is one, else the name as given.
func partyName(who string, d AgreementDoc) string {
	switch {
	case who == string(SideEnterprise):
		return d.Enterprise.Name
	case who == string(SideConsumer) && len(d.Consumers) == 1:
		return d.Consumers[0].Name
	case who == string(SideConsumer):
		return "各申请人"
	}
	return who
}

// dueText is "于2026年10月15日前" for a due day, nothing without one.
func dueText(day string) string {
	t, err := time.ParseInLocation(time.DateOnly, day, workday.Zone)
	if err != nil {
		return ""
	}
	return "于" + docDate(t) + "前"
}

// agreementEffect is what the agreement says of its own force, with copies for each party and
// the body.
func agreementEffect(copies int) []string {
	return []string{
		"本协议是双方当事人在调解员主持下平等协商、自愿达成的，是双方当事人的真实意思表示，" +
			"内容不违背法律、法规和国家政策（《中华人民共和国人民调解法》第三条、第二十八条）。",
		"本协议自各方当事人签名、盖章或者按指印，调解员签名并加盖调解组织印章之日起生效" +
			"（《中华人民共和国人民调解法》第二十九条）。",
		"本协议具有法律约束力，当事人应当按照约定履行；当事人之间就协议的履行或者内容发生争议的，" +
			"一方当事人可以向人民法院提起诉讼（《中华人民共和国人民调解法》第三十一条、第三十二条）。",
		"双方当事人认为有必要的，可以自本协议生效之日起三十日内共同向人民法院申请司法确认" +
			"（《中华人民共和国人民调解法》第三十三条）。",
		fmt.Sprintf("本协议一式%d份，各方当事人和调解组织各执一份。", copies),
	}
}

// terminationRemedies tells the parties where else they may go.
func terminationRemedies(copies int) []string {
	return []string{
		"调解不成的，当事人可以依法通过仲裁、行政、司法等途径维护自己的权利" +
			"（《中华人民共和国人民调解法》第二十六条）：",
		"1. 根据与经营者达成的仲裁协议，向仲裁机构申请仲裁；",
		"2. 向人民法院提起诉讼；",
		"3. 向有关行政部门投诉（《中华人民共和国消费者权益保护法》第三十九条）。",
		fmt.Sprintf("本书一式%d份，各方当事人和调解组织各执一份。", copies),
	}
}

// docHeadings returns a function that adds the next heading 一、…, 二、…
func docHeadings(doc *pdf.Document) func(string) {
	numerals := []string{"一", "二", "三", "四", "五", "六", "七", "八", "九", "十"}
	next := 0
	return func(s string) {
		doc.Heading(numerals[next] + "、" + s)
		next++
	}
}

// docNumbered puts 1. 2. … before the items.
func docNumbered(items []string) []string {
	out := make([]string, len(items))
	for i, s := range items {
		out[i] = fmt.Sprintf("%d. %s", i+1, s)
	}
	return out
}

func docNumber(number, caseID string) string {
	if number != "" {
		return number
	}
	return caseID
}

// docDate shows a day in Asia/Shanghai as 2026年10月8日.
func docDate(t time.Time) string {
	t = t.In(workday.Zone)
	return fmt.Sprintf("%d年%d月%d日", t.Year(), t.Month(), t.Day())
}

// docBytes lays doc out; a failure here is the program's, not the caller's.
func docBytes(doc *pdf.Document, op string) ([]byte, error) {
	out, err := doc.Bytes()
	if err != nil {
		return nil, errs.Wrap(errs.Internal, op, err)
	}
	return out, nil
}

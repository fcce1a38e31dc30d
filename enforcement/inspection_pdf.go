package enforcement

import (
	"fmt"
	"strings"

	"prepaidreg/internal/errs"
	"prepaidreg/internal/money"
	"prepaidreg/internal/pdf"
	"prepaidreg/registry"
)

// Fixed text of the inspection record (现场检查记录).
const (
	inspectionTitle   = "现场检查记录"
	inspectionClock   = "2006-01-02 15:04"
	inspectionRefused = "拒绝签字"
)

// InspectionPDF renders an inspection record as a printable PDF in Chinese: the bureau, the
// operation and its legal basis, the enterprise, the time of inspection (Asia/Shanghai), the
// inspectors, each finding with its evidence, each measure (fines in yuan, deadlines as
// dates), the representative's acknowledgement or refusal, and lines for the signatures.
func InspectionPDF(op *Operation, ins *Inspection, ent *registry.Enterprise, bureau Bureau) ([]byte, error) {
	const name = "enforcement.InspectionPDF"
	if op == nil || ins == nil || ent == nil {
		return nil, errs.E(errs.Invalid, name, "检查记录不完整 (operation, inspection and enterprise are needed)")
	}

	doc := pdf.New(inspectionTitle + "　" + ent.Name)
	doc.SetDate(ins.RecordedAt)
	doc.SetHeader(bureau.Name)
	doc.Title(bureau.Name + "\n" + inspectionTitle)
	doc.Field("记录编号", ins.ID)

	doc.Heading("一、基本情况")
	doc.Field("联合执法行动", op.Title)
	doc.Field("执法依据", op.LegalBasis)
	doc.Field("牵头部门", op.LeadDepartment.Name())
	doc.Field("被检查单位", ent.Name)
	doc.Field("统一社会信用代码", string(ent.USCC))
	doc.Field("检查地点", ins.Address)
	doc.Field("检查时间", ins.InspectedAt.In(opZone).Format(inspectionClock))

	doc.Heading("二、检查人员")
	rows := make([][]string, len(ins.Inspectors))
	for i, p := range ins.Inspectors {
		rows[i] = []string{p.Name, p.Department.Name(), p.BadgeNumber}
	}
	doc.Table([]string{"姓名", "所属部门", "执法证号"}, []float64{30, 80, 60}, rows)

	writeFindings(doc, ins.Findings)
	writeMeasures(doc, ins.Measures)
	writeAcknowledgement(doc, ins.Acknowledgement)

	out, err := doc.Bytes()
	if err != nil {
		return nil, errs.Wrap(errs.Internal, name, err)
	}
	return out, nil
}

// writeFindings adds each finding with its category, description and evidence.
func writeFindings(doc *pdf.Document, findings []Finding) {
	doc.Heading("三、检查发现")
	if len(findings) == 0 {
		doc.Paragraph("现场检查未发现问题。")
		return
	}
	for i, f := range findings {
		doc.Field(fmt.Sprintf("问题 %d", i+1), f.Category.Label())
		doc.Paragraph(f.Description)
		if len(f.Evidence) > 0 {
			doc.Field("证据材料", strings.Join(f.Evidence, "；"))
		}
	}
}

// writeMeasures adds each measure with the fields that go with its kind.
func writeMeasures(doc *pdf.Document, measures []Measure) {
	doc.Heading("四、处理措施")
	if len(measures) == 0 {
		doc.Paragraph("未采取处理措施。")
		return
	}
	for i, m := range measures {
		doc.Field(fmt.Sprintf("措施 %d", i+1), m.Kind.Label())
		switch m.Kind {
		case MeasureRectify:
			if m.Deadline != nil {
				doc.Field("整改期限", opDay(*m.Deadline))
			}
		case MeasureFine:
			doc.Field("罚款金额", money.Yuan(m.AmountFen)+" 元")
			doc.Field("处罚决定书文号", m.DecisionNumber)
		case MeasureReferral:
			doc.Field("移送部门", m.ReferredTo.Name())
		}
		if m.Note != "" {
			doc.Field("说明", m.Note)
		}
	}
}

// writeAcknowledgement adds the representative's answer to the record and the signature lines.
func writeAcknowledgement(doc *pdf.Document, a *Acknowledgement) {
	doc.Heading("五、被检查单位意见")
	switch {
	case a == nil:
		doc.Paragraph("（未记录）")
	case a.Refused:
		doc.Field("签字情况", inspectionRefused)
		if a.Name != "" {
			doc.Field("现场负责人", a.Name)
		}
		if a.Role != "" {
			doc.Field("职务", a.Role)
		}
		doc.Field("情况说明", a.Note)
	default:
		doc.Field("现场负责人", a.Name)
		doc.Field("职务", a.Role)
		doc.Field("确认时间", a.At.In(opZone).Format(inspectionClock))
		if a.Note != "" {
			doc.Field("意见", a.Note)
		}
		doc.Paragraph("以上记录经本人核对无误。")
	}

	doc.Spacer(8)
	// Signature lines are paragraphs: their labels are too long for a field's label column.
	doc.Paragraph("检查人员（签名）：＿＿＿＿＿＿　＿＿＿＿＿＿　日期：＿＿＿＿年＿＿月＿＿日\n\n" +
		"被检查单位负责人（签名）：＿＿＿＿＿＿　日期：＿＿＿＿年＿＿月＿＿日")
}

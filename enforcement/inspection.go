package enforcement

import (
	"fmt"
	"strings"
	"time"

	"prepaidreg/internal/errs"
	"prepaidreg/registry"
)

// InspectionInput is what inspectors write down at one target of an operation.
type InspectionInput struct {
	// InspectedAt is when the inspection took place; it defaults to 10:00 Asia/Shanghai on the
	// operation's day and must fall on that day.
	InspectedAt *time.Time `json:"inspected_at"`
	// Address is where it took place; it defaults to the enterprise's registered address.
	Address    string      `json:"address"`
	Inspectors []Inspector `json:"inspectors"`
	Findings   []Finding   `json:"findings"`
	Measures   []Measure   `json:"measures"`
	// Acknowledgement is the representative's signature, or the note that they refused. Its
	// time defaults to the time of the inspection.
	Acknowledgement *Acknowledgement `json:"acknowledgement"`
}

// defaultInspectionHour is the time of day an inspection is taken to have happened when the
// record does not say.
const defaultInspectionHour = 10

// check validates the input against the operation and returns the record's content, with
// every field that is wrong. now bounds the time of inspection: a record is of what happened.
func (in InspectionInput) check(
	op *Operation,
	ent *registry.Enterprise,
	now time.Time,
) (Inspection, []errs.FieldError) {
	var fe []errs.FieldError
	ins := Inspection{Address: strings.TrimSpace(in.Address)}
	if ins.Address == "" {
		ins.Address = ent.RegisteredAddress
	}
	if e := opText("address", ins.Address, 200, true); e != nil {
		fe = append(fe, *e)
	}

	ins.InspectedAt, fe = checkInspectedAt(in.InspectedAt, op, now, fe)
	ins.Inspectors, fe = checkInspectors(in.Inspectors, op, fe)
	ins.Findings, fe = checkFindings(in.Findings, fe)
	ins.Measures, fe = checkMeasures(in.Measures, len(ins.Findings), op, ins.InspectedAt, fe)
	ins.Acknowledgement, fe = checkAcknowledgement(in.Acknowledgement, ins.InspectedAt, fe)
	return ins, fe
}

// checkInspectedAt returns the time of the inspection: on the operation's day, not yet to come.
func checkInspectedAt(
	at *time.Time,
	op *Operation,
	now time.Time,
	fe []errs.FieldError,
) (time.Time, []errs.FieldError) {
	var t time.Time
	if at == nil || at.IsZero() {
		day, _ := time.ParseInLocation(opDateLayout, op.Date, opZone)
		t = day.Add(defaultInspectionHour * time.Hour)
	} else {
		t = *at
	}
	t = t.UTC().Truncate(time.Millisecond)
	switch {
	case opDay(t) != op.Date:
		fe = append(fe, field("inspected_at",
			"检查时间应在执法当日 "+op.Date+" (the inspection must be on the day of the operation)"))
	case t.After(now):
		fe = append(fe, field("inspected_at", "检查时间不能晚于现在 (the inspection cannot be in the future)"))
	}
	return t, fe
}

// checkInspectors needs at least one inspector, each named, from a department of the
// operation, with a badge number not given twice.
func checkInspectors(in []Inspector, op *Operation, fe []errs.FieldError) ([]Inspector, []errs.FieldError) {
	switch {
	case len(in) == 0:
		return nil, append(fe, field("inspectors", "请至少填写一名检查人员 (at least one inspector)"))
	case len(in) > MaxInspectors:
		return nil, append(fe, field("inspectors",
			fmt.Sprintf("检查人员最多%d名 (at most %d inspectors)", MaxInspectors, MaxInspectors)))
	}
	out := make([]Inspector, len(in))
	badges := map[string]bool{}
	for i, p := range in {
		at := fmt.Sprintf("inspectors[%d]", i)
		p.Name, p.BadgeNumber = strings.TrimSpace(p.Name), strings.TrimSpace(p.BadgeNumber)
		fe = appendText(fe, at+".name", p.Name, 50, true)
		fe = appendText(fe, at+".badge_number", p.BadgeNumber, 50, true)
		switch {
		case !p.Department.Valid():
			fe = append(fe, field(at+".department", unknownDepartment))
		case !op.HasDepartment(p.Department):
			fe = append(fe, field(at+".department",
				"该部门未参加本次联合执法 (the department does not take part in the operation)"))
		}
		if p.BadgeNumber != "" && badges[p.BadgeNumber] {
			fe = append(fe, field(at+".badge_number", "执法证号重复 (badge number given twice)"))
		}
		badges[p.BadgeNumber] = true
		out[i] = p
	}
	return out, fe
}

// checkFindings checks each finding's category, description and evidence references.
func checkFindings(in []Finding, fe []errs.FieldError) ([]Finding, []errs.FieldError) {
	if len(in) > MaxFindings {
		return nil, append(fe, field("findings",
			fmt.Sprintf("检查发现最多%d项 (at most %d findings)", MaxFindings, MaxFindings)))
	}
	out := make([]Finding, len(in))
	for i, f := range in {
		at := fmt.Sprintf("findings[%d]", i)
		f.Description = strings.TrimSpace(f.Description)
		if !f.Category.Valid() {
			fe = append(fe, field(at+".category", "没有这个问题类别 (unknown finding category)"))
		}
		fe = appendText(fe, at+".description", f.Description, 2000, true)
		if len(f.Evidence) > MaxEvidence {
			fe = append(fe, field(at+".evidence",
				fmt.Sprintf("证据材料最多%d份 (at most %d evidence files)", MaxEvidence, MaxEvidence)))
		}
		evidence := make([]string, len(f.Evidence))
		for j, ref := range f.Evidence {
			evidence[j] = strings.TrimSpace(ref)
			fe = appendText(fe, fmt.Sprintf("%s.evidence[%d]", at, j), evidence[j], MaxEvidenceChars, true)
		}
		f.Evidence = evidence
		out[i] = f
	}
	return out, fe
}

// checkMeasures checks each measure against what its kind needs. A measure answers a finding,
// so there is none without one.
func checkMeasures(
	in []Measure,
	findings int,
	op *Operation,
	inspected time.Time,
	fe []errs.FieldError,
) ([]Measure, []errs.FieldError) {
	switch {
	case len(in) > MaxMeasures:
		return nil, append(fe, field("measures",
			fmt.Sprintf("处理措施最多%d项 (at most %d measures)", MaxMeasures, MaxMeasures)))
	case len(in) > 0 && findings == 0:
		fe = append(fe, field("measures",
			"未记录检查发现的问题，不能采取处理措施 (a measure needs at least one finding)"))
	}
	out := make([]Measure, len(in))
	for i, m := range in {
		at := fmt.Sprintf("measures[%d]", i)
		m.DecisionNumber, m.Note = strings.TrimSpace(m.DecisionNumber), strings.TrimSpace(m.Note)
		fe = appendText(fe, at+".note", m.Note, 500, false)
		fe = m.checkKind(at, op, inspected, fe)
		if m.Deadline != nil {
			d := m.Deadline.UTC().Truncate(time.Millisecond)
			m.Deadline = &d
		}
		out[i] = m
	}
	return out, fe
}

// checkKind checks the fields that go with the measure's kind, and that those of other kinds
// are left empty.
func (m Measure) checkKind(at string, op *Operation, inspected time.Time, fe []errs.FieldError) []errs.FieldError {
	if m.Kind != MeasureRectify && m.Deadline != nil {
		fe = append(fe, field(at+".deadline", "只有责令整改有整改期限 (only rectify has a deadline)"))
	}
	if m.Kind != MeasureFine && m.AmountFen != 0 {
		fe = append(fe, field(at+".amount_fen", "只有罚款有金额 (only a fine has an amount)"))
	}
	if m.Kind != MeasureFine && m.DecisionNumber != "" {
		fe = append(fe, field(at+".decision_number", "只有罚款有处罚决定书文号 (only a fine has a decision number)"))
	}
	if m.Kind != MeasureReferral && m.ReferredTo != "" {
		fe = append(fe, field(at+".referred_to", "只有移送有移送部门 (only a referral names a department)"))
	}

	switch m.Kind {
	case MeasureRectify:
		switch {
		case m.Deadline == nil || m.Deadline.IsZero():
			fe = append(fe, field(at+".deadline", "责令整改须写明整改期限 (rectify needs a deadline)"))
		case opDay(*m.Deadline) <= opDay(inspected):
			fe = append(fe,
				field(at+".deadline", "整改期限应晚于检查当日 (the deadline must be after the inspection day)"))
		}
	case MeasureFine:
		switch {
		case m.AmountFen <= 0:
			fe = append(fe, field(at+".amount_fen", "罚款金额应大于零 (the fine must be more than zero)"))
		case m.AmountFen > MaxFineFen:
			fe = append(fe, field(at+".amount_fen",
				"罚款金额不能超过 1000 亿元（10^13 分） (the fine may be at most 10^13 fen)"))
		}
		fe = appendText(fe, at+".decision_number", m.DecisionNumber, 100, true)
	case MeasureReferral:
		switch {
		case !m.ReferredTo.Valid():
			fe = append(fe, field(at+".referred_to", unknownDepartment))
		case m.ReferredTo == op.LeadDepartment:
			fe = append(fe, field(at+".referred_to",
				"不能移送给牵头部门本身 (a case cannot be referred to the lead department itself)"))
		}
	case MeasureSeal:
	default:
		fe = append(fe, field(at+".kind",
			"措施应为 rectify（责令整改）、fine（罚款）、referral（移送）或 seal（查封） (unknown measure kind)"))
	}
	return fe
}

// checkAcknowledgement needs the representative's name and role, or, when they refused to
// sign, the inspectors' note of it.
func checkAcknowledgement(
	in *Acknowledgement,
	inspected time.Time,
	fe []errs.FieldError,
) (*Acknowledgement, []errs.FieldError) {
	if in == nil {
		return nil, append(fe, field("acknowledgement",
			"请填写企业现场负责人签字确认情况，或注明拒绝签字 (acknowledgement is required)"))
	}
	a := *in
	a.Name, a.Role, a.Note = strings.TrimSpace(a.Name), strings.TrimSpace(a.Role), strings.TrimSpace(a.Note)
	if a.At.IsZero() {
		a.At = inspected
	}
	a.At = a.At.UTC().Truncate(time.Millisecond)
	if a.Refused {
		fe = appendText(fe, "acknowledgement.note", a.Note, 500, true)
		fe = appendText(fe, "acknowledgement.name", a.Name, 50, false)
		fe = appendText(fe, "acknowledgement.role", a.Role, 50, false)
		return &a, fe
	}
	fe = appendText(fe, "acknowledgement.name", a.Name, 50, true)
	fe = appendText(fe, "acknowledgement.role", a.Role, 50, true)
	fe = appendText(fe, "acknowledgement.note", a.Note, 500, false)
	return &a, fe
}

// appendText adds the text field's problem, if it has one.
func appendText(fe []errs.FieldError, field, v string, limit int, required bool) []errs.FieldError {
	if e := opText(field, v, limit, required); e != nil {
		return append(fe, *e)
	}
	return fe
}

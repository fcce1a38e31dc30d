package enforcement

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"prepaidreg/internal/errs"
	"prepaidreg/registry"
)

// Operation is a joint on-site enforcement operation (联合执法) led by one department with
// others taking part, at a set of target enterprises on one day.
type Operation struct {
	ID             string          `json:"id" bson:"_id"`
	Title          string          `json:"title" bson:"title"`
	LegalBasis     string          `json:"legal_basis" bson:"legal_basis"`
	LeadDepartment Department      `json:"lead_department" bson:"lead_department"`
	Departments    []Department    `json:"departments" bson:"departments"`
	Targets        []registry.USCC `json:"targets" bson:"targets"`
	// Date is the day of the operation, "2006-01-02" in Asia/Shanghai.
	Date      string    `json:"date" bson:"date"`
	Version   int64     `json:"version" bson:"version"`
	CreatedAt time.Time `json:"created_at" bson:"created_at"`
	CreatedBy string    `json:"created_by" bson:"created_by"`
	UpdatedAt time.Time `json:"updated_at" bson:"updated_at"`
}

// Inspector is one person who inspected, and the department they came from.
type Inspector struct {
	Name       string     `json:"name" bson:"name"`
	Department Department `json:"department" bson:"department"`
	// BadgeNumber is their law-enforcement certificate number (执法证号).
	BadgeNumber string `json:"badge_number" bson:"badge_number"`
}

// FindingCategory classifies what an inspection found.
type FindingCategory string

// Finding categories.
const (
	FindingNoFiling          FindingCategory = "no_filing"           // prepaid business not filed
	FindingFundsNotDeposited FindingCategory = "funds_not_deposited" // supervised deposit short
	FindingCardOverLimit     FindingCategory = "card_over_limit"     // card face value over the limit
	FindingFalseAdvertising  FindingCategory = "false_advertising"
	FindingUnfairTerms       FindingCategory = "unfair_terms"
	FindingRefundRefused     FindingCategory = "refund_refused"
	FindingNoLicence         FindingCategory = "no_licence"
	FindingClosed            FindingCategory = "closed"
	FindingOther             FindingCategory = "other"
)

// Finding is one thing found on site, with references to its evidence files.
type Finding struct {
	Category    FindingCategory `json:"category" bson:"category"`
	Description string          `json:"description" bson:"description"`
	Evidence    []string        `json:"evidence" bson:"evidence"`
}

// MeasureKind is what was done about a finding.
type MeasureKind string

// Measure kinds.
const (
	MeasureRectify  MeasureKind = "rectify"  // order to rectify by a deadline
	MeasureFine     MeasureKind = "fine"     // administrative penalty: a fine
	MeasureReferral MeasureKind = "referral" // case referred to another department
	MeasureSeal     MeasureKind = "seal"     // store sealed
)

// Measure is one measure taken. Deadline goes with rectify; AmountFen and DecisionNumber with
// fine; ReferredTo with referral.
type Measure struct {
	Kind           MeasureKind `json:"kind" bson:"kind"`
	Deadline       *time.Time  `json:"deadline,omitempty" bson:"deadline,omitempty"`
	AmountFen      int64       `json:"amount_fen,omitempty" bson:"amount_fen,omitempty"`
	DecisionNumber string      `json:"decision_number,omitempty" bson:"decision_number,omitempty"`
	ReferredTo     Department  `json:"referred_to,omitempty" bson:"referred_to,omitempty"`
	Note           string      `json:"note,omitempty" bson:"note,omitempty"`
}

// Acknowledgement is the enterprise representative's answer to the record: signed, or refused
// to sign (noted by the inspectors).
type Acknowledgement struct {
	Name    string    `json:"name" bson:"name"`
	Role    string    `json:"role" bson:"role"`
	At      time.Time `json:"at" bson:"at"`
	Refused bool      `json:"refused" bson:"refused"`
	Note    string    `json:"note,omitempty" bson:"note,omitempty"`
}

// Inspection is the on-site inspection record (检查记录) of one target of an operation. Its id
// is the operation's id and the USCC, so each target has one record.
type Inspection struct {
	ID          string `json:"id" bson:"_id"`
	OperationID string `json:"operation_id" bson:"operation_id"`
	// OperationTitle is the operation's title, copied so that an enterprise's records read
	// in one query.
	OperationTitle  string           `json:"operation_title" bson:"operation_title"`
	USCC            registry.USCC    `json:"uscc" bson:"uscc"`
	InspectedAt     time.Time        `json:"inspected_at" bson:"inspected_at"`
	Address         string           `json:"address" bson:"address"`
	Inspectors      []Inspector      `json:"inspectors" bson:"inspectors"`
	Findings        []Finding        `json:"findings" bson:"findings"`
	Measures        []Measure        `json:"measures" bson:"measures"`
	Acknowledgement *Acknowledgement `json:"acknowledgement,omitempty" bson:"acknowledgement,omitempty"`
	Version         int64            `json:"version" bson:"version"`
	RecordedAt      time.Time        `json:"recorded_at" bson:"recorded_at"`
	RecordedBy      string           `json:"recorded_by" bson:"recorded_by"`
}

// Label returns the category's name in Chinese, or its code when it is unknown.
func (c FindingCategory) Label() string {
	if l, ok := findingLabels[c]; ok {
		return l
	}
	return string(c)
}

// Valid says whether c is one of the finding categories.
func (c FindingCategory) Valid() bool {
	_, ok := findingLabels[c]
	return ok
}

var findingLabels = map[FindingCategory]string{
	FindingNoFiling:          "未按规定备案预付式经营",
	FindingFundsNotDeposited: "未按规定存管预收资金",
	FindingCardOverLimit:     "预付卡面额超过限额",
	FindingFalseAdvertising:  "虚假宣传",
	FindingUnfairTerms:       "格式条款不公平",
	FindingRefundRefused:     "拒不退费",
	FindingNoLicence:         "无照或超范围经营",
	FindingClosed:            "停业或无法联系",
	FindingOther:             "其他问题",
}

// FindingCategories lists the categories in the order forms offer them.
var FindingCategories = []FindingCategory{
	FindingNoFiling, FindingFundsNotDeposited, FindingCardOverLimit, FindingFalseAdvertising,
	FindingUnfairTerms, FindingRefundRefused, FindingNoLicence, FindingClosed, FindingOther,
}

// Label returns the measure's name in Chinese, or its code when it is unknown.
func (k MeasureKind) Label() string {
	switch k {
	case MeasureRectify:
		return "责令整改"
	case MeasureFine:
		return "罚款"
	case MeasureReferral:
		return "移送"
	case MeasureSeal:
		return "查封"
	}
	return string(k)
}

// target names the operation in the audit trail.
func (o *Operation) target() string { return "operation/" + o.ID }

// target names the inspection in the audit trail.
func (i *Inspection) target() string { return "inspection/" + i.ID }

// HasTarget says whether the operation inspects the enterprise.
func (o *Operation) HasTarget(uscc registry.USCC) bool { return slices.Contains(o.Targets, uscc) }

// HasDepartment says whether the department takes part in the operation.
func (o *Operation) HasDepartment(d Department) bool { return slices.Contains(o.Departments, d) }

// Fines returns the fine measures of the inspection.
func (i *Inspection) Fines() []Measure {
	var out []Measure
	for _, m := range i.Measures {
		if m.Kind == MeasureFine {
			out = append(out, m)
		}
	}
	return out
}

// InspectionID is the id of the inspection record of one target of an operation.
func InspectionID(opID string, uscc registry.USCC) string { return opID + ":" + string(uscc) }

// Limits on an operation and its records.
const (
	MaxTargets       = 500
	MaxInspectors    = 50
	MaxFindings      = 50
	MaxMeasures      = 50
	MaxEvidence      = 20
	MaxEvidenceChars = 200
	// MaxFineFen is the largest fine recorded, 10^13 fen (one hundred billion yuan): a guard
	// against a slip of the keyboard, far above any fine the law allows.
	MaxFineFen int64 = 10_000_000_000_000
)

// OperationInput is what a regulator fills in to record an operation.
type OperationInput struct {
	Title          string       `json:"title"`
	LegalBasis     string       `json:"legal_basis"`
	LeadDepartment Department   `json:"lead_department"`
	Departments    []Department `json:"departments"`
	// Targets are the USCCs of the enterprises to inspect.
	Targets []string `json:"targets"`
	// Date is the day of the operation, "2006-01-02"; it may be past (recorded after the
	// fact) but not more than a year ahead.
	Date string `json:"date"`
}

// opDateLayout is how an operation's day is written.
const opDateLayout = "2006-01-02"

// opZone is where days are counted (DESIGN.md: day-based rules count days in Asia/Shanghai).
var opZone = mustZone("Asia/Shanghai")

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// opDay returns the Asia/Shanghai day t falls on, as "2006-01-02".
func opDay(t time.Time) string { return t.In(opZone).Format(opDateLayout) }

// checked is an operation input that passed the checks that need no store.
type checkedOperation struct {
	title, basis string
	lead         Department
	departments  []Department
	targets      []registry.USCC
	date         string
}

// check validates the input on its own, as of now, and says what is wrong field by field.
func (in OperationInput) check(now time.Time) (checkedOperation, []errs.FieldError) {
	var fe []errs.FieldError
	add := func(e *errs.FieldError) {
		if e != nil {
			fe = append(fe, *e)
		}
	}
	c := checkedOperation{title: strings.TrimSpace(in.Title), basis: strings.TrimSpace(in.LegalBasis),
		lead: in.LeadDepartment}
	add(opText("title", c.title, 200, true))
	add(opText("legal_basis", c.basis, 500, true))

	if !c.lead.Valid() {
		fe = append(fe, field("lead_department", unknownDepartment))
	}
	seen := map[Department]bool{}
	for i, d := range in.Departments {
		at := fmt.Sprintf("departments[%d]", i)
		switch {
		case !d.Valid():
			fe = append(fe, field(at, unknownDepartment))
		case seen[d]:
			fe = append(fe, field(at, "部门重复 (department listed twice)"))
		default:
			seen[d] = true
			c.departments = append(c.departments, d)
		}
	}
	// The lead department takes part in its own operation.
	if c.lead.Valid() && !seen[c.lead] {
		c.departments = append([]Department{c.lead}, c.departments...)
	}

	c.targets, fe = checkTargets(in.Targets, fe)
	c.date, fe = checkOperationDate(in.Date, now, fe)
	return c, fe
}

const unknownDepartment = "没有这个部门 (unknown department)"

// checkTargets parses the targets' codes: at least one, at most MaxTargets, none twice.
func checkTargets(codes []string, fe []errs.FieldError) ([]registry.USCC, []errs.FieldError) {
	switch {
	case len(codes) == 0:
		return nil, append(fe, field("targets", "请至少列出一家检查对象 (at least one target enterprise)"))
	case len(codes) > MaxTargets:
		return nil, append(fe, field("targets",
			fmt.Sprintf("检查对象最多%d家 (at most %d target enterprises)", MaxTargets, MaxTargets)))
	}
	var out []registry.USCC
	seen := map[registry.USCC]bool{}
	for i, s := range codes {
		at := fmt.Sprintf("targets[%d]", i)
		u, err := registry.ParseUSCC(strings.TrimSpace(s))
		switch {
		case err != nil:
			fe = append(fe, field(at, err.Error()))
		case seen[u]:
			fe = append(fe, field(at, "检查对象重复 (target listed twice)"))
		default:
			seen[u] = true
			out = append(out, u)
		}
	}
	return out, fe
}

// checkOperationDate parses the day of the operation: a real date, at most a year after today.
func checkOperationDate(s string, now time.Time, fe []errs.FieldError) (string, []errs.FieldError) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", append(fe, field("date", "请填写执法日期 (date is required)"))
	}
	day, err := time.ParseInLocation(opDateLayout, s, opZone)
	if err != nil {
		return "", append(fe,
			field("date", "日期应为真实日期，格式如 2026-11-20 (date must be a real day, YYYY-MM-DD)"))
	}
	limit := now.In(opZone).AddDate(1, 0, 0).Format(opDateLayout)
	if day.Format(opDateLayout) > limit {
		return "", append(fe, field("date", "执法日期不能晚于一年之后 (date may be at most a year ahead)"))
	}
	return day.Format(opDateLayout), fe
}

// opText checks a text field's presence and length in characters.
func opText(name, v string, limit int, required bool) *errs.FieldError {
	switch {
	case required && v == "":
		fe := field(name, "请填写此项 (required)")
		return &fe
	case utf8.RuneCountInString(v) > limit:
		fe := field(name, fmt.Sprintf("最多%d个字 (at most %d characters)", limit, limit))
		return &fe
	}
	return nil
}

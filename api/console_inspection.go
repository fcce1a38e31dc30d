package api

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"prepaidreg/enforcement"
	"prepaidreg/internal/errs"
	"prepaidreg/internal/money"
	"prepaidreg/registry"
)

// The inspection form holds rows of inspectors, findings and measures. Its inputs are named
// like the service's fields, by row: inspectors[0].name, measures[1].amount (in yuan).
// Blank rows are left out of the record, so the service's indices are mapped back to rows.

// Rows the inspection form offers at least, and at most reads.
const (
	minInspectorRows = 3
	minFindingRows   = 2
	minMeasureRows   = 2
	maxFormRows      = 60
)

// Inputs of one row of each group, in the service's names but the measure's amount.
var (
	inspectorInputs = []string{"name", "department", "badge_number"}
	findingInputs   = []string{"category", "description", "evidence"}
	measureInputs   = []string{"kind", "deadline", "amount", "decision_number", "referred_to", "note"}
	inspectionTexts = []string{
		"version", "address", "inspected_time",
		"acknowledgement.name", "acknowledgement.role", "acknowledgement.refused", "acknowledgement.note",
	}
)

// rowKey is the form key of one input of one row.
func rowKey(group string, row int, input string) string {
	return fmt.Sprintf("%s[%d].%s", group, row, input)
}

// inspectionForm is the inspection form as typed: its values by key, and how many rows of
// each group it has.
type inspectionForm struct {
	values map[string]string
	rows   map[string]int
}

// readInspectionForm reads the posted form; a group's rows are those whose first input was
// sent.
func readInspectionForm(c *fiber.Ctx) inspectionForm {
	f := inspectionForm{values: map[string]string{}, rows: map[string]int{}}
	read := func(k string) {
		f.values[k] = strings.ToValidUTF8(c.FormValue(k), "\uFFFD")
	}
	for _, k := range inspectionTexts {
		read(k)
	}
	groups := map[string][]string{"inspectors": inspectorInputs, "findings": findingInputs, "measures": measureInputs}
	for group, inputs := range groups {
		for r := 0; r < maxFormRows && c.Request().PostArgs().Has(rowKey(group, r, inputs[0])); r++ {
			for _, in := range inputs {
				read(rowKey(group, r, in))
			}
			f.rows[group] = r + 1
		}
	}
	return f
}

// inspectionFormOf fills the form with a recorded inspection, for changing it.
func inspectionFormOf(ins *enforcement.Inspection) inspectionForm {
	f := inspectionForm{values: map[string]string{}, rows: map[string]int{
		"inspectors": len(ins.Inspectors), "findings": len(ins.Findings), "measures": len(ins.Measures),
	}}
	v := f.values
	v["version"] = strconv.FormatInt(ins.Version, 10)
	v["address"] = ins.Address
	v["inspected_time"] = ins.InspectedAt.In(shanghai).Format("15:04")
	for i, p := range ins.Inspectors {
		v[rowKey("inspectors", i, "name")] = p.Name
		v[rowKey("inspectors", i, "department")] = string(p.Department)
		v[rowKey("inspectors", i, "badge_number")] = p.BadgeNumber
	}
	for i, fd := range ins.Findings {
		v[rowKey("findings", i, "category")] = string(fd.Category)
		v[rowKey("findings", i, "description")] = fd.Description
		v[rowKey("findings", i, "evidence")] = strings.Join(fd.Evidence, "；")
	}
	for i, m := range ins.Measures {
		v[rowKey("measures", i, "kind")] = string(m.Kind)
		if m.Deadline != nil {
			v[rowKey("measures", i, "deadline")] = m.Deadline.In(shanghai).Format(time.DateOnly)
		}
		if m.AmountFen != 0 {
			v[rowKey("measures", i, "amount")] = yuanInput(m.AmountFen)
		}
		v[rowKey("measures", i, "decision_number")] = m.DecisionNumber
		v[rowKey("measures", i, "referred_to")] = string(m.ReferredTo)
		v[rowKey("measures", i, "note")] = m.Note
	}
	if a := ins.Acknowledgement; a != nil {
		v["acknowledgement.name"], v["acknowledgement.role"], v["acknowledgement.note"] = a.Name, a.Role, a.Note
		if a.Refused {
			v["acknowledgement.refused"] = "on"
		}
	}
	return f
}

// inspectionConversion is what reading the form learnt besides the input: the row each
// inspector, finding and measure came from, and the form's own findings by input.
type inspectionConversion struct {
	rows   map[string][]int
	errors map[string]string
}

// blankRow says whether every input of the row is empty.
func (f inspectionForm) blankRow(group string, row int, inputs []string) bool {
	for _, in := range inputs {
		if strings.TrimSpace(f.values[rowKey(group, row, in)]) != "" {
			return false
		}
	}
	return true
}

// input turns the typed form into the service's input for the operation's day.
func (f inspectionForm) input(op *enforcement.Operation) (enforcement.InspectionInput, inspectionConversion) {
	conv := inspectionConversion{rows: map[string][]int{}, errors: map[string]string{}}
	v := f.values
	in := enforcement.InspectionInput{Address: v["address"],
		Inspectors: []enforcement.Inspector{}, Findings: []enforcement.Finding{}, Measures: []enforcement.Measure{}}
	in.InspectedAt = conv.inspectedAt(v["inspected_time"], op.Date)

	for r := range f.rows["inspectors"] {
		if f.blankRow("inspectors", r, inspectorInputs) {
			continue
		}
		in.Inspectors = append(in.Inspectors, enforcement.Inspector{
			Name:        v[rowKey("inspectors", r, "name")],
			Department:  enforcement.Department(v[rowKey("inspectors", r, "department")]),
			BadgeNumber: v[rowKey("inspectors", r, "badge_number")],
		})
		conv.rows["inspectors"] = append(conv.rows["inspectors"], r)
	}
	for r := range f.rows["findings"] {
		if f.blankRow("findings", r, findingInputs) {
			continue
		}
		in.Findings = append(in.Findings, enforcement.Finding{
			Category:    enforcement.FindingCategory(v[rowKey("findings", r, "category")]),
			Description: v[rowKey("findings", r, "description")],
			Evidence:    evidenceRefs(v[rowKey("findings", r, "evidence")]),
		})
		conv.rows["findings"] = append(conv.rows["findings"], r)
	}
	for r := range f.rows["measures"] {
		if f.blankRow("measures", r, measureInputs) {
			continue
		}
		in.Measures = append(in.Measures, conv.measure(v, r))
		conv.rows["measures"] = append(conv.rows["measures"], r)
	}
	in.Acknowledgement = acknowledgementOf(v)
	return in, conv
}

// inspectedAt reads the time of day of the inspection on the operation's day; empty leaves
// the service's default.
func (conv inspectionConversion) inspectedAt(hhmm, day string) *time.Time {
	hhmm = strings.TrimSpace(hhmm)
	if hhmm == "" {
		return nil
	}
	t, err := time.ParseInLocation(time.DateOnly+" 15:04", day+" "+hhmm, shanghai)
	if err != nil {
		conv.errors["inspected_time"] = "检查时间应写作 时:分，如 14:30 (a time such as 14:30)"
		return nil
	}
	return &t
}

// measure reads one measure row: its deadline as a day in Asia/Shanghai and its amount in yuan.
func (conv inspectionConversion) measure(v map[string]string, r int) enforcement.Measure {
	m := enforcement.Measure{
		Kind:           enforcement.MeasureKind(v[rowKey("measures", r, "kind")]),
		DecisionNumber: v[rowKey("measures", r, "decision_number")],
		ReferredTo:     enforcement.Department(v[rowKey("measures", r, "referred_to")]),
		Note:           v[rowKey("measures", r, "note")],
	}
	if s := strings.TrimSpace(v[rowKey("measures", r, "deadline")]); s != "" {
		day, err := time.ParseInLocation(time.DateOnly, s, shanghai)
		if err != nil {
			conv.errors[rowKey("measures", r, "deadline")] = "整改期限应为日期，如 2026-12-20 " +
				"(a date such as 2026-12-20)"
		} else {
			m.Deadline = &day
		}
	}
	amount := strings.TrimSpace(v[rowKey("measures", r, "amount")])
	switch {
	case amount == "":
	case strings.HasPrefix(amount, "-") || strings.HasPrefix(amount, "－"):
		conv.errors[rowKey("measures", r, "amount")] = "罚款金额不能为负数 (the fine cannot be negative)"
	default:
		fen, err := money.ParseYuan(amount)
		if err != nil {
			conv.errors[rowKey("measures", r, "amount")] =
				"罚款金额应为元，最多两位小数，如 5000 或 5,000.50 (an amount in yuan with at most two decimals)"
		}
		m.AmountFen = fen
	}
	return m
}

// evidenceRefs splits the evidence box at semicolons, half- or full-width.
func evidenceRefs(text string) []string {
	out := []string{}
	for _, ref := range strings.FieldsFunc(text, func(r rune) bool { return r == ';' || r == '；' || r == '\n' }) {
		if ref = strings.TrimSpace(ref); ref != "" {
			out = append(out, ref)
		}
	}
	return out
}

// acknowledgementOf reads the representative's answer; nothing typed and nothing ticked is
// none, which the service asks for.
func acknowledgementOf(v map[string]string) *enforcement.Acknowledgement {
	a := &enforcement.Acknowledgement{Name: v["acknowledgement.name"], Role: v["acknowledgement.role"],
		Note: v["acknowledgement.note"], Refused: v["acknowledgement.refused"] != ""}
	if !a.Refused && strings.TrimSpace(a.Name+a.Role+a.Note) == "" {
		return nil
	}
	return a
}

// serviceInputs names the form input each of the service's fields without a row goes beside.
var serviceInputs = map[string]string{
	"address": "address", "inspected_at": "inspected_time", "inspectors": "inspectors",
	"findings": "findings", "measures": "measures", "acknowledgement": "acknowledgement",
	"acknowledgement.name": "acknowledgement.name", "acknowledgement.role": "acknowledgement.role",
	"acknowledgement.note": "acknowledgement.note",
}

// place puts the service's field messages beside the form's inputs, by row; what has no
// input is returned for the top of the form.
func (conv inspectionConversion) place(fields []errs.FieldError) (map[string]string, string) {
	placed := map[string]string{}
	var top []string
	add := func(key, msg string) {
		if placed[key] != "" {
			msg = placed[key] + "；" + msg
		}
		placed[key] = msg
	}
	for _, f := range fields {
		base, i, indexed := fieldIndex(f.Field)
		if !indexed {
			if key, ok := serviceInputs[f.Field]; ok {
				add(key, f.Message)
			} else {
				top = append(top, f.Message)
			}
			continue
		}
		rows := conv.rows[base]
		_, rest, _ := strings.Cut(f.Field, "].")
		input, _, _ := strings.Cut(rest, "[")
		if input == "amount_fen" {
			input = "amount"
		}
		if i >= len(rows) || input == "" {
			add(base, f.Message)
			continue
		}
		add(rowKey(base, rows[i], input), f.Message)
	}
	return placed, strings.Join(top, "；")
}

// inspectionFormView is the inspection form of one target, laid out by row.
type inspectionFormView struct {
	Op            *enforcement.Operation
	Enterprise    *registry.Enterprise
	OperationPath string
	Action        string
	// PDFPath is the record's PDF, once there is one.
	PDFPath    string
	Inspectors []inspectorRow
	Findings   []findingRow
	Measures   []measureRow
	// Stale says the save was refused because someone else changed the record meanwhile.
	Stale bool
}

// formInput is one input of a row: its name, what it holds and what is wrong with it.
type formInput struct {
	Name  string
	ID    string
	Value string
	Error string
}

type inspectorRow struct {
	Name, Department, Badge formInput
	Departments             []option
}

type findingRow struct {
	Category, Description, Evidence formInput
	Categories                      []option
}

type measureRow struct {
	Kind, Deadline, Amount, Decision, ReferredTo, Note formInput
	Kinds, Departments                                 []option
}

// measureKinds are the measures the form offers.
var measureKinds = []enforcement.MeasureKind{
	enforcement.MeasureRectify, enforcement.MeasureFine, enforcement.MeasureReferral, enforcement.MeasureSeal,
}

func (s *server) inspectionFormPage(c *fiber.Ctx) error {
	op, ent, err := s.inspectionSubject(c)
	if err != nil {
		return err
	}
	f := inspectionForm{values: map[string]string{"version": "0"}, rows: map[string]int{}}
	ins, err := s.Enforcement.Inspection(c.UserContext(), op.ID, ent.USCC.String())
	switch {
	case err == nil:
		f = inspectionFormOf(ins)
	case !errs.Is(err, errs.NotFound):
		return err
	}
	return s.renderInspectionForm(c, pageData{}, f, op, ent, false)
}

// inspectionSubject reads the operation and the target enterprise a form is about; a code
// that is not a target of the operation is not found.
func (s *server) inspectionSubject(c *fiber.Ctx) (*enforcement.Operation, *registry.Enterprise, error) {
	op, err := s.Enforcement.Operation(c.UserContext(), c.Params("id"))
	if err != nil {
		return nil, nil, err
	}
	code, err := registry.ParseUSCC(c.Params("uscc"))
	if err != nil || !op.HasTarget(code) {
		return nil, nil, errs.E(errs.NotFound, "api.inspectionForm",
			"该企业不是本次联合执法的检查对象 (the enterprise is not a target of the operation)")
	}
	ent, err := s.Registry.Enterprise(c.UserContext(), code.String())
	if err != nil {
		return nil, nil, err
	}
	return op, ent, nil
}

func (s *server) saveInspectionForm(c *fiber.Ctx) error {
	if err := checkFormSize(c); err != nil {
		return err
	}
	op, ent, err := s.inspectionSubject(c)
	if err != nil {
		return err
	}
	f := readInspectionForm(c)
	version, perr := strconv.ParseInt(f.values["version"], 10, 64)
	if perr != nil || version < 0 {
		return newHTTPError(http.StatusBadRequest,
			"表单缺少版本号，请重新打开检查记录表 (the form has no version: reopen it)")
	}
	in, conv := f.input(op)

	// The service has no way to check a record without writing it, so a form whose amounts or
	// dates cannot be read is shown with those messages alone, before anything is sent.
	d := pageData{FieldErrors: conv.errors}
	if len(conv.errors) > 0 {
		d.Error = "未保存：请按表单中的红字说明修改；其余各项在修改后提交时一并检查。"
		c.Status(http.StatusBadRequest)
		return s.renderInspectionForm(c, d, f, op, ent, false)
	}
	_, err = s.Enforcement.RecordInspection(c.UserContext(), actor(c), op.ID, ent.USCC.String(), version, in)
	stale := false
	switch {
	case err == nil:
		return c.Redirect(consoleOperationPath(op.ID), http.StatusSeeOther)
	case errs.Is(err, errs.Invalid):
		var top string
		d.FieldErrors, top = conv.place(errs.FieldsOf(err))
		d.Error = "未保存：请按表单中的红字说明修改后重新提交。"
		if top != "" {
			d.Error = "未保存：" + top
		}
		c.Status(http.StatusBadRequest)
	case errs.Is(err, errs.Stale):
		d.Error, stale = "已被他人修改：您打开本表之后，这份检查记录已被他人保存，您的修改没有保存。"+
			"请重新打开检查记录表，核对后再修改。", true
		c.Status(http.StatusPreconditionFailed)
	default:
		return err
	}
	return s.renderInspectionForm(c, d, f, op, ent, stale)
}

// renderInspectionForm shows the form with what it holds, a few blank rows more in each group.
func (s *server) renderInspectionForm(
	c *fiber.Ctx,
	d pageData,
	f inspectionForm,
	op *enforcement.Operation,
	ent *registry.Enterprise,
	stale bool,
) error {
	if d.FieldErrors == nil {
		d.FieldErrors = map[string]string{}
	}
	d.Title = "检查记录 · " + ent.Name
	d.Form = f.values
	v := inspectionFormView{Op: op, Enterprise: ent, OperationPath: consoleOperationPath(op.ID),
		Action: consoleInspectionPath(op.ID, ent.USCC), Stale: stale}
	if f.values["version"] != "0" && f.values["version"] != "" {
		v.PDFPath = inspectionPath(op.ID, ent.USCC.String()) + "/record.pdf"
	}
	in := func(group string, r int, name string) formInput {
		k := rowKey(group, r, name)
		return formInput{Name: k, ID: fmt.Sprintf("%s-%d-%s", group, r, name), Value: f.values[k],
			Error: d.FieldErrors[k]}
	}
	for r := range max(f.rows["inspectors"]+1, minInspectorRows) {
		row := inspectorRow{Name: in("inspectors", r, "name"), Department: in("inspectors", r, "department"),
			Badge: in("inspectors", r, "badge_number")}
		row.Departments = departmentOptions(op.Departments, row.Department.Value)
		v.Inspectors = append(v.Inspectors, row)
	}
	for r := range max(f.rows["findings"]+1, minFindingRows) {
		row := findingRow{Category: in("findings", r, "category"), Description: in("findings", r, "description"),
			Evidence: in("findings", r, "evidence")}
		for _, cat := range enforcement.FindingCategories {
			row.Categories = append(row.Categories, option{Value: string(cat), Label: cat.Label(),
				Selected: string(cat) == row.Category.Value})
		}
		v.Findings = append(v.Findings, row)
	}
	for r := range max(f.rows["measures"]+1, minMeasureRows) {
		row := measureRow{Kind: in("measures", r, "kind"), Deadline: in("measures", r, "deadline"),
			Amount: in("measures", r, "amount"), Decision: in("measures", r, "decision_number"),
			ReferredTo: in("measures", r, "referred_to"), Note: in("measures", r, "note")}
		for _, k := range measureKinds {
			row.Kinds = append(row.Kinds,
				option{Value: string(k), Label: k.Label(), Selected: string(k) == row.Kind.Value})
		}
		row.Departments = departmentOptions(allDepartments(), row.ReferredTo.Value)
		v.Measures = append(v.Measures, row)
	}
	d.Data = v
	return s.render(c, "inspection_form", d)
}

// departmentOptions offers the departments by name.
func departmentOptions(depts []enforcement.Department, selected string) []option {
	out := make([]option, len(depts))
	for i, d := range depts {
		out[i] = option{Value: string(d), Label: d.Name(), Selected: string(d) == selected}
	}
	return out
}

// allDepartments lists every known department's code.
func allDepartments() []enforcement.Department {
	out := make([]enforcement.Department, len(enforcement.Departments))
	for i, info := range enforcement.Departments {
		out[i] = info.Code
	}
	return out
}

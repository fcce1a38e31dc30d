package api

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"prepaidreg/enforcement"
	"prepaidreg/internal/errs"
	"prepaidreg/registry"
)

// consoleOperationPath is the console address of one joint operation.
func consoleOperationPath(id string) string { return "/console/operations/" + url.PathEscape(id) }

// consoleInspectionPath is the console address of the inspection form of one target.
func consoleInspectionPath(opID string, uscc registry.USCC) string {
	return consoleOperationPath(opID) + "/inspections/" + url.PathEscape(uscc.String())
}

// operationsView is the list of operations, newest first.
type operationsView struct {
	Rows    []operationRow
	NextURL string
}

// operationRow is one operation as the list shows it.
type operationRow struct {
	enforcement.Operation
	Path     string
	LeadName string
}

func (s *server) operationsPage(c *fiber.Ctx) error {
	limit, after, err := parseOperationQuery(c)
	if err != nil {
		return err
	}
	page, err := s.Enforcement.ListOperations(c.UserContext(), limit, after)
	if err != nil {
		return err
	}
	v := &operationsView{}
	for _, o := range page.Items {
		v.Rows = append(v.Rows, operationRow{Operation: o, Path: consoleOperationPath(o.ID),
			LeadName: o.LeadDepartment.Name()})
	}
	if page.Next != nil {
		q := url.Values{"cursor": {operationCursorText(page.Next)}}
		if c.Query("limit") != "" {
			q.Set("limit", c.Query("limit"))
		}
		v.NextURL = "/console/operations?" + q.Encode()
	}
	return s.render(c, "operations", pageData{Title: "联合执法", Data: v})
}

// operationFormView is what the operation form offers besides the typed values.
type operationFormView struct {
	Leads       []option
	Departments []option
}

// operationFormInputs names the form input each service field is shown beside.
var operationFormInputs = map[string]string{
	"title": "title", "legal_basis": "legal_basis", "lead_department": "lead_department",
	"departments": "departments", "targets": "targets", "date": "date",
}

// deptKey is the form map's key for a ticked department.
func deptKey(d enforcement.Department) string { return "departments." + string(d) }

func (s *server) newOperationPage(c *fiber.Ctx) error {
	form := map[string]string{
		"lead_department": "market", "date": s.Enforcement.Now().In(shanghai).Format(time.DateOnly),
	}
	return s.renderOperationForm(c, pageData{Form: form, FieldErrors: map[string]string{}})
}

func (s *server) renderOperationForm(c *fiber.Ctx, d pageData) error {
	d.Title = "登记联合执法行动"
	v := operationFormView{}
	for _, info := range enforcement.Departments {
		v.Leads = append(v.Leads, option{Value: string(info.Code), Label: info.Name,
			Selected: string(info.Code) == d.Form["lead_department"]})
		v.Departments = append(v.Departments, option{Value: string(info.Code), Label: info.Name,
			Selected: d.Form[deptKey(info.Code)] != ""})
	}
	d.Data = v
	return s.render(c, "operation_form", d)
}

func (s *server) createOperationForm(c *fiber.Ctx) error {
	if err := checkFormSize(c); err != nil {
		return err
	}
	form := map[string]string{}
	for _, k := range []string{"title", "legal_basis", "lead_department", "targets", "date"} {
		form[k] = strings.ToValidUTF8(c.FormValue(k), "\uFFFD")
	}
	in := enforcement.OperationInput{Title: form["title"], LegalBasis: form["legal_basis"],
		LeadDepartment: enforcement.Department(form["lead_department"]), Date: form["date"],
		Departments: []enforcement.Department{}}
	for _, v := range c.Request().PostArgs().PeekMulti("departments") {
		d := enforcement.Department(strings.ToValidUTF8(string(v), "\uFFFD"))
		in.Departments = append(in.Departments, d)
		form[deptKey(d)] = "on"
	}
	var lines []int
	in.Targets, lines = numberedLines(form["targets"])

	o, err := s.Enforcement.CreateOperation(c.UserContext(), actor(c), in)
	if err == nil {
		return c.Redirect(consoleOperationPath(o.ID), http.StatusSeeOther)
	}
	if !errs.Is(err, errs.Invalid) {
		return err
	}
	d := pageData{Form: form}
	d.FieldErrors, d.Error = placeErrors(lineMessages(errs.FieldsOf(err), "targets", lines), operationFormInputs, nil)
	if d.Error != "" {
		d.Error = "未保存：" + d.Error
	}
	c.Status(http.StatusBadRequest)
	return s.renderOperationForm(c, d)
}

// numberedLines returns the non-blank lines of a textarea, trimmed, and the line number of each.
func numberedLines(text string) ([]string, []int) {
	out := []string{}
	var lines []int
	for i, l := range strings.Split(text, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
			lines = append(lines, i+1)
		}
	}
	return out, lines
}

// lineMessages says which line of the textarea base each message about one of its items is
// about, the items having been read from lines.
func lineMessages(fields []errs.FieldError, base string, lines []int) []errs.FieldError {
	out := make([]errs.FieldError, len(fields))
	for i, f := range fields {
		out[i] = f
		b, idx, ok := fieldIndex(f.Field)
		if ok && b == base && idx < len(lines) {
			out[i].Message = fmt.Sprintf("第%d行：%s", lines[idx], f.Message)
		}
	}
	return out
}

// fieldIndex splits a field such as targets[2] or measures[1].amount_fen into its base, its
// index and what follows the index.
func fieldIndex(field string) (base string, index int, ok bool) {
	base, rest, found := strings.Cut(field, "[")
	if !found {
		return field, 0, false
	}
	n, _, found := strings.Cut(rest, "]")
	i, err := strconv.Atoi(n)
	if !found || err != nil || i < 0 {
		return base, 0, false
	}
	return base, i, true
}

// operationView is an operation with its matrix, laid out for the page.
type operationView struct {
	Op       *enforcement.Operation
	Matrix   *enforcement.Matrix
	LeadName string
	Depts    []string
	Targets  []operationTarget
}

// operationTarget is one target's column, with the addresses of its form and its record.
type operationTarget struct {
	enforcement.MatrixTarget
	FormPath   string
	PDFPath    string
	Categories string
}

func (s *server) operationPage(c *fiber.Ctx) error {
	o, err := s.Enforcement.Operation(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	m, err := s.Enforcement.Matrix(c.UserContext(), o.ID)
	if err != nil {
		return err
	}
	v := operationView{Op: o, Matrix: m, LeadName: o.LeadDepartment.Name()}
	for _, d := range o.Departments {
		v.Depts = append(v.Depts, d.Name())
	}
	for _, t := range m.Targets {
		ot := operationTarget{MatrixTarget: t, FormPath: consoleInspectionPath(o.ID, t.USCC)}
		if ot.Name == "" {
			ot.Name = t.USCC.String()
		}
		if t.Inspected {
			ot.PDFPath = inspectionPath(o.ID, t.USCC.String()) + "/record.pdf"
		}
		labels := make([]string, len(t.Categories))
		for i, cat := range t.Categories {
			labels[i] = cat.Label()
		}
		ot.Categories = strings.Join(labels, "、")
		v.Targets = append(v.Targets, ot)
	}
	return s.render(c, "operation", pageData{Title: o.Title, Data: v})
}

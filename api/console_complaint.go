package api

import (
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"prepaidreg/internal/chart"
	"prepaidreg/internal/errs"
	"prepaidreg/registry"
)

// Words the complaint pages show for the registry's codes.
var (
	categorySourceLabels = map[string]string{
		string(registry.CategoryGiven): "热线分类", string(registry.CategoryRules): "规则标注",
		string(registry.CategoryCorrected): "人工更正",
	}
	complaintHandlingLabels = map[string]string{
		string(registry.HandlingOpen): "办理中", string(registry.HandlingResponded): "已答复",
		string(registry.HandlingResolved): "已解决", string(registry.HandlingUnresolved): "未解决",
	}
	linkedByLabels = map[string]string{
		"uscc": "按统一社会信用代码", "name": "按名称或别名", "manual": "人工关联", "later": "企业登记后自动关联",
	}
	importStatusLabels = map[string]string{
		registry.ImportRunning: "导入中", registry.ImportDone: "已完成", registry.ImportFailed: "失败",
	}
	// complaintFieldLabels names a work order's fields as the export's columns do.
	complaintFieldLabels = map[string]string{
		"ticket": "工单编号", "received_at": "受理时间", "complainant_name": "诉求人",
		"complainant_phone": "联系电话", "reported_name": "被反映主体", "reported_uscc": "统一社会信用代码",
		"district": "区", "street": "街乡", "text": "诉求内容", "hotline_category": "诉求类别",
		"category": "投诉类别", "amount_fen": "涉及金额", "handling_status": "办理状态", "satisfaction": "满意度",
	}
)

// handlingStates lists the handling states in the order the filter offers them.
var handlingStates = []registry.Handling{
	registry.HandlingOpen, registry.HandlingResponded, registry.HandlingResolved, registry.HandlingUnresolved,
}

// complaintPath is the console address of one complaint; its ticket may hold any character
// but a colon, so it is escaped as one path segment.
func complaintPath(id string) string { return "/console/complaints/" + url.PathEscape(id) }

// complaintRow is one complaint as a list row or the complaint page shows it, its codes
// turned into words.
type complaintRow struct {
	registry.Complaint
	Path          string
	CategoryLabel string
	SourceLabel   string
	HandlingLabel string
	DistrictName  string
	LinkedByLabel string
}

func (s *server) complaintRowOf(cp registry.Complaint) complaintRow {
	return complaintRow{
		Complaint:     cp,
		Path:          complaintPath(cp.ID),
		CategoryLabel: categoryLabel(cp.Category),
		SourceLabel:   labelOr(categorySourceLabels, string(cp.CategorySource)),
		HandlingLabel: labelOr(complaintHandlingLabels, string(cp.Handling)),
		DistrictName:  s.Registry.Areas().DistrictName(cp.District),
		LinkedByLabel: labelOr(linkedByLabels, cp.LinkedBy),
	}
}

// categoryLabel is a category's Chinese name, or its code if it has none.
func categoryLabel(cat registry.Category) string {
	if l := cat.Label(); l != "" {
		return l
	}
	return string(cat)
}

// complaintListView is what the complaint list shows besides the filter form's values.
type complaintListView struct {
	Rows       []complaintRow
	Categories []option
	Handlings  []option
	Districts  []option
	Linked     []option
	// Queue says the list shows the unlinked queue.
	Queue   bool
	NextURL string
}

// complaintFilterInputs names the filter input each query parameter is shown beside.
var complaintFilterInputs = map[string]string{
	"uscc": "uscc", "category": "category", "status": "status", "district": "district",
	"from": "from", "to": "to", "linked": "linked",
}

func (s *server) complaintsPage(c *fiber.Ctx) error {
	form := map[string]string{}
	for _, k := range complaintFilters {
		form[k] = c.Query(k)
	}
	view := s.complaintListViewOf(form)
	d := pageData{Title: "投诉列表", Form: form, Data: view}
	if view.Queue {
		d.Title = "未关联队列"
	}

	q, err := s.parseComplaintQuery(c, true)
	if err != nil {
		fields, ok := queryErrors(err)
		if !ok {
			return err
		}
		d.FieldErrors, d.Error = placeErrors(fields, complaintFilterInputs, nil)
		c.Status(http.StatusBadRequest)
		return s.render(c, "complaints", d)
	}
	page, err := s.Registry.ListComplaints(c.UserContext(), q)
	if err != nil {
		return err
	}
	// Lists show complainants masked; only the complaint's own page shows them in full.
	for _, cp := range page.Items {
		view.Rows = append(view.Rows, s.complaintRowOf(cp.Masked()))
	}
	if page.Next != nil {
		view.NextURL = complaintsNextURL(c, page.Next)
	}
	return s.render(c, "complaints", d)
}

// complaintListViewOf fills in the filter form's choices; the handler adds the rows.
func (s *server) complaintListViewOf(form map[string]string) *complaintListView {
	v := &complaintListView{
		Categories: categoryOptions(form["category"]),
		Districts:  s.districtOptions(form["district"]),
		Queue:      form["linked"] == "false",
	}
	for _, h := range handlingStates {
		v.Handlings = append(v.Handlings, option{Value: string(h), Label: complaintHandlingLabels[string(h)],
			Selected: string(h) == form["status"]})
	}
	for _, l := range []option{{Value: "true", Label: "已关联企业"}, {Value: "false", Label: "未关联（待人工关联）"}} {
		l.Selected = l.Value == form["linked"]
		v.Linked = append(v.Linked, l)
	}
	return v
}

func categoryOptions(selected string) []option {
	var out []option
	for _, cat := range registry.Categories {
		out = append(out, option{Value: string(cat), Label: cat.Label(), Selected: string(cat) == selected})
	}
	return out
}

// complaintsNextURL repeats the list's filters with the cursor of the next page.
func complaintsNextURL(c *fiber.Ctx, next *registry.ComplaintCursor) string {
	v := url.Values{}
	for _, k := range append([]string{"limit"}, complaintFilters...) {
		if c.Query(k) != "" {
			v.Set(k, c.Query(k))
		}
	}
	v.Set("cursor", complaintCursorText(next))
	return "/console/complaints?" + v.Encode()
}

// complaintCursorText is the opaque cursor of the page after next, as parseComplaintQuery
// reads it back.
func complaintCursorText(next *registry.ComplaintCursor) string {
	return encodeTimeCursor(next.ReceivedAt, next.ID)
}

// complaintView is one complaint in full, with its link and correction forms.
type complaintView struct {
	complaintRow
	// Enterprise is the enterprise the complaint is linked to, if it is on file.
	Enterprise *registry.Enterprise
	Categories []option
}

func (s *server) complaintPage(c *fiber.Ctx) error {
	cp, err := s.Registry.Complaint(c.UserContext(), complaintID(c))
	if err != nil {
		return err
	}
	return s.renderComplaint(c, pageData{}, cp)
}

// renderComplaint shows one complaint, unmasked: this page is where a regulator works on the
// complaint and may need to call the complainant back. Forms keep what d.Form holds.
func (s *server) renderComplaint(c *fiber.Ctx, d pageData, cp *registry.Complaint) error {
	if d.Form == nil {
		d.Form = map[string]string{}
		if cp.USCC == "" {
			d.Form["uscc"] = cp.ReportedUSCC
		}
	}
	if d.Form["category"] == "" {
		d.Form["category"] = string(cp.Category)
	}
	d.Form["version"] = strconv.FormatInt(cp.Version, 10)
	d.Title = "投诉 " + cp.Ticket
	v := complaintView{complaintRow: s.complaintRowOf(*cp), Categories: categoryOptions(d.Form["category"])}
	if cp.USCC != "" {
		e, err := s.Registry.Enterprise(c.UserContext(), cp.USCC.String())
		if err != nil && !errs.Is(err, errs.NotFound) {
			return err
		}
		v.Enterprise = e
	}
	d.Data = v
	return s.render(c, "complaint", d)
}

func (s *server) linkComplaintForm(c *fiber.Ctx) error {
	if err := checkFormSize(c); err != nil {
		return err
	}
	id := complaintID(c)
	cp, err := s.Registry.Complaint(c.UserContext(), id)
	if err != nil {
		return err
	}
	form := map[string]string{"uscc": strings.TrimSpace(c.FormValue("uscc")), "add_alias": c.FormValue("add_alias")}
	d := pageData{Form: form, FieldErrors: map[string]string{}}
	if _, err := registry.ParseUSCC(form["uscc"]); err != nil {
		d.FieldErrors["uscc"] = err.Error()
		c.Status(http.StatusBadRequest)
		return s.renderComplaint(c, d, cp)
	}

	_, err = s.Registry.LinkComplaint(c.UserContext(), actor(c), id, form["uscc"], form["add_alias"] != "")
	switch {
	case err == nil:
		return c.Redirect(complaintPath(id), http.StatusSeeOther)
	case errs.Is(err, errs.NotFound):
		// The complaint was just read, so what is missing is the enterprise.
		d.FieldErrors["uscc"] = errs.MessageOf(err)
		c.Status(http.StatusNotFound)
	case errs.Is(err, errs.Stale), errs.Is(err, errs.Invalid):
		// The link may have been saved and only the alias refused; the page shows which.
		d.Error = errorText(err)
		c.Status(kindStatus[errs.KindOf(err)])
	default:
		return err
	}
	return s.rerenderComplaint(c, d, id)
}

func (s *server) correctCategoryForm(c *fiber.Ctx) error {
	if err := checkFormSize(c); err != nil {
		return err
	}
	id := complaintID(c)
	form := map[string]string{"category": c.FormValue("category")}
	d := pageData{Form: form, FieldErrors: map[string]string{}}
	version, err := strconv.ParseInt(c.FormValue("version"), 10, 64)
	if err != nil || version < 1 {
		return newHTTPError(http.StatusBadRequest,
			"表单缺少版本号，请重新打开投诉页 (the form has no version: reopen it)")
	}

	_, err = s.Registry.CorrectCategory(c.UserContext(), actor(c), id, version, registry.Category(form["category"]))
	switch {
	case err == nil:
		return c.Redirect(complaintPath(id), http.StatusSeeOther)
	case errs.Is(err, errs.Invalid):
		d.FieldErrors["category"] = fieldErrorMap(err)["category"]
		c.Status(http.StatusBadRequest)
	case errs.Is(err, errs.Stale):
		d.Error = "已被他人修改：您打开本页之后，这件投诉已被他人修改，您的更正没有保存。" +
			"请核对下方的最新内容后重新提交。"
		c.Status(http.StatusPreconditionFailed)
	default:
		return err
	}
	return s.rerenderComplaint(c, d, id)
}

// rerenderComplaint shows the complaint as it now is after a refused form, keeping the
// status already set.
func (s *server) rerenderComplaint(c *fiber.Ctx, d pageData, id string) error {
	cp, err := s.Registry.Complaint(c.UserContext(), id)
	if err != nil {
		return err
	}
	return s.renderComplaint(c, d, cp)
}

// errorText is an error's message followed by those of its fields, for the top of a page.
func errorText(err error) string {
	parts := []string{errs.MessageOf(err)}
	for _, f := range errs.FieldsOf(err) {
		parts = append(parts, f.Message)
	}
	return strings.Join(parts, "；")
}

func (s *server) importPage(c *fiber.Ctx) error {
	return s.render(c, "import", pageData{Title: "导入工单"})
}

func (s *server) importForm(c *fiber.Ctx) error {
	report, err := s.startImport(c)
	if err != nil {
		msg, status, ok := importRefusal(err)
		if !ok {
			return err
		}
		c.Status(status)
		return s.render(c, "import", pageData{Title: "导入工单", FieldErrors: map[string]string{"file": msg}})
	}
	return c.Redirect("/console/complaints/imports/"+url.PathEscape(report.ID), http.StatusSeeOther)
}

// importRefusal words a refused upload for the form: a file that is not a 12345 export, or no
// file at all. Any other error is not the user's to fix and is not shown here.
func importRefusal(err error) (string, int, bool) {
	var he *httpError
	if errors.As(err, &he) {
		return he.detail, he.status, true
	}
	if errs.Is(err, errs.Invalid) {
		return errs.MessageOf(err), http.StatusBadRequest, true
	}
	return "", 0, false
}

// importReportView is an import's report with its codes turned into words.
type importReportView struct {
	*registry.ImportReport
	StatusLabel string
	Running     bool
	Rejected    []rejectedRowView
	// Unlisted counts rejected rows the report holds no details of.
	Unlisted int
}

// rejectedRowView is one refused row of the sheet with its reasons.
type rejectedRowView struct {
	Row     int
	Reasons []string
}

func (s *server) importReportPage(c *fiber.Ctx) error {
	id, err := url.PathUnescape(c.Params("id"))
	if err != nil {
		id = c.Params("id")
	}
	r, err := s.Registry.ImportStatus(c.UserContext(), id)
	if err != nil {
		return err
	}
	v := importReportView{
		ImportReport: r, StatusLabel: labelOr(importStatusLabels, r.Status),
		Running: r.Status == registry.ImportRunning, Unlisted: r.Rejections - len(r.Rejected),
	}
	for _, rj := range r.Rejected {
		row := rejectedRowView{Row: rj.Row}
		for _, fe := range rj.Errors {
			row.Reasons = append(row.Reasons, reasonText(fe))
		}
		v.Rejected = append(v.Rejected, row)
	}
	return s.render(c, "import_report", pageData{Title: "导入报告", Data: v})
}

// reasonText is one reason a row was refused, led by the column it concerns.
func reasonText(fe errs.FieldError) string {
	label, ok := complaintFieldLabels[fe.Field]
	if !ok {
		return fe.Message
	}
	return label + "：" + fe.Message
}

// dailyChartStep is how many days apart the chart's date labels are.
const dailyChartStep = 30

// complaintCategories lists the counts by category in the order of the categories; a code
// no longer among them is shown as it is, last.
func complaintCategories(counts map[string]int64) []option {
	var out []option
	for _, cat := range registry.Categories {
		if n := counts[string(cat)]; n != 0 {
			out = append(out, option{Value: strconv.FormatInt(n, 10), Label: cat.Label()})
		}
	}
	for _, k := range sortedKeys(counts) {
		if !registry.Category(k).Valid() && counts[k] != 0 {
			out = append(out, option{Value: strconv.FormatInt(counts[k], 10), Label: k})
		}
	}
	return out
}

// dailyComplaintChart draws the daily series as bars, with the date (MM-DD) of every
// thirtieth day under its bar.
func dailyComplaintChart(daily []registry.DayCount) template.HTML {
	points := make([]chart.Point, 0, len(daily))
	for _, day := range daily {
		label := day.Date
		if len(label) == len(time.DateOnly) {
			label = label[5:]
		}
		points = append(points, chart.Point{Label: label, Value: day.Count})
	}
	return chart.Bars("近180天每日投诉件数", points, dailyChartStep)
}

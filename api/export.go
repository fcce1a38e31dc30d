package api

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/xuri/excelize/v2"

	"prepaidreg/internal/errs"
	"prepaidreg/internal/money"
	"prepaidreg/registry"
)

// exportHeader names the columns of a complaint export, in order.
var exportHeader = []string{
	"工单编号", "受理时间", "诉求人", "联系电话", "被反映主体", "关联企业统一社会信用代码", "区", "街乡",
	"诉求内容", "诉求类别", "类别来源", "涉及金额（元）", "办理状态", "满意度",
}

var (
	exportHandlingLabels = map[string]string{
		string(registry.HandlingOpen): "办理中", string(registry.HandlingResponded): "已响应",
		string(registry.HandlingResolved): "已解决", string(registry.HandlingUnresolved): "未解决",
	}
	exportSourceLabels = map[string]string{
		string(registry.CategoryGiven): "12345分类", string(registry.CategoryRules): "规则标注",
		string(registry.CategoryCorrected): "人工更正",
	}
)

// exportSheet is the name of the xlsx export's one sheet.
const exportSheet = "投诉"

// complaintExport is the complaints an export writes, with what it needs to write them.
type complaintExport struct {
	items []registry.Complaint
	areas *registry.Areas
	level func(raw string) registry.SatisfactionLevel
}

// exportComplaints reads every complaint the list's filters select.
func (s *server) exportComplaints(c *fiber.Ctx) (*complaintExport, error) {
	q, err := s.parseComplaintQuery(c, false)
	if err != nil {
		return nil, err
	}
	level, err := s.Registry.Satisfactions(c.UserContext())
	if err != nil {
		return nil, err
	}
	page, err := s.Registry.ListComplaints(c.UserContext(), q)
	if err != nil {
		return nil, err
	}
	return &complaintExport{items: page.Items, areas: s.Registry.Areas(), level: level}, nil
}

// row writes a complaint as the export's cells, the complainant masked. Satisfaction is
// shown as the level the mapping reads, or as the hotline wrote it where the mapping knows
// no level for it.
func (e *complaintExport) row(cp registry.Complaint) []string {
	m := cp.Masked()
	district := e.areas.DistrictName(m.District)
	if district == "" {
		district = m.District
	}
	satisfaction := m.Satisfaction
	if level := e.level(m.Satisfaction); level.Answered() {
		satisfaction = level.Label()
	}
	return []string{
		m.Ticket, m.ReceivedAt.In(shanghai).Format("2006-01-02 15:04"), m.ComplainantName,
		m.ComplainantPhone, m.ReportedName, string(m.USCC), district, m.Street, m.Text,
		m.Category.Label(), labelOr(exportSourceLabels, string(m.CategorySource)), money.Yuan(m.AmountFen),
		labelOr(exportHandlingLabels, string(m.Handling)), satisfaction,
	}
}

// exportAttachment names the download and its type.
func exportAttachment(c *fiber.Ctx, ext, contentType string) {
	name := fmt.Sprintf("complaints-%s.%s", time.Now().In(shanghai).Format("20060102"), ext)
	c.Set(fiber.HeaderContentType, contentType)
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+name+`"`)
	c.Set(fiber.HeaderCacheControl, "no-store")
}

func (s *server) exportComplaintsCSV(c *fiber.Ctx) error {
	ex, err := s.exportComplaints(c)
	if err != nil {
		return err
	}
	exportAttachment(c, "csv", "text/csv; charset=utf-8")
	c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
		if err := ex.writeCSV(w); err != nil {
			s.logger.Warn("complaint export cut short", "format", "csv", "err", err)
		}
	})
	return nil
}

// writeCSV writes UTF-8 with a byte-order mark, which spreadsheet programs need to
// read Chinese, and RFC 4180 quoting with CRLF line ends.
func (e *complaintExport) writeCSV(w *bufio.Writer) error {
	if _, err := w.WriteString("\uFEFF"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	if err := cw.Write(exportHeader); err != nil {
		return err
	}
	for _, cp := range e.items {
		row := e.row(cp)
		for i, v := range row {
			row[i] = csvSafe(v)
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return w.Flush()
}

// csvSafe keeps a spreadsheet from taking a cell for a formula (CSV injection): a cell that
// begins with = + - @, a tab or a carriage return gets a leading single quote, so that it is
// shown as the text it is.
func csvSafe(v string) string {
	if v != "" && strings.IndexByte("=+-@\t\r", v[0]) >= 0 {
		return "'" + v
	}
	return v
}

func (s *server) exportComplaintsXLSX(c *fiber.Ctx) error {
	ex, err := s.exportComplaints(c)
	if err != nil {
		return err
	}
	f, err := ex.workbook()
	if err != nil {
		return errs.Wrap(errs.Internal, "api.exportComplaintsXLSX", err)
	}
	defer f.Close()

	exportAttachment(c, "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	if err := f.Write(c.Response().BodyWriter()); err != nil {
		return errs.Wrap(errs.Internal, "api.exportComplaintsXLSX", err)
	}
	return nil
}

// workbook writes the complaints into one sheet with excelize's streaming writer.
// Every cell is set as a value, text as text, so that nothing in a complaint can become a
// formula.
func (e *complaintExport) workbook() (*excelize.File, error) {
	f := excelize.NewFile()
	if err := f.SetSheetName("Sheet1", exportSheet); err != nil {
		f.Close()
		return nil, err
	}
	sw, err := f.NewStreamWriter(exportSheet)
	if err == nil {
		err = exportWidths(sw)
	}
	if err == nil {
		err = sw.SetRow("A1", exportValues(exportHeader), excelize.RowOpts{StyleID: exportBold(f)})
	}
	for i := 0; err == nil && i < len(e.items); i++ {
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		err = sw.SetRow(cell, exportValues(e.row(e.items[i])))
	}
	if err == nil {
		err = sw.Flush()
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// exportValues hands the cells to excelize as plain string values.
func exportValues(row []string) []any {
	out := make([]any, len(row))
	for i, v := range row {
		out[i] = v
	}
	return out
}

// exportWidths sets column widths that fit a ticket, a time, a code and a complaint's text.
func exportWidths(sw *excelize.StreamWriter) error {
	widths := []float64{18, 17, 8, 14, 28, 22, 10, 14, 60, 10, 10, 14, 10, 10}
	for i, w := range widths {
		if err := sw.SetColWidth(i+1, i+1, w); err != nil {
			return err
		}
	}
	return nil
}

// exportBold returns a bold style for the header row, or no style if excelize refuses it.
func exportBold(f *excelize.File) int {
	id, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return 0
	}
	return id
}

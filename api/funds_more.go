package api

import (
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"prepaidreg/enforcement"
	"prepaidreg/funds"
	"prepaidreg/internal/errs"
	"prepaidreg/internal/user"
	"prepaidreg/internal/workday"
)

// Roles of the fund alert, statement and refund plan routes.
var (
	// fundAlertKeepers take up and close fund alerts: the staff who read the accounts.
	fundAlertKeepers = []user.Role{user.FundOfficer, user.Regulator, user.Supervisor}
	// fundPlanners propose refund plans: fund officers, and regulators who gather the claims.
	fundPlanners = []user.Role{user.FundOfficer, user.Regulator, user.Supervisor}
	// fundPlanDeciders approve or reject refund plans; the service also requires that the
	// decider is not the proposer (four eyes).
	fundPlanDeciders = supervisors
)

func fundPlanAPIPath(id string) string { return "/api/v1/funds/plans/" + url.PathEscape(id) }

// decodeFundsOptional is decodeFunds for bodies that may be left empty.
func decodeFundsOptional(c *fiber.Ctx, v any) error {
	if len(c.Body()) == 0 {
		return nil
	}
	return decodeFunds(c, v)
}

// fundBureau is the authority named at the top of the funds documents.
func (s *server) fundBureau() string {
	if s.Enforcement == nil {
		return enforcement.DefaultBureau.Name
	}
	return s.Enforcement.Bureau().Name
}

// sendFundPDF answers with a funds document as a download, under an ASCII name and the
// Chinese one.
func sendFundPDF(c *fiber.Ctx, out []byte, ascii, utf8Name string) error {
	attachment(c, ascii, utf8Name)
	c.Set(fiber.HeaderContentType, "application/pdf")
	return c.Send(out)
}

// importFundStatement takes a bank statement (multipart field "file", at most 20 MiB) and
// matches it with the ledger. The same file again answers 200 with the first import and
// Idempotent-Replayed; a file the service refuses writes nothing.
func (s *server) importFundStatement(c *fiber.Ctx) error {
	fh, err := c.FormFile("file")
	if err != nil {
		return newHTTPError(http.StatusBadRequest, "请选择要上传的对账单 csv 或 xlsx 文件 (choose a statement file)",
			errs.FieldError{Field: "file", Message: "以 multipart 字段 file 上传 (upload as the multipart field file)"})
	}
	if fh.Size > maxUploadBody {
		return newHTTPError(http.StatusRequestEntityTooLarge, "文件超过20 MiB (file over 20 MiB)")
	}
	f, err := fh.Open()
	if err != nil {
		return newHTTPError(http.StatusBadRequest, "上传的文件无法读取 (cannot read the upload)")
	}
	defer f.Close()

	imp, err := s.Funds.ImportStatement(c.UserContext(), actor(c), c.Params("id"), f, filepath.Base(fh.Filename))
	if err != nil {
		return err
	}
	if imp.Replayed {
		c.Set(replayedHeader, "true")
		return c.JSON(imp)
	}
	return c.Status(http.StatusCreated).JSON(imp)
}

// fundStatementPDF answers with the account's statement (对账单) for the days from … to,
// both included, in Asia/Shanghai.
func (s *server) fundStatementPDF(c *fiber.Ctx) error {
	p, err := queryParams(c, "from", "to")
	if err != nil {
		return err
	}
	from, ferr := statementDay("from", p["from"])
	to, terr := statementDay("to", p["to"])
	if fe := append(ferr, terr...); len(fe) > 0 {
		return newHTTPError(http.StatusBadRequest, "查询参数有误 (invalid query)", fe...)
	}
	id := c.Params("id")
	out, err := s.Funds.StatementDocument(c.UserContext(), id, from, to, s.fundBureau())
	if err != nil {
		return err
	}
	span := p["from"] + "_" + p["to"]
	return sendFundPDF(c, out, "fund-statement-"+fileSafe(id)+"-"+fileSafe(span)+".pdf",
		"对账单_"+fileSafe(id)+"_"+fileSafe(span)+".pdf")
}

// statementDay reads a day of a statement's period (2006-01-02, Asia/Shanghai).
func statementDay(name, s string) (time.Time, []errs.FieldError) {
	if strings.TrimSpace(s) == "" {
		return time.Time{}, []errs.FieldError{{Field: name, Message: "请给出日期，如 2026-10-01 (a date is required)"}}
	}
	t, err := time.ParseInLocation(time.DateOnly, s, workday.Zone)
	if err != nil {
		return time.Time{}, []errs.FieldError{{Field: name, Message: "日期格式应为 2026-10-01 (a date as 2006-01-02)"}}
	}
	return t, nil
}

// writeFundAlert answers with an alert and its version.
func writeFundAlert(c *fiber.Ctx, a *funds.Alert) error {
	setETag(c, a.Version)
	return c.JSON(a)
}

func (s *server) listFundAlerts(c *fiber.Ctx) error {
	p, err := queryParams(c, "state", "uscc", "kind", "limit", "cursor")
	if err != nil {
		return err
	}
	limit, err := parseLimit(p["limit"])
	if err != nil {
		return err
	}
	page, err := s.Funds.Alerts(c.UserContext(), funds.AlertQuery{State: funds.AlertState(p["state"]),
		USCC: p["uscc"], Kind: funds.AlertKind(p["kind"]), Limit: limit, Cursor: p["cursor"]})
	if err != nil {
		return err
	}
	if page.Items == nil {
		page.Items = []funds.Alert{}
	}
	return c.JSON(page)
}

func (s *server) getFundAlert(c *fiber.Ctx) error {
	if _, err := queryParams(c); err != nil {
		return err
	}
	a, err := s.Funds.Alert(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	return writeFundAlert(c, a)
}

func (s *server) acknowledgeFundAlert(c *fiber.Ctx) error {
	version, err := ifMatch(c)
	if err != nil {
		return err
	}
	var in struct{}
	if err := decodeFundsOptional(c, &in); err != nil {
		return err
	}
	a, err := s.Funds.AcknowledgeAlert(c.UserContext(), actor(c), c.Params("id"), version)
	if err != nil {
		return err
	}
	return writeFundAlert(c, a)
}

// closeAlertBody is the body of closing an alert: why it is closed.
type closeAlertBody struct {
	Note string `json:"note"`
}

func (s *server) closeFundAlert(c *fiber.Ctx) error {
	version, err := ifMatch(c)
	if err != nil {
		return err
	}
	var in closeAlertBody
	if err := decodeFunds(c, &in); err != nil {
		return err
	}
	a, err := s.Funds.CloseAlert(c.UserContext(), actor(c), c.Params("id"), version, in.Note)
	if err != nil {
		return err
	}
	return writeFundAlert(c, a)
}

// writeFundPlan answers with a plan and its version. Fund officers, who pay the consumers,
// see their names and phones; everyone else sees them masked (RefundPlan.Masked).
func writeFundPlan(c *fiber.Ctx, p *funds.RefundPlan) error {
	setETag(c, p.Version)
	if u := currentUser(c); u != nil && u.Role == user.FundOfficer {
		return c.JSON(p)
	}
	return c.JSON(p.Masked())
}

func (s *server) proposeFundPlan(c *fiber.Ctx) error {
	var in funds.PlanInput
	if err := decodeFunds(c, &in); err != nil {
		return err
	}
	p, err := s.Funds.ProposePlan(c.UserContext(), actor(c), c.Params("id"), in)
	if err != nil {
		return err
	}
	c.Location(fundPlanAPIPath(p.ID))
	return writeFundPlan(c.Status(http.StatusCreated), p)
}

// fundPlanList is an account's refund plans without their claims.
type fundPlanList struct {
	Items []funds.RefundPlan `json:"items"`
}

func (s *server) listFundPlans(c *fiber.Ctx) error {
	if _, err := queryParams(c); err != nil {
		return err
	}
	list, err := s.Funds.Plans(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	if list == nil {
		list = []funds.RefundPlan{}
	}
	return c.JSON(fundPlanList{Items: list})
}

func (s *server) getFundPlan(c *fiber.Ctx) error {
	if _, err := queryParams(c); err != nil {
		return err
	}
	p, err := s.Funds.Plan(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	return writeFundPlan(c, p)
}

// approvePlanBody is the body of approving a plan: a note, optional.
type approvePlanBody struct {
	Note string `json:"note"`
}

// rejectPlanBody is the body of rejecting a plan: the reason, required.
type rejectPlanBody struct {
	Reason string `json:"reason"`
}

func (s *server) approveFundPlan(c *fiber.Ctx) error {
	version, err := ifMatch(c)
	if err != nil {
		return err
	}
	var in approvePlanBody
	if err := decodeFundsOptional(c, &in); err != nil {
		return err
	}
	p, err := s.Funds.ApprovePlan(c.UserContext(), actor(c), c.Params("id"), version, in.Note)
	if err != nil {
		return err
	}
	return writeFundPlan(c, p)
}

func (s *server) rejectFundPlan(c *fiber.Ctx) error {
	version, err := ifMatch(c)
	if err != nil {
		return err
	}
	var in rejectPlanBody
	if err := decodeFunds(c, &in); err != nil {
		return err
	}
	p, err := s.Funds.RejectPlan(c.UserContext(), actor(c), c.Params("id"), version, in.Reason)
	if err != nil {
		return err
	}
	return writeFundPlan(c, p)
}

// payFundPlan posts the approved plan's refunds to the ledger. A paid plan answers as it is
// and posts nothing.
func (s *server) payFundPlan(c *fiber.Ctx) error {
	version, err := ifMatch(c)
	if err != nil {
		return err
	}
	var in struct{}
	if err := decodeFundsOptional(c, &in); err != nil {
		return err
	}
	p, err := s.Funds.PayPlan(c.UserContext(), actor(c), c.Params("id"), version)
	if err != nil {
		return err
	}
	// The refunds moved the account's money: look at its alerts afresh.
	s.checkFundAlerts(c, p.AccountID)
	return writeFundPlan(c, p)
}

func (s *server) fundPlanPDF(c *fiber.Ctx) error {
	if _, err := queryParams(c); err != nil {
		return err
	}
	id := c.Params("id")
	out, err := s.Funds.PlanDocument(c.UserContext(), id, s.fundBureau())
	if err != nil {
		return err
	}
	return sendFundPDF(c, out, "refund-plan-"+fileSafe(id)+".pdf", "退款分配方案_"+fileSafe(id)+".pdf")
}

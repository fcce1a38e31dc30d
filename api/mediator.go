package api

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"prepaidreg/internal/errs"
	"prepaidreg/internal/user"
	"prepaidreg/mediation"
	"prepaidreg/registry"
)

// bodyList is the mediation bodies on file.
type bodyList struct {
	Items []mediation.Body `json:"items"`
}

func (s *server) listMediationBodies(c *fiber.Ctx) error {
	if _, err := queryParams(c); err != nil {
		return err
	}
	bodies, err := s.Mediation.Bodies(c.UserContext())
	if err != nil {
		return err
	}
	if bodies == nil {
		bodies = []mediation.Body{}
	}
	return c.JSON(bodyList{Items: bodies})
}

func (s *server) createMediationBody(c *fiber.Ctx) error {
	var in mediation.BodyInput
	if err := decodeMediation(c, &in); err != nil {
		return err
	}
	b, err := s.Mediation.CreateBody(c.UserContext(), actor(c), in)
	if err != nil {
		return err
	}
	setETag(c, b.Version)
	return c.Status(http.StatusCreated).JSON(b)
}

// mediatorList is the mediators on file, the inactive ones too.
type mediatorList struct {
	Items []mediation.Mediator `json:"items"`
}

func (s *server) listMediators(c *fiber.Ctx) error {
	p, err := queryParams(c, "body")
	if err != nil {
		return err
	}
	ms, err := s.Mediation.Mediators(c.UserContext(), strings.TrimSpace(p["body"]))
	if err != nil {
		return err
	}
	if ms == nil {
		ms = []mediation.Mediator{}
	}
	return c.JSON(mediatorList{Items: ms})
}

func (s *server) getMediator(c *fiber.Ctx) error {
	if _, err := queryParams(c); err != nil {
		return err
	}
	m, err := s.Mediation.Mediator(c.UserContext(), c.Params("username"))
	if err != nil {
		return err
	}
	return writeMediator(c, m)
}

// writeMediator answers with the mediator and its version.
func writeMediator(c *fiber.Ctx, m *mediation.Mediator) error {
	setETag(c, m.Version)
	return c.JSON(m)
}

func (s *server) registerMediator(c *fiber.Ctx) error {
	var in mediation.MediatorInput
	if err := decodeMediation(c, &in); err != nil {
		return err
	}
	// The module cannot see accounts: a mediator on file is an account with the mediator
	// role, which is checked here.
	if name := strings.TrimSpace(in.Username); name != "" {
		if err := s.checkMediatorAccount(c, name); err != nil {
			return err
		}
	}
	m, err := s.Mediation.RegisterMediator(c.UserContext(), actor(c), in)
	if err != nil {
		return err
	}
	c.Location("/api/v1/mediation/mediators/" + m.Username)
	return writeMediator(c.Status(http.StatusCreated), m)
}

// checkMediatorAccount refuses a username that is not an enabled account with the mediator
// role. The user service reads accounts by token or session only, so the list is read: an
// office has tens of accounts, not thousands.
func (s *server) checkMediatorAccount(c *fiber.Ctx, username string) error {
	const op = "api.registerMediator"
	users, err := s.Users.List(c.UserContext())
	if err != nil {
		return err
	}
	for _, u := range users {
		if u.Username != username {
			continue
		}
		switch {
		case u.Role != user.Mediator:
			return errs.Fields(op, errs.FieldError{Field: "username",
				Message: "该账户的角色是" + u.Role.Label() + "，不是调解员 " +
					"(the account does not have the mediator role)"})
		case u.Disabled:
			return errs.Fields(op, errs.FieldError{Field: "username",
				Message: "该账户已停用 (the account is disabled)"})
		}
		return nil
	}
	return errs.Fields(op, errs.FieldError{Field: "username",
		Message: "没有这个用户账户，请先创建角色为调解员的账户 " +
			"(no such account: create one with the mediator role first)"})
}

// mediatorConflict is the body of conflicts: the enterprise and why.
type mediatorConflict struct {
	USCC   string `json:"uscc"`
	Reason string `json:"reason"`
}

func (s *server) recordMediatorConflict(c *fiber.Ctx) error {
	var in mediatorConflict
	if err := decodeMediation(c, &in); err != nil {
		return err
	}
	version, err := ifMatch(c)
	if err != nil {
		return err
	}
	m, err := s.Mediation.RecordConflict(c.UserContext(), actor(c), c.Params("username"), version,
		registry.USCC(in.USCC), in.Reason)
	if err != nil {
		return err
	}
	return writeMediator(c, m)
}

func (s *server) deactivateMediator(c *fiber.Ctx) error {
	if err := decodeMediationOptional(c, &noBody{}); err != nil {
		return err
	}
	version, err := ifMatch(c)
	if err != nil {
		return err
	}
	m, err := s.Mediation.DeactivateMediator(c.UserContext(), actor(c), c.Params("username"), version)
	if err != nil {
		return err
	}
	return writeMediator(c, m)
}

// suggestionList is the mediators proposed for a case, best first.
type suggestionList struct {
	Items []mediation.Suggestion `json:"items"`
}

func (s *server) suggestMediators(c *fiber.Ctx) error {
	p, err := queryParams(c, "limit")
	if err != nil {
		return err
	}
	limit := 0
	if v := p["limit"]; v != "" {
		if limit, err = strconv.Atoi(v); err != nil || limit < 1 || limit > 20 {
			return newHTTPError(http.StatusBadRequest, "查询参数有误 (invalid query)",
				errs.FieldError{Field: "limit", Message: "应为1至20的整数 (an integer from 1 to 20)"})
		}
	}
	mc, err := s.Mediation.Case(c.UserContext(), actor(c), c.Params("id"))
	if err != nil {
		return err
	}
	out, err := s.Mediation.SuggestMediators(c.UserContext(), mc, limit)
	if err != nil {
		return err
	}
	return c.JSON(suggestionList{Items: out})
}

// refundRequest is the body of the refund calculator: the card, the claim and, optionally,
// the day to work it out for (2006-01-02 in Asia/Shanghai, or an RFC 3339 time).
type refundRequest struct {
	Card     *mediation.Card `json:"card"`
	ClaimFen int64           `json:"claim_fen"`
	AsOf     string          `json:"as_of"`
}

func (s *server) computeRefund(c *fiber.Ctx) error {
	var in refundRequest
	if err := decodeMediation(c, &in); err != nil {
		return err
	}
	var fe []errs.FieldError
	if in.Card == nil {
		fe = append(fe, errs.FieldError{Field: "card", Message: "请填写卡或合同的情况 (describe the card)"})
	}
	// The mediation service keeps its clock to itself; without as_of the day is the server's.
	asOf := s.Mediation.Now()
	if v := strings.TrimSpace(in.AsOf); v != "" {
		at, err := parseInstant(v, false)
		if err != nil {
			fe = append(fe, errs.FieldError{Field: "as_of", Message: err.Error()})
		}
		asOf = at
	}
	if len(fe) > 0 {
		return errs.Fields("api.computeRefund", fe...)
	}
	r, err := mediation.ComputeRefund(*in.Card, in.ClaimFen, asOf)
	if err != nil {
		return err
	}
	return c.JSON(r)
}

// bodyStatsBody is the figures of each mediation body over a period.
type bodyStatsBody struct {
	From  time.Time            `json:"from"`
	To    time.Time            `json:"to"`
	Items []mediation.BodyStat `json:"items"`
}

func (s *server) mediationStats(c *fiber.Ctx) error {
	p, err := queryParams(c, "from", "to")
	if err != nil {
		return err
	}
	var fe []errs.FieldError
	from, err := parseInstant(p["from"], false)
	if err != nil || p["from"] == "" {
		fe = append(fe, errs.FieldError{Field: "from",
			Message: "请填写统计区间的开始日期，如 2026-01-01 (a date or an RFC 3339 time)"})
	}
	to, err := parseInstant(p["to"], true)
	if err != nil || p["to"] == "" {
		fe = append(fe, errs.FieldError{Field: "to",
			Message: "请填写统计区间的结束日期（含当日），如 2026-12-31 (a date or an RFC 3339 time)"})
	}
	if len(fe) > 0 {
		return newHTTPError(http.StatusBadRequest, "查询参数有误 (invalid query)", fe...)
	}
	stats, err := s.Mediation.BodyStats(c.UserContext(), from, to)
	if err != nil {
		return err
	}
	if stats == nil {
		stats = []mediation.BodyStat{}
	}
	return c.JSON(bodyStatsBody{From: from, To: to, Items: stats})
}

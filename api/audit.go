package api

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"prepaidreg/enforcement"
	"prepaidreg/funds"
	"prepaidreg/internal/audit"
	"prepaidreg/internal/errs"
	"prepaidreg/internal/user"
	"prepaidreg/mediation"
	"prepaidreg/registry"
)

// auditRecord is an audit record as the API shows it.
type auditRecord struct {
	Seq       int64           `json:"seq"`
	At        time.Time       `json:"at"`
	Actor     string          `json:"actor"`
	Role      string          `json:"role"`
	Via       string          `json:"via"`
	RequestID string          `json:"request_id,omitempty"`
	Action    string          `json:"action"`
	Target    string          `json:"target"`
	Version   int64           `json:"version,omitempty"`
	Change    json.RawMessage `json:"change"`
	Hash      string          `json:"hash"`
}

func (s *server) listAudit(c *fiber.Ctx) error {
	params, err := queryParams(c, "target", "limit", "cursor")
	if err != nil {
		return err
	}
	q := audit.Query{Target: params["target"]}
	if len(q.Target) > 200 {
		return newHTTPError(http.StatusBadRequest, "查询参数有误 (invalid query)",
			errs.FieldError{Field: "target", Message: "最多200个字符 (at most 200 characters)"})
	}
	if q.Limit, err = parseLimit(params["limit"]); err != nil {
		return err
	}
	after, err := decodeCursor(params["cursor"])
	if err != nil {
		return err
	}
	if after != "" {
		if q.After, err = strconv.ParseInt(after, 10, 64); err != nil || q.After < 0 {
			return newHTTPError(http.StatusBadRequest, "查询参数有误 (invalid query)",
				errs.FieldError{Field: "cursor", Message: "分页游标无效 (invalid cursor)"})
		}
	}
	page, err := s.Audit.List(c.UserContext(), q)
	if err != nil {
		return err
	}
	items := make([]auditRecord, 0, len(page.Records))
	for _, r := range page.Records {
		items = append(items, auditRecord{
			Seq: r.Seq, At: r.At, Actor: r.Actor, Role: r.Role, Via: r.Via, RequestID: r.RequestID,
			Action: r.Action, Target: r.Target, Version: r.Version, Change: r.ChangeJSON(), Hash: r.Hash,
		})
	}
	next := ""
	if page.Next > 0 {
		next = encodeCursor(strconv.FormatInt(page.Next, 10))
	}
	return c.JSON(fiber.Map{"items": items, "next_cursor": next})
}

// VersionedCollections are the collections whose every version must have an audit record.
var VersionedCollections = []audit.Versioned{
	{Collection: registry.EnterprisesCollection, Kind: "enterprise"},
	{Collection: user.UsersCollection, Kind: "user"},
	{Collection: registry.ListEntriesCollection, Kind: "list-entry"},
	{Collection: registry.WarningsCollection, Kind: "warning"},
	{Collection: enforcement.InterviewsCollection, Kind: "interview"},
	{Collection: enforcement.OfficialsCollection, Kind: "official"},
	{Collection: enforcement.CampaignsCollection, Kind: "interview_campaign"},
	{Collection: enforcement.OperationsCollection, Kind: "operation"},
	{Collection: enforcement.InspectionsCollection, Kind: "inspection"},
	{Collection: mediation.CasesCollection, Kind: "mediation_case"},
	{Collection: mediation.BodiesCollection, Kind: "mediation_body"},
	{Collection: mediation.MediatorsCollection, Kind: "mediator"},
	{Collection: funds.AccountsCollection, Kind: "fund_account"},
}

func (s *server) verifyAudit(c *fiber.Ctx) error {
	rep, err := s.Audit.Verify(c.UserContext(), VersionedCollections...)
	if err != nil {
		return errs.Wrap(errs.Internal, "api.verifyAudit", err)
	}
	if rep.Problems == nil {
		rep.Problems = []audit.Problem{}
	}
	return c.JSON(fiber.Map{"ok": rep.OK(), "records": rep.Records, "problems": rep.Problems})
}

package api

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"

	"prepaidreg/enforcement"
	"prepaidreg/internal/errs"
)

// operationPath is the API address of one joint operation.
func operationPath(id string) string { return "/api/v1/operations/" + url.PathEscape(id) }

// inspectionPath is the API address of the inspection record of one target of an operation.
func inspectionPath(opID, uscc string) string {
	return operationPath(opID) + "/inspections/" + url.PathEscape(uscc)
}

func (s *server) createOperation(c *fiber.Ctx) error {
	var in enforcement.OperationInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	o, err := s.Enforcement.CreateOperation(c.UserContext(), actor(c), in)
	if err != nil {
		return err
	}
	c.Location(operationPath(o.ID))
	setETag(c, o.Version)
	return c.Status(http.StatusCreated).JSON(o)
}

func (s *server) getOperation(c *fiber.Ctx) error {
	o, err := s.Enforcement.Operation(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	setETag(c, o.Version)
	return c.JSON(o)
}

// operationList is a page of operations, the most recently recorded first.
type operationList struct {
	Items      []enforcement.Operation `json:"items"`
	NextCursor string                  `json:"next_cursor,omitempty"`
}

func (s *server) listOperations(c *fiber.Ctx) error {
	limit, after, err := parseOperationQuery(c)
	if err != nil {
		return err
	}
	page, err := s.Enforcement.ListOperations(c.UserContext(), limit, after)
	if err != nil {
		return err
	}
	out := operationList{Items: page.Items, NextCursor: operationCursorText(page.Next)}
	if out.Items == nil {
		out.Items = []enforcement.Operation{}
	}
	return c.JSON(out)
}

// parseOperationQuery reads limit and cursor, the only parameters of the operation list.
func parseOperationQuery(c *fiber.Ctx) (int, *enforcement.OperationCursor, error) {
	p, err := queryParams(c, "limit", "cursor")
	if err != nil {
		return 0, nil, err
	}
	limit, err := parseLimit(p["limit"])
	if err != nil {
		return 0, nil, err
	}
	at, id, ok, err := decodeTimeCursor(p["cursor"])
	if !ok {
		return limit, nil, err
	}
	return limit, &enforcement.OperationCursor{CreatedAt: at, ID: id}, nil
}

// operationCursorText is the opaque cursor of the next page, or "" on the last.
func operationCursorText(next *enforcement.OperationCursor) string {
	if next == nil {
		return ""
	}
	return encodeTimeCursor(next.CreatedAt, next.ID)
}

func (s *server) getOperationMatrix(c *fiber.Ctx) error {
	m, err := s.Enforcement.Matrix(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(m)
}

func (s *server) getInspection(c *fiber.Ctx) error {
	ins, err := s.Enforcement.Inspection(c.UserContext(), c.Params("id"), c.Params("uscc"))
	if err != nil {
		return err
	}
	setETag(c, ins.Version)
	return c.JSON(ins)
}

func (s *server) putInspection(c *fiber.Ctx) error {
	version, err := inspectionIfMatch(c)
	if err != nil {
		return err
	}
	var in enforcement.InspectionInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	ins, err := s.Enforcement.RecordInspection(c.UserContext(), actor(c), c.Params("id"), c.Params("uscc"),
		version, in)
	if err != nil {
		return err
	}
	setETag(c, ins.Version)
	if version == 0 {
		c.Location(inspectionPath(ins.OperationID, ins.USCC.String()))
		c.Status(http.StatusCreated)
	}
	return c.JSON(ins)
}

// inspectionIfMatch reads the version a PUT replaces: none (0) when If-Match is absent or
// "0", which creates the record, and is refused as stale when one is already there.
func inspectionIfMatch(c *fiber.Ctx) (int64, error) {
	if strings.TrimSpace(c.Get(fiber.HeaderIfMatch)) == "" {
		return 0, nil
	}
	return ifMatchOrZero(c)
}

func (s *server) getInspectionPDF(c *fiber.Ctx) error {
	const op = "api.getInspectionPDF"
	ctx := c.UserContext()
	o, err := s.Enforcement.Operation(ctx, c.Params("id"))
	if err != nil {
		return err
	}
	ins, err := s.Enforcement.Inspection(ctx, o.ID, c.Params("uscc"))
	if err != nil {
		return err
	}
	ent, err := s.Registry.Enterprise(ctx, ins.USCC.String())
	if err != nil {
		return err
	}
	b, err := enforcement.InspectionPDF(o, ins, ent, s.Enforcement.Bureau())
	if err != nil {
		return errs.Wrap(errs.Internal, op, err)
	}
	name := "inspection-" + fileSafe(o.ID) + "-" + fileSafe(ins.USCC.String()) + ".pdf"
	c.Set(fiber.HeaderContentType, "application/pdf")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+name+`"`)
	return c.Send(b)
}

package api

import (
	"net/http"
	"time"

	"github.com/gofiber/fiber/v2"

	"prepaidreg/internal/errs"
	"prepaidreg/registry"
)

// List-entry transitions need no If-Match: each is allowed from given states only, and the
// service refuses a transition from any other, so a stale client gets 409 with the reason.

func (s *server) proposeEntry(c *fiber.Ctx) error {
	var in registry.ProposalInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	e, err := s.Registry.ProposeEntry(c.UserContext(), actor(c), in)
	if err != nil {
		return err
	}
	c.Location("/api/v1/list-entries/" + e.ID)
	return writeEntry(c.Status(http.StatusCreated), e)
}

func (s *server) getEntry(c *fiber.Ctx) error {
	e, err := s.Registry.Entry(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	return writeEntry(c, e)
}

// writeEntry answers with the whole entry and its version.
func writeEntry(c *fiber.Ctx, e *registry.ListEntry) error {
	setETag(c, e.Version)
	return c.JSON(e)
}

// entryList is a page of list entries.
type entryList struct {
	Items      []registry.ListEntry `json:"items"`
	NextCursor string               `json:"next_cursor,omitempty"`
}

func (s *server) listEntries(c *fiber.Ctx) error {
	q, err := parseEntryQuery(c)
	if err != nil {
		return err
	}
	page, err := s.Registry.ListEntries(c.UserContext(), q)
	if err != nil {
		return err
	}
	out := entryList{Items: page.Items}
	if page.Next != nil {
		out.NextCursor = encodeTimeCursor(page.Next.CreatedAt, page.Next.ID)
	}
	return c.JSON(out)
}

// parseEntryQuery reads state, kind, uscc, review_due, limit and cursor into typed values.
func parseEntryQuery(c *fiber.Ctx) (registry.ListEntryQuery, error) {
	p, err := queryParams(c, "state", "kind", "uscc", "review_due", "limit", "cursor")
	if err != nil {
		return registry.ListEntryQuery{}, err
	}
	q := registry.ListEntryQuery{State: registry.EntryState(p["state"]), Kind: registry.ListKind(p["kind"])}
	var bad []errs.FieldError
	if v := p["uscc"]; v != "" {
		if q.USCC, err = registry.ParseUSCC(v); err != nil {
			bad = append(bad, errs.FieldError{Field: "uscc", Message: err.Error()})
		}
	}
	switch p["review_due"] {
	case "", "false":
	case "true":
		q.ReviewDue = true
	default:
		bad = append(bad, errs.FieldError{Field: "review_due", Message: "应为 true 或 false (true or false)"})
	}
	if len(bad) > 0 {
		return q, newHTTPError(http.StatusBadRequest, "查询参数有误 (invalid query)", bad...)
	}
	if q.Limit, err = parseLimit(p["limit"]); err != nil {
		return q, err
	}
	q.After, err = entryCursor(p["cursor"])
	return q, err
}

func entryCursor(s string) (*registry.EntryCursor, error) {
	at, id, ok, err := decodeTimeCursor(s)
	if !ok {
		return nil, err
	}
	return &registry.EntryCursor{CreatedAt: at, ID: id}, nil
}

// noteRequest is the body of a decision on an entry. The note is required where the rule asks
// for reasons (rejections); the body may be left out otherwise.
type noteRequest struct {
	Note string `json:"note"`
}

// readNote reads a decision's note; no body reads as no note.
func readNote(c *fiber.Ctx) (string, error) {
	var in noteRequest
	if len(c.Body()) == 0 {
		return "", nil
	}
	err := decodeJSON(c, &in)
	return in.Note, err
}

func (s *server) approveEntry(c *fiber.Ctx) error {
	note, err := readNote(c)
	if err != nil {
		return err
	}
	e, err := s.Registry.Approve(c.UserContext(), actor(c), c.Params("id"), note)
	if err != nil {
		return err
	}
	return writeEntry(c, e)
}

func (s *server) rejectEntry(c *fiber.Ctx) error {
	note, err := readNote(c)
	if err != nil {
		return err
	}
	e, err := s.Registry.Reject(c.UserContext(), actor(c), c.Params("id"), note)
	if err != nil {
		return err
	}
	return writeEntry(c, e)
}

func (s *server) withdrawEntry(c *fiber.Ctx) error {
	note, err := readNote(c)
	if err != nil {
		return err
	}
	e, err := s.Registry.Withdraw(c.UserContext(), actor(c), c.Params("id"), note)
	if err != nil {
		return err
	}
	return writeEntry(c, e)
}

func (s *server) proposeRemoval(c *fiber.Ctx) error {
	var in registry.RemovalInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	e, err := s.Registry.ProposeRemoval(c.UserContext(), actor(c), c.Params("id"), in)
	if err != nil {
		return err
	}
	return writeEntry(c, e)
}

func (s *server) approveRemoval(c *fiber.Ctx) error {
	note, err := readNote(c)
	if err != nil {
		return err
	}
	e, err := s.Registry.ApproveRemoval(c.UserContext(), actor(c), c.Params("id"), note)
	if err != nil {
		return err
	}
	return writeEntry(c, e)
}

func (s *server) rejectRemoval(c *fiber.Ctx) error {
	note, err := readNote(c)
	if err != nil {
		return err
	}
	e, err := s.Registry.RejectRemoval(c.UserContext(), actor(c), c.Params("id"), note)
	if err != nil {
		return err
	}
	return writeEntry(c, e)
}

// objectionRequest is the body of POST /api/v1/list-entries/{id}/objections.
type objectionRequest struct {
	Text string `json:"text"`
	// ReceivedAt is an RFC 3339 time; left out, the objection is taken as received now.
	ReceivedAt string `json:"received_at"`
}

func (s *server) recordObjection(c *fiber.Ctx) error {
	var in objectionRequest
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	obj := registry.ObjectionInput{Text: in.Text}
	if in.ReceivedAt != "" {
		t, err := time.Parse(time.RFC3339, in.ReceivedAt)
		if err != nil {
			return errs.Fields("api.recordObjection", errs.FieldError{Field: "received_at",
				Message: "时间格式应为 RFC 3339，如 2026-12-05T10:00:00+08:00 (an RFC 3339 time)"})
		}
		obj.ReceivedAt = &t
	}
	e, err := s.Registry.RecordObjection(c.UserContext(), actor(c), c.Params("id"), obj)
	if err != nil {
		return err
	}
	return writeEntry(c.Status(http.StatusCreated), e)
}

func (s *server) decideObjection(c *fiber.Ctx) error {
	var in registry.ObjectionDecision
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	e, err := s.Registry.DecideObjection(c.UserContext(), actor(c), c.Params("id"), c.Params("oid"), in)
	if err != nil {
		return err
	}
	return writeEntry(c, e)
}

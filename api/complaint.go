package api

import (
	"net/http"
	"net/url"
	"time"

	"github.com/gofiber/fiber/v2"

	"prepaidreg/internal/errs"
	"prepaidreg/registry"
)

// complaintID reads the :id parameter; a client may send the colon of "12345:<ticket>" as is
// or percent-encoded.
func complaintID(c *fiber.Ctx) string {
	id, err := url.PathUnescape(c.Params("id"))
	if err != nil {
		return c.Params("id")
	}
	return id
}

// createdComplaint answers POST /api/v1/complaints.
type createdComplaint struct {
	// Created is false when the ticket was already on file; Complaint is then the one on file.
	Created   bool                `json:"created"`
	Complaint *registry.Complaint `json:"complaint"`
}

func (s *server) createComplaint(c *fiber.Ctx) error {
	var in registry.ComplaintInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	res, err := s.Registry.CreateComplaint(c.UserContext(), actor(c), in)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if res.Created {
		status = http.StatusCreated
		c.Location("/api/v1/complaints/" + url.PathEscape(res.Complaint.ID))
	}
	setETag(c, res.Complaint.Version)
	return c.Status(status).JSON(createdComplaint{Created: res.Created, Complaint: res.Complaint})
}

func (s *server) getComplaint(c *fiber.Ctx) error {
	cp, err := s.Registry.Complaint(c.UserContext(), complaintID(c))
	if err != nil {
		return err
	}
	setETag(c, cp.Version)
	return c.JSON(cp)
}

// complaintList is a page of complaints, complainants masked.
type complaintList struct {
	Items      []registry.Complaint `json:"items"`
	NextCursor string               `json:"next_cursor,omitempty"`
}

func (s *server) listComplaints(c *fiber.Ctx) error {
	q, err := s.parseComplaintQuery(c, true)
	if err != nil {
		return err
	}
	page, err := s.Registry.ListComplaints(c.UserContext(), q)
	if err != nil {
		return err
	}
	out := complaintList{Items: make([]registry.Complaint, len(page.Items))}
	for i, cp := range page.Items {
		out.Items[i] = cp.Masked()
	}
	if page.Next != nil {
		out.NextCursor = complaintCursorText(page.Next)
	}
	return c.JSON(out)
}

// complaintFilters are the query parameters that filter complaints.
var complaintFilters = []string{"uscc", "category", "status", "district", "from", "to", "linked"}

// parseComplaintQuery reads the filters, and with paged also limit and cursor, into typed
// values. Dates are days in Asia/Shanghai: from is inclusive, to is inclusive of its whole day.
func (s *server) parseComplaintQuery(c *fiber.Ctx, paged bool) (registry.ComplaintQuery, error) {
	allowed := complaintFilters
	if paged {
		allowed = append(append([]string{}, complaintFilters...), "limit", "cursor")
	}
	p, err := queryParams(c, allowed...)
	if err != nil {
		return registry.ComplaintQuery{}, err
	}
	var q registry.ComplaintQuery
	var bad []errs.FieldError
	fail := func(field, msg string) { bad = append(bad, errs.FieldError{Field: field, Message: msg}) }

	if v := p["uscc"]; v != "" {
		u, err := registry.ParseUSCC(v)
		if err != nil {
			fail("uscc", err.Error())
		}
		q.USCC = u
	}
	if v := p["category"]; v != "" {
		if q.Category = registry.Category(v); !q.Category.Valid() {
			fail("category", "未知的投诉类别 (unknown category)")
		}
	}
	if v := p["status"]; v != "" {
		q.Handling = registry.Handling(v)
		switch q.Handling {
		case registry.HandlingOpen, registry.HandlingResponded, registry.HandlingResolved, registry.HandlingUnresolved:
		default:
			fail("status", "办理状态应为 open、responded、resolved、unresolved 之一 (unknown status)")
		}
	}
	if v := p["district"]; v != "" {
		if s.Registry.Areas().DistrictName(v) == "" {
			fail("district", "未知的区代码 (unknown district code)")
		}
		q.District = v
	}
	for _, f := range []struct {
		name string
		dst  *time.Time
		next bool
	}{{"from", &q.From, false}, {"to", &q.To, true}} {
		if v := p[f.name]; v != "" {
			d, err := time.ParseInLocation(time.DateOnly, v, shanghai)
			if err != nil {
				fail(f.name, "日期格式应为 2026-03-05 (a date like 2026-03-05)")
				continue
			}
			if f.next {
				d = d.AddDate(0, 0, 1)
			}
			*f.dst = d.UTC()
		}
	}
	switch p["linked"] {
	case "":
	case "true", "false":
		linked := p["linked"] == "true"
		q.Linked = &linked
	default:
		fail("linked", "应为 true 或 false (true or false)")
	}
	if len(bad) > 0 {
		return q, newHTTPError(http.StatusBadRequest, "查询参数有误 (invalid query)", bad...)
	}
	if !paged {
		return q, nil
	}
	if q.Limit, err = parseLimit(p["limit"]); err != nil {
		return q, err
	}
	q.After, err = complaintCursor(p["cursor"])
	return q, err
}

func complaintCursor(s string) (*registry.ComplaintCursor, error) {
	at, id, ok, err := decodeTimeCursor(s)
	if !ok {
		return nil, err
	}
	return &registry.ComplaintCursor{ReceivedAt: at, ID: id}, nil
}

// linkRequest is the body of POST /api/v1/complaints/{id}/link.
type linkRequest struct {
	USCC string `json:"uscc"`
	// AddAlias records the name the complainant used as an alias of the enterprise.
	AddAlias bool `json:"add_alias"`
}

func (s *server) linkComplaint(c *fiber.Ctx) error {
	var in linkRequest
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if _, err := registry.ParseUSCC(in.USCC); err != nil {
		return errs.Fields("api.linkComplaint", errs.FieldError{Field: "uscc", Message: err.Error()})
	}
	cp, err := s.Registry.LinkComplaint(c.UserContext(), actor(c), complaintID(c), in.USCC, in.AddAlias)
	if err != nil {
		return err
	}
	setETag(c, cp.Version)
	return c.JSON(cp)
}

// complaintPatch is the body of PATCH /api/v1/complaints/{id}: a regulator's correction.
type complaintPatch struct {
	Category registry.Category `json:"category"`
}

func (s *server) patchComplaint(c *fiber.Ctx) error {
	version, err := ifMatch(c)
	if err != nil {
		return err
	}
	var in complaintPatch
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	cp, err := s.Registry.CorrectCategory(c.UserContext(), actor(c), complaintID(c), version, in.Category)
	if err != nil {
		return err
	}
	setETag(c, cp.Version)
	return c.JSON(cp)
}

func (s *server) getImport(c *fiber.Ctx) error {
	r, err := s.Registry.ImportStatus(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(r)
}

package api

import (
	"net/http"

	"github.com/gofiber/fiber/v2"

	"prepaidreg/enforcement"
	"prepaidreg/internal/errs"
)

// departmentList is the catalogue of departments that take part in interviews and joint
// operations.
type departmentList struct {
	Items []enforcement.DepartmentInfo `json:"items"`
}

func (s *server) listDepartments(c *fiber.Ctx) error {
	if _, err := queryParams(c); err != nil {
		return err
	}
	return c.JSON(departmentList{Items: enforcement.Departments})
}

// officialList is the officials who conduct interviews, by name.
type officialList struct {
	Items []enforcement.Official `json:"items"`
}

func (s *server) listOfficials(c *fiber.Ctx) error {
	p, err := queryParams(c, "include_inactive")
	if err != nil {
		return err
	}
	all, err := parseBool("include_inactive", p["include_inactive"])
	if err != nil {
		return err
	}
	list, err := s.Enforcement.Officials(c.UserContext(), all)
	if err != nil {
		return err
	}
	if list == nil {
		list = []enforcement.Official{}
	}
	return c.JSON(officialList{Items: list})
}

func (s *server) createOfficial(c *fiber.Ctx) error {
	var in enforcement.OfficialInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	o, err := s.Enforcement.CreateOfficial(c.UserContext(), actor(c), in)
	if err != nil {
		return err
	}
	c.Location("/api/v1/officials/" + o.ID)
	return writeOfficial(c.Status(http.StatusCreated), o)
}

func (s *server) getOfficial(c *fiber.Ctx) error {
	o, err := s.Enforcement.Official(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	return writeOfficial(c, o)
}

func (s *server) deactivateOfficial(c *fiber.Ctx) error {
	version, err := ifMatch(c)
	if err != nil {
		return err
	}
	if err := decodeNoBody(c); err != nil {
		return err
	}
	o, err := s.Enforcement.DeactivateOfficial(c.UserContext(), actor(c), c.Params("id"), version)
	if err != nil {
		return err
	}
	return writeOfficial(c, o)
}

// writeOfficial answers with the official and its version.
func writeOfficial(c *fiber.Ctx, o *enforcement.Official) error {
	setETag(c, o.Version)
	return c.JSON(o)
}

// parseBool reads a true/false query parameter; empty is false.
func parseBool(name, v string) (bool, error) {
	switch v {
	case "", "false":
		return false, nil
	case "true":
		return true, nil
	}
	return false, newHTTPError(http.StatusBadRequest, "查询参数有误 (invalid query)",
		errs.FieldError{Field: name, Message: "应为 true 或 false (true or false)"})
}

// decodeNoBody accepts an empty body or an empty JSON object, and refuses any field.
func decodeNoBody(c *fiber.Ctx) error {
	if len(c.Body()) == 0 {
		return nil
	}
	var none struct{}
	return decodeJSON(c, &none)
}

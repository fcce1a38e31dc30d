package api

import (
	"net/http"

	"github.com/gofiber/fiber/v2"

	"prepaidreg/internal/errs"
	"prepaidreg/registry"
)

func (s *server) createEnterprise(c *fiber.Ctx) error {
	var in registry.EnterpriseInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	e, err := s.Registry.CreateEnterprise(c.UserContext(), actor(c), in)
	if err != nil {
		return err
	}
	setETag(c, e.Version)
	c.Location("/api/v1/enterprises/" + e.USCC.String())
	return c.Status(http.StatusCreated).JSON(e)
}

func (s *server) getEnterprise(c *fiber.Ctx) error {
	e, err := s.Registry.Enterprise(c.UserContext(), c.Params("uscc"))
	if err != nil {
		return err
	}
	setETag(c, e.Version)
	return c.JSON(e)
}

func (s *server) patchEnterprise(c *fiber.Ctx) error {
	version, err := ifMatch(c)
	if err != nil {
		return err
	}
	var p registry.EnterprisePatch
	if err := decodeJSON(c, &p); err != nil {
		return err
	}
	e, err := s.Registry.UpdateEnterprise(c.UserContext(), actor(c), c.Params("uscc"), version, p)
	if err != nil {
		return err
	}
	setETag(c, e.Version)
	return c.JSON(e)
}

// enterpriseList is the answer to a search.
type enterpriseList struct {
	Items      []registry.Enterprise `json:"items"`
	NextCursor string                `json:"next_cursor,omitempty"`
}

func (s *server) listEnterprises(c *fiber.Ctx) error {
	q, err := s.parseEnterpriseQuery(c)
	if err != nil {
		return err
	}
	page, err := s.Registry.ListEnterprises(c.UserContext(), q)
	if err != nil {
		return err
	}
	return c.JSON(enterpriseList{Items: page.Items, NextCursor: encodeCursor(string(page.Next))})
}

// parseEnterpriseQuery reads a search into typed, checked values.
func (s *server) parseEnterpriseQuery(c *fiber.Ctx) (registry.EnterpriseQuery, error) {
	params, err := queryParams(c, "q", "name", "uscc", "district", "industry", "status", "limit", "cursor")
	if err != nil {
		return registry.EnterpriseQuery{}, err
	}
	var bad []errs.FieldError
	q := registry.EnterpriseQuery{Name: params["name"], District: params["district"]}
	if q.Name == "" {
		q.Name = params["q"]
	}
	if len([]rune(q.Name)) > 100 {
		bad = append(bad, errs.FieldError{Field: "name", Message: "名称关键字最多100个字 (at most 100 characters)"})
	}
	if p := params["uscc"]; p != "" {
		prefix, ok := registry.ParseUSCCPrefix(p)
		if !ok {
			bad = append(bad, errs.FieldError{Field: "uscc",
				Message: "统一社会信用代码前缀只能含0-9及A-Y中允许的字母，最多18位 (invalid USCC prefix)"})
		}
		q.USCCPrefix = prefix
	}
	if q.District != "" && s.Registry.Areas().DistrictName(q.District) == "" {
		bad = append(bad, errs.FieldError{Field: "district", Message: "未知的区代码 (unknown district code)"})
	}
	if v := params["industry"]; v != "" {
		q.Industry = registry.Industry(v)
		if !q.Industry.Valid() {
			bad = append(bad, errs.FieldError{Field: "industry", Message: "未知的行业 (unknown industry)"})
		}
	}
	if v := params["status"]; v != "" {
		q.Status = registry.Status(v)
		if !q.Status.Valid() {
			bad = append(bad, errs.FieldError{Field: "status", Message: "未知的经营状态 (unknown status)"})
		}
	}
	if len(bad) > 0 {
		return q, newHTTPError(http.StatusBadRequest, "查询参数有误 (invalid query)", bad...)
	}
	if q.Limit, err = parseLimit(params["limit"]); err != nil {
		return q, err
	}
	after, err := decodeCursor(params["cursor"])
	if err != nil {
		return q, err
	}
	if after != "" {
		code, perr := registry.ParseUSCC(after)
		if perr != nil {
			return q, newHTTPError(http.StatusBadRequest, "查询参数有误 (invalid query)",
				errs.FieldError{Field: "cursor", Message: "分页游标无效，请从第一页重新开始 (invalid cursor)"})
		}
		q.After = code
	}
	return q, nil
}

func (s *server) getDossier(c *fiber.Ctx) error {
	d, err := s.Registry.Dossier(c.UserContext(), c.Params("uscc"))
	if err != nil {
		return err
	}
	setETag(c, d.Enterprise.Version)
	return c.JSON(d)
}

func (s *server) getDossierPDF(c *fiber.Ctx) error {
	d, err := s.Registry.Dossier(c.UserContext(), c.Params("uscc"))
	if err != nil {
		return err
	}
	b, err := registry.DossierPDF(d, s.Registry.Areas())
	if err != nil {
		return errs.Wrap(errs.Internal, "api.getDossierPDF", err)
	}
	c.Set(fiber.HeaderContentType, "application/pdf")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="dossier-`+d.Enterprise.USCC.String()+`.pdf"`)
	return c.Send(b)
}

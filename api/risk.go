package api

import (
	"github.com/gofiber/fiber/v2"

	"prepaidreg/internal/errs"
	"prepaidreg/registry"
)

func (s *server) getRisk(c *fiber.Ctx) error {
	d, err := s.Registry.Dossier(c.UserContext(), c.Params("uscc"))
	if err != nil {
		return err
	}
	if d.Risk.AssessmentID == "" {
		return errs.E(errs.NotFound, "api.getRisk", "该企业尚无风险评估 (no assessment yet)")
	}
	a, err := s.Registry.Assessment(c.UserContext(), d.Risk.AssessmentID)
	if err != nil {
		return err
	}
	return c.JSON(a)
}

func (s *server) getRiskHistory(c *fiber.Ctx) error {
	p, err := queryParams(c, "limit")
	if err != nil {
		return err
	}
	limit, err := parseLimit(p["limit"])
	if err != nil {
		return err
	}
	items, err := s.Registry.RiskHistory(c.UserContext(), c.Params("uscc"), limit)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"items": items})
}

func (s *server) getRiskModel(c *fiber.Ctx) error {
	m, err := s.Registry.RiskModel(c.UserContext())
	if err != nil {
		return err
	}
	setETag(c, int64(m.Version))
	return c.JSON(m)
}

// riskModelInput is the body of PUT /api/v1/settings/risk-model: the weights and bounds of
// the next version.
type riskModelInput struct {
	Weights  map[string]float64 `json:"weights"`
	Medium   int                `json:"medium"`
	High     int                `json:"high"`
	Critical int                `json:"critical"`
}

func (s *server) putRiskModel(c *fiber.Ctx) error {
	version, err := ifMatch(c)
	if err != nil {
		return err
	}
	var in riskModelInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	m, err := s.Registry.SetRiskModel(c.UserContext(), actor(c), int(version), registry.RiskModel{
		Weights: in.Weights, Medium: in.Medium, High: in.High, Critical: in.Critical,
	})
	if err != nil {
		return err
	}
	setETag(c, int64(m.Version))
	return c.JSON(m)
}

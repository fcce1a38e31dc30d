package api

import (
	"github.com/gofiber/fiber/v2"

	"prepaidreg/registry"
)

func (s *server) getColumnMapping(c *fiber.Ctx) error {
	m, err := s.Registry.ColumnMappingSetting(c.UserContext())
	if err != nil {
		return err
	}
	setETag(c, m.Version)
	return c.JSON(m)
}

func (s *server) putColumnMapping(c *fiber.Ctx) error {
	version, err := ifMatchOrZero(c)
	if err != nil {
		return err
	}
	var m registry.ColumnMapping
	if err := decodeJSON(c, &m); err != nil {
		return err
	}
	set, err := s.Registry.SetColumnMapping(c.UserContext(), actor(c), version, m)
	if err != nil {
		return err
	}
	setETag(c, set.Version)
	return c.JSON(set)
}

package api

import (
	"encoding/json"

	"github.com/gofiber/fiber/v2"

	"prepaidreg/internal/errs"
	"prepaidreg/internal/workday"
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

func (s *server) getWorkdayCalendar(c *fiber.Ctx) error {
	set, err := s.Calendar.Setting(c.UserContext())
	if err != nil {
		return err
	}
	setETag(c, set.Version)
	return c.JSON(set)
}

func (s *server) putWorkdayCalendar(c *fiber.Ctx) error {
	version, err := ifMatchOrZero(c)
	if err != nil {
		return err
	}
	var d workday.Data
	if err := decodeJSON(c, &d); err != nil {
		return err
	}
	file, err := json.Marshal(d)
	if err != nil {
		return errs.Wrap(errs.Internal, "api.putWorkdayCalendar", err)
	}
	set, err := s.Calendar.Put(c.UserContext(), actor(c), version, file)
	if err != nil {
		return err
	}
	setETag(c, set.Version)
	return c.JSON(set)
}

package api

import "github.com/gofiber/fiber/v2"

func (s *server) getRisk(c *fiber.Ctx) error        { return fiber.ErrNotImplemented }
func (s *server) getRiskHistory(c *fiber.Ctx) error { return fiber.ErrNotImplemented }
func (s *server) getRiskModel(c *fiber.Ctx) error   { return fiber.ErrNotImplemented }
func (s *server) putRiskModel(c *fiber.Ctx) error   { return fiber.ErrNotImplemented }

package api

import "github.com/gofiber/fiber/v2"

func (s *server) complaintRates(c *fiber.Ctx) error       { return fiber.ErrNotImplemented }
func (s *server) exportComplaintsCSV(c *fiber.Ctx) error  { return fiber.ErrNotImplemented }
func (s *server) exportComplaintsXLSX(c *fiber.Ctx) error { return fiber.ErrNotImplemented }
func (s *server) ratesPage(c *fiber.Ctx) error            { return fiber.ErrNotImplemented }

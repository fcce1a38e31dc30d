package api

import "github.com/gofiber/fiber/v2"

func (s *server) publicSearch(c *fiber.Ctx) error  { return fiber.ErrNotImplemented }
func (s *server) publicCSV(c *fiber.Ctx) error     { return fiber.ErrNotImplemented }
func (s *server) publicEntry(c *fiber.Ctx) error   { return fiber.ErrNotImplemented }
func (s *server) blackListPage(c *fiber.Ctx) error { return fiber.ErrNotImplemented }
func (s *server) greyListPage(c *fiber.Ctx) error  { return fiber.ErrNotImplemented }
func (s *server) entryPage(c *fiber.Ctx) error     { return fiber.ErrNotImplemented }
func (s *server) noticePDF(c *fiber.Ctx) error     { return fiber.ErrNotImplemented }

package api

import "github.com/gofiber/fiber/v2"

func (s *server) entriesPage(c *fiber.Ctx) error      { return fiber.ErrNotImplemented }
func (s *server) newEntryPage(c *fiber.Ctx) error     { return fiber.ErrNotImplemented }
func (s *server) proposeEntryForm(c *fiber.Ctx) error { return fiber.ErrNotImplemented }
func (s *server) entryConsolePage(c *fiber.Ctx) error { return fiber.ErrNotImplemented }
func (s *server) entryActionForm(c *fiber.Ctx) error  { return fiber.ErrNotImplemented }

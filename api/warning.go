package api

import "github.com/gofiber/fiber/v2"

func (s *server) listWarnings(c *fiber.Ctx) error       { return fiber.ErrNotImplemented }
func (s *server) getWarning(c *fiber.Ctx) error         { return fiber.ErrNotImplemented }
func (s *server) acknowledgeWarning(c *fiber.Ctx) error { return fiber.ErrNotImplemented }
func (s *server) handleWarning(c *fiber.Ctx) error      { return fiber.ErrNotImplemented }
func (s *server) dismissWarning(c *fiber.Ctx) error     { return fiber.ErrNotImplemented }
func (s *server) warningsPage(c *fiber.Ctx) error       { return fiber.ErrNotImplemented }
func (s *server) warningForm(c *fiber.Ctx) error        { return fiber.ErrNotImplemented }

package api

import "github.com/gofiber/fiber/v2"

func (s *server) complaintsPage(c *fiber.Ctx) error      { return fiber.ErrNotImplemented }
func (s *server) importPage(c *fiber.Ctx) error          { return fiber.ErrNotImplemented }
func (s *server) importForm(c *fiber.Ctx) error          { return fiber.ErrNotImplemented }
func (s *server) importReportPage(c *fiber.Ctx) error    { return fiber.ErrNotImplemented }
func (s *server) complaintPage(c *fiber.Ctx) error       { return fiber.ErrNotImplemented }
func (s *server) linkComplaintForm(c *fiber.Ctx) error   { return fiber.ErrNotImplemented }
func (s *server) correctCategoryForm(c *fiber.Ctx) error { return fiber.ErrNotImplemented }

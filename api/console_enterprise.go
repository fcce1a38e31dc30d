package api

import "github.com/gofiber/fiber/v2"

func (s *server) enterprisesPage(c *fiber.Ctx) error      { return fiber.ErrNotImplemented }
func (s *server) newEnterprisePage(c *fiber.Ctx) error    { return fiber.ErrNotImplemented }
func (s *server) createEnterpriseForm(c *fiber.Ctx) error { return fiber.ErrNotImplemented }
func (s *server) dossierPage(c *fiber.Ctx) error          { return fiber.ErrNotImplemented }
func (s *server) editEnterprisePage(c *fiber.Ctx) error   { return fiber.ErrNotImplemented }
func (s *server) updateEnterpriseForm(c *fiber.Ctx) error { return fiber.ErrNotImplemented }

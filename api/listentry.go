package api

import "github.com/gofiber/fiber/v2"

func (s *server) proposeEntry(c *fiber.Ctx) error    { return fiber.ErrNotImplemented }
func (s *server) listEntries(c *fiber.Ctx) error     { return fiber.ErrNotImplemented }
func (s *server) getEntry(c *fiber.Ctx) error        { return fiber.ErrNotImplemented }
func (s *server) approveEntry(c *fiber.Ctx) error    { return fiber.ErrNotImplemented }
func (s *server) rejectEntry(c *fiber.Ctx) error     { return fiber.ErrNotImplemented }
func (s *server) withdrawEntry(c *fiber.Ctx) error   { return fiber.ErrNotImplemented }
func (s *server) proposeRemoval(c *fiber.Ctx) error  { return fiber.ErrNotImplemented }
func (s *server) approveRemoval(c *fiber.Ctx) error  { return fiber.ErrNotImplemented }
func (s *server) rejectRemoval(c *fiber.Ctx) error   { return fiber.ErrNotImplemented }
func (s *server) recordObjection(c *fiber.Ctx) error { return fiber.ErrNotImplemented }
func (s *server) decideObjection(c *fiber.Ctx) error { return fiber.ErrNotImplemented }

// Package api is the HTTP face of the registry: the JSON API under /api/v1, the public pages
// and the signed-in console. It turns requests into plain values, calls the modules'
// services, and writes their answers; it holds no business rules of its own.
package api

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/recover"

	"prepaidreg/enforcement"
	"prepaidreg/funds"
	"prepaidreg/internal/audit"
	"prepaidreg/internal/user"
	"prepaidreg/internal/workday"
	"prepaidreg/mediation"
	"prepaidreg/registry"
)

// Pinger reports whether the store answers.
type Pinger interface {
	Ping(ctx context.Context) error
}

// Deps are what the HTTP layer is built on.
type Deps struct {
	Logger   *slog.Logger
	Store    Pinger
	Registry *registry.Service
	Users    *user.Service
	Audit    *audit.Log
	// Enforcement keeps interviews, joint operations and inspections.
	Enforcement *enforcement.Service
	// Mediation keeps consumer dispute cases, mediation bodies and mediators.
	Mediation *mediation.Service
	// Funds keeps supervised accounts and their ledgers.
	Funds *funds.Service
	// Calendar keeps the working-day calendar in force.
	Calendar *workday.Keeper
	// SecureCookies marks cookies Secure; set it when the server is reached over HTTPS.
	SecureCookies bool
	// Public tunes the public lists' snapshot refresh and rate limit; the zero value is the
	// default.
	Public PublicOptions
}

type server struct {
	Deps
	logger *slog.Logger
	pages  *pages
	public *publicLists
}

// New returns the Fiber app with every route of the route table.
func New(d Deps) *fiber.App {
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	s := &server{Deps: d, logger: d.Logger, pages: loadPages(), public: newPublicLists(d)}
	if d.Registry != nil {
		d.Registry.SetPublicationHook(s.refreshPublic)
	}
	app := fiber.New(fiber.Config{
		AppName:               "prepaidreg",
		BodyLimit:             maxUploadBody,
		ReadTimeout:           30 * time.Second,
		WriteTimeout:          60 * time.Second,
		IdleTimeout:           120 * time.Second,
		DisableStartupMessage: true,
		ErrorHandler:          s.errorHandler,
	})
	app.Use(recover.New())
	app.Use(s.requestID)
	app.Use(securityHeaders)
	for _, r := range s.routes() {
		app.Add(r.Method, r.Path, s.guard(r), r.handler)
	}
	app.Use(func(c *fiber.Ctx) error { return fiber.ErrNotFound })
	return app
}

const localRequestID = "request_id"

func (s *server) requestID(c *fiber.Ctx) error {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	id := hex.EncodeToString(b)
	c.Locals(localRequestID, id)
	c.Set("X-Request-ID", id)
	return c.Next()
}

func requestID(c *fiber.Ctx) string {
	id, _ := c.Locals(localRequestID).(string)
	return id
}

func securityHeaders(c *fiber.Ctx) error {
	c.Set("X-Content-Type-Options", "nosniff")
	c.Set("X-Frame-Options", "DENY")
	c.Set("Referrer-Policy", "same-origin")
	return c.Next()
}

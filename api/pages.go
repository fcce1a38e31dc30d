package api

import (
	"bytes"
	"embed"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"time"

	"github.com/gofiber/fiber/v2"

	"prepaidreg/internal/errs"
	"prepaidreg/internal/money"
	"prepaidreg/internal/user"
)

//go:embed web/templates/*.html
var templateFS embed.FS

//go:embed web/static
var staticFS embed.FS

// shanghai is the zone every time is shown in.
var shanghai = mustZone("Asia/Shanghai")

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// pages holds one parsed template set per page, each with the shared layout.
type pages struct {
	byName map[string]*template.Template
}

var templateFuncs = template.FuncMap{
	"localtime": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.In(shanghai).Format("2006-01-02 15:04")
	},
	"localdate": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.In(shanghai).Format("2006-01-02")
	},
	"yuan": money.Yuan,
}

func loadPages() *pages {
	p := &pages{byName: map[string]*template.Template{}}
	names, err := fs.Glob(templateFS, "web/templates/*.html")
	if err != nil {
		panic(err)
	}
	for _, n := range names {
		base := path.Base(n)
		if base == "layout.html" {
			continue
		}
		name := base[:len(base)-len(".html")]
		p.byName[name] = template.Must(template.New("layout.html").Funcs(templateFuncs).
			ParseFS(templateFS, "web/templates/layout.html", n))
	}
	return p
}

// pageData is what every page template receives.
type pageData struct {
	Title string
	User  *user.User
	CSRF  string
	// Error is a message for the whole form; FieldErrors are shown beside their fields.
	Error       string
	FieldErrors map[string]string
	Form        map[string]string
	Data        any
}

// render writes the named page with the layout, filling in the signed-in user and CSRF token.
func (s *server) render(c *fiber.Ctx, name string, d pageData) error {
	t, ok := s.pages.byName[name]
	if !ok {
		return errs.E(errs.Internal, "api.render", "no template "+name)
	}
	d.User = currentUser(c)
	if sess := currentSession(c); sess != nil {
		d.CSRF = sess.CSRF
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, d); err != nil {
		return errs.Wrap(errs.Internal, "api.render "+name, err)
	}
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Send(buf.Bytes())
}

func (s *server) renderError(c *fiber.Ctx, p problem) error {
	c.Status(p.Status)
	return s.render(c, "error", pageData{Title: p.Title, Data: p})
}

// fieldErrorMap turns an Invalid error's fields into a map for the form templates.
func fieldErrorMap(err error) map[string]string {
	m := map[string]string{}
	for _, f := range errs.FieldsOf(err) {
		if _, seen := m[f.Field]; !seen {
			m[f.Field] = f.Message
		}
	}
	return m
}

func (s *server) static(c *fiber.Ctx) error {
	name := path.Clean("web/static/" + c.Params("*"))
	b, err := staticFS.ReadFile(name)
	if err != nil {
		return fiber.ErrNotFound
	}
	c.Type(path.Ext(name))
	c.Set(fiber.HeaderCacheControl, "public, max-age=3600")
	return c.Send(b)
}

func (s *server) consoleHome(c *fiber.Ctx) error {
	warnings, err := s.startPageWarnings(c)
	if err != nil {
		return err
	}
	return s.render(c, "console", pageData{Title: "工作台", Data: warnings})
}

func (s *server) healthz(c *fiber.Ctx) error {
	return c.JSON(fiber.Map{"status": "ok"})
}

func (s *server) readyz(c *fiber.Ctx) error {
	if err := s.Store.Ping(c.UserContext()); err != nil {
		s.logger.Warn("store not reachable", "err", err)
		return c.Status(http.StatusServiceUnavailable).JSON(fiber.Map{"status": "store unreachable"})
	}
	return c.JSON(fiber.Map{"status": "ready"})
}

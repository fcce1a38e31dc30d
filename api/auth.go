package api

import (
	"crypto/subtle"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"prepaidreg/internal/audit"
	"prepaidreg/internal/errs"
	"prepaidreg/internal/user"
)

const (
	sessionCookie = "prepaidreg_session"
	localUser     = "user"
	localSession  = "session"
	localPage     = "page"
)

// guard checks the caller against the route's roles: no credentials is 401 (a page sends the
// browser to the sign-in page instead), the wrong role is 403.
func (s *server) guard(r route) fiber.Handler {
	public := slices.Contains(r.Roles, user.Public)
	return func(c *fiber.Ctx) error {
		if r.Page {
			c.Locals(localPage, true)
		}
		if public && r.Page && r.Path != "/console/logout" {
			// Public pages still recognise a signed-in user, for the navigation bar.
			_ = s.identifyBySession(c)
			return c.Next()
		}
		if public {
			return c.Next()
		}

		var err error
		switch {
		case r.Page:
			err = s.identifyBySession(c)
		case c.Method() == fiber.MethodGet && c.Get(fiber.HeaderAuthorization) == "" && c.Cookies(sessionCookie) != "":
			// A signed-in console user may read through the API too (downloads, the dossier
			// PDF); only reads, so the session cookie needs no CSRF token here.
			err = s.identifyBySession(c)
		default:
			err = s.identifyByToken(c)
		}
		if err != nil {
			if r.Page && c.Method() == fiber.MethodGet {
				return c.Redirect("/console/login?next="+url.QueryEscape(c.OriginalURL()), http.StatusSeeOther)
			}
			return err
		}
		u := currentUser(c)
		if !slices.Contains(r.Roles, u.Role) {
			return errs.E(errs.Forbidden, "api.guard", "您的角色无权进行此操作 (your role may not do this)")
		}
		if r.Page && c.Method() != fiber.MethodGet {
			if err := checkCSRF(c); err != nil {
				return err
			}
		}
		return c.Next()
	}
}

var errNoCredentials = errs.E(errs.Unauthenticated, "api.auth",
	"请先登录或提供 API 令牌 (sign in or send a bearer token)")

func (s *server) identifyByToken(c *fiber.Ctx) error {
	h := c.Get(fiber.HeaderAuthorization)
	token, ok := strings.CutPrefix(h, "Bearer ")
	if !ok || token == "" {
		c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="prepaidreg"`)
		return errNoCredentials
	}
	u, err := s.Users.ByToken(c.UserContext(), strings.TrimSpace(token))
	if err != nil {
		c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="prepaidreg", error="invalid_token"`)
		return err
	}
	c.Locals(localUser, u)
	return nil
}

func (s *server) identifyBySession(c *fiber.Ctx) error {
	cookie := c.Cookies(sessionCookie)
	if cookie == "" {
		return errNoCredentials
	}
	sess, u, err := s.Users.BySession(c.UserContext(), cookie)
	if err != nil {
		return err
	}
	c.Locals(localUser, u)
	c.Locals(localSession, sess)
	return nil
}

// checkCSRF compares the form's csrf field, or the X-CSRF-Token header, with the session's.
func checkCSRF(c *fiber.Ctx) error {
	sess, _ := c.Locals(localSession).(*user.Session)
	sent := c.FormValue("csrf")
	if sent == "" {
		sent = c.Get("X-CSRF-Token")
	}
	if sess == nil || sent == "" || subtle.ConstantTimeCompare([]byte(sent), []byte(sess.CSRF)) != 1 {
		return errs.E(errs.Forbidden, "api.csrf", "表单已过期，请刷新页面后重试 (form expired: reload and try again)")
	}
	return nil
}

func currentUser(c *fiber.Ctx) *user.User {
	u, _ := c.Locals(localUser).(*user.User)
	return u
}

func currentSession(c *fiber.Ctx) *user.Session {
	sess, _ := c.Locals(localSession).(*user.Session)
	return sess
}

func isPage(c *fiber.Ctx) bool {
	p, _ := c.Locals(localPage).(bool)
	return p
}

// actor says who is acting, for the audit trail.
func actor(c *fiber.Ctx) audit.Actor {
	u := currentUser(c)
	via := "api"
	if isPage(c) {
		via = "console"
	}
	if u == nil {
		return audit.Actor{Username: "anonymous", Role: string(user.Public), Via: via, RequestID: requestID(c)}
	}
	return audit.Actor{Username: u.Username, Role: string(u.Role), Via: via, RequestID: requestID(c)}
}

func (s *server) loginPage(c *fiber.Ctx) error {
	return s.render(c, "login", pageData{Title: "登录", Form: map[string]string{"next": safeNext(c.Query("next"))}})
}

func (s *server) login(c *fiber.Ctx) error {
	username := strings.TrimSpace(c.FormValue("username"))
	next := safeNext(c.FormValue("next"))
	sess, cookie, err := s.Users.SignIn(c.UserContext(), username, c.FormValue("password"))
	if errs.Is(err, errs.Unauthenticated) {
		c.Status(http.StatusUnauthorized)
		return s.render(c, "login", pageData{Title: "登录", Error: errs.MessageOf(err),
			Form: map[string]string{"username": username, "next": next}})
	}
	if err != nil {
		return err
	}
	c.Cookie(&fiber.Cookie{
		Name: sessionCookie, Value: cookie, Path: "/", Expires: sess.ExpiresAt,
		HTTPOnly: true, SameSite: fiber.CookieSameSiteLaxMode, Secure: s.SecureCookies,
	})
	return c.Redirect(next, http.StatusSeeOther)
}

func (s *server) logout(c *fiber.Ctx) error {
	if err := s.Users.SignOut(c.UserContext(), c.Cookies(sessionCookie)); err != nil {
		return err
	}
	c.Cookie(&fiber.Cookie{
		Name: sessionCookie, Value: "", Path: "/", Expires: time.Unix(0, 0),
		HTTPOnly: true, SameSite: fiber.CookieSameSiteLaxMode, Secure: s.SecureCookies,
	})
	return c.Redirect("/console/login", http.StatusSeeOther)
}

// safeNext keeps a post-login redirect on this site's console.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/console") || strings.HasPrefix(next, "//") || strings.Contains(next, "\\") {
		return "/console"
	}
	return next
}

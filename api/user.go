package api

import (
	"net/http"

	"github.com/gofiber/fiber/v2"

	"prepaidreg/internal/user"
)

func (s *server) me(c *fiber.Ctx) error {
	return c.JSON(currentUser(c))
}

func (s *server) listUsers(c *fiber.Ctx) error {
	if _, err := queryParams(c); err != nil {
		return err
	}
	users, err := s.Users.List(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"items": users})
}

// newUserRequest is the body of POST /api/v1/users.
type newUserRequest struct {
	Username string    `json:"username"`
	Role     user.Role `json:"role"`
	Password string    `json:"password"`
}

// issuedToken answers a request that creates an API token; the token is shown only here.
type issuedToken struct {
	User  *user.User `json:"user,omitempty"`
	Token string     `json:"token"`
}

func (s *server) createUser(c *fiber.Ctx) error {
	var in newUserRequest
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	added, err := s.Users.Add(c.UserContext(), actor(c), in.Username, in.Role, in.Password)
	if err != nil {
		return err
	}
	return c.Status(http.StatusCreated).JSON(issuedToken{User: added.User, Token: added.Token})
}

func (s *server) disableUser(c *fiber.Ctx) error {
	u, err := s.Users.Disable(c.UserContext(), actor(c), c.Params("username"))
	if err != nil {
		return err
	}
	return c.JSON(u)
}

func (s *server) newUserToken(c *fiber.Ctx) error {
	token, err := s.Users.NewToken(c.UserContext(), actor(c), c.Params("username"))
	if err != nil {
		return err
	}
	return c.JSON(issuedToken{Token: token})
}

package api

import (
	"regexp"
	"slices"
	"strings"

	"github.com/gofiber/fiber/v2"

	"prepaidreg/internal/user"
)

var pathParam = regexp.MustCompile(`:([a-z_]+)`)

// openAPIPath turns a Fiber path (/x/:id) into an OpenAPI one (/x/{id}).
func openAPIPath(p string) string { return pathParam.ReplaceAllString(p, "{$1}") }

// openAPIDocument describes every JSON route of the route table. Pages are left out: they are
// for browsers, not API clients.
func (s *server) openAPIDocument() fiber.Map {
	paths := fiber.Map{}
	for _, r := range s.routes() {
		if r.Page {
			continue
		}
		p := openAPIPath(r.Path)
		item, _ := paths[p].(fiber.Map)
		if item == nil {
			item = fiber.Map{}
			paths[p] = item
		}
		op := fiber.Map{
			"summary":     r.Summary,
			"operationId": strings.ToLower(r.Method) + operationName(r.Path),
			"responses": fiber.Map{
				"200":     fiber.Map{"description": "OK"},
				"default": fiber.Map{"$ref": "#/components/responses/Problem"},
			},
			"x-roles": r.Roles,
		}
		if !slices.Contains(r.Roles, user.Public) {
			op["security"] = []fiber.Map{{"bearer": []string{}}}
		}
		var params []fiber.Map
		for _, m := range pathParam.FindAllStringSubmatch(r.Path, -1) {
			params = append(params,
				fiber.Map{"name": m[1], "in": "path", "required": true, "schema": fiber.Map{"type": "string"}})
		}
		// Updates name the version they read; so do the state changes whose summary says so.
		if r.Method == "PATCH" || r.Method == "PUT" || strings.Contains(r.Summary, "If-Match") {
			required := !strings.Contains(r.Summary, "absent creates")
			params = append(params, fiber.Map{"name": "If-Match", "in": "header", "required": required,
				"description": "The version last read, from ETag", "schema": fiber.Map{"type": "string"}})
		}
		if params != nil {
			op["parameters"] = params
		}
		switch {
		case strings.Contains(r.Summary, "multipart field file"):
			op["requestBody"] = fiber.Map{"content": fiber.Map{"multipart/form-data": fiber.Map{"schema": fiber.Map{
				"type": "object", "properties": fiber.Map{"file": fiber.Map{"type": "string", "format": "binary"}},
				"required": []string{"file"}}}}}
		case r.Method == "POST" || r.Method == "PATCH" || r.Method == "PUT":
			op["requestBody"] = fiber.Map{"content": fiber.Map{
				"application/json": fiber.Map{"schema": fiber.Map{"type": "object"}}}}
		}
		item[strings.ToLower(r.Method)] = op
	}
	return fiber.Map{
		"openapi": "3.1.0",
		"info": fiber.Map{
			"title":   "prepaidreg API",
			"version": "1",
			"description": "Registry of prepaid-consumption enterprises: " +
				"dossiers, complaints, lists, enforcement, mediation, funds.",
		},
		"paths": paths,
		"components": fiber.Map{
			"securitySchemes": fiber.Map{"bearer": fiber.Map{"type": "http", "scheme": "bearer"}},
			"responses": fiber.Map{"Problem": fiber.Map{
				"description": "An RFC 9457 problem",
				"content": fiber.Map{"application/problem+json": fiber.Map{"schema": fiber.Map{
					"type": "object",
					"properties": fiber.Map{
						"type": fiber.Map{"type": "string"}, "title": fiber.Map{"type": "string"},
						"status": fiber.Map{"type": "integer"}, "detail": fiber.Map{"type": "string"},
						"request_id": fiber.Map{"type": "string"},
						"errors": fiber.Map{"type": "array",
							"items": fiber.Map{"type": "object", "properties": fiber.Map{
								"field": fiber.Map{"type": "string"}, "message": fiber.Map{"type": "string"},
							}}},
					},
				}}},
			}},
		},
	}
}

func operationName(p string) string {
	var b strings.Builder
	for _, part := range strings.Split(p, "/") {
		part = strings.Trim(part, ":*")
		part = strings.NewReplacer(".", "_", "-", "_").Replace(part)
		if part == "" || part == "api" || part == "v1" {
			continue
		}
		b.WriteString(strings.ToUpper(part[:1]) + part[1:])
	}
	return b.String()
}

func (s *server) openAPI(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "public, max-age=300")
	return c.JSON(s.openAPIDocument())
}

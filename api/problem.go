package api

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/gofiber/fiber/v2"

	"prepaidreg/internal/errs"
)

// problem is an RFC 9457 problem document.
type problem struct {
	Type      string            `json:"type"`
	Title     string            `json:"title"`
	Status    int               `json:"status"`
	Detail    string            `json:"detail,omitempty"`
	Instance  string            `json:"instance,omitempty"`
	RequestID string            `json:"request_id,omitempty"`
	Errors    []errs.FieldError `json:"errors,omitempty"`
}

// httpError is an error that belongs to HTTP itself (a missing header, a body too large)
// rather than to a module's rules.
type httpError struct {
	status int
	detail string
	fields []errs.FieldError
}

func (e *httpError) Error() string { return e.detail }

func newHTTPError(status int, detail string, fields ...errs.FieldError) error {
	return &httpError{status: status, detail: detail, fields: fields}
}

var kindStatus = map[errs.Kind]int{
	errs.NotFound:        http.StatusNotFound,
	errs.Invalid:         http.StatusBadRequest,
	errs.Conflict:        http.StatusConflict,
	errs.Stale:           http.StatusPreconditionFailed,
	errs.Forbidden:       http.StatusForbidden,
	errs.Unauthenticated: http.StatusUnauthorized,
	errs.Internal:        http.StatusInternalServerError,
}

// errorHandler is the one place where errors become HTTP answers. Internal errors are logged
// here, once, with the request id the client is given.
func (s *server) errorHandler(c *fiber.Ctx, err error) error {
	p := problem{Type: "about:blank", Instance: c.Path(), RequestID: requestID(c)}

	var he *httpError
	var fe *fiber.Error
	switch {
	case errors.As(err, &he):
		p.Status, p.Detail, p.Errors = he.status, he.detail, he.fields
	case errors.As(err, &fe):
		p.Status = fe.Code
		p.Detail = fiberDetail(fe)
	default:
		kind := errs.KindOf(err)
		p.Status = kindStatus[kind]
		p.Detail = errs.MessageOf(err)
		p.Errors = errs.FieldsOf(err)
		if kind == errs.Internal {
			s.logger.Error("request failed", slog.String("request_id", p.RequestID),
				slog.String("method", c.Method()), slog.String("path", c.Path()), slog.Any("err", err))
			p.Detail = "服务器内部错误，请稍后重试并提供请求编号 (internal error; quote the request id)"
		}
	}
	p.Title = http.StatusText(p.Status)

	if isPage(c) && p.Status != http.StatusUnauthorized {
		return s.renderError(c, p)
	}
	c.Set(fiber.HeaderContentType, "application/problem+json")
	return c.Status(p.Status).JSON(p, "application/problem+json")
}

func fiberDetail(fe *fiber.Error) string {
	switch fe.Code {
	case http.StatusNotFound:
		return "没有这个地址 (no such route)"
	case http.StatusRequestEntityTooLarge:
		return "请求体过大 (request body too large)"
	case http.StatusMethodNotAllowed:
		return "不支持此请求方法 (method not allowed)"
	}
	return fe.Message
}

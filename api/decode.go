package api

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"prepaidreg/internal/errs"
)

// maxJSONBody is the largest JSON request body accepted (DESIGN.md: 1 MiB).
const maxJSONBody = 1 << 20

// maxUploadBody is the largest upload accepted (DESIGN.md: 20 MiB).
const maxUploadBody = 20 << 20

// decodeJSON reads the body into v, refusing bodies over 1 MiB, unknown fields, wrong types
// and trailing data, each with a message that names the field.
func decodeJSON(c *fiber.Ctx, v any) error {
	body := c.Body()
	if len(body) > maxJSONBody {
		return newHTTPError(http.StatusRequestEntityTooLarge, "请求体超过1 MiB (JSON body over 1 MiB)")
	}
	if ct := string(c.Request().Header.ContentType()); !strings.HasPrefix(ct, fiber.MIMEApplicationJSON) {
		return newHTTPError(http.StatusUnsupportedMediaType, "请求体应为 application/json (send application/json)")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return newHTTPError(http.StatusBadRequest, "JSON 之后还有多余内容 (trailing data after the JSON value)")
	}
	return nil
}

func jsonError(err error) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		return newHTTPError(http.StatusBadRequest,
			fmt.Sprintf("请求体不是有效的 JSON，第%d字节附近有误 (malformed JSON at byte %d)",
				syntax.Offset, syntax.Offset))
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return newHTTPError(http.StatusBadRequest, "请求体为空或不完整 (empty or truncated JSON)")
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			field = "(body)"
		}
		return newHTTPError(http.StatusBadRequest, "字段类型错误 (wrong type)", errs.FieldError{
			Field: field, Message: fmt.Sprintf("应为%s，不能是%s (expected %s, got %s)",
				typeName(typ.Type.Kind().String()), typ.Value, typ.Type.Kind(), typ.Value),
		})
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return newHTTPError(http.StatusBadRequest, "含有未知字段 (unknown field)", errs.FieldError{
			Field: name, Message: "没有这个字段 (unknown field)",
		})
	}
	return newHTTPError(http.StatusBadRequest, "请求体无法解析 (cannot read the JSON body)")
}

func typeName(kind string) string {
	switch kind {
	case "string":
		return "文本"
	case "int", "int64", "int32":
		return "整数"
	case "bool":
		return "true 或 false"
	case "slice":
		return "数组"
	case "struct", "map":
		return "对象"
	}
	return kind
}

// queryParams returns the query parameters, refusing any not in allowed and any given twice.
// A bracketed key such as name[$ne] is thereby an error, never an operator.
func queryParams(c *fiber.Ctx, allowed ...string) (map[string]string, error) {
	out := map[string]string{}
	var bad []errs.FieldError
	c.Request().URI().QueryArgs().VisitAll(func(k, v []byte) {
		key := string(k)
		known := false
		for _, a := range allowed {
			known = known || a == key
		}
		switch {
		case !known:
			bad = append(bad, errs.FieldError{Field: key,
				Message: fmt.Sprintf("未知的查询参数；可用：%s (unknown query parameter)",
					strings.Join(allowed, ", "))})
		case out[key] != "":
			bad = append(bad, errs.FieldError{Field: key, Message: "参数重复 (given more than once)"})
		default:
			out[key] = string(v)
		}
	})
	if len(bad) > 0 {
		return nil, newHTTPError(http.StatusBadRequest, "查询参数有误 (invalid query)", bad...)
	}
	return out, nil
}

// parseLimit reads the page size, 1 to 200, default 50.
func parseLimit(s string) (int, error) {
	if s == "" {
		return 50, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 200 {
		return 0, newHTTPError(http.StatusBadRequest, "查询参数有误 (invalid query)",
			errs.FieldError{Field: "limit", Message: "应为1至200的整数 (an integer from 1 to 200)"})
	}
	return n, nil
}

// encodeCursor makes an opaque cursor from the key a page ended with.
func encodeCursor(after string) string {
	if after == "" {
		return ""
	}
	return base64.RawURLEncoding.EncodeToString([]byte("a:" + after))
}

// decodeCursor reverses encodeCursor.
func decodeCursor(s string) (string, error) {
	if s == "" {
		return "", nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || !bytes.HasPrefix(raw, []byte("a:")) || len(raw) > 200 {
		return "", newHTTPError(http.StatusBadRequest, "查询参数有误 (invalid query)",
			errs.FieldError{Field: "cursor", Message: "分页游标无效，请从第一页重新开始 (invalid cursor)"})
	}
	return string(raw[2:]), nil
}

// encodeTimeCursor makes an opaque cursor from the time and id a page, newest first, ended
// with; complaints, list entries and warnings page this way.
func encodeTimeCursor(at time.Time, id string) string {
	return encodeCursor(at.UTC().Format(time.RFC3339Nano) + "|" + id)
}

// decodeTimeCursor reverses encodeTimeCursor; ok is false for an empty cursor.
func decodeTimeCursor(s string) (at time.Time, id string, ok bool, err error) {
	raw, err := decodeCursor(s)
	if err != nil || raw == "" {
		return time.Time{}, "", false, err
	}
	text, id, cut := strings.Cut(raw, "|")
	at, terr := time.Parse(time.RFC3339Nano, text)
	if !cut || terr != nil || id == "" {
		return time.Time{}, "", false, newHTTPError(http.StatusBadRequest, "查询参数有误 (invalid query)",
			errs.FieldError{Field: "cursor", Message: "分页游标无效，请从第一页重新开始 (invalid cursor)"})
	}
	return at, id, true, nil
}

// ifMatch reads the version the client last saw from If-Match ("3", W/"3" or 3).
func ifMatch(c *fiber.Ctx) (int64, error) {
	h := strings.TrimSpace(c.Get(fiber.HeaderIfMatch))
	if h == "" {
		return 0, newHTTPError(http.StatusPreconditionRequired,
			"修改须带 If-Match 请求头，值为读取时的版本号 (send If-Match with the version you read)")
	}
	h = strings.Trim(strings.TrimPrefix(h, "W/"), `"`)
	v, err := strconv.ParseInt(h, 10, 64)
	if err != nil || v < 1 {
		return 0, newHTTPError(http.StatusBadRequest, "If-Match 应为版本号，如 \"3\" (If-Match must be a version)")
	}
	return v, nil
}

// ifMatchOrZero is ifMatch for settings, whose first version is replaced at version 0 (the
// default, never stored).
func ifMatchOrZero(c *fiber.Ctx) (int64, error) {
	h := strings.Trim(strings.TrimPrefix(strings.TrimSpace(c.Get(fiber.HeaderIfMatch)), "W/"), `"`)
	if h == "0" {
		return 0, nil
	}
	return ifMatch(c)
}

// setETag tells the client the version it read, for its next If-Match.
func setETag(c *fiber.Ctx, version int64) {
	c.Set(fiber.HeaderETag, strconv.Quote(strconv.FormatInt(version, 10)))
}

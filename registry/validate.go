package registry

import (
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"strings"

	"github.com/go-playground/validator/v10"

	"prepaidreg/internal/errs"
)

// shapes checks the struct tags of registry types (required fields, lengths, ranges); the
// rules that need the area table or the USCC algorithm are checked by hand beside it.
var shapes = newShapeValidator()

func newShapeValidator() *validator.Validate {
	v := validator.New(validator.WithRequiredStructEnabled())
	v.RegisterTagNameFunc(func(f reflect.StructField) string {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			return ""
		}
		return name
	})
	return v
}

// shapeLabels names each field in Chinese, by its JSON path with indices left out.
var shapeLabels = map[string]string{
	"name":                            "企业名称",
	"aliases":                         "曾用名/别名",
	"aliases[]":                       "曾用名/别名",
	"legal_representative":            "法定代表人",
	"registered_address":              "注册地址",
	"street":                          "街乡名称",
	"stores":                          "门店",
	"stores[].name":                   "门店名称",
	"stores[].address":                "门店地址",
	"prepaid.outstanding_balance_fen": "预收款余额（整数分）",
	"prepaid.supervised_account":      "监管账户",
}

var indexPattern = regexp.MustCompile(`\[\d+\]`)

// shapeErrors runs the struct tags of v and returns one message per offending field, keyed by
// its JSON path (stores[0].address).
func shapeErrors(v any) []errs.FieldError {
	var ve validator.ValidationErrors
	if !errors.As(shapes.Struct(v), &ve) {
		return nil
	}
	out := make([]errs.FieldError, 0, len(ve))
	for _, fe := range ve {
		_, path, _ := strings.Cut(fe.Namespace(), ".")
		label := shapeLabels[indexPattern.ReplaceAllString(path, "[]")]
		if label == "" {
			label = path
		}
		out = append(out, errs.FieldError{Field: path, Message: shapeMessage(fe, label)})
	}
	return out
}

func shapeMessage(fe validator.FieldError, label string) string {
	switch fe.Tag() {
	case "required":
		return fmt.Sprintf("请填写%s (required)", label)
	case "max":
		switch fe.Kind() {
		case reflect.String:
			return fmt.Sprintf("%s最多%s个字 (at most %s characters)", label, fe.Param(), fe.Param())
		case reflect.Slice:
			return fmt.Sprintf("%s最多%s个 (at most %s)", label, fe.Param(), fe.Param())
		}
		return fmt.Sprintf("%s不能超过%s (at most %s)", label, fe.Param(), fe.Param())
	case "min":
		return fmt.Sprintf("%s不能小于%s (at least %s)", label, fe.Param(), fe.Param())
	}
	return fmt.Sprintf("%s不符合要求 (%s)", label, fe.Tag())
}

package api

import (
	"net/http"
	"slices"

	"github.com/gofiber/fiber/v2"

	"prepaidreg/enforcement"
	"prepaidreg/internal/errs"
)

// officialFields are the add form's inputs; each is also the service's field name.
var officialFields = []string{"name", "department", "title", "phone", "email"}

// officialsView is the officials page: everyone on file and the add form's choices.
type officialsView struct {
	Officials   []enforcement.Official
	Departments []option
	// Done confirms what was just done.
	Done string
}

var officialDone = map[string]string{"add": "已添加工作人员。", "deactivate": "已停用该工作人员。"}

func (s *server) officialsPage(c *fiber.Ctx) error {
	q, err := queryParams(c, "done")
	if err != nil {
		return err
	}
	msg, ok := officialDone[q["done"]]
	if q["done"] != "" && !ok {
		return badQuery("done", "未知的操作 (unknown action)")
	}
	return s.renderOfficials(c, pageData{Form: map[string]string{"department": "market"}}, msg)
}

func (s *server) renderOfficials(c *fiber.Ctx, d pageData, done string) error {
	all, err := s.Enforcement.Officials(c.UserContext(), true)
	if err != nil {
		return err
	}
	// The active first, each group by name as the service returns it.
	slices.SortStableFunc(all, func(a, b enforcement.Official) int {
		switch {
		case a.Active == b.Active:
			return 0
		case a.Active:
			return -1
		}
		return 1
	})
	v := officialsView{Officials: all, Done: done}
	for _, dep := range enforcement.Departments {
		v.Departments = append(v.Departments, option{Value: string(dep.Code), Label: dep.Name,
			Selected: string(dep.Code) == d.Form["department"]})
	}
	if d.FieldErrors == nil {
		d.FieldErrors = map[string]string{}
	}
	d.Title = "约谈工作人员"
	d.Data = v
	return s.render(c, "officials", d)
}

func (s *server) createOfficialForm(c *fiber.Ctx) error {
	if err := checkFormSize(c); err != nil {
		return err
	}
	form := readForm(c, officialFields)
	in := enforcement.OfficialInput{Name: form["name"], Department: enforcement.Department(form["department"]),
		Title: form["title"], Phone: form["phone"], Email: form["email"]}
	_, err := s.Enforcement.CreateOfficial(c.UserContext(), actor(c), in)
	if err == nil {
		return c.Redirect("/console/officials?done=add", http.StatusSeeOther)
	}
	if errs.KindOf(err) != errs.Invalid {
		return err
	}
	inputs := map[string]string{}
	for _, f := range officialFields {
		inputs[f] = f
	}
	d := pageData{Form: form, Error: "未添加：请按表单中的红字说明修改后重新提交。"}
	d.FieldErrors, _ = placeErrors(errs.FieldsOf(err), inputs, nil)
	c.Status(http.StatusBadRequest)
	return s.renderOfficials(c, d, "")
}

func (s *server) deactivateOfficialForm(c *fiber.Ctx) error {
	version, err := formVersion(c)
	if err != nil {
		return err
	}
	_, err = s.Enforcement.DeactivateOfficial(c.UserContext(), actor(c), c.Params("id"), version)
	if err == nil {
		return c.Redirect("/console/officials?done=deactivate", http.StatusSeeOther)
	}
	kind := errs.KindOf(err)
	if kind != errs.Conflict && kind != errs.Stale {
		return err
	}
	c.Status(kindStatus[kind])
	return s.renderOfficials(c,
		pageData{Form: map[string]string{"department": "market"}, Error: errs.MessageOf(err)}, "")
}

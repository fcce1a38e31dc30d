package enforcement

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"prepaidreg/internal/audit"
	"prepaidreg/internal/errs"
)

var (
	officialPhone = regexp.MustCompile(`^[0-9+\-() ]{5,20}$`)
	officialEmail = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)
)

func (o *Official) target() string { return "official/" + o.ID }

// CreateOfficial registers an official who may conduct interviews, with an id like
// OF-3fa91c0b.
func (s *Service) CreateOfficial(ctx context.Context, actor audit.Actor, in OfficialInput) (*Official, error) {
	const op = "enforcement.CreateOfficial"
	o, fe := s.officialOf(in)
	if len(fe) > 0 {
		return nil, errs.Fields(op, fe...)
	}
	if err := s.store.InsertOfficial(ctx, o); err != nil {
		return nil, err
	}
	_, err := s.audit.Append(ctx, audit.Entry{
		Actor: actor, Action: "official.create", Target: o.target(), Version: o.Version,
		Change: map[string]any{"after": o},
	})
	if err != nil {
		return nil, errs.Wrap(errs.Internal, op, err)
	}
	return o, nil
}

func (s *Service) officialOf(in OfficialInput) (*Official, []errs.FieldError) {
	var fe []errs.FieldError
	name := strings.TrimSpace(in.Name)
	if name == "" || len([]rune(name)) > 50 {
		fe = append(fe, field("name", "姓名须填写，不超过50字 (name is required, at most 50 characters)"))
	}
	if !in.Department.Valid() {
		fe = append(fe, field("department", fmt.Sprintf("未知部门 %q (unknown department)", in.Department)))
	}
	title := strings.TrimSpace(in.Title)
	if len([]rune(title)) > 50 {
		fe = append(fe, field("title", "职务不超过50字 (title is at most 50 characters)"))
	}
	phone := strings.TrimSpace(in.Phone)
	if phone != "" && !officialPhone.MatchString(phone) {
		fe = append(fe, field("phone", "电话号码格式不对 (not a phone number)"))
	}
	email := strings.TrimSpace(in.Email)
	if email != "" && !officialEmail.MatchString(email) {
		fe = append(fe, field("email", "电子邮箱格式不对 (not an e-mail address)"))
	}
	now := s.clock()
	return &Official{
		ID: "OF-" + randHex(4), Name: name, Department: in.Department, Title: title, Phone: phone, Email: email,
		Active: true, Version: 1, CreatedAt: now, UpdatedAt: now,
	}, fe
}

// Officials returns the officials by name, the inactive ones too when asked.
func (s *Service) Officials(ctx context.Context, includeInactive bool) ([]Official, error) {
	return s.store.ListOfficials(ctx, includeInactive)
}

// Official returns the official with id.
func (s *Service) Official(ctx context.Context, id string) (*Official, error) {
	return s.store.GetOfficial(ctx, id)
}

// DeactivateOfficial marks an official who left as inactive, if the official is still at
// version ifMatch. They are no longer scheduled; the interviews already booked with them keep
// them and can be rescheduled with others.
func (s *Service) DeactivateOfficial(
	ctx context.Context,
	actor audit.Actor,
	id string,
	ifMatch int64,
) (*Official, error) {
	const op = "enforcement.DeactivateOfficial"
	o, err := s.store.GetOfficial(ctx, id)
	if err != nil {
		return nil, err
	}
	if o.Version != ifMatch {
		return nil, errs.E(errs.Stale, op, fmt.Sprintf("工作人员信息已被他人修改（当前版本 %d），请刷新后重试 "+
			"(the official is at version %d, not %d)", o.Version, o.Version, ifMatch))
	}
	if !o.Active {
		return nil, errs.E(errs.Conflict, op, "该工作人员已停用 (the official is already inactive)")
	}
	o.Active = false
	o.Version++
	o.UpdatedAt = s.clock()
	if err := s.store.ReplaceOfficial(ctx, o); err != nil {
		return nil, err
	}
	_, err = s.audit.Append(ctx, audit.Entry{
		Actor: actor, Action: "official.deactivate", Target: o.target(), Version: o.Version,
		Change: map[string]any{"active": map[string]bool{"from": true, "to": false}},
	})
	if err != nil {
		return nil, errs.Wrap(errs.Internal, op, err)
	}
	return o, nil
}

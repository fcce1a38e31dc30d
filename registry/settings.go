package registry

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"prepaidreg/internal/audit"
	"prepaidreg/internal/errs"
)

// MappingSetting is the column mapping an administrator keeps for 12345 exports, with the
// version an update must name.
type MappingSetting struct {
	Mapping   ColumnMapping `json:"mapping" bson:"mapping"`
	Version   int64         `json:"version" bson:"version"`
	UpdatedAt time.Time     `json:"updated_at" bson:"updated_at"`
	UpdatedBy string        `json:"updated_by" bson:"updated_by"`
}

// SettingsStore keeps settings.
type SettingsStore interface {
	// GetMapping returns the stored mapping, or NotFound while the default is in use.
	GetMapping(ctx context.Context) (*MappingSetting, error)
	// PutMapping writes m if the stored version is still m.Version-1 (0: none stored yet).
	PutMapping(ctx context.Context, m *MappingSetting) error
}

// ColumnMappingSetting returns the column mapping in force: the administrator's, or the
// default at version 0.
func (s *Service) ColumnMappingSetting(ctx context.Context) (*MappingSetting, error) {
	m, err := s.settings.GetMapping(ctx)
	if errs.Is(err, errs.NotFound) {
		return &MappingSetting{Mapping: DefaultColumnMapping()}, nil
	}
	return m, err
}

// SetColumnMapping replaces the column mapping if it is still at version ifMatch.
func (s *Service) SetColumnMapping(
	ctx context.Context,
	actor audit.Actor,
	ifMatch int64,
	m ColumnMapping,
) (*MappingSetting, error) {
	const op = "registry.SetColumnMapping"
	if fe := m.check(); len(fe) > 0 {
		return nil, errs.Fields(op, fe...)
	}
	cur, err := s.ColumnMappingSetting(ctx)
	if err != nil {
		return nil, err
	}
	if cur.Version != ifMatch {
		return nil, errs.E(errs.Stale, op, "映射已被他人修改，请刷新后重试 (the mapping changed since you read it)")
	}
	next := &MappingSetting{Mapping: m, Version: cur.Version + 1, UpdatedAt: s.now().UTC().Truncate(time.Millisecond),
		UpdatedBy: actor.Username}
	if err := s.settings.PutMapping(ctx, next); err != nil {
		return nil, err
	}
	_, err = s.audit.Append(ctx,
		audit.Entry{Actor: actor, Action: "settings.column_mapping", Target: "settings/column_mapping",
			Change: map[string]any{"from": cur.Mapping, "to": m}})
	if err != nil {
		return nil, errs.Wrap(errs.Internal, op, err)
	}
	s.setMapping(m)
	return next, nil
}

// check returns what is wrong with a mapping: every field needs a header name, the required
// ones included, and the values must map to known states.
func (m ColumnMapping) check() []errs.FieldError {
	var fe []errs.FieldError
	names := m.names()
	for f := intakeField(0); f < intakeFieldCount; f++ {
		for _, n := range names[f] {
			if strings.TrimSpace(n) == "" || utf8.RuneCountInString(n) > 50 {
				fe = append(fe,
					errs.FieldError{Field: intakeFields[f].key, Message: "列名应为1至50个字 (1 to 50 characters)"})
				break
			}
		}
	}
	for _, f := range []struct {
		field string
		names []string
	}{{"ticket", m.Ticket}, {"received_at", m.ReceivedAt}, {"text", m.Text}} {
		if len(f.names) == 0 {
			fe = append(fe,
				errs.FieldError{Field: f.field, Message: "必需的列至少要有一个列名 (a required column needs a name)"})
		}
	}
	if len(m.ReportedName) == 0 && len(m.ReportedUSCC) == 0 {
		fe = append(fe, errs.FieldError{Field: "reported_name",
			Message: "被反映主体名称或统一社会信用代码至少要有一列 (name or USCC column needed)"})
	}
	states := map[string]bool{"open": true, "responded": true, "resolved": true, "unresolved": true}
	for k, v := range m.StatusValues {
		if !states[v] {
			fe = append(fe, errs.FieldError{Field: "status_values." + k,
				Message: fmt.Sprintf("“%s”应映射为 open、responded、resolved、unresolved 之一", k)})
		}
	}
	levels := map[string]bool{"satisfied": true, "basically_satisfied": true, "dissatisfied": true, "unknown": true}
	for k, v := range m.SatisfactionValues {
		if !levels[v] {
			fe = append(fe, errs.FieldError{Field: "satisfaction_values." + k,
				Message: fmt.Sprintf("“%s”应映射为 satisfied、basically_satisfied、dissatisfied、unknown 之一", k)})
		}
	}
	return fe
}

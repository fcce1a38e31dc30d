package enforcement

import (
	"context"
	"slices"

	"prepaidreg/registry"
)

// Matrix is an operation at a glance: its departments as rows and its targets as columns, each
// cell saying how many of the department's inspectors were at the target, with what each
// target's inspection found and what each department took part in. It is served as JSON as it
// is.
type Matrix struct {
	OperationID    string         `json:"operation_id"`
	Title          string         `json:"title"`
	Date           string         `json:"date"`
	LeadDepartment Department     `json:"lead_department"`
	Targets        []MatrixTarget `json:"targets"`
	Rows           []MatrixRow    `json:"rows"`
	Totals         MatrixTotals   `json:"totals"`
}

// MatrixTarget is one column: a target enterprise and what its inspection recorded.
type MatrixTarget struct {
	USCC registry.USCC `json:"uscc"`
	Name string        `json:"name"`
	// Inspected says whether the target has an inspection record yet.
	Inspected    bool   `json:"inspected"`
	InspectionID string `json:"inspection_id,omitempty"`
	Inspectors   int    `json:"inspectors"`
	Findings     int    `json:"findings"`
	// Categories are the categories found, each once, in the order of FindingCategories.
	Categories []FindingCategory `json:"categories"`
	Fines      int               `json:"fines"`
	FinesFen   int64             `json:"fines_fen"`
	Measures   MeasureCounts     `json:"measures"`
}

// MeasureCounts counts measures by kind.
type MeasureCounts struct {
	Rectify  int `json:"rectify"`
	Fine     int `json:"fine"`
	Referral int `json:"referral"`
	Seal     int `json:"seal"`
}

// MatrixRow is one department's row: a cell per target, in the order of Matrix.Targets, and
// its totals over the targets it took part at.
type MatrixRow struct {
	Department Department   `json:"department"`
	Name       string       `json:"name"`
	Lead       bool         `json:"lead"`
	Cells      []MatrixCell `json:"cells"`
	// Targets counts the targets the department's inspectors were at, and Inspectors its
	// inspectors summed over them.
	Targets    int `json:"targets"`
	Inspectors int `json:"inspectors"`
	// Findings, Fines and FinesFen add up what was found and fined at those targets.
	Findings int   `json:"findings"`
	Fines    int   `json:"fines"`
	FinesFen int64 `json:"fines_fen"`
	// ReferralsReceived counts the cases of the operation referred to the department.
	ReferralsReceived int `json:"referrals_received"`
}

// MatrixCell says whether a department took part at a target, and with how many inspectors.
type MatrixCell struct {
	USCC       registry.USCC `json:"uscc"`
	TookPart   bool          `json:"took_part"`
	Inspectors int           `json:"inspectors"`
}

// MatrixTotals adds up the whole operation.
type MatrixTotals struct {
	Targets   int   `json:"targets"`
	Inspected int   `json:"inspected"`
	Findings  int   `json:"findings"`
	Fines     int   `json:"fines"`
	FinesFen  int64 `json:"fines_fen"`
}

// Matrix returns the department-by-target matrix of an operation. It reads the operation, its
// inspection records in one query and its enterprises in one query, however many targets it
// has.
func (s *Service) Matrix(ctx context.Context, opID string) (*Matrix, error) {
	o, err := s.Operation(ctx, opID)
	if err != nil {
		return nil, err
	}
	inspections, err := s.store.InspectionsOfOperation(ctx, o.ID)
	if err != nil {
		return nil, err
	}
	ents, _, err := s.registry.EnterprisesByUSCC(ctx, o.Targets)
	if err != nil {
		return nil, err
	}
	return buildMatrix(o, inspections, ents), nil
}

// buildMatrix lays the operation's records out; a target without a record has empty cells.
func buildMatrix(o *Operation, inspections []Inspection, ents []registry.Enterprise) *Matrix {
	names := make(map[registry.USCC]string, len(ents))
	for _, e := range ents {
		names[e.USCC] = e.Name
	}
	byTarget := make(map[registry.USCC]*Inspection, len(inspections))
	for i := range inspections {
		byTarget[inspections[i].USCC] = &inspections[i]
	}

	m := &Matrix{OperationID: o.ID, Title: o.Title, Date: o.Date, LeadDepartment: o.LeadDepartment,
		Targets: make([]MatrixTarget, len(o.Targets)), Rows: make([]MatrixRow, len(o.Departments))}
	for i, u := range o.Targets {
		m.Targets[i] = matrixTarget(u, names[u], byTarget[u])
		m.Totals.add(m.Targets[i])
	}
	for r, d := range o.Departments {
		row := MatrixRow{Department: d, Name: d.Name(), Lead: d == o.LeadDepartment,
			Cells: make([]MatrixCell, len(o.Targets))}
		for c, u := range o.Targets {
			row.add(c, u, byTarget[u], m.Targets[c])
		}
		m.Rows[r] = row
	}
	return m
}

// matrixTarget sums up one target's record; ins is nil when none is recorded yet.
func matrixTarget(u registry.USCC, name string, ins *Inspection) MatrixTarget {
	t := MatrixTarget{USCC: u, Name: name, Categories: []FindingCategory{}}
	if ins == nil {
		return t
	}
	t.Inspected, t.InspectionID, t.Inspectors, t.Findings = true, ins.ID, len(ins.Inspectors), len(ins.Findings)
	for _, c := range FindingCategories {
		if slices.ContainsFunc(ins.Findings, func(f Finding) bool { return f.Category == c }) {
			t.Categories = append(t.Categories, c)
		}
	}
	for _, me := range ins.Measures {
		switch me.Kind {
		case MeasureRectify:
			t.Measures.Rectify++
		case MeasureFine:
			t.Measures.Fine++
			t.Fines++
			t.FinesFen += me.AmountFen
		case MeasureReferral:
			t.Measures.Referral++
		case MeasureSeal:
			t.Measures.Seal++
		}
	}
	return t
}

// add fills the row's cell for target c and adds the target to the row's totals when the
// department took part there.
func (row *MatrixRow) add(c int, u registry.USCC, ins *Inspection, t MatrixTarget) {
	cell := MatrixCell{USCC: u}
	if ins != nil {
		for _, p := range ins.Inspectors {
			if p.Department == row.Department {
				cell.Inspectors++
			}
		}
		for _, me := range ins.Measures {
			if me.Kind == MeasureReferral && me.ReferredTo == row.Department {
				row.ReferralsReceived++
			}
		}
	}
	cell.TookPart = cell.Inspectors > 0
	row.Cells[c] = cell
	if !cell.TookPart {
		return
	}
	row.Targets++
	row.Inspectors += cell.Inspectors
	row.Findings += t.Findings
	row.Fines += t.Fines
	row.FinesFen += t.FinesFen
}

func (tot *MatrixTotals) add(t MatrixTarget) {
	tot.Targets++
	if t.Inspected {
		tot.Inspected++
	}
	tot.Findings += t.Findings
	tot.Fines += t.Fines
	tot.FinesFen += t.FinesFen
}

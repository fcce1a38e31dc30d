package enforcement

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"prepaidreg/registry"
)

// countingStore counts the store's reads of operations and inspections.
type countingStore struct {
	*MongoStore
	reads int
}

func (c *countingStore) GetOperation(ctx context.Context, id string) (*Operation, error) {
	c.reads++
	return c.MongoStore.GetOperation(ctx, id)
}

func (c *countingStore) InspectionsOfOperation(ctx context.Context, opID string) ([]Inspection, error) {
	c.reads++
	return c.MongoStore.InspectionsOfOperation(ctx, opID)
}

func (c *countingStore) GetInspection(ctx context.Context, id string) (*Inspection, error) {
	c.reads++
	return c.MongoStore.GetInspection(ctx, id)
}

// countingRegistry counts the registry's reads of enterprises.
type countingRegistry struct {
	Registry
	reads int
}

func (c *countingRegistry) EnterprisesByUSCC(
	ctx context.Context,
	codes []registry.USCC,
) ([]registry.Enterprise, []registry.USCC, error) {
	c.reads++
	return c.Registry.EnterprisesByUSCC(ctx, codes)
}

func TestService_Matrix(t *testing.T) {
	f := newOpFixture(t, 4)
	o := f.createOperation(t, f.operationInput()) // market (lead), commerce, sports × 4 targets
	u := f.codes()

	// Target 0: market ×2 and commerce; two findings, two fines, a referral to sports.
	in := fullInspection()
	in.Inspectors = append(in.Inspectors, Inspector{Name: "赵刚", Department: "market", BadgeNumber: "11010520003"})
	in.Measures = []Measure{
		{Kind: MeasureFine, AmountFen: 500_000, DecisionNumber: "京朝市监罚〔2026〕12号"},
		{Kind: MeasureFine, AmountFen: 120_000, DecisionNumber: "京朝商罚〔2026〕3号"},
		{Kind: MeasureReferral, ReferredTo: "sports"},
	}
	_, err := f.svc.RecordInspection(f.ctx, opClerk, o.ID, u[0], 0, in)
	require.NoError(t, err)
	// Target 1: sports alone, nothing found.
	_, err = f.svc.RecordInspection(f.ctx, opClerk, o.ID, u[1], 0, InspectionInput{
		Inspectors:      []Inspector{{Name: "孙丽", Department: "sports", BadgeNumber: "11010530001"}},
		Acknowledgement: &Acknowledgement{Name: "周敏", Role: "经理"},
	})
	require.NoError(t, err)
	// Target 2: market and sports; one finding, a seal.
	_, err = f.svc.RecordInspection(f.ctx, opClerk, o.ID, u[2], 0, InspectionInput{
		Inspectors: []Inspector{{Name: "王强", Department: "market", BadgeNumber: "11010520001"},
			{Name: "孙丽", Department: "sports", BadgeNumber: "11010530001"}},
		Findings:        []Finding{{Category: FindingClosed, Description: "门店已停业，张贴停业告示"}},
		Measures:        []Measure{{Kind: MeasureSeal}},
		Acknowledgement: &Acknowledgement{Refused: true, Note: "无人在场"},
	})
	require.NoError(t, err)
	// Target 3: not inspected yet.

	st := &countingStore{MongoStore: f.store}
	reg := &countingRegistry{Registry: f.reg}
	svc := NewService(st, f.log, reg, f.svc.Calendar())
	m, err := svc.Matrix(f.ctx, o.ID)
	require.NoError(t, err)
	assert.Equal(t, 2, st.reads, "the operation and its inspections")
	assert.Equal(t, 1, reg.reads, "the enterprises in one query")

	require.Len(t, m.Targets, 4)
	assert.Equal(t, f.ents[0].Name, m.Targets[0].Name)
	assert.Equal(t, MatrixTarget{USCC: f.ents[0].USCC, Name: f.ents[0].Name, Inspected: true,
		InspectionID: o.ID + ":" + u[0], Inspectors: 3, Findings: 2,
		Categories: []FindingCategory{FindingFundsNotDeposited, FindingCardOverLimit},
		Fines:      2, FinesFen: 620_000, Measures: MeasureCounts{Fine: 2, Referral: 1}}, m.Targets[0])
	assert.Equal(t, 0, m.Targets[1].Findings)
	assert.Equal(t, []FindingCategory{}, m.Targets[1].Categories)
	assert.Equal(t, MeasureCounts{Seal: 1}, m.Targets[2].Measures)
	assert.False(t, m.Targets[3].Inspected)

	require.Len(t, m.Rows, 3)
	inspectors := func(r MatrixRow) []int {
		out := make([]int, len(r.Cells))
		for i, c := range r.Cells {
			out[i] = c.Inspectors
		}
		return out
	}
	totals := func(r MatrixRow) []int {
		return []int{r.Targets, r.Inspectors, r.Findings, r.Fines, int(r.FinesFen)}
	}
	market, commerce, sports := m.Rows[0], m.Rows[1], m.Rows[2]
	assert.Equal(t, []Department{"market", "commerce", "sports"},
		[]Department{market.Department, commerce.Department, sports.Department})
	assert.True(t, market.Lead)
	assert.Equal(t, []int{2, 0, 1, 0}, inspectors(market))
	assert.Equal(t, []int{1, 0, 0, 0}, inspectors(commerce))
	assert.Equal(t, []int{0, 1, 1, 0}, inspectors(sports))
	assert.True(t, market.Cells[2].TookPart)
	assert.False(t, market.Cells[1].TookPart)

	assert.Equal(t, []int{2, 3, 3, 2, 620_000}, totals(market))
	assert.Equal(t, []int{1, 1, 2, 2, 620_000}, totals(commerce))
	assert.Equal(t, []int{2, 2, 1, 0, 0}, totals(sports))
	assert.Equal(t, 1, sports.ReferralsReceived)
	assert.Equal(t, MatrixTotals{Targets: 4, Inspected: 3, Findings: 3, Fines: 2, FinesFen: 620_000}, m.Totals)

	raw, err := json.Marshal(m)
	require.NoError(t, err)
	assert.Contains(t, string(raw), `"took_part":true`)
	assert.Contains(t, string(raw), `"fines_fen":620000`)
}

func TestService_InspectionSignalsAndRecords(t *testing.T) {
	f := newOpFixture(t, 2)
	u := f.codes()
	fine := func(number string, fen int64) InspectionInput {
		in := fullInspection()
		in.Measures = []Measure{{Kind: MeasureFine, AmountFen: fen, DecisionNumber: number}}
		return in
	}
	record := func(day, title string, in InspectionInput) {
		t.Helper()
		op := f.operationInput()
		op.Date, op.Title = day, title
		o := f.createOperation(t, op)
		_, err := f.svc.RecordInspection(f.ctx, opClerk, o.ID, u[0], 0, in)
		require.NoError(t, err)
	}

	// 400 days before 2026-11-20 is 2025-10-16: a fine then is not within the year.
	record("2025-10-16", "2025年专项检查", fine("京朝市监罚〔2025〕7号", 300_000))
	record("2026-03-01", "春季联合检查", fine("京朝市监罚〔2026〕2号", 200_000))
	record("2026-11-20", "预付式消费领域联合执法检查", fine("京朝市监罚〔2026〕12号", 500_000))
	record("2026-11-19", "回访检查", InspectionInput{
		Inspectors:      []Inspector{{Name: "王强", Department: "market", BadgeNumber: "11010520001"}},
		Acknowledgement: &Acknowledgement{Name: "钱伟", Role: "店长"},
	})

	findings, penalties, lastYear, err := f.svc.inspectionSignals(f.ctx, f.ents[0].USCC)
	require.NoError(t, err)
	assert.Equal(t, 3, findings, "inspections with a finding")
	assert.Equal(t, 3, penalties)
	assert.Equal(t, 2, lastYear, "the fine of 400 days ago is not counted")

	findings, penalties, lastYear, err = f.svc.inspectionSignals(f.ctx, f.ents[1].USCC)
	require.NoError(t, err)
	assert.Equal(t, []int{0, 0, 0}, []int{findings, penalties, lastYear})

	recs, err := f.svc.inspectionRecords(f.ctx, f.ents[0].USCC, 3)
	require.NoError(t, err)
	require.Len(t, recs, 3, "bounded by the limit")
	assert.Equal(t, "联合执法检查：预付式消费领域联合执法检查", recs[0].Title, "the latest inspection first")
	assert.Equal(t, "已检查", recs[0].State)
	assert.Equal(t, "发现问题 2 项；罚款 5,000.00 元（决定书 京朝市监罚〔2026〕12号）", recs[0].Outcome)
	assert.Equal(t, time.Date(2026, 11, 20, 2, 0, 0, 0, time.UTC), recs[0].At.UTC())
	assert.Regexp(t, `^/console/operations/OP-20261120-[0-9a-f]{6}$`, recs[0].Link)
	assert.Equal(t, "联合执法检查：回访检查", recs[1].Title)
	assert.Equal(t, "未发现问题", recs[1].Outcome)
	assert.Equal(t, "联合执法检查：春季联合检查", recs[2].Title)
}

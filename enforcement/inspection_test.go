package enforcement

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"prepaidreg/internal/errs"
)

// fullInspection returns a record with two findings, a fine and an order to rectify.
func fullInspection() InspectionInput {
	deadline := time.Date(2026, 12, 20, 0, 0, 0, 0, opZone)
	return InspectionInput{
		Inspectors: []Inspector{
			{Name: "王强", Department: "market", BadgeNumber: "11010520001"},
			{Name: "李娜", Department: "commerce", BadgeNumber: "11010520002"},
		},
		Findings: []Finding{
			{Category: FindingFundsNotDeposited, Description: "预收资金未按规定存入监管账户",
				Evidence: []string{"IMG_0001.jpg"}},
			{Category: FindingCardOverLimit, Description: "发售不记名卡面额 2,000 元"},
		},
		Measures: []Measure{
			{Kind: MeasureFine, AmountFen: 500_000, DecisionNumber: "京朝市监罚〔2026〕12号"},
			{Kind: MeasureRectify, Deadline: &deadline},
		},
		Acknowledgement: &Acknowledgement{Name: "钱伟", Role: "店长"},
	}
}

func TestService_RecordInspection(t *testing.T) {
	f := newOpFixture(t, 2)
	o := f.createOperation(t, f.operationInput())
	uscc := string(f.ents[0].USCC)
	before, err := f.reg.RiskHistory(f.ctx, uscc, 50)
	require.NoError(t, err)

	ins, err := f.svc.RecordInspection(f.ctx, opClerk, o.ID, uscc, 0, fullInspection())
	require.NoError(t, err)

	assert.Equal(t, o.ID+":"+uscc, ins.ID)
	assert.EqualValues(t, 1, ins.Version)
	assert.Equal(t, time.Date(2026, 11, 20, 2, 0, 0, 0, time.UTC), ins.InspectedAt, "10:00 in Shanghai by default")
	assert.Equal(t, f.ents[0].RegisteredAddress, ins.Address, "the registered address by default")
	assert.Equal(t, ins.InspectedAt, ins.Acknowledgement.At)
	assert.Equal(t, o.Title, ins.OperationTitle)
	got, err := f.svc.Inspection(f.ctx, o.ID, uscc)
	require.NoError(t, err)
	assert.Equal(t, ins.Findings, got.Findings)
	assert.Equal(t, ins.Measures[1].Deadline.UTC(), got.Measures[1].Deadline.UTC())
	after, err := f.reg.RiskHistory(f.ctx, uscc, 50)
	require.NoError(t, err)
	assert.Len(t, after, len(before)+1, "the enterprise is re-scored")

	t.Run("replace at the version read", func(t *testing.T) {
		in := fullInspection()
		in.Findings, in.Measures = in.Findings[:1], nil
		at := time.Date(2026, 11, 20, 9, 30, 0, 0, opZone)
		in.InspectedAt = &at
		ins, err := f.svc.RecordInspection(f.ctx, opClerk, o.ID, uscc, 1, in)
		require.NoError(t, err)
		assert.EqualValues(t, 2, ins.Version)
		assert.Equal(t, at.UTC(), ins.InspectedAt)
		assert.Empty(t, ins.Measures)
	})
	t.Run("stale version", func(t *testing.T) {
		for _, v := range []int64{0, 1, 3} {
			_, err := f.svc.RecordInspection(f.ctx, opClerk, o.ID, uscc, v, fullInspection())
			assert.True(t, errs.Is(err, errs.Stale), "version %d: %v", v, err)
		}
	})
	t.Run("only targets", func(t *testing.T) {
		other := f.createOperation(t, OperationInput{Title: "回访检查", LegalBasis: "同上", LeadDepartment: "market",
			Targets: []string{uscc}, Date: "2026-11-20"})
		_, err := f.svc.RecordInspection(f.ctx, opClerk, other.ID, string(f.ents[1].USCC), 0, fullInspection())
		assert.True(t, errs.Is(err, errs.NotFound), "%v", err)
		_, err = f.svc.RecordInspection(f.ctx, opClerk, "OP-20261120-ffffff", uscc, 0, fullInspection())
		assert.True(t, errs.Is(err, errs.NotFound), "%v", err)
	})
	t.Run("refused to sign", func(t *testing.T) {
		in := fullInspection()
		in.Acknowledgement = &Acknowledgement{Refused: true, Note: "现场负责人拒绝签字，由两名检查人员在场见证"}
		ins, err := f.svc.RecordInspection(f.ctx, opClerk, o.ID, string(f.ents[1].USCC), 0, in)
		require.NoError(t, err)
		assert.True(t, ins.Acknowledgement.Refused)
	})

	got, err = f.svc.Inspection(f.ctx, o.ID, uscc)
	require.NoError(t, err)
	assert.EqualValues(t, 2, got.Version)
	f.verifyAudit(t)
}

func TestService_RecordInspectionRefusesBadInput(t *testing.T) {
	f := newOpFixture(t, 1)
	o := f.createOperation(t, f.operationInput())
	uscc := string(f.ents[0].USCC)
	day := func(d int) *time.Time {
		t := time.Date(2026, 11, d, 18, 0, 0, 0, opZone)
		return &t
	}

	cases := []struct {
		name  string
		edit  func(in *InspectionInput)
		field string
	}{
		{"no inspectors", func(in *InspectionInput) { in.Inspectors = nil }, "inspectors"},
		{"inspector without name", func(in *InspectionInput) { in.Inspectors[0].Name = "" }, "inspectors[0].name"},
		{"inspector without badge", func(in *InspectionInput) {
			in.Inspectors[1].BadgeNumber = " "
		}, "inspectors[1].badge_number"},
		{"badge twice", func(in *InspectionInput) {
			in.Inspectors[1].BadgeNumber = in.Inspectors[0].BadgeNumber
		}, "inspectors[1].badge_number"},
		{"unknown department", func(in *InspectionInput) {
			in.Inspectors[0].Department = "army"
		}, "inspectors[0].department"},
		{"department not in the operation", func(in *InspectionInput) {
			in.Inspectors[1].Department = "health"
		}, "inspectors[1].department"},
		{"unknown finding category", func(in *InspectionInput) {
			in.Findings[0].Category = "dirty"
		}, "findings[0].category"},
		{"finding without description", func(in *InspectionInput) {
			in.Findings[1].Description = ""
		}, "findings[1].description"},
		{"evidence too long", func(in *InspectionInput) {
			in.Findings[0].Evidence = []string{string(make([]byte, 201))}
		}, "findings[0].evidence[0]"},
		{"too much evidence", func(in *InspectionInput) {
			in.Findings[0].Evidence = make([]string, 21)
		}, "findings[0].evidence"},
		{"measure without finding", func(in *InspectionInput) { in.Findings = nil }, "measures"},
		{"zero fine", func(in *InspectionInput) { in.Measures[0].AmountFen = 0 }, "measures[0].amount_fen"},
		{"negative fine", func(in *InspectionInput) { in.Measures[0].AmountFen = -100 }, "measures[0].amount_fen"},
		{"fine over 10^13 fen", func(in *InspectionInput) {
			in.Measures[0].AmountFen = MaxFineFen + 1
		}, "measures[0].amount_fen"},
		{"fine without decision number", func(in *InspectionInput) {
			in.Measures[0].DecisionNumber = ""
		}, "measures[0].decision_number"},
		{"rectify without deadline", func(in *InspectionInput) {
			in.Measures[1].Deadline = nil
		}, "measures[1].deadline"},
		{"deadline on the inspection day", func(in *InspectionInput) {
			in.Measures[1].Deadline = day(20)
		}, "measures[1].deadline"},
		{"referral to unknown department", func(in *InspectionInput) {
			in.Measures = append(in.Measures, Measure{Kind: MeasureReferral, ReferredTo: "army"})
		}, "measures[2].referred_to"},
		{"referral to the lead", func(in *InspectionInput) {
			in.Measures = append(in.Measures, Measure{Kind: MeasureReferral, ReferredTo: "market"})
		}, "measures[2].referred_to"},
		{"unknown measure", func(in *InspectionInput) { in.Measures[0].Kind = "warn" }, "measures[0].kind"},
		{"amount on a seal", func(in *InspectionInput) {
			in.Measures = append(in.Measures, Measure{Kind: MeasureSeal, AmountFen: 100})
		}, "measures[2].amount_fen"},
		{"no acknowledgement", func(in *InspectionInput) { in.Acknowledgement = nil }, "acknowledgement"},
		{"acknowledgement without role", func(in *InspectionInput) {
			in.Acknowledgement.Role = ""
		}, "acknowledgement.role"},
		{"refusal without note", func(in *InspectionInput) {
			in.Acknowledgement = &Acknowledgement{Refused: true}
		}, "acknowledgement.note"},
		{"inspected on another day", func(in *InspectionInput) { in.InspectedAt = day(19) }, "inspected_at"},
		{"inspected in the future", func(in *InspectionInput) { in.InspectedAt = day(20) }, "inspected_at"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := fullInspection()
			tc.edit(&in)
			_, err := f.svc.RecordInspection(f.ctx, opClerk, o.ID, uscc, 0, in)
			requireFields(t, err, tc.field)
		})
	}

	_, err := f.svc.Inspection(f.ctx, o.ID, uscc)
	assert.True(t, errs.Is(err, errs.NotFound), "nothing is written: %v", err)
	f.verifyAudit(t)
}

func TestService_RecordInspectionConcurrentOneWins(t *testing.T) {
	f := newOpFixture(t, 1)
	o := f.createOperation(t, f.operationInput())
	uscc := string(f.ents[0].USCC)

	// Six clerks create the same target's record at once: exactly one lands.
	results := make(chan error, 6)
	for range 6 {
		go func() {
			_, err := f.svc.RecordInspection(f.ctx, opClerk, o.ID, uscc, 0, fullInspection())
			results <- err
		}()
	}
	wins := 0
	for range 6 {
		err := <-results
		if err == nil {
			wins++
			continue
		}
		assert.True(t, errs.Is(err, errs.Stale), "%v", err)
	}
	assert.Equal(t, 1, wins)
	f.verifyAudit(t)
}

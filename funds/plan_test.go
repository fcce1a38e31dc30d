package funds

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"prepaidreg/internal/audit"
	"prepaidreg/internal/errs"
	"prepaidreg/internal/money"
	"prepaidreg/internal/pdf/pdftest"
	"prepaidreg/registry"
)

var (
	supervisorLi   = audit.Actor{Username: "li", Role: "supervisor", Via: "api"}
	supervisorZhou = audit.Actor{Username: "zhou", Role: "supervisor", Via: "api"}
	officerQian    = audit.Actor{Username: "qian", Role: "fund_officer", Via: "api"}
)

// planClaims are five claims of 20,000 yuan verified in all, two of them equal so that the
// remainder rule's tie-break shows.
func planClaims() []RefundClaim {
	return []RefundClaim{
		{ID: "C-01", ConsumerName: "张晓燕", ConsumerPhone: "13812345678", ClaimFen: 300_000, VerifiedFen: 300_000,
			Source: ClaimFromComplaint},
		{ID: "C-02", ConsumerName: "欧阳娜娜", ConsumerPhone: "13987654321", ClaimFen: 250_000, VerifiedFen: 300_000,
			Source: ClaimFromMediation},
		{ID: "C-03", ConsumerName: "李建国", ConsumerPhone: "15611112222", ClaimFen: 700_000, VerifiedFen: 700_000,
			Source: ClaimFromImport},
		{ID: "C-04", ConsumerName: "王芳", ConsumerPhone: "13700001111", ClaimFen: 500_000, VerifiedFen: 500_000,
			Source: ClaimFromComplaint},
		{ID: "C-05", ConsumerName: "赵磊", ConsumerPhone: "18622223333", ClaimFen: 200_000, VerifiedFen: 200_000,
			Source: ClaimFromImport},
	}
}

// goneAccount opens an account with 50,000 yuan sold, 6,000.02 deposited and an insurance
// cover of 4,000.01 valid today, and freezes it by black-listing the enterprise as gone.
func (f *fixture) goneAccount(t *testing.T) *Account {
	t.Helper()
	ctx := context.Background()
	a := f.account(t)
	f.post(t, a.ID, "sales", EntrySale, 5_000_000)
	f.post(t, a.ID, "deposit", EntryDeposit, 600_002)
	_, err := f.svc.AddCover(ctx, officer, a.ID, f.get(t, a.ID).Version, CoverInput{Kind: CoverInsurance,
		Insurer: "中国人民财产保险", PolicyNumber: "PICC-2026-88",
		CoveredFen: 400_001, ValidFrom: "2026-09-01", ValidTo: "2027-08-31"})
	require.NoError(t, err)

	err = f.svc.FreezeOnBlackList(ctx, registry.ListEntry{USCC: a.USCC, Kind: registry.ListBlack,
		LegalBasisCode: registry.BasisAbsconded, DecisionNumber: "朝市监黑〔2026〕3号", Reason: "收取预付款后停业失联"})
	require.NoError(t, err)
	a = f.get(t, a.ID)
	require.True(t, a.Frozen)
	return a
}

func (f *fixture) planEntries(t *testing.T, accountID string) []Entry {
	t.Helper()
	all, err := f.svc.Entries(context.Background(), accountID, 0, 0)
	require.NoError(t, err)
	var out []Entry
	for _, e := range all {
		if e.Plan != "" {
			out = append(out, e)
		}
	}
	return out
}

func verifyPlanTrail(t *testing.T, log *audit.Log) {
	t.Helper()
	rep, err := log.Verify(context.Background(),
		audit.Versioned{Collection: AccountsCollection, Kind: "fund_account"},
		audit.Versioned{Collection: PlansCollection, Kind: "refund_plan"})
	require.NoError(t, err)
	assert.True(t, rep.OK(), "audit trail: %v", rep.Problems)
}

// An enterprise black-listed as gone has its account frozen; no release passes. Its five
// consumers' claims, 20,000 yuan verified, share the 6,000.02 held and the 4,000.01 insured
// pro rata; the plan is approved by a second person and paid into the ledger once, and its
// document lists every claim masked with its share.
func TestService_RefundPlanStory(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	a := f.goneAccount(t)

	_, _, err := f.svc.PostEntry(ctx, officer, a.ID, "release-after-freeze",
		EntryInput{Type: EntryRelease, AmountFen: 100})
	requireKind(t, err, errs.Conflict)
	assert.Contains(t, errs.MessageOf(err), "朝市监黑〔2026〕3号")

	// Proposed: 10,000.03 yuan among 20,000 verified. Floors 150,000, 150,000, 350,001,
	// 250,000 and 100,000 fen leave 2 fen: one to C-04 (remainder 0.75), one to C-01, which
	// ties with C-02 at 0.45 on remainder and verified amount and comes first by id.
	p, err := f.svc.ProposePlan(ctx, officer, a.ID, PlanInput{Claims: planClaims()})
	require.NoError(t, err)
	assert.Regexp(t, `^RP-20260921-[0-9a-f]{6}$`, p.ID)
	assert.Equal(t, PlanProposed, p.State)
	assert.EqualValues(t, 600_002, p.HeldFen)
	assert.EqualValues(t, 400_001, p.InsuredFen)
	assert.EqualValues(t, 1_000_003, p.AvailableFen)
	assert.False(t, p.Allocation.Full)
	assert.EqualValues(t, 999_997, p.Allocation.ShortfallFen)

	// The account pays its 6,000.02 pro rata to the shares, by the same rule; the insurer
	// owes the rest of each share.
	want := []Payout{
		{ClaimID: "C-01", ShareFen: 150_001, AccountFen: 90_000, CoverFen: 60_001},
		{ClaimID: "C-02", ShareFen: 150_000, AccountFen: 90_000, CoverFen: 60_000},
		{ClaimID: "C-03", ShareFen: 350_001, AccountFen: 210_001, CoverFen: 140_000},
		{ClaimID: "C-04", ShareFen: 250_001, AccountFen: 150_001, CoverFen: 100_000},
		{ClaimID: "C-05", ShareFen: 100_000, AccountFen: 60_000, CoverFen: 40_000},
	}
	assert.Equal(t, want, p.Payouts)
	assert.EqualValues(t, 600_002, p.AccountFen)
	assert.EqualValues(t, 400_001, p.CoverFen)

	// Not approved yet: a refund under the plan is refused.
	_, _, err = f.svc.PostEntry(ctx, officer, a.ID, PlanPaymentKey(p.ID, "C-01"),
		EntryInput{Type: EntryRefund, AmountFen: 90_000, Plan: p.ID, PlanClaim: "C-01"})
	requireKind(t, err, errs.Conflict)
	assert.Contains(t, errs.MessageOf(err), "未经批准")

	// Four eyes: not the proposer, not a fund officer, not at a stale version.
	_, err = f.svc.ApprovePlan(ctx, officer, p.ID, p.Version, "")
	requireKind(t, err, errs.Forbidden)
	assert.Contains(t, errs.MessageOf(err), "four eyes")
	_, err = f.svc.ApprovePlan(ctx, officerQian, p.ID, p.Version, "")
	requireKind(t, err, errs.Forbidden)
	_, err = f.svc.ApprovePlan(ctx, supervisorLi, p.ID, p.Version-1, "")
	requireKind(t, err, errs.Stale)
	f.now = f.now.Add(2 * 3600e9)
	p, err = f.svc.ApprovePlan(ctx, supervisorLi, p.ID, p.Version, "同意")
	require.NoError(t, err)
	assert.Equal(t, PlanApproved, p.State)
	assert.Equal(t, "li", p.ApprovedBy)
	_, err = f.svc.ApprovePlan(ctx, supervisorZhou, p.ID, p.Version, "")
	requireKind(t, err, errs.Conflict)

	// Paid: five refunds, 6,000.02 out of the account, nothing left held.
	before := f.get(t, a.ID)
	_, err = f.svc.PayPlan(ctx, officer, p.ID, p.Version-1)
	requireKind(t, err, errs.Stale)
	p, err = f.svc.PayPlan(ctx, officer, p.ID, p.Version)
	require.NoError(t, err)
	assert.Equal(t, PlanPaid, p.State)
	require.Len(t, p.Payments, 5)
	after := f.get(t, a.ID)
	assert.EqualValues(t, before.HeldFen-600_002, after.HeldFen)
	assert.Zero(t, after.HeldFen)
	assert.EqualValues(t, before.OutstandingFen-600_002, after.OutstandingFen)

	entries := f.planEntries(t, a.ID)
	require.Len(t, entries, 5)
	for i, e := range entries {
		assert.Equal(t, EntryRefund, e.Type)
		assert.Equal(t, want[i].ClaimID, e.PlanClaim)
		assert.Equal(t, want[i].AccountFen, e.AmountFen)
		assert.Equal(t, "退款 "+p.ID+" "+want[i].ClaimID, e.Reference)
		assert.Equal(t, a.ID+":plan:"+p.ID+":"+want[i].ClaimID, e.ID)
		assert.Equal(t, PlanPayment{ClaimID: e.PlanClaim, EntryID: e.ID, AmountFen: e.AmountFen, At: e.PostedAt},
			p.Payments[i])
	}

	// Paying again posts nothing; nor does a refund under the paid plan pass.
	written := f.written(t, a.ID)
	again, err := f.svc.PayPlan(ctx, officer, p.ID, p.Version)
	require.NoError(t, err)
	assert.Equal(t, p.Version, again.Version)
	assert.Equal(t, written, f.written(t, a.ID))
	_, _, err = f.svc.PostEntry(ctx, officer, a.ID, "one-more",
		EntryInput{Type: EntryRefund, AmountFen: 1, Plan: p.ID, PlanClaim: "C-01"})
	requireKind(t, err, errs.Conflict)
	assert.Contains(t, errs.MessageOf(err), "已全部支付")

	// The document lists every claim masked, with its share.
	out, err := f.svc.PlanDocument(ctx, p.ID, planTestBureau)
	require.NoError(t, err)
	text := pdftest.Text(t, out)
	body := pdftest.Squash(text)
	for i, c := range planClaims() {
		row := pdftest.Squash(strings.Join([]string{c.ID, registry.MaskName(c.ConsumerName),
			registry.MaskPhone(c.ConsumerPhone), planSources[c.Source], money.Yuan(c.VerifiedFen),
			money.Yuan(want[i].ShareFen)}, ""))
		assert.Contains(t, body, row, "claim %s masked", c.ID)
		assert.NotContains(t, text, c.ConsumerName)
		assert.NotContains(t, text, c.ConsumerPhone)
	}
	assert.Contains(t, body, "10,000.03元")
	assert.Contains(t, body, "审批人：li")

	n, err := f.svc.Reconcile(ctx)
	require.NoError(t, err)
	assert.Zero(t, n)
	verifyPlanTrail(t, f.log)
}

func TestService_ProposePlanRefused(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	a := f.goneAccount(t)

	t.Run("account not frozen", func(t *testing.T) {
		open := f.account(t)
		f.post(t, open.ID, "d", EntryDeposit, 1_000)
		_, err := f.svc.ProposePlan(ctx, officer, open.ID, PlanInput{Claims: planClaims()})
		requireKind(t, err, errs.Conflict)
		assert.Contains(t, errs.MessageOf(err), "not frozen")
	})

	tests := []struct {
		name  string
		edit  func(c []RefundClaim) []RefundClaim
		field string
	}{
		{"claim above verified", func(c []RefundClaim) []RefundClaim { c[2].ClaimFen = c[2].VerifiedFen + 1; return c },
			"claims[2].claim_fen"},
		{"nothing verified", func(c []RefundClaim) []RefundClaim { c[1].VerifiedFen = 0; return c },
			"claims[1].verified_fen"},
		{"repeated id", func(c []RefundClaim) []RefundClaim { c[4].ID = "C-01"; return c }, "claims[4].id"},
		{"id unfit for a key", func(c []RefundClaim) []RefundClaim { c[0].ID = "C 01"; return c }, "claims[0].id"},
		{"no consumer name", func(c []RefundClaim) []RefundClaim { c[3].ConsumerName = " "; return c },
			"claims[3].consumer_name"},
		{"no claims", func([]RefundClaim) []RefundClaim { return nil }, "claims"},
		{"too many claims",
			func([]RefundClaim) []RefundClaim { return make([]RefundClaim, MaxPlanClaims+1) }, "claims"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := f.count(t, PlansCollection)
			_, err := f.svc.ProposePlan(ctx, officer, a.ID, PlanInput{Claims: tt.edit(planClaims())})
			requireKind(t, err, errs.Invalid)
			var fields []string
			for _, fe := range errs.FieldsOf(err) {
				fields = append(fields, fe.Field)
			}
			assert.Contains(t, fields, tt.field)
			assert.Equal(t, before, f.count(t, PlansCollection), "nothing stored")
		})
	}

	t.Run("an open plan already", func(t *testing.T) {
		_, err := f.svc.ProposePlan(ctx, officer, a.ID, PlanInput{Claims: planClaims()})
		require.NoError(t, err)
		_, err = f.svc.ProposePlan(ctx, officer, a.ID, PlanInput{Claims: planClaims()})
		requireKind(t, err, errs.Conflict)
		assert.Contains(t, errs.MessageOf(err), "open refund plan")
	})

	t.Run("no such account", func(t *testing.T) {
		_, err := f.svc.ProposePlan(ctx, officer, "FA-none", PlanInput{Claims: planClaims()})
		requireKind(t, err, errs.NotFound)
	})
	verifyPlanTrail(t, f.log)
}

// A cover added after the proposal changes what there is to share: the approval is refused,
// the plan rejected, and a new proposal shares the new amount.
func TestService_ApprovePlanRefusedWhenFundsChanged(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	a := f.goneAccount(t)
	p, err := f.svc.ProposePlan(ctx, officer, a.ID, PlanInput{Claims: planClaims()})
	require.NoError(t, err)

	_, err = f.svc.AddCover(ctx, officer, a.ID, a.Version, CoverInput{Kind: CoverBankGuarantee,
		Insurer: "中国银行", PolicyNumber: "BG-9", CoveredFen: 100_000, ValidFrom: "2026-09-01", ValidTo: "2027-08-31"})
	require.NoError(t, err)
	_, err = f.svc.ApprovePlan(ctx, supervisorLi, p.ID, p.Version, "")
	requireKind(t, err, errs.Conflict)
	assert.Contains(t, errs.MessageOf(err), "propose a new one")

	_, err = f.svc.RejectPlan(ctx, officer, p.ID, p.Version, "资金已变化")
	requireKind(t, err, errs.Forbidden)
	_, err = f.svc.RejectPlan(ctx, supervisorLi, p.ID, p.Version, " ")
	requireKind(t, err, errs.Invalid)
	rejected, err := f.svc.RejectPlan(ctx, supervisorLi, p.ID, p.Version, "资金已变化，重新拟定")
	require.NoError(t, err)
	assert.Equal(t, PlanRejected, rejected.State)
	assert.Equal(t, "资金已变化，重新拟定", rejected.RejectReason)
	_, err = f.svc.PayPlan(ctx, officer, p.ID, rejected.Version)
	requireKind(t, err, errs.Conflict)
	_, err = f.svc.PlanDocument(ctx, p.ID, planTestBureau)
	requireKind(t, err, errs.Conflict)

	again, err := f.svc.ProposePlan(ctx, officer, a.ID, PlanInput{Claims: planClaims()})
	require.NoError(t, err)
	assert.EqualValues(t, 1_100_003, again.AvailableFen)
	_, err = f.svc.ApprovePlan(ctx, supervisorZhou, again.ID, again.Version, "")
	require.NoError(t, err)

	heads, err := f.svc.Plans(ctx, a.ID)
	require.NoError(t, err)
	require.Len(t, heads, 2)
	assert.Equal(t, []PlanState{PlanRejected, PlanApproved}, []PlanState{heads[0].State, heads[1].State})
	assert.Nil(t, heads[1].Claims, "heads come without their claims")
	verifyPlanTrail(t, f.log)
}

// A refund on a frozen account passes only as a whole unpaid account part of a claim of an
// approved plan of that account, under the plan's key.
func TestService_PostEntryUnderPlan(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	a := f.goneAccount(t)
	p, err := f.svc.ProposePlan(ctx, officer, a.ID, PlanInput{Claims: planClaims()})
	require.NoError(t, err)
	p, err = f.svc.ApprovePlan(ctx, supervisorLi, p.ID, p.Version, "")
	require.NoError(t, err)

	other := f.goneAccount(t)
	q, err := f.svc.ProposePlan(ctx, officer, other.ID, PlanInput{Claims: planClaims()})
	require.NoError(t, err)

	key := PlanPaymentKey(p.ID, "C-03")
	refund := func(edit func(in *EntryInput)) EntryInput {
		in := EntryInput{Type: EntryRefund, AmountFen: 210_001, Plan: p.ID, PlanClaim: "C-03"}
		edit(&in)
		return in
	}
	tests := []struct {
		name  string
		key   string
		in    EntryInput
		kind  errs.Kind
		field string
	}{
		{"no plan at all", "k1", refund(func(in *EntryInput) { in.Plan, in.PlanClaim = "", "" }), errs.Conflict, ""},
		{"no such plan", key, refund(func(in *EntryInput) { in.Plan = "RP-none" }), errs.Invalid, "plan"},
		{"another account's plan", PlanPaymentKey(q.ID, "C-03"), refund(func(in *EntryInput) { in.Plan = q.ID }),
			errs.Invalid, "plan"},
		{"no claim named", key, refund(func(in *EntryInput) { in.PlanClaim = "" }), errs.Invalid, "plan_claim"},
		{"claim not in the plan", PlanPaymentKey(p.ID, "C-99"), refund(func(in *EntryInput) { in.PlanClaim = "C-99" }),
			errs.Invalid, "plan_claim"},
		{"another key", "my-key", refund(func(*EntryInput) {}), errs.Invalid, "idempotency_key"},
		{"more than the part", key, refund(func(in *EntryInput) { in.AmountFen++ }), errs.Invalid, "amount_fen"},
		{"less than the part", key, refund(func(in *EntryInput) { in.AmountFen-- }), errs.Invalid, "amount_fen"},
		{"a release", key, refund(func(in *EntryInput) { in.Type = EntryRelease }), errs.Invalid, "plan"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := f.written(t, a.ID)
			_, _, err := f.svc.PostEntry(ctx, officer, a.ID, tt.key, tt.in)
			requireKind(t, err, tt.kind)
			if tt.field != "" {
				require.NotEmpty(t, errs.FieldsOf(err))
				assert.Equal(t, tt.field, errs.FieldsOf(err)[0].Field)
			}
			assert.Equal(t, before, f.written(t, a.ID), "nothing written")
		})
	}

	// Posted by hand, as a PayPlan that stopped before recording it would have: the next
	// PayPlan records it and posts only the four others.
	_, _, err = f.svc.PostEntry(ctx, officer, a.ID, key, refund(func(in *EntryInput) { in.Reference = "手工 C-03" }))
	require.NoError(t, err)
	p, err = f.svc.PayPlan(ctx, officer, p.ID, p.Version)
	require.NoError(t, err)
	assert.Equal(t, PlanPaid, p.State)
	assert.Len(t, f.planEntries(t, a.ID), 5)
	assert.Zero(t, f.get(t, a.ID).HeldFen)

	// The masked plan hides the consumers.
	m := p.Masked()
	assert.Equal(t, "李**", m.Claims[2].ConsumerName)
	assert.Equal(t, "156****2222", m.Claims[2].ConsumerPhone)
	assert.Equal(t, "李建国", p.Claims[2].ConsumerName, "the original keeps them")
	verifyPlanTrail(t, f.log)
}

// When the account holds more than the shares, the account pays them all and the covers
// nothing; a later plan cannot count the cover a paid plan already charged.
func TestService_PlanInFullAndCoverChargedOnce(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	a := f.goneAccount(t) // 6,000.02 held, 4,000.01 insured

	small := []RefundClaim{{ID: "S-1", ConsumerName: "孙丽", ClaimFen: 100_000, VerifiedFen: 100_000,
		Source: ClaimFromImport}}
	p, err := f.svc.ProposePlan(ctx, officer, a.ID, PlanInput{Claims: small})
	require.NoError(t, err)
	assert.True(t, p.Allocation.Full)
	assert.Equal(t, []Payout{{ClaimID: "S-1", ShareFen: 100_000, AccountFen: 100_000}}, p.Payouts)
	p, err = f.svc.ApprovePlan(ctx, supervisorLi, p.ID, p.Version, "")
	require.NoError(t, err)
	_, err = f.svc.PayPlan(ctx, officer, p.ID, p.Version)
	require.NoError(t, err)

	// 5,000.02 held and the cover untouched; then a plan that needs the cover too.
	big, err := f.svc.ProposePlan(ctx, officer, a.ID, PlanInput{Claims: planClaims()})
	require.NoError(t, err)
	assert.EqualValues(t, 500_002, big.HeldFen)
	assert.EqualValues(t, 400_001, big.InsuredFen)
	big, err = f.svc.ApprovePlan(ctx, supervisorLi, big.ID, big.Version, "")
	require.NoError(t, err)
	big, err = f.svc.PayPlan(ctx, officer, big.ID, big.Version)
	require.NoError(t, err)
	assert.Equal(t, PlanPaid, big.State)
	assert.EqualValues(t, 400_001, big.CoverFen)

	// Nothing held, the cover charged: nothing left to share.
	_, err = f.svc.ProposePlan(ctx, officer, a.ID, PlanInput{Claims: planClaims()})
	requireKind(t, err, errs.Invalid)
	assert.Equal(t, "available_fen", errs.FieldsOf(err)[0].Field)
	verifyPlanTrail(t, f.log)
}

package mediation

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"prepaidreg/internal/audit"
	"prepaidreg/internal/errs"
	"prepaidreg/internal/pdf/pdftest"
	"prepaidreg/internal/store/storetest"
	"prepaidreg/internal/workday"
	"prepaidreg/registry"
)

var (
	clerk = audit.Actor{Username: "li", Role: RoleRegulator, Via: "api"}
	wang  = audit.Actor{Username: "wang", Role: RoleMediator, Via: "api"}
	zhao  = audit.Actor{Username: "zhao", Role: RoleMediator, Via: "api"}
)

// fixture is a service on its own database with a real registry and trail, and a clock a
// test can move. It starts on Monday 2026-09-14 09:00 in Beijing.
type fixture struct {
	svc *Service
	reg *registry.Service
	st  *MongoStore
	log *audit.Log
	db  *mongo.Database
	now time.Time
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	ctx := context.Background()
	db := storetest.New(t)
	log := audit.NewLog(db)
	rst := registry.NewMongoStore(db)
	require.NoError(t, rst.EnsureIndexes(ctx))
	reg := registry.NewService(rst, log, registry.BeijingAreas())
	st := NewMongoStore(db)
	require.NoError(t, st.EnsureIndexes(ctx))
	f := &fixture{svc: NewService(st, log, reg, workday.Default()), reg: reg, st: st, log: log, db: db,
		now: at(t, "2026-09-14", "09:00")}
	f.svc.SetClock(func() time.Time { return f.now })
	reg.SetClock(func() time.Time { return f.now })
	log.SetClock(func() time.Time { return f.now })
	return f
}

// at returns a day and time of day in Beijing.
func at(t testing.TB, day, clock string) time.Time {
	t.Helper()
	v, err := time.ParseInLocation("2006-01-02 15:04", day+" "+clock, workday.Zone)
	require.NoError(t, err)
	return v
}

// uscc returns the i-th valid test code.
func uscc(t testing.TB, i int) registry.USCC {
	t.Helper()
	first := fmt.Sprintf("91110105MA%07d", i)
	c, err := registry.CheckChar(first)
	require.NoError(t, err)
	return registry.USCC(first + string(c))
}

// enterprises puts n enterprises on file with one insert and returns their codes.
func (f *fixture) enterprises(t testing.TB, n int) []registry.USCC {
	t.Helper()
	codes := make([]registry.USCC, n)
	docs := make([]any, n)
	for i := range codes {
		codes[i] = uscc(t, i)
		docs[i] = registry.Enterprise{USCC: codes[i], Name: fmt.Sprintf("测试健身%03d有限公司", i), Aliases: []string{},
			District: "110105", Street: "望京街道", Industry: registry.IndustryFitness,
			Status: registry.StatusOperating,
			Stores: []registry.Shop{}, Version: 1, CreatedAt: f.now, UpdatedAt: f.now}
	}
	_, err := f.db.Collection(registry.EnterprisesCollection).InsertMany(context.Background(), docs)
	require.NoError(t, err)
	return codes
}

// mediators puts the consumer association on file with three mediators: wang and zhao active,
// zhao with a conflict of interest with conflicted, and qian no longer active.
func (f *fixture) mediators(t testing.TB, conflicted registry.USCC) {
	t.Helper()
	ctx := context.Background()
	require.NoError(t, f.st.InsertBody(ctx, &Body{ID: "cca", Name: "朝阳区消费者协会", Kind: BodyConsumerAssociation,
		Version: 1, CreatedAt: f.now}))
	require.NoError(t, f.st.InsertBody(ctx, &Body{ID: "fit", Name: "健身行业调解委员会", Kind: BodyIndustry,
		Version: 1, CreatedAt: f.now}))
	for _, m := range []Mediator{
		{Username: "wang", Name: "王调解", Body: "cca", Active: true},
		{Username: "zhao", Name: "赵调解", Body: "cca", Active: true, Conflicts: []registry.USCC{conflicted}},
		{Username: "qian", Name: "钱调解", Body: "cca", Active: false},
	} {
		m.Version, m.UpdatedAt = 1, f.now
		require.NoError(t, f.st.InsertMediator(ctx, &m))
	}
}

// direct is a direct case's input: one consumer asking for a refund of 3,000 元.
func direct(code registry.USCC) OpenInput {
	return OpenInput{USCC: string(code), ConsumerName: "张伟", ConsumerPhone: "13812341234",
		IDNumber: "110105199001011234", Claim: ClaimRefund, ClaimFen: 300000, Facts: "健身卡停业后拒绝退还余额",
		Card: &Card{Kind: CardNamed, FaceValueFen: 500000, PaidFen: 500000, UsedFen: 200000, BoughtOn: "2026-03-01"}}
}

// assigned opens a case against code, accepts it and assigns it to wang.
func (f *fixture) assigned(t testing.TB, code registry.USCC) *Case {
	t.Helper()
	ctx := context.Background()
	c, err := f.svc.OpenCase(ctx, clerk, direct(code))
	require.NoError(t, err)
	c, err = f.svc.Accept(ctx, clerk, c.ID, c.Version)
	require.NoError(t, err)
	c, err = f.svc.Assign(ctx, clerk, c.ID, c.Version, "cca", "wang")
	require.NoError(t, err)
	return c
}

// inMediation is assigned with one session held.
func (f *fixture) inMediation(t testing.TB, code registry.USCC) *Case {
	t.Helper()
	c := f.assigned(t, code)
	c, err := f.svc.AddSession(context.Background(), wang, c.ID, c.Version, session(f.now))
	require.NoError(t, err)
	return c
}

func session(held time.Time) SessionInput {
	return SessionInput{At: held, Form: "on_site", Attendees: []string{"张伟", "店长刘某", "王调解"},
		Notes: "双方就剩余课时折算退费进行协商",
		Offers: []OfferInput{
			{Side: SideConsumer, AmountFen: 300000, Terms: "退还全部余额"},
			{Side: SideEnterprise, AmountFen: 150000, Terms: "退还一半，其余转课时"},
			{Side: SideConsumer, AmountFen: 250000, Terms: "扣除赠课后退还"},
		}}
}

func verifyTrail(t *testing.T, log *audit.Log) {
	t.Helper()
	rep, err := log.Verify(context.Background(), audit.Versioned{Collection: CasesCollection, Kind: "mediation_case"})
	require.NoError(t, err)
	assert.True(t, rep.OK(), "audit trail: %v", rep.Problems)
}

func requireKind(t *testing.T, err error, kind errs.Kind, contains string) {
	t.Helper()
	require.Error(t, err)
	assert.Equal(t, kind, errs.KindOf(err), "%v", err)
	if contains != "" {
		assert.Contains(t, err.Error(), contains)
	}
}

func whats(c *Case) []string {
	out := make([]string, len(c.Timeline))
	for i, e := range c.Timeline {
		out[i] = e.What
	}
	return out
}

// TestService_CaseFromComplaint follows a case from a hotline complaint to its close:
// accepted, assigned, mediated with offers, settled, performed and closed.
func TestService_CaseFromComplaint(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	code := f.enterprises(t, 1)[0]
	f.mediators(t, "")

	// A complaint that names no enterprise on file waits unlinked; a case cannot start from it.
	res, err := f.reg.CreateComplaint(ctx, clerk, registry.ComplaintInput{
		Source: "12345", Ticket: "GD2026091300017", ReceivedAt: f.now.Add(-24 * time.Hour),
		ComplainantName: "张伟", ComplainantPhone: "13812341234", ReportedName: "某某健身",
		Text: "办理健身年卡后门店停业，要求退还剩余费用3000元", AmountFen: 300000,
	})
	require.NoError(t, err)
	_, err = f.svc.OpenCase(ctx, clerk, OpenInput{ComplaintID: res.Complaint.ID})
	requireKind(t, err, errs.Invalid, "")
	assert.Contains(t, errs.FieldsOf(err)[0].Message, "尚未关联企业")
	_, err = f.reg.LinkComplaint(ctx, clerk, res.Complaint.ID, string(code), false)
	require.NoError(t, err)

	c, err := f.svc.OpenCase(ctx, clerk, OpenInput{ComplaintID: res.Complaint.ID})
	require.NoError(t, err)
	// One complaint opens one case.
	_, err = f.svc.OpenCase(ctx, clerk, OpenInput{ComplaintID: res.Complaint.ID})
	requireKind(t, err, errs.Invalid, "")
	assert.Contains(t, errs.FieldsOf(err)[0].Message, c.ID)
	assert.Regexp(t, `^MC-20260914-[0-9a-f]{8}$`, c.ID)
	assert.Equal(t, code, c.USCC)
	assert.Equal(t, "测试健身000有限公司", c.EnterpriseName)
	assert.Equal(t, []Claim{{ConsumerName: "张伟", ConsumerPhone: "13812341234", Kind: ClaimRefund, ClaimFen: 300000,
		ComplaintID: "12345:GD2026091300017"}}, c.Claims)
	assert.Equal(t, "办理健身年卡后门店停业，要求退还剩余费用3000元", c.Facts)
	assert.Equal(t, StateSubmitted, c.State)
	assert.EqualValues(t, 1, c.Version)
	// Acceptance within 7 working days of Monday 14 September: Sunday 20 September is an
	// adjusted working day (国庆节调休上班), so the 7th is Tuesday the 22nd.
	require.Len(t, c.Deadlines, 1)
	assert.Equal(t, "2026-09-22", c.Deadlines[0].Due)
	assert.Equal(t, DeadlineOpen, c.Deadlines[0].Status)
	assert.Equal(t, "受理决定：收到后7个工作日内（《市场监督管理投诉举报处理暂行办法》）", c.Deadlines[0].Rule)
	assert.Equal(t, at(t, "2026-09-22", "00:00").UTC(), c.NextDeadline.UTC())

	f.now = at(t, "2026-09-15", "10:00")
	c, err = f.svc.Accept(ctx, clerk, c.ID, c.Version)
	require.NoError(t, err)
	assert.Equal(t, StateAccepted, c.State)
	assert.Equal(t, DeadlineMet, c.Deadlines[0].Status)
	assert.Equal(t, "2026-11-23", c.Deadlines[1].Due, "45 working days from 15 September")

	c, err = f.svc.Assign(ctx, clerk, c.ID, c.Version, "cca", "wang")
	require.NoError(t, err)
	assert.Equal(t, StateAssigned, c.State)
	assert.Equal(t, "wang", c.Mediator)

	f.now = at(t, "2026-09-17", "15:00")
	c, err = f.svc.AddSession(ctx, wang, c.ID, c.Version, session(at(t, "2026-09-17", "14:00")))
	require.NoError(t, err)
	assert.Equal(t, StateInMediation, c.State)
	require.Len(t, c.Sessions, 1)
	offers := c.Sessions[0].Offers
	require.Len(t, offers, 3)
	assert.Equal(t, []Side{SideConsumer, SideEnterprise, SideConsumer},
		[]Side{offers[0].Side, offers[1].Side, offers[2].Side})
	assert.Equal(t, []int64{300000, 150000, 250000},
		[]int64{offers[0].AmountFen, offers[1].AmountFen, offers[2].AmountFen})
	assert.Equal(t, at(t, "2026-09-17", "14:00").UTC(), offers[0].At)

	c, err = f.svc.RecordAgreement(ctx, wang, c.ID, c.Version, AgreementInput{
		Points: []string{"剩余费用退还金额"},
		Terms: []Term{
			{Payer: "企业", Payee: "张伟", AmountFen: 200000, DueOn: "2026-09-24", Method: "银行转账"},
			{Payer: "企业", Payee: "张伟", AmountFen: 50000, DueOn: "2026-09-30", Method: "银行转账"},
		},
	})
	require.NoError(t, err)
	assert.Equal(t, StateAgreement, c.State)
	assert.EqualValues(t, 250000, c.Agreement.TotalFen)
	perf := c.Deadlines[len(c.Deadlines)-1]
	assert.Equal(t, DeadlinePerformance, perf.Kind)
	assert.Equal(t, "2026-09-30", perf.Due)
	_, err = f.svc.Close(ctx, wang, c.ID, c.Version)
	requireKind(t, err, errs.Conflict, "履行")

	f.now = at(t, "2026-10-08", "09:30")
	c, err = f.svc.RecordPerformance(ctx, wang, c.ID, c.Version, true, "消费者确认已收到全部款项")
	require.NoError(t, err)
	assert.True(t, *c.Agreement.Performed)
	c, err = f.svc.Close(ctx, wang, c.ID, c.Version)
	require.NoError(t, err)
	assert.Equal(t, StateClosed, c.State)
	assert.Nil(t, c.NextDeadline)

	// Closing twice is refused.
	_, err = f.svc.Close(ctx, wang, c.ID, c.Version)
	requireKind(t, err, errs.Conflict, "already closed")

	got, err := f.svc.Case(ctx, clerk, c.ID)
	require.NoError(t, err)
	assert.Equal(t, []string{"submit", "accept", "assign", "session", "agreement", "performance", "close"}, whats(got))
	assert.Equal(t, "来自投诉 12345:GD2026091300017", got.Timeline[0].Note)
	assert.EqualValues(t, 7, got.Version)

	recs, err := f.svc.DossierRecords(ctx, code)
	require.NoError(t, err)
	require.Len(t, recs.Mediation, 1)
	assert.Equal(t, registry.DossierRecord{ID: c.ID, At: got.SubmittedAt, Title: "调解案件 " + c.ID, State: "已结案",
		Outcome: "达成协议，已履行", Link: "/console/mediation/cases/" + c.ID}, recs.Mediation[0])

	// The agreement document names the parties in full and the terms in yuan.
	doc, err := f.svc.AgreementDocument(ctx, wang, c.ID)
	require.NoError(t, err)
	text := pdftest.Squash(pdftest.Text(t, doc))
	for _, want := range []string{"调解协议书", "张伟", "13812341234", "测试健身000有限公司", "剩余费用退还金额",
		"2,000.00元", "500.00元", "2026年9月24日", "银行转账"} {
		assert.Contains(t, text, pdftest.Squash(want))
	}
	_, err = f.svc.TerminationDocument(ctx, wang, c.ID)
	requireKind(t, err, errs.Conflict, "did not end without agreement")

	verifyTrail(t, f.log)
	page, err := f.log.List(ctx, audit.Query{Target: "mediation_case/" + c.ID})
	require.NoError(t, err)
	require.Len(t, page.Records, 7)
	assert.Equal(t, "mediation_case.open", page.Records[0].Action)
	assert.NotContains(t, page.Records[0].Change, "13812341234", "the trail keeps consumers masked")
	assert.Contains(t, page.Records[0].Change, "138****1234")
}

func TestService_OpenCase(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	code := f.enterprises(t, 1)[0]

	t.Run("refusals", func(t *testing.T) {
		for name, tc := range map[string]struct {
			change func(in *OpenInput)
			field  string
		}{
			"negative claim":    {func(in *OpenInput) { in.ClaimFen = -1 }, "claim_fen"},
			"zero refund":       {func(in *OpenInput) { in.ClaimFen = 0 }, "claim_fen"},
			"over 10^13 fen":    {func(in *OpenInput) { in.ClaimFen = MaxFen + 1 }, "claim_fen"},
			"negative card":     {func(in *OpenInput) { in.Card.PaidFen = -100 }, "card.paid_fen"},
			"unknown claim":     {func(in *OpenInput) { in.Claim = "compensation" }, "claim"},
			"no phone":          {func(in *OpenInput) { in.ConsumerPhone = "" }, "consumer_phone"},
			"bad id number":     {func(in *OpenInput) { in.IDNumber = "1101" }, "id_number"},
			"unknown uscc":      {func(in *OpenInput) { in.USCC = string(uscc(t, 99)) }, "uscc"},
			"no facts":          {func(in *OpenInput) { in.Facts = " " }, "facts"},
			"group differs":     {func(in *OpenInput) { in.MoreClaims[0].Claim = ClaimContinue }, "more_claims[0].claim"},
			"lessons over used": {func(in *OpenInput) { in.Card.Lessons, in.Card.LessonsUsed = 10, 11 }, "card.lessons_used"},
		} {
			t.Run(name, func(t *testing.T) {
				in := direct(code)
				card := *in.Card
				in.Card = &card
				in.MoreClaims = []ClaimInput{
					{ConsumerName: "李娜", ConsumerPhone: "13900001111", Claim: ClaimRefund, ClaimFen: 1000},
				}
				tc.change(&in)
				_, err := f.svc.OpenCase(ctx, clerk, in)
				requireKind(t, err, errs.Invalid, "")
				var names []string
				for _, fe := range errs.FieldsOf(err) {
					names = append(names, fe.Field)
				}
				assert.Contains(t, names, tc.field)
			})
		}
	})

	t.Run("a mediator does not open cases", func(t *testing.T) {
		_, err := f.svc.OpenCase(ctx, wang, direct(code))
		requireKind(t, err, errs.Forbidden, "")
	})
}

func TestService_GroupCase(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	codes := f.enterprises(t, 2)
	f.mediators(t, "")

	in := direct(codes[0])
	in.MoreClaims = []ClaimInput{{
		ConsumerName: "李娜", ConsumerPhone: "13900001111", Claim: ClaimRefund, ClaimFen: 120000,
		Card: &Card{Kind: CardCourse, PaidFen: 360000, UsedFen: 240000, BoughtOn: "2026-01-05",
			Lessons: 30, LessonsUsed: 20},
	}}
	group, err := f.svc.OpenCase(ctx, clerk, in)
	require.NoError(t, err)
	require.Len(t, group.Claims, 2)
	assert.EqualValues(t, 420000, group.ClaimedFen())

	// A third consumer's case joins the group before mediation starts; each claim is kept.
	third := direct(codes[0])
	third.ConsumerName, third.ConsumerPhone, third.IDNumber, third.ClaimFen = "欧阳娜娜", "13700002222", "", 80000
	other, err := f.svc.OpenCase(ctx, clerk, third)
	require.NoError(t, err)
	group, err = f.svc.JoinCases(ctx, clerk, group.ID, group.Version, other.ID, other.Version)
	require.NoError(t, err)
	require.Len(t, group.Claims, 3)
	assert.Equal(t, []int64{300000, 120000, 80000},
		[]int64{group.Claims[0].ClaimFen, group.Claims[1].ClaimFen, group.Claims[2].ClaimFen})
	assert.Equal(t, 20, group.Claims[1].Card.LessonsUsed)
	joined, err := f.svc.Case(ctx, clerk, other.ID)
	require.NoError(t, err)
	assert.Equal(t, StateClosed, joined.State)
	assert.Equal(t, group.ID, joined.JoinedInto)

	t.Run("another enterprise", func(t *testing.T) {
		c, err := f.svc.OpenCase(ctx, clerk, direct(codes[1]))
		require.NoError(t, err)
		_, err = f.svc.JoinCases(ctx, clerk, group.ID, group.Version, c.ID, c.Version)
		requireKind(t, err, errs.Conflict, "different enterprises")
	})
	t.Run("after mediation started", func(t *testing.T) {
		started := f.inMediation(t, codes[0])
		c, err := f.svc.OpenCase(ctx, clerk, direct(codes[0]))
		require.NoError(t, err)
		_, err = f.svc.JoinCases(ctx, clerk, started.ID, started.Version, c.ID, c.Version)
		requireKind(t, err, errs.Conflict, "before mediation starts")
	})
	verifyTrail(t, f.log)
}

func TestService_Assign(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	codes := f.enterprises(t, 2)
	f.mediators(t, codes[0])
	open := func(t *testing.T) *Case {
		c, err := f.svc.OpenCase(ctx, clerk, direct(codes[0]))
		require.NoError(t, err)
		c, err = f.svc.Accept(ctx, clerk, c.ID, c.Version)
		require.NoError(t, err)
		return c
	}

	t.Run("conflict of interest", func(t *testing.T) {
		c := open(t)
		_, err := f.svc.Assign(ctx, clerk, c.ID, c.Version, "cca", "zhao")
		requireKind(t, err, errs.Conflict, "conflict of interest")
		// Taking it from the pool is refused alike.
		_, err = f.svc.Assign(ctx, zhao, c.ID, c.Version, "", "")
		requireKind(t, err, errs.Conflict, "conflict of interest")
	})
	t.Run("refusals", func(t *testing.T) {
		c := open(t)
		for name, tc := range map[string]struct{ body, mediator, field string }{
			"unknown mediator": {"cca", "nobody", "mediator"},
			"inactive":         {"cca", "qian", "mediator"},
			"other body":       {"fit", "wang", "body"},
		} {
			_, err := f.svc.Assign(ctx, clerk, c.ID, c.Version, tc.body, tc.mediator)
			requireKind(t, err, errs.Invalid, "")
			assert.Equal(t, tc.field, errs.FieldsOf(err)[0].Field, name)
		}
	})
	t.Run("a mediator takes from the pool for themself only", func(t *testing.T) {
		c := open(t)
		_, err := f.svc.Assign(ctx, wang, c.ID, c.Version, "", "zhao")
		requireKind(t, err, errs.Forbidden, "")
		c, err = f.svc.Assign(ctx, wang, c.ID, c.Version, "", "")
		require.NoError(t, err)
		assert.Equal(t, "wang", c.Mediator)
		assert.Equal(t, "cca", c.Body)
		// No longer in the pool: another mediator cannot take it.
		_, err = f.svc.Assign(ctx, zhao, c.ID, c.Version, "", "")
		requireKind(t, err, errs.Forbidden, "")
	})
	t.Run("recusal returns the case to the pool with the reason", func(t *testing.T) {
		c := f.inMediation(t, codes[1])
		c, err := f.svc.Recuse(ctx, wang, c.ID, c.Version, "与消费者系亲属关系")
		require.NoError(t, err)
		assert.Equal(t, StateAccepted, c.State)
		assert.Empty(t, c.Mediator)
		last := c.Timeline[len(c.Timeline)-1]
		assert.Equal(t, "recuse", last.What)
		assert.Equal(t, withheld, last.Note, "wang no longer works the case: notes are withheld")
		assert.Equal(t, "张*", c.Claims[0].ConsumerName, "wang no longer works the case")
		staffView, err := f.svc.Case(ctx, clerk, c.ID)
		require.NoError(t, err)
		last = staffView.Timeline[len(staffView.Timeline)-1]
		assert.Equal(t, "调解员 wang 回避：与消费者系亲属关系", last.Note, "the reason is kept")

		q, err := f.svc.Queue(ctx, zhao, QueueQuery{})
		require.NoError(t, err)
		var pool []string
		for _, it := range q.Pool {
			pool = append(pool, it.ID)
		}
		assert.Contains(t, pool, c.ID)
		c, err = f.svc.Assign(ctx, zhao, c.ID, c.Version, "", "")
		require.NoError(t, err)
		assert.Len(t, c.Sessions, 1, "sessions held stay on the case")
	})
	verifyTrail(t, f.log)
}

func TestService_Refusals(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	code := f.enterprises(t, 1)[0]
	f.mediators(t, "")

	t.Run("an agreement for more than was claimed without saying so", func(t *testing.T) {
		c := f.inMediation(t, code)
		in := AgreementInput{Points: []string{"退费金额"}, Terms: []Term{
			{Payer: "企业", Payee: "张伟", AmountFen: 350000, DueOn: "2026-09-30", Method: "现金"}}}
		_, err := f.svc.RecordAgreement(ctx, wang, c.ID, c.Version, in)
		requireKind(t, err, errs.Invalid, "")
		assert.Equal(t, "over_claim_reason", errs.FieldsOf(err)[0].Field)
		assert.Contains(t, errs.FieldsOf(err)[0].Message, "without saying so")

		in.OverClaimReason = "企业自愿另行补偿交通费"
		c, err = f.svc.RecordAgreement(ctx, wang, c.ID, c.Version, in)
		require.NoError(t, err)
		assert.EqualValues(t, 350000, c.Agreement.TotalFen)
	})
	t.Run("negative amounts", func(t *testing.T) {
		c := f.inMediation(t, code)
		_, err := f.svc.RecordAgreement(ctx, wang, c.ID, c.Version, AgreementInput{Points: []string{"退费"},
			Terms: []Term{{Payer: "企业", Payee: "张伟", AmountFen: -1, DueOn: "2026-09-30", Method: "现金"}}})
		requireKind(t, err, errs.Invalid, "")
		assert.Equal(t, "terms[0].amount_fen", errs.FieldsOf(err)[0].Field)

		in := session(f.now)
		in.Offers[1].AmountFen = -5
		_, err = f.svc.AddSession(ctx, wang, c.ID, c.Version, in)
		requireKind(t, err, errs.Invalid, "")
		assert.Equal(t, "offers[1].amount_fen", errs.FieldsOf(err)[0].Field)
	})
	t.Run("a session before the case was accepted", func(t *testing.T) {
		c, err := f.svc.OpenCase(ctx, clerk, direct(code))
		require.NoError(t, err)
		_, err = f.svc.AddSession(ctx, clerk, c.ID, c.Version, session(f.now))
		requireKind(t, err, errs.Conflict, "before the case was accepted")
		c, err = f.svc.Accept(ctx, clerk, c.ID, c.Version)
		require.NoError(t, err)
		_, err = f.svc.AddSession(ctx, clerk, c.ID, c.Version, session(f.now))
		requireKind(t, err, errs.Conflict, "before the case was accepted")
	})
	t.Run("a mediator acting on a case not theirs", func(t *testing.T) {
		c := f.inMediation(t, code)
		_, err := f.svc.AddSession(ctx, zhao, c.ID, c.Version, session(f.now))
		requireKind(t, err, errs.Forbidden, "not your case")
		_, err = f.svc.Terminate(ctx, zhao, c.ID, c.Version, "双方分歧较大", false)
		requireKind(t, err, errs.Forbidden, "not your case")
		_, err = f.svc.Case(ctx, zhao, c.ID)
		requireKind(t, err, errs.Forbidden, "not your case")
		_, err = f.svc.Accept(ctx, wang, c.ID, c.Version)
		requireKind(t, err, errs.Forbidden, "")
	})
	t.Run("stale version", func(t *testing.T) {
		c := f.assigned(t, code)
		_, err := f.svc.Pause(ctx, wang, c.ID, c.Version-1, "委托检测")
		requireKind(t, err, errs.Stale, "")
		got, err := f.svc.Case(ctx, clerk, c.ID)
		require.NoError(t, err)
		assert.Equal(t, c.Version, got.Version, "nothing written")
	})
	t.Run("a refused case", func(t *testing.T) {
		c, err := f.svc.OpenCase(ctx, clerk, direct(code))
		require.NoError(t, err)
		_, err = f.svc.Refuse(ctx, clerk, c.ID, c.Version, "")
		requireKind(t, err, errs.Invalid, "")
		c, err = f.svc.Refuse(ctx, clerk, c.ID, c.Version, "不属于市场监管部门职责范围")
		require.NoError(t, err)
		assert.Equal(t, StateRefused, c.State)
		assert.Nil(t, c.NextDeadline)
		_, err = f.svc.Assign(ctx, clerk, c.ID, c.Version, "cca", "wang")
		requireKind(t, err, errs.Conflict, "")
	})
	t.Run("not performed before the due date", func(t *testing.T) {
		c := f.inMediation(t, code)
		c, err := f.svc.RecordAgreement(ctx, wang, c.ID, c.Version, AgreementInput{Points: []string{"退费"},
			Terms: []Term{{Payer: "企业", Payee: "张伟", AmountFen: 100000, DueOn: "2026-09-30", Method: "现金"}}})
		require.NoError(t, err)
		_, err = f.svc.RecordPerformance(ctx, wang, c.ID, c.Version, false, "")
		requireKind(t, err, errs.Conflict, "not yet due")
	})
	verifyTrail(t, f.log)
}

func TestService_OneComplaintOneCase(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	code := f.enterprises(t, 1)[0]
	res, err := f.reg.CreateComplaint(ctx, clerk, registry.ComplaintInput{
		Source: "12345", Ticket: "GD2026091300099", ReceivedAt: f.now.Add(-time.Hour),
		ComplainantName: "李雷", ComplainantPhone: "13900001111", ReportedUSCC: string(code),
		Text: "要求退还预付款", AmountFen: 100000,
	})
	require.NoError(t, err)

	// Eight regulators press the button at once: one case is opened.
	var wg sync.WaitGroup
	var mu sync.Mutex
	var opened []string
	for range 8 {
		wg.Go(func() {
			c, err := f.svc.OpenCase(ctx, clerk, OpenInput{ComplaintID: res.Complaint.ID})
			if err == nil {
				mu.Lock()
				opened = append(opened, c.ID)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	require.Len(t, opened, 1)

	// Once that case is refused, the complaint may be opened again.
	c, err := f.svc.Case(ctx, clerk, opened[0])
	require.NoError(t, err)
	_, err = f.svc.Refuse(ctx, clerk, c.ID, c.Version, "不属于调解范围")
	require.NoError(t, err)
	_, err = f.svc.OpenCase(ctx, clerk, OpenInput{ComplaintID: res.Complaint.ID})
	require.NoError(t, err)
}

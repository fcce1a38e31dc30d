package registry_test

import (
	"context"
	"fmt"
	"regexp"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"prepaidreg/internal/audit"
	"prepaidreg/internal/errs"
	"prepaidreg/internal/store/storetest"
	"prepaidreg/registry"
)

var shanghaiTZ = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		panic(err)
	}
	return loc
}()

// entryStart is the tests' first moment: Thursday 3 December 2026, 10:00 in Beijing.
var entryStart = time.Date(2026, 12, 3, 10, 0, 0, 0, shanghaiTZ)

// The users of the list tests: one regulator and three supervisors.
var (
	regWang = audit.Actor{Username: "wang", Role: "regulator", Via: "api"}
	supZhao = audit.Actor{Username: "zhao", Role: "supervisor", Via: "api"}
	supQian = audit.Actor{Username: "qian", Role: "supervisor", Via: "api"}
	supSun  = audit.Actor{Username: "sun", Role: "supervisor", Via: "api"}
)

// tickets numbers the complaints the tests file.
var tickets atomic.Int64

// entryEnv is a registry on a database of its own with a clock the test moves.
type entryEnv struct {
	svc *registry.Service
	st  *registry.MongoStore
	db  *mongo.Database
	log *audit.Log

	mu  sync.Mutex
	now time.Time
}

func newEntryEnv(t *testing.T) *entryEnv {
	t.Helper()
	db := storetest.New(t)
	st := registry.NewMongoStore(db)
	ctx := context.Background()
	require.NoError(t, st.EnsureIndexes(ctx))
	require.NoError(t, st.EnsureListEntryIndexes(ctx))
	env := &entryEnv{st: st, db: db, log: audit.NewLog(db), now: entryStart}
	env.svc = registry.NewService(st, env.log, registry.BeijingAreas())
	env.svc.SetClock(env.clock)
	return env
}

func (e *entryEnv) clock() time.Time {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.now
}

// set moves the clock to t.
func (e *entryEnv) set(t time.Time) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.now = t
}

// firm registers an enterprise with a former name and returns its code.
func (e *entryEnv) firm(t *testing.T, org string) registry.USCC {
	t.Helper()
	c, err := registry.CheckChar("91110105" + org)
	require.NoError(t, err)
	f, err := e.svc.CreateEnterprise(context.Background(), audit.System, registry.EnterpriseInput{
		USCC: "91110105" + org + string(c), Name: "北京朝阳悦动健身有限公司", Aliases: []string{"悦动健身"},
		LegalRepresentative: "李四", RegisteredAddress: "北京市朝阳区望京街道阜通东大街6号", District: "110105",
		Street: "望京街道", Industry: registry.IndustryFitness,
	})
	require.NoError(t, err)
	return f.USCC
}

// assessment stores a risk assessment of uscc at level and returns its id.
func (e *entryEnv) assessment(t *testing.T, uscc registry.USCC, level registry.RiskLevel) string {
	t.Helper()
	id := fmt.Sprintf("RA-TEST-%s-%s-%d", uscc, level, time.Now().UnixNano())
	_, err := e.db.Collection(registry.AssessmentsCollection).InsertOne(context.Background(), registry.Assessment{
		ID: id, USCC: uscc, Score: 85, Level: level, ModelVersion: 1, AssessedAt: e.clock().UTC(),
		Factors: []registry.Factor{},
	})
	require.NoError(t, err)
	return id
}

// complaint files a complaint against uscc and returns its id.
func (e *entryEnv) complaint(t *testing.T, uscc registry.USCC, ticket string) string {
	t.Helper()
	res, err := e.svc.CreateComplaint(context.Background(), regWang, registry.ComplaintInput{
		Ticket: ticket, ReceivedAt: e.clock().Add(-48 * time.Hour), ReportedUSCC: string(uscc),
		Text: "商家已关门，预付的会员卡无法退费。",
	})
	require.NoError(t, err)
	return res.Complaint.ID
}

// grey is a grey proposal resting on a critical assessment.
func (e *entryEnv) grey(t *testing.T, uscc registry.USCC) registry.ProposalInput {
	return registry.ProposalInput{
		USCC: string(uscc), Kind: registry.ListGrey, Reason: "近90日投诉量激增，退费难投诉占比超过六成",
		Evidence:  []registry.Evidence{{Kind: "assessment", ID: e.assessment(t, uscc, registry.RiskCritical)}},
		Authority: "北京市朝阳区市场监督管理局", DecisionNumber: "京朝市监灰〔2026〕1号",
	}
}

// black is a black proposal on the art. 8 ground with a complaint as evidence.
func (e *entryEnv) black(t *testing.T, uscc registry.USCC) registry.ProposalInput {
	return registry.ProposalInput{
		USCC: string(uscc), Kind: registry.ListBlack, Reason: "收取预付款后闭店，经核查无法联系",
		LegalBasisCode: registry.BasisAbsconded,
		Evidence: []registry.Evidence{{Kind: "complaint", ID: e.complaint(t, uscc, fmt.Sprintf("B%d", tickets.Add(1)))},
			{Kind: "inspection", ID: "JC-2026-118", Note: "现场检查：门店已关闭"}},
		Authority: "北京市朝阳区市场监督管理局", DecisionNumber: "京朝市监失信〔2026〕7号",
	}
}

// propose files in as wang.
func (e *entryEnv) propose(t *testing.T, in registry.ProposalInput) *registry.ListEntry {
	t.Helper()
	got, err := e.svc.ProposeEntry(context.Background(), regWang, in)
	require.NoError(t, err)
	return got
}

// published proposes in as wang and has zhao approve it.
func (e *entryEnv) published(t *testing.T, in registry.ProposalInput) *registry.ListEntry {
	t.Helper()
	got, err := e.svc.Approve(context.Background(), supZhao, e.propose(t, in).ID, "同意")
	require.NoError(t, err)
	return got
}

// entry reads an entry back.
func (e *entryEnv) entry(t *testing.T, id string) *registry.ListEntry {
	t.Helper()
	got, err := e.svc.Entry(context.Background(), id)
	require.NoError(t, err)
	return got
}

// publication reads the publication version.
func (e *entryEnv) publication(t *testing.T) int64 {
	t.Helper()
	v, err := e.st.PublicationVersion(context.Background())
	require.NoError(t, err)
	return v
}

// proposal shortens the tables of proposals.
type proposal = registry.ProposalInput

func removal(kind registry.RemovalKind, note string) registry.RemovalInput {
	return registry.RemovalInput{Reason: kind, Note: note}
}

func objection(text string, received *time.Time) registry.ObjectionInput {
	return registry.ObjectionInput{Text: text, ReceivedAt: received}
}

func decision(outcome, note string) registry.ObjectionDecision {
	return registry.ObjectionDecision{Outcome: outcome, Note: note}
}

// requireRefused checks err's kind and, for invalid input, that it names field.
func requireRefused(t *testing.T, err error, kind errs.Kind, field string) {
	t.Helper()
	require.Error(t, err)
	require.Equal(t, kind, errs.KindOf(err), "error: %v", err)
	if field == "" {
		return
	}
	var names []string
	for _, f := range errs.FieldsOf(err) {
		names = append(names, f.Field)
	}
	require.Contains(t, names, field, "error: %v", err)
}

// requireUnchanged checks that a refused step left the entry as it was.
func (e *entryEnv) requireUnchanged(t *testing.T, before *registry.ListEntry) {
	t.Helper()
	after := e.entry(t, before.ID)
	require.Equal(t, before.Version, after.Version)
	require.Equal(t, before.State, after.State)
	require.Len(t, after.History, len(before.History))
}

func TestService_ProposeEntry(t *testing.T) {
	env := newEntryEnv(t)
	ctx := context.Background()
	uscc := env.firm(t, "MA01LE010")

	t.Run("grey on a critical assessment", func(t *testing.T) {
		got := env.propose(t, env.grey(t, uscc))
		assert.Regexp(t, regexp.MustCompile(`^LE-20261203-[0-9a-f]{6}$`), got.ID)
		assert.Equal(t, registry.EntryProposed, got.State)
		assert.Equal(t, "北京朝阳悦动健身有限公司", got.Name)
		assert.Equal(t, []string{"悦动健身"}, got.FormerNames)
		assert.Equal(t, "北京市朝阳区望京街道阜通东大街6号", got.Address)
		assert.Equal(t, "110105", got.District)
		assert.Equal(t, registry.IndustryFitness, got.Industry)
		assert.Equal(t, registry.BasisGreyHighRisk, got.LegalBasisCode,
			"a grey proposal without a basis cites the grey basis")
		assert.Contains(t, got.LegalBasis, "风险评估为高或极高风险")
		assert.Equal(t, "wang", got.ProposedBy)
		assert.Nil(t, got.ListedAt)
		assert.Equal(t, int64(1), got.Version)
		require.Len(t, got.History, 1)
		assert.Equal(t, "propose", got.History[0].Action)

		page, err := env.log.List(ctx, audit.Query{Target: "list-entry/" + got.ID})
		require.NoError(t, err)
		require.Len(t, page.Records, 1)
		assert.Equal(t, "list_entry.propose", page.Records[0].Action)
		assert.Equal(t, int64(1), page.Records[0].Version)
	})

	t.Run("black on a ground with evidence, beside the grey one", func(t *testing.T) {
		got := env.propose(t, env.black(t, uscc))
		assert.Equal(t, registry.ListBlack, got.Kind)
		assert.Contains(t, got.LegalBasis, "第八条")
		assert.Len(t, got.Evidence, 2)
	})

	t.Run("grey as a manual judgement", func(t *testing.T) {
		other := env.firm(t, "MA01LE011")
		got := env.propose(t, registry.ProposalInput{
			USCC: string(other), Kind: registry.ListGrey, ManualJudgement: true,
			Reason:     "门店大面积闭店，多名员工反映欠薪，经现场走访判断存在跑路风险",
			LegalBasis: "依据区局《预付式消费风险提示工作规程》人工研判",
			Authority:  "北京市朝阳区市场监督管理局", DecisionNumber: "京朝市监灰〔2026〕2号",
		})
		assert.True(t, got.ManualJudgement)
		assert.Empty(t, got.LegalBasisCode)
		assert.Equal(t, "依据区局《预付式消费风险提示工作规程》人工研判", got.LegalBasis)
	})
}

func TestService_ProposeEntryRefusals(t *testing.T) {
	env := newEntryEnv(t)
	ctx := context.Background()
	uscc := env.firm(t, "MA01LE020")
	stranger := env.firm(t, "MA01LE021")
	low := env.assessment(t, uscc, registry.RiskMedium)
	strangers := env.assessment(t, stranger, registry.RiskCritical)
	strangersComplaint := env.complaint(t, stranger, "S1")

	cases := []struct {
		name   string
		change func(in *proposal)
		field  string
	}{
		{"black without a ground", func(in *proposal) { in.LegalBasisCode = "" }, "legal_basis_code"},
		{"black on free text", func(in *proposal) {
			in.LegalBasisCode, in.LegalBasis = "", "其他规定"
		}, "legal_basis_code"},
		{"black on the grey basis", func(in *proposal) { in.LegalBasisCode = "grey-high-risk" }, "legal_basis_code"},
		{"black without evidence", func(in *proposal) { in.Evidence = nil }, "evidence"},
		{"black as a manual judgement", func(in *proposal) { in.ManualJudgement = true }, "manual_judgement"},
		{"unknown basis code", func(in *proposal) { in.LegalBasisCode = "art-99" }, "legal_basis_code"},
		{"basis code and text", func(in *proposal) { in.LegalBasis = "又一依据" }, "legal_basis"},
		{"no reason", func(in *proposal) { in.Reason = "  " }, "reason"},
		{"no authority", func(in *proposal) { in.Authority = "" }, "authority"},
		{"no decision number", func(in *proposal) { in.DecisionNumber = "" }, "decision_number"},
		{"unknown kind", func(in *proposal) { in.Kind = "red" }, "kind"},
		{"bad code", func(in *proposal) { in.USCC = "91110105MA01LE02OO" }, "uscc"},
		{"unknown enterprise", func(in *proposal) {
			c, _ := registry.CheckChar("91110105MA01LE099")
			in.USCC = "91110105MA01LE099" + string(c)
		}, "uscc"},
		{"unknown evidence kind", func(in *proposal) { in.Evidence[0].Kind = "rumour" }, "evidence[0].kind"},
		{"evidence without id", func(in *proposal) { in.Evidence[0].ID = "" }, "evidence[0].id"},
		{"evidence twice", func(in *proposal) { in.Evidence[1] = in.Evidence[0] }, "evidence[1]"},
		{"unknown complaint", func(in *proposal) { in.Evidence[0].ID = "12345:NONE" }, "evidence[0].id"},
		{"another enterprise's complaint", func(in *proposal) {
			in.Evidence[0].ID = strangersComplaint
		}, "evidence[0].id"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := env.black(t, uscc)
			tc.change(&in)
			_, err := env.svc.ProposeEntry(ctx, regWang, in)
			requireRefused(t, err, errs.Invalid, tc.field)
		})
	}

	greyCases := []struct {
		name   string
		change func(in *proposal)
		field  string
	}{
		{"grey without an assessment", func(in *proposal) { in.Evidence = nil }, "evidence"},
		{"grey on a medium assessment", func(in *proposal) { in.Evidence[0].ID = low }, "evidence"},
		{"grey on another enterprise's assessment", func(in *proposal) {
			in.Evidence[0].ID = strangers
		}, "evidence[0].id"},
		{"grey on an unknown assessment", func(in *proposal) { in.Evidence[0].ID = "RA-NONE" }, "evidence[0].id"},
		{"grey on a black ground", func(in *proposal) { in.LegalBasisCode = "black-absconded" }, "legal_basis_code"},
		{"manual judgement in a word", func(in *proposal) {
			in.Evidence, in.ManualJudgement, in.Reason = nil, true, "风险高"
		}, "reason"},
	}
	for _, tc := range greyCases {
		t.Run(tc.name, func(t *testing.T) {
			in := env.grey(t, uscc)
			tc.change(&in)
			_, err := env.svc.ProposeEntry(ctx, regWang, in)
			requireRefused(t, err, errs.Invalid, tc.field)
		})
	}

	page, err := env.svc.ListEntries(ctx, registry.ListEntryQuery{})
	require.NoError(t, err)
	assert.Empty(t, page.Items, "no refused proposal may be stored")
}

func TestService_ProposeEntryOneOpenPerKind(t *testing.T) {
	env := newEntryEnv(t)
	ctx := context.Background()
	uscc := env.firm(t, "MA01LE030")

	first := env.propose(t, env.grey(t, uscc))
	_, err := env.svc.ProposeEntry(ctx, regWang, env.grey(t, uscc))
	requireRefused(t, err, errs.Conflict, "")
	assert.Contains(t, errs.MessageOf(err), first.ID)

	// Published, the entry still holds its place.
	_, err = env.svc.Approve(ctx, supZhao, first.ID, "")
	require.NoError(t, err)
	_, err = env.svc.ProposeEntry(ctx, regWang, env.grey(t, uscc))
	requireRefused(t, err, errs.Conflict, "")

	// Removed, it frees it.
	env.set(entryStart.AddDate(0, 1, 0))
	_, err = env.svc.ProposeRemoval(ctx, regWang, first.ID, removal(registry.RemovalCreditRepair, "已全额退费并整改"))
	require.NoError(t, err)
	_, err = env.svc.ProposeEntry(ctx, regWang, env.grey(t, uscc))
	requireRefused(t, err, errs.Conflict, "")
	_, err = env.svc.ApproveRemoval(ctx, supQian, first.ID, "")
	require.NoError(t, err)
	env.propose(t, env.grey(t, uscc))
}

func TestService_ProposeEntryConcurrentOneOpen(t *testing.T) {
	env := newEntryEnv(t)
	uscc := env.firm(t, "MA01LE040")
	inputs := make([]registry.ProposalInput, 6)
	for i := range inputs {
		inputs[i] = env.grey(t, uscc)
	}

	errsOf := make(chan error, len(inputs))
	var wg sync.WaitGroup
	for _, in := range inputs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := env.svc.ProposeEntry(context.Background(), regWang, in)
			errsOf <- err
		}()
	}
	wg.Wait()
	close(errsOf)

	wins, conflicts := 0, 0
	for err := range errsOf {
		switch {
		case err == nil:
			wins++
		case errs.Is(err, errs.Conflict):
			conflicts++
		default:
			t.Errorf("unexpected error: %v", err)
		}
	}
	assert.Equal(t, 1, wins)
	assert.Equal(t, len(inputs)-1, conflicts)
}

func TestService_ApproveEntry(t *testing.T) {
	env := newEntryEnv(t)
	ctx := context.Background()
	uscc := env.firm(t, "MA01LE050")

	t.Run("approver is proposer", func(t *testing.T) {
		other := env.firm(t, "MA01LE051")
		own, err := env.svc.ProposeEntry(ctx, supZhao, env.grey(t, other))
		require.NoError(t, err)
		_, err = env.svc.Approve(ctx, supZhao, own.ID, "")
		requireRefused(t, err, errs.Forbidden, "")
		assert.Contains(t, errs.MessageOf(err), "审批人不能是提议人")
		env.requireUnchanged(t, own)
	})

	proposed := env.propose(t, env.grey(t, uscc))
	got, err := env.svc.Approve(ctx, supZhao, proposed.ID, "符合列入条件")
	require.NoError(t, err)

	t.Run("publishes with its dates", func(t *testing.T) {
		assert.Equal(t, registry.EntryPublished, got.State)
		assert.Equal(t, "zhao", got.ApprovedBy)
		require.NotNil(t, got.ListedAt)
		assert.True(t, got.ListedAt.Equal(entryStart))
		require.NotNil(t, got.ReviewAt)
		assert.True(t, got.ReviewAt.Equal(entryStart.AddDate(0, 6, 0)), "grey review after 6 months: %v", got.ReviewAt)
		assert.Equal(t, int64(2), got.Version)
		assert.Equal(t, int64(1), env.publication(t))
		last := got.History[len(got.History)-1]
		assert.Equal(t, registry.EntryEvent{At: entryStart.UTC(), By: "zhao", Action: "approve",
			From: registry.EntryProposed, To: registry.EntryPublished, Note: "符合列入条件"}, last)
	})

	t.Run("approving twice", func(t *testing.T) {
		_, err := env.svc.Approve(ctx, supQian, proposed.ID, "")
		requireRefused(t, err, errs.Conflict, "")
		assert.Contains(t, errs.MessageOf(err), "已公示")
		env.requireUnchanged(t, got)
		assert.Equal(t, int64(1), env.publication(t))
	})

	t.Run("black stands three years", func(t *testing.T) {
		black := env.published(t, env.black(t, uscc))
		assert.True(t, black.ReviewAt.Equal(entryStart.AddDate(3, 0, 0)), "black: 3 years: %v", black.ReviewAt)
		assert.Equal(t, int64(2), env.publication(t))
	})

	t.Run("grey review period is a setting", func(t *testing.T) {
		env.svc.SetListSettings(registry.ListSettings{GreyReviewMonths: 3})
		defer env.svc.SetListSettings(registry.DefaultListSettings())
		grey := env.published(t, env.grey(t, env.firm(t, "MA01LE052")))
		assert.True(t, grey.ReviewAt.Equal(entryStart.AddDate(0, 3, 0)), "review after three months: %v", grey.ReviewAt)
	})

	t.Run("unknown entry", func(t *testing.T) {
		_, err := env.svc.Approve(ctx, supZhao, "LE-NONE", "")
		requireRefused(t, err, errs.NotFound, "")
	})
}

func TestService_RejectAndWithdrawEntry(t *testing.T) {
	env := newEntryEnv(t)
	ctx := context.Background()
	uscc := env.firm(t, "MA01LE060")

	t.Run("reject needs a note and another supervisor", func(t *testing.T) {
		e := env.propose(t, env.grey(t, uscc))
		_, err := env.svc.Reject(ctx, supZhao, e.ID, " ")
		requireRefused(t, err, errs.Invalid, "note")
		env.requireUnchanged(t, e)

		own, err := env.svc.ProposeEntry(ctx, supQian, env.black(t, uscc))
		require.NoError(t, err)
		_, err = env.svc.Reject(ctx, supQian, own.ID, "撤销")
		requireRefused(t, err, errs.Forbidden, "")
		env.requireUnchanged(t, own)

		got, err := env.svc.Reject(ctx, supZhao, e.ID, "证据不足")
		require.NoError(t, err)
		assert.Equal(t, registry.EntryRejected, got.State)

		_, err = env.svc.Approve(ctx, supZhao, e.ID, "")
		requireRefused(t, err, errs.Conflict, "")
		assert.Contains(t, errs.MessageOf(err), "已驳回")
		env.requireUnchanged(t, got)
		_, err = env.svc.Withdraw(ctx, supQian, own.ID, "")
		require.NoError(t, err)
	})

	t.Run("only the proposer withdraws, only while proposed", func(t *testing.T) {
		e := env.propose(t, env.grey(t, uscc))
		_, err := env.svc.Withdraw(ctx, supZhao, e.ID, "")
		requireRefused(t, err, errs.Forbidden, "")
		env.requireUnchanged(t, e)

		got, err := env.svc.Withdraw(ctx, regWang, e.ID, "材料需补充")
		require.NoError(t, err)
		assert.Equal(t, registry.EntryWithdrawn, got.State)

		_, err = env.svc.Approve(ctx, supZhao, e.ID, "")
		requireRefused(t, err, errs.Conflict, "")
		assert.Contains(t, errs.MessageOf(err), "已撤回")
		_, err = env.svc.Withdraw(ctx, regWang, e.ID, "")
		requireRefused(t, err, errs.Conflict, "")
		env.requireUnchanged(t, got)

		published := env.published(t, env.grey(t, uscc))
		_, err = env.svc.Withdraw(ctx, regWang, published.ID, "")
		requireRefused(t, err, errs.Conflict, "")
		_, err = env.svc.Reject(ctx, supQian, published.ID, "不同意")
		requireRefused(t, err, errs.Conflict, "")
		env.requireUnchanged(t, published)
	})
}

func TestService_EntryConcurrentApprovalsOneWins(t *testing.T) {
	env := newEntryEnv(t)
	ctx := context.Background()
	e := env.propose(t, env.grey(t, env.firm(t, "MA01LE070")))

	// Eight supervisors approve at once: exactly one approval lands, the others are told the
	// entry is already published.
	results := make(chan error, 8)
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			sup := audit.Actor{Username: fmt.Sprintf("sup%d", i), Role: "supervisor", Via: "api"}
			_, err := env.svc.Approve(ctx, sup, e.ID, "")
			results <- err
		}(i)
	}
	wg.Wait()
	close(results)

	wins := 0
	for err := range results {
		if err == nil {
			wins++
			continue
		}
		assert.Equal(t, errs.Conflict, errs.KindOf(err), "error: %v", err)
	}
	assert.Equal(t, 1, wins)
	got := env.entry(t, e.ID)
	assert.Equal(t, int64(2), got.Version)
	require.Len(t, got.History, 2)
	assert.Equal(t, int64(1), env.publication(t))

	rep, err := env.log.Verify(ctx, audit.Versioned{Collection: registry.ListEntriesCollection, Kind: "list-entry"})
	require.NoError(t, err)
	assert.True(t, rep.OK(), "problems: %v", rep.Problems)
}

func TestService_EntryRemoval(t *testing.T) {
	env := newEntryEnv(t)
	ctx := context.Background()
	uscc := env.firm(t, "MA01LE080")
	grey := env.published(t, env.grey(t, uscc))

	t.Run("refusals", func(t *testing.T) {
		proposed := env.propose(t, env.black(t, uscc))
		defer func() { _, _ = env.svc.Withdraw(ctx, regWang, proposed.ID, "") }()
		_, err := env.svc.ProposeRemoval(ctx, regWang, proposed.ID, removal(registry.RemovalOther, "误报"))
		requireRefused(t, err, errs.Conflict, "")
		env.requireUnchanged(t, proposed)

		badRemovals := []registry.RemovalInput{removal("forgiven", "x"), removal(registry.RemovalCreditRepair, "")}
		for _, in := range badRemovals {
			_, err = env.svc.ProposeRemoval(ctx, regWang, grey.ID, in)
			requireRefused(t, err, errs.Invalid, "")
		}
		_, err = env.svc.ProposeRemoval(ctx, regWang, grey.ID, removal(registry.RemovalEndOfPeriod, ""))
		requireRefused(t, err, errs.Conflict, "")
		assert.Contains(t, errs.MessageOf(err), "2027-06-03")
		_, err = env.svc.ProposeRemoval(ctx, regWang, grey.ID,
			removal(registry.RemovalObjectionUpheld, "异议成立"))
		requireRefused(t, err, errs.Conflict, "")
		_, err = env.svc.ApproveRemoval(ctx, supQian, grey.ID, "")
		requireRefused(t, err, errs.Conflict, "")
		env.requireUnchanged(t, grey)
	})

	t.Run("four eyes, rejection, then removal at the end of the period", func(t *testing.T) {
		env.set(entryStart.AddDate(0, 6, 0))
		asked, err := env.svc.ProposeRemoval(ctx, supZhao, grey.ID, removal(registry.RemovalEndOfPeriod, ""))
		require.NoError(t, err)
		assert.Equal(t, registry.EntryRemovalProposed, asked.State)
		assert.Equal(t, "zhao", asked.RemovalProposedBy)
		assert.Equal(t, "期满移出", asked.RemovalReason)

		_, err = env.svc.ApproveRemoval(ctx, supZhao, grey.ID, "")
		requireRefused(t, err, errs.Forbidden, "")
		assert.Contains(t, errs.MessageOf(err), "移出申请人")
		_, err = env.svc.RejectRemoval(ctx, supQian, grey.ID, "")
		requireRefused(t, err, errs.Invalid, "note")
		_, err = env.svc.ProposeRemoval(ctx, regWang, grey.ID, removal(registry.RemovalEndOfPeriod, ""))
		requireRefused(t, err, errs.Conflict, "")
		env.requireUnchanged(t, asked)

		kept, err := env.svc.RejectRemoval(ctx, supQian, grey.ID, "风险尚未消除，继续公示")
		require.NoError(t, err)
		assert.Equal(t, registry.EntryPublished, kept.State)
		assert.Empty(t, kept.RemovalProposedBy)
		assert.Equal(t, int64(1), env.publication(t), "a rejected removal changes nothing public")

		_, err = env.svc.ProposeRemoval(ctx, regWang, grey.ID,
			removal(registry.RemovalEndOfPeriod, "复核期满，风险已消除"))
		require.NoError(t, err)
		removed, err := env.svc.ApproveRemoval(ctx, supZhao, grey.ID, "同意移出")
		require.NoError(t, err)
		assert.Equal(t, registry.EntryRemoved, removed.State)
		require.NotNil(t, removed.RemovedAt)
		assert.True(t, removed.RemovedAt.Equal(entryStart.AddDate(0, 6, 0)))
		assert.Equal(t, "复核期满，风险已消除", removed.RemovalReason)
		assert.Equal(t, registry.RemovalEndOfPeriod, removed.RemovalKind)
		assert.Equal(t, int64(2), env.publication(t))

		_, err = env.svc.ProposeRemoval(ctx, regWang, grey.ID, removal(registry.RemovalOther, "再移"))
		requireRefused(t, err, errs.Conflict, "")
		env.requireUnchanged(t, removed)
	})

	t.Run("black early removal after one year only", func(t *testing.T) {
		env.set(entryStart)
		black := env.published(t, env.black(t, env.firm(t, "MA01LE081")))
		env.set(entryStart.AddDate(1, 0, 0).Add(-time.Hour))
		repair := removal(registry.RemovalCreditRepair, "已退还全部预付款并公开承诺")
		_, err := env.svc.ProposeRemoval(ctx, regWang, black.ID, repair)
		requireRefused(t, err, errs.Conflict, "")
		assert.Contains(t, errs.MessageOf(err), "2027-12-03")
		_, err = env.svc.ProposeRemoval(ctx, regWang, black.ID, removal(registry.RemovalEndOfPeriod, ""))
		requireRefused(t, err, errs.Conflict, "")
		env.requireUnchanged(t, black)

		env.set(entryStart.AddDate(1, 0, 0))
		_, err = env.svc.ProposeRemoval(ctx, regWang, black.ID, repair)
		require.NoError(t, err)
	})

	t.Run("an upheld objection removes a black entry at once", func(t *testing.T) {
		env.set(entryStart)
		black := env.published(t, env.black(t, env.firm(t, "MA01LE082")))
		e, err := env.svc.RecordObjection(ctx, regWang, black.ID, objection("我司已恢复营业，并非失联", nil))
		require.NoError(t, err)
		_, err = env.svc.DecideObjection(ctx, supQian, black.ID, e.Objections[0].ID,
			decision(registry.ObjectionUpheld, "经核实企业仍在经营"))
		require.NoError(t, err)
		_, err = env.svc.ProposeRemoval(ctx, regWang, black.ID,
			removal(registry.RemovalObjectionUpheld, "异议成立，予以移出"))
		require.NoError(t, err)
		got, err := env.svc.ApproveRemoval(ctx, supZhao, black.ID, "")
		require.NoError(t, err)
		assert.Equal(t, registry.EntryRemoved, got.State)
	})
}

func TestService_RecordObjection(t *testing.T) {
	env := newEntryEnv(t)
	ctx := context.Background()
	uscc := env.firm(t, "MA01LE090")
	proposed := env.propose(t, env.black(t, uscc))

	_, err := env.svc.RecordObjection(ctx, regWang, proposed.ID, objection("不服", nil))
	requireRefused(t, err, errs.Conflict, "")

	e := env.published(t, env.grey(t, uscc)) // listed Thursday 2026-12-03 10:00
	at := func(y int, m time.Month, d, h int) *time.Time {
		t := time.Date(y, m, d, h, 0, 0, 0, shanghaiTZ)
		return &t
	}
	env.set(time.Date(2027, 1, 5, 9, 0, 0, 0, shanghaiTZ))

	t.Run("deadlines in working days", func(t *testing.T) {
		got, err := env.svc.RecordObjection(ctx, regWang, e.ID,
			objection("投诉已全部处理完毕，不应列入", at(2026, 12, 4, 9)))
		require.NoError(t, err)
		require.Len(t, got.Objections, 1)
		o := got.Objections[0]
		assert.Equal(t, "O1", o.ID)
		assert.Equal(t, "wang", o.RecordedBy)
		// Received Friday 4 December: five working days end Friday 11 December.
		assert.Equal(t, time.Date(2026, 12, 11, 23, 59, 59, 0, shanghaiTZ).UTC(), o.AcceptBy)
		// Twenty working days end Friday 1 January 2027 — New Year's Day: the weekday count
		// knows no public holidays yet.
		assert.Equal(t, time.Date(2027, 1, 1, 23, 59, 59, 0, shanghaiTZ).UTC(), o.ReviewBy)
		assert.Equal(t, "record_objection", got.History[len(got.History)-1].Action)
	})

	t.Run("the last day of the period", func(t *testing.T) {
		got, err := env.svc.RecordObjection(ctx, regWang, e.ID, objection("补充异议材料", at(2027, 1, 2, 23)))
		require.NoError(t, err)
		assert.Len(t, got.Objections, 2)
	})

	t.Run("refusals", func(t *testing.T) {
		before := env.entry(t, e.ID)
		for _, tc := range []struct {
			name  string
			in    registry.ObjectionInput
			kind  errs.Kind
			field string
		}{
			{"after thirty days", objection("迟到的异议", at(2027, 1, 3, 1)), errs.Conflict, ""},
			{"before publication", objection("提前异议", at(2026, 12, 3, 9)), errs.Invalid, "received_at"},
			{"in the future", objection("未来异议", at(2027, 1, 6, 9)), errs.Invalid, "received_at"},
			{"no text", objection(" ", at(2026, 12, 5, 9)), errs.Invalid, "text"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := env.svc.RecordObjection(ctx, regWang, e.ID, tc.in)
				requireRefused(t, err, tc.kind, tc.field)
			})
		}
		env.requireUnchanged(t, before)
	})

	t.Run("decision", func(t *testing.T) {
		before := env.entry(t, e.ID)
		_, err := env.svc.DecideObjection(ctx, supQian, e.ID, "O9", decision("dismissed", "x"))
		requireRefused(t, err, errs.NotFound, "")
		_, err = env.svc.DecideObjection(ctx, supQian, e.ID, "O1", decision("maybe", "x"))
		requireRefused(t, err, errs.Invalid, "outcome")
		_, err = env.svc.DecideObjection(ctx, supQian, e.ID, "O1", decision("dismissed", ""))
		requireRefused(t, err, errs.Invalid, "note")
		env.requireUnchanged(t, before)

		got, err := env.svc.DecideObjection(ctx, supQian, e.ID, "O1",
			decision(registry.ObjectionDismissed, "投诉仍在增加，维持列入"))
		require.NoError(t, err)
		o := got.Objections[0]
		assert.Equal(t, registry.ObjectionDismissed, o.Outcome)
		assert.Equal(t, "qian", o.DecidedBy)
		assert.Equal(t, "投诉仍在增加，维持列入", o.DecisionNote)
		require.NotNil(t, o.DecidedAt)
		assert.Equal(t, registry.EntryPublished, got.State, "a decision leaves the entry on its list")

		_, err = env.svc.DecideObjection(ctx, supQian, e.ID, "O1",
			decision(registry.ObjectionUpheld, "改判"))
		requireRefused(t, err, errs.Conflict, "")
		env.requireUnchanged(t, got)
	})
}

func TestService_ListEntries(t *testing.T) {
	env := newEntryEnv(t)
	ctx := context.Background()
	a, b := env.firm(t, "MA01LE100"), env.firm(t, "MA01LE101")
	greyA := env.published(t, env.grey(t, a))
	env.set(entryStart.Add(time.Minute))
	blackA := env.propose(t, env.black(t, a))
	env.set(entryStart.Add(2 * time.Minute))
	greyB := env.propose(t, env.grey(t, b))

	ids := func(q registry.ListEntryQuery) []string {
		t.Helper()
		page, err := env.svc.ListEntries(ctx, q)
		require.NoError(t, err)
		var out []string
		for _, e := range page.Items {
			out = append(out, e.ID)
		}
		return out
	}
	assert.Equal(t, []string{greyB.ID, blackA.ID, greyA.ID}, ids(registry.ListEntryQuery{}), "newest first")
	assert.Equal(t, []string{greyB.ID, blackA.ID}, ids(registry.ListEntryQuery{State: registry.EntryProposed}))
	assert.Equal(t, []string{greyB.ID, greyA.ID}, ids(registry.ListEntryQuery{Kind: registry.ListGrey}))
	assert.Equal(t, []string{blackA.ID, greyA.ID}, ids(registry.ListEntryQuery{USCC: a}))

	t.Run("pages", func(t *testing.T) {
		first, err := env.svc.ListEntries(ctx, registry.ListEntryQuery{Limit: 2})
		require.NoError(t, err)
		require.Len(t, first.Items, 2)
		require.NotNil(t, first.Next)
		second, err := env.svc.ListEntries(ctx, registry.ListEntryQuery{Limit: 2, After: first.Next})
		require.NoError(t, err)
		require.Len(t, second.Items, 1)
		assert.Equal(t, greyA.ID, second.Items[0].ID)
		assert.Nil(t, second.Next)
	})

	t.Run("review due", func(t *testing.T) {
		assert.Empty(t, ids(registry.ListEntryQuery{ReviewDue: true}))
		env.set(entryStart.AddDate(0, 6, 0))
		assert.Equal(t, []string{greyA.ID}, ids(registry.ListEntryQuery{ReviewDue: true}))
	})

	t.Run("bad filters", func(t *testing.T) {
		_, err := env.svc.ListEntries(ctx, registry.ListEntryQuery{State: "lost", Kind: "red"})
		requireRefused(t, err, errs.Invalid, "state")
		requireRefused(t, err, errs.Invalid, "kind")
		_, err = env.svc.ListEntries(ctx, registry.ListEntryQuery{State: registry.EntryRemoved, ReviewDue: true})
		requireRefused(t, err, errs.Invalid, "review_due")
	})
}

func TestService_DossierListEntries(t *testing.T) {
	env := newEntryEnv(t)
	ctx := context.Background()
	uscc := env.firm(t, "MA01LE110")
	status := func() registry.ListStatusSection {
		t.Helper()
		d, err := env.svc.Dossier(ctx, string(uscc))
		require.NoError(t, err)
		return d.ListStatus
	}
	assert.Equal(t, "", status().List)
	assert.Empty(t, status().Entries)

	grey := env.published(t, env.grey(t, uscc))
	assert.Equal(t, "grey", status().List)

	env.set(entryStart.Add(time.Minute))
	black := env.published(t, env.black(t, uscc))
	got := status()
	assert.Equal(t, "black", got.List, "black wins over grey")
	require.Len(t, got.Entries, 2)
	assert.Equal(t, registry.ListStatusEntry{ID: black.ID, Kind: registry.ListBlack, State: registry.EntryPublished,
		ListedAt: black.ListedAt, DecisionNumber: "京朝市监失信〔2026〕7号"}, got.Entries[0])
	assert.Equal(t, grey.ID, got.Entries[1].ID)

	// The grey entry is removed; then come twenty-one grey proposals, twenty of them withdrawn.
	// The dossier shows twenty entries, newest first: the black one, oldest but still on its
	// list, among them, the removed grey one no longer.
	env.set(entryStart.AddDate(0, 1, 0))
	_, err := env.svc.ProposeRemoval(ctx, regWang, grey.ID, removal(registry.RemovalCreditRepair, "已完成整改并退费"))
	require.NoError(t, err)
	_, err = env.svc.ApproveRemoval(ctx, supQian, grey.ID, "")
	require.NoError(t, err)
	var last *registry.ListEntry
	for i := 0; i < 21; i++ {
		env.set(entryStart.AddDate(0, 1, 0).Add(time.Duration(1+i) * time.Minute))
		last = env.propose(t, env.grey(t, uscc))
		if i < 20 {
			_, err := env.svc.Withdraw(ctx, regWang, last.ID, "")
			require.NoError(t, err)
		}
	}
	got = status()
	require.Len(t, got.Entries, 20)
	assert.Equal(t, last.ID, got.Entries[0].ID, "newest first")
	assert.Equal(t, black.ID, got.Entries[19].ID)
	for _, e := range got.Entries {
		assert.NotEqual(t, grey.ID, e.ID)
	}
	assert.Equal(t, "black", got.List)
}

func TestService_EntryHistory(t *testing.T) {
	env := newEntryEnv(t)
	ctx := context.Background()
	e := env.published(t, env.black(t, env.firm(t, "MA01LE120")))
	step := func(_ *registry.ListEntry, err error) { require.NoError(t, err) }

	step(env.svc.RecordObjection(ctx, regWang, e.ID, objection("我司仍在经营", nil)))
	step(env.svc.DecideObjection(ctx, supQian, e.ID, "O1", decision("dismissed", "经核实门店已关闭")))
	env.set(entryStart.AddDate(3, 0, 0))
	step(env.svc.ProposeRemoval(ctx, regWang, e.ID, removal(registry.RemovalEndOfPeriod, "")))
	step(env.svc.RejectRemoval(ctx, supQian, e.ID, "仍有未退款项，暂缓"))
	step(env.svc.ProposeRemoval(ctx, regWang, e.ID, removal(registry.RemovalEndOfPeriod, "")))
	step(env.svc.ApproveRemoval(ctx, supSun, e.ID, "三年期满"))

	got := env.entry(t, e.ID)
	var steps []string
	for _, ev := range got.History {
		steps = append(steps, fmt.Sprintf("%s %s %s→%s", ev.By, ev.Action, ev.From, ev.To))
	}
	assert.Equal(t, []string{
		"wang propose →proposed",
		"zhao approve proposed→published",
		"wang record_objection published→published",
		"qian decide_objection published→published",
		"wang propose_removal published→removal_proposed",
		"qian reject_removal removal_proposed→published",
		"wang propose_removal published→removal_proposed",
		"sun approve_removal removal_proposed→removed",
	}, steps)
	assert.Equal(t, int64(len(steps)), got.Version)

	page, err := env.log.List(ctx, audit.Query{Target: "list-entry/" + e.ID})
	require.NoError(t, err)
	require.Len(t, page.Records, len(steps))
	for i, r := range page.Records {
		assert.Equal(t, int64(i+1), r.Version)
	}
}

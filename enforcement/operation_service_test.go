package enforcement

import (
	"context"
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"prepaidreg/internal/audit"
	"prepaidreg/internal/errs"
	"prepaidreg/internal/store/storetest"
	"prepaidreg/internal/workday"
	"prepaidreg/registry"
)

// opFixture is an enforcement service on its own database, with a registry holding real
// enterprises and a clock fixed at 2026-11-20 10:00 Asia/Shanghai.
type opFixture struct {
	ctx   context.Context
	svc   *Service
	store *MongoStore
	reg   *registry.Service
	log   *audit.Log
	ents  []registry.Enterprise
	now   time.Time
}

var opClerk = audit.Actor{Username: "zhou", Role: "regulator", Via: "api"}

// newOpFixture registers n enterprises and returns the service.
func newOpFixture(t *testing.T, n int) *opFixture {
	t.Helper()
	db := storetest.New(t)
	now := time.Date(2026, 11, 20, 10, 0, 0, 0, opZone)
	clock := func() time.Time { return now }
	log := audit.NewLog(db)
	log.SetClock(clock)
	reg := registry.NewService(registry.NewMongoStore(db), log, registry.BeijingAreas())
	reg.SetClock(clock)
	st := NewMongoStore(db)
	require.NoError(t, st.EnsureIndexes(context.Background()))
	svc := NewService(st, log, reg, workday.Default())
	svc.SetClock(clock)

	f := &opFixture{ctx: context.Background(), svc: svc, store: st, reg: reg, log: log, now: now}
	for i := range n {
		e, err := reg.CreateEnterprise(f.ctx, opClerk, opEnterprise(t, i))
		require.NoError(t, err)
		f.ents = append(f.ents, *e)
	}
	return f
}

// opEnterprise returns the i-th test enterprise, with a valid code.
func opEnterprise(t *testing.T, i int) registry.EnterpriseInput {
	t.Helper()
	first := fmt.Sprintf("91110105MA01QW%03d", i)
	c, err := registry.CheckChar(first)
	require.NoError(t, err)
	return registry.EnterpriseInput{
		USCC: first + string(c), Name: fmt.Sprintf("北京朝阳第%d健身服务有限公司", i+1), LegalRepresentative: "钱伟",
		RegisteredAddress: fmt.Sprintf("北京市朝阳区望京街道阜通东大街%d号", i+1), District: "110105",
		Street: "望京街道", Industry: registry.IndustryFitness,
	}
}

// codes returns the enterprises' USCCs as strings.
func (f *opFixture) codes() []string {
	out := make([]string, len(f.ents))
	for i, e := range f.ents {
		out[i] = string(e.USCC)
	}
	return out
}

// operationInput returns a valid operation on the fixture's day at all its enterprises.
func (f *opFixture) operationInput() OperationInput {
	return OperationInput{
		Title: "预付式消费领域联合执法检查", LegalBasis: "《北京市单用途预付卡管理条例》第二十五条",
		LeadDepartment: "market", Departments: []Department{"commerce", "sports"},
		Targets: f.codes(), Date: "2026-11-20",
	}
}

func (f *opFixture) createOperation(t *testing.T, in OperationInput) *Operation {
	t.Helper()
	o, err := f.svc.CreateOperation(f.ctx, opClerk, in)
	require.NoError(t, err)
	return o
}

// verifyAudit checks that the trail is intact and has a record of every version.
func (f *opFixture) verifyAudit(t *testing.T) {
	t.Helper()
	rep, err := f.log.Verify(f.ctx,
		audit.Versioned{Collection: OperationsCollection, Kind: "operation"},
		audit.Versioned{Collection: InspectionsCollection, Kind: "inspection"})
	require.NoError(t, err)
	assert.True(t, rep.OK(), "audit trail: %v", rep.Problems)
}

// requireFields checks that err is Invalid and names the field.
func requireFields(t *testing.T, err error, field string) {
	t.Helper()
	require.Error(t, err)
	require.True(t, errs.Is(err, errs.Invalid), "want invalid, got %v", err)
	var names []string
	for _, fe := range errs.FieldsOf(err) {
		names = append(names, fe.Field)
	}
	assert.Contains(t, names, field, "fields: %v", errs.FieldsOf(err))
}

func TestService_CreateOperation(t *testing.T) {
	f := newOpFixture(t, 2)

	o := f.createOperation(t, f.operationInput())

	assert.Regexp(t, regexp.MustCompile(`^OP-20261120-[0-9a-f]{6}$`), o.ID)
	assert.Equal(t, []Department{"market", "commerce", "sports"}, o.Departments, "the lead is added first")
	assert.Equal(t, []registry.USCC{f.ents[0].USCC, f.ents[1].USCC}, o.Targets)
	assert.EqualValues(t, 1, o.Version)
	got, err := f.svc.Operation(f.ctx, o.ID)
	require.NoError(t, err)
	assert.Equal(t, o.Title, got.Title)
	assert.Equal(t, o.CreatedAt, got.CreatedAt)
	assert.Equal(t, "zhou", got.CreatedBy)

	t.Run("lead already listed keeps its place", func(t *testing.T) {
		in := f.operationInput()
		in.Departments = []Department{"commerce", "market"}
		o := f.createOperation(t, in)
		assert.Equal(t, []Department{"commerce", "market"}, o.Departments)
	})
	t.Run("past day and a year ahead are allowed", func(t *testing.T) {
		for _, day := range []string{"2025-01-02", "2027-11-20"} {
			in := f.operationInput()
			in.Date = day
			assert.Equal(t, day, f.createOperation(t, in).Date)
		}
	})

	_, err = f.svc.Operation(f.ctx, "OP-20261120-000000")
	assert.True(t, errs.Is(err, errs.NotFound))
	f.verifyAudit(t)
}

func TestService_CreateOperationRefusesBadInput(t *testing.T) {
	f := newOpFixture(t, 2)
	missing := registry.USCC(opEnterprise(t, 99).USCC)
	many := make([]string, MaxTargets+1)
	for i := range many {
		many[i] = f.codes()[0]
	}

	cases := []struct {
		name  string
		edit  func(in *OperationInput)
		field string
	}{
		{"no title", func(in *OperationInput) { in.Title = "  " }, "title"},
		{"no legal basis", func(in *OperationInput) { in.LegalBasis = "" }, "legal_basis"},
		{"unknown lead", func(in *OperationInput) { in.LeadDepartment = "army" }, "lead_department"},
		{"unknown department", func(in *OperationInput) {
			in.Departments = []Department{"commerce", "navy"}
		}, "departments[1]"},
		{"department twice", func(in *OperationInput) {
			in.Departments = []Department{"sports", "sports"}
		}, "departments[1]"},
		{"no targets", func(in *OperationInput) { in.Targets = nil }, "targets"},
		{"too many targets", func(in *OperationInput) { in.Targets = many }, "targets"},
		{"invalid code", func(in *OperationInput) { in.Targets = []string{"91110105MA01QW0000"} }, "targets[0]"},
		{"target twice", func(in *OperationInput) { in.Targets = append(in.Targets, in.Targets[0]) }, "targets[2]"},
		{"target not on file", func(in *OperationInput) {
			in.Targets = append(in.Targets, string(missing))
		}, "targets"},
		{"no date", func(in *OperationInput) { in.Date = "" }, "date"},
		{"not a real date", func(in *OperationInput) { in.Date = "2026-02-30" }, "date"},
		{"wrong date format", func(in *OperationInput) { in.Date = "2026/11/20" }, "date"},
		{"more than a year ahead", func(in *OperationInput) { in.Date = "2027-11-21" }, "date"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := f.operationInput()
			tc.edit(&in)
			_, err := f.svc.CreateOperation(f.ctx, opClerk, in)
			requireFields(t, err, tc.field)
		})
	}

	t.Run("missing enterprises are named", func(t *testing.T) {
		in := f.operationInput()
		in.Targets = append(in.Targets, string(missing))
		_, err := f.svc.CreateOperation(f.ctx, opClerk, in)
		require.Len(t, errs.FieldsOf(err), 1)
		assert.Contains(t, errs.FieldsOf(err)[0].Message, string(missing))
	})

	page, err := f.svc.ListOperations(f.ctx, 10, nil)
	require.NoError(t, err)
	assert.Empty(t, page.Items, "nothing is written")
}

func TestService_ListOperations(t *testing.T) {
	f := newOpFixture(t, 1)
	var ids []string
	for i := range 3 {
		at := f.now.Add(time.Duration(i) * time.Minute)
		f.svc.SetClock(func() time.Time { return at })
		ids = append(ids, f.createOperation(t, f.operationInput()).ID)
	}

	first, err := f.svc.ListOperations(f.ctx, 2, nil)
	require.NoError(t, err)
	require.Len(t, first.Items, 2)
	assert.Equal(t, ids[2], first.Items[0].ID, "newest first")
	assert.Equal(t, ids[1], first.Items[1].ID)
	require.NotNil(t, first.Next)

	second, err := f.svc.ListOperations(f.ctx, 2, first.Next)
	require.NoError(t, err)
	require.Len(t, second.Items, 1)
	assert.Equal(t, ids[0], second.Items[0].ID)
	assert.Nil(t, second.Next)
}

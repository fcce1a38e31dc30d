package mediation

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"prepaidreg/internal/audit"
	"prepaidreg/internal/errs"
	"prepaidreg/internal/store/storetest"
	"prepaidreg/internal/workday"
	"prepaidreg/registry"
)

// bodiesFixture is a service on its own database, for the tests of bodies, mediators,
// suggestions and statistics. The registry is not needed by any of them.
type bodiesFixture struct {
	svc *Service
	log *audit.Log
	db  *mongo.Database
	now time.Time
}

var mediationAdmin = audit.Actor{Username: "admin1", Role: "admin", Via: "api"}

func newBodiesFixture(t testing.TB) *bodiesFixture {
	t.Helper()
	db := storetest.New(t)
	st := NewMongoStore(db)
	require.NoError(t, st.EnsureIndexes(context.Background()))
	log := audit.NewLog(db)
	f := &bodiesFixture{svc: NewService(st, log, nil, workday.Default()), log: log, db: db,
		now: time.Date(2026, 9, 21, 1, 0, 0, 0, time.UTC)}
	f.svc.SetClock(func() time.Time { return f.now })
	return f
}

// verifyMediationTrail checks the audit chain and that every version of every body and
// mediator has its record.
func verifyMediationTrail(t *testing.T, log *audit.Log) {
	t.Helper()
	rep, err := log.Verify(context.Background(),
		audit.Versioned{Collection: BodiesCollection, Kind: "mediation_body"},
		audit.Versioned{Collection: MediatorsCollection, Kind: "mediator"})
	require.NoError(t, err)
	assert.True(t, rep.OK(), "audit trail: %v", rep.Problems)
}

func requireMediationKind(t *testing.T, want errs.Kind, err error) {
	t.Helper()
	require.Error(t, err)
	require.Equal(t, want, errs.KindOf(err), "error: %v", err)
}

// testUSCC returns the i-th valid test code.
func testUSCC(t testing.TB, i int) registry.USCC {
	t.Helper()
	first := fmt.Sprintf("91110105MA%07d", i)
	c, err := registry.CheckChar(first)
	require.NoError(t, err)
	return registry.USCC(first + string(c))
}

func fieldNames(err error) []string {
	var names []string
	for _, f := range errs.FieldsOf(err) {
		names = append(names, f.Field)
	}
	return names
}

func TestService_CreateBody(t *testing.T) {
	f := newBodiesFixture(t)
	ctx := context.Background()

	b, err := f.svc.CreateBody(ctx, mediationAdmin,
		BodyInput{Name: " 朝阳区消费者协会调解委员会 ", Kind: BodyConsumerAssociation})
	require.NoError(t, err)
	assert.Regexp(t, `^MB-[0-9a-f]{8}$`, b.ID)
	assert.Equal(t, "朝阳区消费者协会调解委员会", b.Name)
	assert.Equal(t, int64(1), b.Version)

	_, err = f.svc.CreateBody(ctx, mediationAdmin, BodyInput{Name: "朝阳区消费者协会调解委员会", Kind: BodyPeoples})
	requireMediationKind(t, errs.Conflict, err)

	_, err = f.svc.CreateBody(ctx, mediationAdmin, BodyInput{Name: " ", Kind: "court"})
	requireMediationKind(t, errs.Invalid, err)
	assert.Equal(t, []string{"name", "kind"}, fieldNames(err))

	_, err = f.svc.CreateBody(ctx, mediationAdmin, BodyInput{Name: "望京街道人民调解委员会", Kind: BodyPeoples})
	require.NoError(t, err)
	bodies, err := f.svc.Bodies(ctx)
	require.NoError(t, err)
	require.Len(t, bodies, 2)
	// By name in code-point order: 望 (U+671B) before 朝 (U+671D).
	assert.Equal(t, b.ID, bodies[1].ID, "bodies come by name")
	verifyMediationTrail(t, f.log)
}

func TestService_RegisterMediator(t *testing.T) {
	f := newBodiesFixture(t)
	ctx := context.Background()
	b, err := f.svc.CreateBody(ctx, mediationAdmin,
		BodyInput{Name: "朝阳区消费者协会调解委员会", Kind: BodyConsumerAssociation})
	require.NoError(t, err)

	m, err := f.svc.RegisterMediator(ctx, mediationAdmin, MediatorInput{
		Username: "liqing", Name: "李青", Body: b.ID,
		Industries: []registry.Industry{"fitness", "education", "fitness"},
		Districts:  []string{"110105", " 110108 "},
	})
	require.NoError(t, err)
	assert.Equal(t, []registry.Industry{"fitness", "education"}, m.Industries, "duplicates dropped")
	assert.Equal(t, []string{"110105", "110108"}, m.Districts)
	assert.True(t, m.Active)
	assert.Empty(t, m.Conflicts)

	got, err := f.svc.Mediator(ctx, "liqing")
	require.NoError(t, err)
	assert.Equal(t, m.Name, got.Name)

	t.Run("already on file", func(t *testing.T) {
		_, err := f.svc.RegisterMediator(ctx, mediationAdmin,
			MediatorInput{Username: "liqing", Name: "李青", Body: b.ID})
		requireMediationKind(t, errs.Conflict, err)
	})
	t.Run("every field wrong", func(t *testing.T) {
		_, err := f.svc.RegisterMediator(ctx, mediationAdmin, MediatorInput{
			Username: "a b", Name: "", Body: "MB-nobody",
			Industries: []registry.Industry{"gym"}, Districts: []string{"10105", "朝阳"},
		})
		requireMediationKind(t, errs.Invalid, err)
		assert.Equal(t, []string{"username", "name", "industries[0]", "districts[0]", "districts[1]", "body"},
			fieldNames(err))
	})
	t.Run("no body", func(t *testing.T) {
		_, err := f.svc.RegisterMediator(ctx, mediationAdmin, MediatorInput{Username: "wang", Name: "王"})
		requireMediationKind(t, errs.Invalid, err)
		assert.Equal(t, []string{"body"}, fieldNames(err))
	})

	other, err := f.svc.CreateBody(ctx, mediationAdmin, BodyInput{Name: "健身行业调解委员会", Kind: BodyIndustry})
	require.NoError(t, err)
	_, err = f.svc.RegisterMediator(ctx, mediationAdmin, MediatorInput{Username: "zhou", Name: "周", Body: other.ID})
	require.NoError(t, err)

	all, err := f.svc.Mediators(ctx, "")
	require.NoError(t, err)
	assert.Len(t, all, 2)
	ofBody, err := f.svc.Mediators(ctx, b.ID)
	require.NoError(t, err)
	require.Len(t, ofBody, 1)
	assert.Equal(t, "liqing", ofBody[0].Username)

	_, err = f.svc.Mediator(ctx, "nobody")
	requireMediationKind(t, errs.NotFound, err)
	verifyMediationTrail(t, f.log)
}

func TestService_RecordConflictAndDeactivate(t *testing.T) {
	f := newBodiesFixture(t)
	ctx := context.Background()
	b, err := f.svc.CreateBody(ctx, mediationAdmin, BodyInput{Name: "望京街道人民调解委员会", Kind: BodyPeoples})
	require.NoError(t, err)
	_, err = f.svc.RegisterMediator(ctx, mediationAdmin, MediatorInput{Username: "liqing", Name: "李青", Body: b.ID})
	require.NoError(t, err)
	code := testUSCC(t, 7)

	_, err = f.svc.RecordConflict(ctx, mediationAdmin, "liqing", 1, "91110105MA0000000X", "")
	requireMediationKind(t, errs.Invalid, err)
	assert.Equal(t, []string{"uscc", "reason"}, fieldNames(err))

	_, err = f.svc.RecordConflict(ctx, mediationAdmin, "liqing", 2, code, "曾任该公司法律顾问")
	requireMediationKind(t, errs.Stale, err)

	m, err := f.svc.RecordConflict(ctx, mediationAdmin, "liqing", 1, registry.USCC(string(code)),
		" 曾任该公司法律顾问 ")
	require.NoError(t, err)
	assert.Equal(t, int64(2), m.Version)
	assert.True(t, m.HasConflict(code))
	require.Len(t, m.ConflictNotes, 1)
	assert.Equal(t, ConflictNote{USCC: code, Reason: "曾任该公司法律顾问", RecordedBy: "admin1", RecordedAt: f.now},
		m.ConflictNotes[0])

	_, err = f.svc.RecordConflict(ctx, mediationAdmin, "liqing", 2, code, "再次登记")
	requireMediationKind(t, errs.Conflict, err)

	_, err = f.svc.DeactivateMediator(ctx, mediationAdmin, "liqing", 1)
	requireMediationKind(t, errs.Stale, err)
	m, err = f.svc.DeactivateMediator(ctx, mediationAdmin, "liqing", 2)
	require.NoError(t, err)
	assert.False(t, m.Active)
	_, err = f.svc.DeactivateMediator(ctx, mediationAdmin, "liqing", 3)
	requireMediationKind(t, errs.Conflict, err)

	stored, err := f.svc.Mediator(ctx, "liqing")
	require.NoError(t, err)
	assert.False(t, stored.Active)
	assert.Equal(t, []registry.USCC{code}, stored.Conflicts, "nothing is deleted")
	verifyMediationTrail(t, f.log)
}

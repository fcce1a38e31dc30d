package funds

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"prepaidreg/internal/audit"
	"prepaidreg/internal/errs"
	"prepaidreg/internal/store/storetest"
	"prepaidreg/internal/workday"
	"prepaidreg/registry"
)

var officer = audit.Actor{Username: "zhao", Role: "fund_officer", Via: "api"}

// fixture is a service on its own database with a real registry and trail, and a clock a
// test can move. It starts on Monday 2026-09-21 09:00 in Beijing.
type fixture struct {
	svc *Service
	st  *MongoStore
	reg *registry.Service
	log *audit.Log
	db  *mongo.Database
	now time.Time
	// made counts the enterprises put on file.
	made int
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	return fixtureOn(t, storetest.New(t))
}

func fixtureOn(t testing.TB, db *mongo.Database) *fixture {
	t.Helper()
	ctx := context.Background()
	log := audit.NewLog(db)
	rst := registry.NewMongoStore(db)
	require.NoError(t, rst.EnsureIndexes(ctx))
	reg := registry.NewService(rst, log, registry.BeijingAreas())
	st := NewMongoStore(db)
	require.NoError(t, st.EnsureIndexes(ctx))
	f := &fixture{st: st, reg: reg, log: log, db: db, now: at(t, "2026-09-21", "09:00")}
	f.svc = NewService(st, log, reg, func() time.Time { return f.now })
	reg.SetClock(func() time.Time { return f.now })
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
		codes[i] = uscc(t, f.made+i)
		docs[i] = registry.Enterprise{USCC: codes[i], Name: fmt.Sprintf("测试健身%03d有限公司", i), Aliases: []string{},
			District: "110105", Street: "望京街道", Industry: registry.IndustryFitness,
			Status: registry.StatusOperating,
			Stores: []registry.Shop{}, Version: 1, CreatedAt: f.now, UpdatedAt: f.now}
	}
	_, err := f.db.Collection(registry.EnterprisesCollection).InsertMany(context.Background(), docs)
	require.NoError(t, err)
	f.made += n
	return codes
}

func accountInput(code registry.USCC) FundAccountInput {
	return FundAccountInput{USCC: string(code), Bank: "中国工商银行", Branch: "北京望京支行",
		AccountNumber: "6222021234567890", AgreementDate: "2026-09-01"}
}

// account opens an account for a new enterprise and returns it.
func (f *fixture) account(t testing.TB) *Account {
	t.Helper()
	codes := f.enterprises(t, 1)
	a, err := f.svc.OpenAccount(context.Background(), officer, accountInput(codes[0]))
	require.NoError(t, err)
	return a
}

// post posts an entry that must pass.
func (f *fixture) post(t testing.TB, accountID, key string, typ EntryType, fen int64) *Entry {
	t.Helper()
	e, replayed, err := f.svc.PostEntry(context.Background(), officer, accountID, key,
		EntryInput{Type: typ, AmountFen: fen, Reference: "ref-" + key})
	require.NoError(t, err)
	require.False(t, replayed)
	return e
}

func (f *fixture) get(t testing.TB, id string) *Account {
	t.Helper()
	a, err := f.svc.Account(context.Background(), id)
	require.NoError(t, err)
	return a
}

func (f *fixture) count(t testing.TB, coll string) int64 {
	t.Helper()
	n, err := f.db.Collection(coll).CountDocuments(context.Background(), bson.M{})
	require.NoError(t, err)
	return n
}

// written is how much the store holds: a refused change must leave all of it as it was.
type written struct {
	entries, records int64
	version          int64
	held             int64
}

func (f *fixture) written(t testing.TB, accountID string) written {
	t.Helper()
	var raw struct {
		Version int64 `bson:"version"`
		Held    int64 `bson:"held_fen"`
	}
	err := f.db.Collection(AccountsCollection).FindOne(context.Background(), bson.M{"_id": accountID}).Decode(&raw)
	require.NoError(t, err)
	return written{entries: f.count(t, EntriesCollection), records: f.count(t, audit.RecordsCollection),
		version: raw.Version, held: raw.Held}
}

func verifyTrail(t *testing.T, log *audit.Log) {
	t.Helper()
	rep, err := log.Verify(context.Background(), audit.Versioned{Collection: AccountsCollection, Kind: "fund_account"})
	require.NoError(t, err)
	assert.True(t, rep.OK(), "audit trail: %v", rep.Problems)
}

func requireKind(t testing.TB, err error, kind errs.Kind) {
	t.Helper()
	require.Error(t, err)
	require.Equal(t, kind, errs.KindOf(err), "error: %v", err)
}

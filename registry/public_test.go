package registry_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"prepaidreg/internal/audit"
	"prepaidreg/internal/pdf/pdftest"
	"prepaidreg/internal/store/storetest"
	"prepaidreg/registry"
)

// publicEntry is a list entry in state with the published fields filled in.
func publicEntry(id string, state registry.EntryState, kind registry.ListKind) registry.ListEntry {
	listed := time.Date(2026, 3, 2, 2, 0, 0, 0, time.UTC)
	return registry.ListEntry{
		ID: id, USCC: "91110105MA01R8XK2N", Name: "北京朝阳悦动力健身服务有限公司", Kind: kind, State: state,
		Address: "北京市朝阳区望京街道阜通东大街6号院3号楼B座12层1201室", District: "110105",
		Industry: registry.IndustryFitness, Reason: "收取会员预付款后停业，经营场所已关闭，经多次联系无法取得联系",
		LegalBasis: "《市场监督管理严重违法失信名单管理办法》第八条", Authority: "北京市朝阳区市场监督管理局",
		DecisionNumber: "京朝市监信〔2026〕12号", ListedAt: &listed, ProposedBy: "regulator1",
	}
}

func newPublicStore(t *testing.T) (*registry.Service, *mongo.Database) {
	t.Helper()
	db := storetest.New(t)
	return registry.NewService(registry.NewMongoStore(db), audit.NewLog(db), registry.BeijingAreas()), db
}

func TestMongoStore_PublishedEntries(t *testing.T) {
	svc, db := newPublicStore(t)
	ctx := context.Background()

	got, err := svc.PublishedEntries(ctx)
	require.NoError(t, err)
	assert.Empty(t, got, "no entries yet")

	var docs []any
	for _, st := range []registry.EntryState{
		registry.EntryProposed, registry.EntryPublished, registry.EntryRejected, registry.EntryWithdrawn,
		registry.EntryRemovalProposed, registry.EntryRemoved,
	} {
		docs = append(docs, publicEntry("le-"+string(st), st, registry.ListBlack))
	}
	_, err = db.Collection("list_entries").InsertMany(ctx, docs)
	require.NoError(t, err)

	got, err = svc.PublishedEntries(ctx)
	require.NoError(t, err)
	var ids []string
	for _, e := range got {
		ids = append(ids, e.ID)
	}
	slices.Sort(ids)
	assert.Equal(t, []string{"le-published", "le-removal_proposed", "le-removed"}, ids)
	assert.Equal(t, "北京朝阳悦动力健身服务有限公司", got[0].Name)
	assert.Equal(t, "京朝市监信〔2026〕12号", got[0].DecisionNumber)
	assert.Empty(t, got[0].ProposedBy, "internal fields are not read")
}

func TestMongoStore_PublicationVersion(t *testing.T) {
	svc, db := newPublicStore(t)
	ctx := context.Background()

	v, err := svc.PublicationVersion(ctx)
	require.NoError(t, err)
	assert.Zero(t, v, "before the first decision")

	for range 3 {
		_, err := db.Collection("publication").UpdateOne(ctx, bson.M{"_id": "lists"},
			bson.M{"$inc": bson.M{"version": int64(1)}}, options.UpdateOne().SetUpsert(true))
		require.NoError(t, err)
	}
	v, err = svc.PublicationVersion(ctx)
	require.NoError(t, err)
	assert.Equal(t, int64(3), v)
}

func TestPublicationNoticePDF(t *testing.T) {
	areas := registry.BeijingAreas()
	removedAt := time.Date(2026, 9, 30, 20, 0, 0, 0, time.UTC) // 2026-10-01 in Beijing

	cases := []struct {
		name  string
		entry registry.PublicEntry
		want  []string
	}{
		{"black list", func() registry.PublicEntry {
			e := publicEntry("le-1", registry.EntryPublished, registry.ListBlack)
			return e.Public()
		}(), []string{"严重违法失信名单（黑名单）公示", "黑名单", "2026-03-02", "异议", "申请提前移出"}},
		{"grey list", func() registry.PublicEntry {
			e := publicEntry("le-2", registry.EntryPublished, registry.ListGrey)
			return e.Public()
		}(), []string{"灰名单", "2026-03-02", "谨慎"}},
		{"removed", func() registry.PublicEntry {
			e := publicEntry("le-3", registry.EntryRemoved, registry.ListBlack)
			e.RemovedAt = &removedAt
			return e.Public()
		}(), []string{"移出日期", "2026-10-01", "已于2026-10-01移出名单"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, err := registry.PublicationNoticePDF(tc.entry, areas)
			require.NoError(t, err)
			text := pdftest.Squash(pdftest.Text(t, out))

			e := tc.entry
			for _, s := range append([]string{
				e.Name, string(e.USCC), e.Address, "朝阳区", "健身", e.Reason, e.LegalBasis, e.Authority,
				e.DecisionNumber,
			}, tc.want...) {
				assert.Contains(t, text, pdftest.Squash(s))
			}
			assert.NotContains(t, text, "regulator1", "only published fields")
			if e.RemovedAt != nil {
				assert.False(t, strings.Contains(text, "申请提前移出"), "no removal advice once removed")
			}
		})
	}
}

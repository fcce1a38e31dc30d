package registry_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"prepaidreg/internal/audit"
	"prepaidreg/internal/sheet"
	"prepaidreg/internal/store/storetest"
	"prepaidreg/registry"
)

func newImportEnv(t *testing.T) (*registry.Service, *registry.MongoStore, *mongo.Database) {
	t.Helper()
	db := storetest.New(t)
	st := registry.NewMongoStore(db)
	require.NoError(t, st.EnsureIndexes(context.Background()))
	return registry.NewService(st, audit.NewLog(db), registry.BeijingAreas()), st, db
}

const csvHeader = "工单编号,受理时间,诉求人,联系电话,被反映主体,统一社会信用代码,区,街乡,诉求内容,诉求类别,涉及金额,办理状态,满意度\n"

// exportCSV makes a 12345 export of n work orders spread over the given enterprise names.
func exportCSV(n int, names ...string) string {
	var b strings.Builder
	b.WriteString(csvHeader)
	for i := 0; i < n; i++ {
		status := "已办结"
		if i%3 == 0 {
			status = "办理中"
		}
		fmt.Fprintf(&b, "T%05d,2026-11-%02d 10:%02d,张%d,1381234%04d,%s,,朝阳区,望京街道,"+
			"\"来电人反映在该店办理会员卡，现商家拒绝退费，要求退款。\",退费难,\"1,%03d.50元\",%s,满意\n",
			i, 1+i%28, i%60, i, i, names[i%len(names)], i%1000, status)
	}
	return b.String()
}

func runImport(t *testing.T, svc *registry.Service, data string) *registry.ImportReport {
	t.Helper()
	ctx := context.Background()
	rd, err := sheet.Open(strings.NewReader(data), "export.csv")
	require.NoError(t, err)
	rows, err := svc.ComplaintRows(context.Background(), rd)
	require.NoError(t, err)
	r, err := svc.NewImport(ctx, audit.System, "export.csv")
	require.NoError(t, err)
	require.NoError(t, svc.RunImport(ctx, audit.System, r, rows, nil))
	return r
}

func register(t *testing.T, svc *registry.Service, org, name string) registry.USCC {
	t.Helper()
	c, err := registry.CheckChar("91110105" + org)
	require.NoError(t, err)
	e, err := svc.CreateEnterprise(context.Background(), audit.System, registry.EnterpriseInput{
		USCC: "91110105" + org + string(c), Name: name, LegalRepresentative: "李四",
		RegisteredAddress: "北京市朝阳区望京街道1号", District: "110105", Street: "望京街道", Industry: "fitness",
	})
	require.NoError(t, err)
	return e.USCC
}

func TestImport_CountsAndIsIdempotent(t *testing.T) {
	svc, _, _ := newImportEnv(t)
	ctx := context.Background()
	a := register(t, svc, "MA01AAAA0", "北京悦动健身有限公司")
	register(t, svc, "MA01BBBB0", "北京青禾教育科技有限公司")

	data := exportCSV(2500, "北京悦动健身有限公司", "北京 悦动健身有限公司", "无名小店")
	r := runImport(t, svc, data)
	assert.Equal(t, registry.ImportDone, r.Status)
	assert.Equal(t, 2500, r.Rows)
	assert.Equal(t, 2500, r.Imported)
	assert.Equal(t, 0, r.Duplicates)
	// Two of every three name the enterprise, once with spaces in its name.
	assert.Equal(t, 1667, r.Linked)
	assert.Equal(t, 833, r.Unlinked)
	assert.Empty(t, r.Rejected)

	d, err := svc.Dossier(ctx, a.String())
	require.NoError(t, err)
	assert.EqualValues(t, 1667, d.Complaints.Total)
	assert.EqualValues(t, 1667, d.Complaints.ByCategory["refund_refused"])

	again := runImport(t, svc, data)
	assert.Equal(t, 0, again.Imported)
	assert.Equal(t, 2500, again.Duplicates)
	d2, err := svc.Dossier(ctx, a.String())
	require.NoError(t, err)
	assert.Equal(t, d.Complaints.Total, d2.Complaints.Total, "re-importing changes nothing")
	assert.Equal(t, d.Complaints.AmountFen, d2.Complaints.AmountFen)
}

func TestImport_ResumesAfterCrash(t *testing.T) {
	svc, st, _ := newImportEnv(t)
	ctx := context.Background()
	a := register(t, svc, "MA01CCCC0", "北京悦动健身有限公司")
	data := exportCSV(1500, "北京悦动健身有限公司")

	// The uninterrupted run, on another database, is what the result must equal.
	want := func() registry.ComplaintsSection {
		other, _, _ := newImportEnv(t)
		u := register(t, other, "MA01CCCC0", "北京悦动健身有限公司")
		runImport(t, other, data)
		d, err := other.Dossier(ctx, u.String())
		require.NoError(t, err)
		return d.Complaints
	}()

	// A crash after a batch was inserted but before its counts were added leaves linked
	// complaints on file that were never counted, and the batch's mark begun but not ended.
	rd, err := sheet.Open(strings.NewReader(exportCSV(700, "北京悦动健身有限公司")), "part.csv")
	require.NoError(t, err)
	rows, err := svc.ComplaintRows(context.Background(), rd)
	require.NoError(t, err)
	var stranded []*registry.Complaint
	for {
		row, err := rows.Next()
		if err != nil {
			break
		}
		stranded = append(stranded, &registry.Complaint{
			ID: registry.ComplaintID("12345", row.Input.Ticket), Source: "12345", Ticket: row.Input.Ticket,
			ReceivedAt: row.Input.ReceivedAt, Text: row.Input.Text, Category: registry.CategoryRefundRefused,
			AmountFen: row.Input.AmountFen, USCC: a, Handling: handlingOf(row.Input.HandlingStatus), Version: 1,
		})
	}
	require.NoError(t, st.MarkImport(ctx, "crashed", []registry.USCC{a}, time.Now().Add(-time.Hour)))
	for _, c := range stranded {
		c.ImportID = "crashed"
	}
	_, _, err = st.InsertComplaints(ctx, stranded)
	require.NoError(t, err)

	r := runImport(t, svc, data)
	assert.Equal(t, 800, r.Imported)
	assert.Equal(t, 700, r.Duplicates)
	d, err := svc.Dossier(ctx, a.String())
	require.NoError(t, err)
	assert.Equal(t, want.Total, d.Complaints.Total)
	assert.Equal(t, want.AmountFen, d.Complaints.AmountFen)
	assert.Equal(t, want.ByCategory, d.Complaints.ByCategory)
	assert.Equal(t, want.Open, d.Complaints.Open)
}

func TestImport_LinksLaterWhenEnterpriseRegistered(t *testing.T) {
	svc, _, _ := newImportEnv(t)
	ctx := context.Background()
	r := runImport(t, svc, exportCSV(30, "北京晨曦游泳馆"))
	assert.Equal(t, 30, r.Unlinked)

	u := register(t, svc, "MA01DDDD0", "北京晨曦游泳馆")
	d, err := svc.Dossier(ctx, u.String())
	require.NoError(t, err)
	assert.EqualValues(t, 30, d.Complaints.Total, "waiting complaints link when the enterprise is registered")

	linked := true
	page, err := svc.ListComplaints(ctx, registry.ComplaintQuery{Linked: &linked, Limit: 100})
	require.NoError(t, err)
	assert.Len(t, page.Items, 30)
}

func TestReconcile_RepairsCorruptedCounters(t *testing.T) {
	svc, _, db := newImportEnv(t)
	ctx := context.Background()
	a := register(t, svc, "MA01EEEE0", "北京悦动健身有限公司")
	register(t, svc, "MA01FFFF0", "北京青禾教育科技有限公司")
	runImport(t, svc, exportCSV(300, "北京悦动健身有限公司", "北京青禾教育科技有限公司"))
	before, err := svc.Dossier(ctx, a.String())
	require.NoError(t, err)

	_, err = db.Collection(registry.EnterprisesCollection).UpdateOne(ctx, bson.M{"_id": a.String()},
		bson.M{"$set": bson.M{"complaints.total": 9999, "complaints.by_category.other": 5}})
	require.NoError(t, err)

	checked, corrections, err := svc.Reconcile(ctx)
	require.NoError(t, err)
	assert.Equal(t, 2, checked)
	require.Len(t, corrections, 1)
	assert.Equal(t, a, corrections[0].USCC)
	assert.EqualValues(t, 9999, corrections[0].Before.Total)

	after, err := svc.Dossier(ctx, a.String())
	require.NoError(t, err)
	assert.Equal(t, before.Complaints.Total, after.Complaints.Total)
	assert.Equal(t, before.Complaints.ByCategory, after.Complaints.ByCategory)
}

// handlingOf maps the two statuses exportCSV writes.
func handlingOf(status string) registry.Handling {
	if status == "已办结" {
		return registry.HandlingResolved
	}
	return registry.HandlingOpen
}

// recentCSV makes an export of n refund complaints received over the last days, about name.
func recentCSV(n int, name string) string {
	var b strings.Builder
	b.WriteString(csvHeader)
	now := time.Now().In(time.FixedZone("CST", 8*3600))
	for i := 0; i < n; i++ {
		at := now.Add(-time.Duration(i%20) * 24 * time.Hour).Add(-time.Hour)
		fmt.Fprintf(&b, "R%s%05d,%s,李%d,1391234%04d,%s,,朝阳区,望京街道,\"商家拒绝退费，现已联系不上，要求退款。\",退费难,500,办理中,\n",
			strings.ReplaceAll(name, "北京", "")[:3], i, at.Format("2006-01-02 15:04"), i, i, name)
	}
	return b.String()
}

package registry

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"prepaidreg/internal/audit"
	"prepaidreg/internal/sheet"
	"prepaidreg/internal/store"
	"prepaidreg/internal/store/storetest"
)

// Sizes of the import benchmark (issue: 100,000 work orders about 2,000 enterprises).
const (
	benchRows        = 100_000
	benchEnterprises = 2_000
)

var (
	benchFileOnce sync.Once
	benchFile     string
	benchFileErr  error
)

func benchEnterpriseName(i int) string {
	return fmt.Sprintf("北京市朝阳区测试%04d健身有限公司", i)
}

// writeExport writes a 12345 export of rows work orders spread over enterprises names with
// excelize's stream writer, as a hotline system would export it.
func writeExport(path string, rows, enterprises int) error {
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		return err
	}
	header := []any{"工单编号", "受理时间", "诉求人", "联系电话", "被反映主体", "区", "街乡", "诉求内容", "诉求类别",
		"涉及金额", "办理状态", "满意度"}
	if err := sw.SetRow("A1", header); err != nil {
		return err
	}
	texts := []string{
		"来电人反映其在该健身房办理年卡，现商家以各种理由拒绝退费，多次协商无果，要求退还剩余费用。",
		"来电人反映该店突然关门，电话无人接听，预付卡余额无法使用，要求相关部门处理。",
		"来电人反映办卡时承诺的课程现在被取消，服务明显缩水，要求按原约定提供服务或退款。",
	}
	statuses := []string{"已办结", "办理中", "已回复"}
	start := time.Date(2026, 6, 1, 9, 0, 0, 0, shanghai)
	for i := 0; i < rows; i++ {
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		row := []any{
			fmt.Sprintf("2026%08d", i), start.Add(time.Duration(i) * 97 * time.Second).Format("2006-01-02 15:04"),
			"张" + string(rune('一'+i%20)), fmt.Sprintf("1391234%04d", i%10000), benchEnterpriseName(i % enterprises),
			"朝阳区", "望京街道", texts[i%len(texts)], "", fmt.Sprintf("%d.00元", 100+i%5000), statuses[i%3], "满意",
		}
		if err := sw.SetRow(cell, row); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	return f.SaveAs(path)
}

func benchExport(b *testing.B) string {
	benchFileOnce.Do(func() {
		dir, err := os.MkdirTemp("", "prepaidreg-bench-")
		if err != nil {
			benchFileErr = err
			return
		}
		benchFile = filepath.Join(dir, "12345-100k.xlsx")
		benchFileErr = writeExport(benchFile, benchRows, benchEnterprises)
	})
	require.NoError(b, benchFileErr)
	return benchFile
}

// benchService returns a service on a fresh database holding the benchmark's enterprises.
func benchService(tb testing.TB, db *mongo.Database, enterprises int) *Service {
	return benchServiceWith(tb, db, enterprises, emptyCounters())
}

// benchServiceWith is benchService with the given counters on every enterprise.
func benchServiceWith(tb testing.TB, db *mongo.Database, enterprises int, counters ComplaintCounters) *Service {
	tb.Helper()
	ctx := context.Background()
	st := NewMongoStore(db)
	require.NoError(tb, st.EnsureIndexes(ctx))
	docs := make([]any, enterprises)
	now := time.Now().UTC()
	for i := range docs {
		first := fmt.Sprintf("91110105MA%07d", i)
		c, err := CheckChar(first)
		require.NoError(tb, err)
		e := Enterprise{USCC: USCC(first + string(c)), Name: benchEnterpriseName(i), Aliases: []string{},
			District: "110105", Street: "望京街道", Industry: IndustryFitness, Status: StatusOperating,
			Stores: []Shop{}, Version: 1, CreatedAt: now, UpdatedAt: now}
		docs[i] = enterpriseDoc{Enterprise: e, NameKeys: e.nameKeys(), Complaints: counters}
	}
	_, err := db.Collection(EnterprisesCollection).InsertMany(ctx, docs)
	require.NoError(tb, err)
	return NewService(st, audit.NewLog(db), BeijingAreas())
}

// peakHeap samples the heap in use every few milliseconds until stop is called and returns
// the highest sample above the heap at the start, in MiB.
func peakHeap() (stop func() float64) {
	var base runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&base)
	var peak atomic.Uint64
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			if m.HeapInuse > peak.Load() {
				peak.Store(m.HeapInuse)
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() float64 {
		close(done)
		<-finished
		return float64(peak.Load()-min(peak.Load(), base.HeapInuse)) / (1 << 20)
	}
}

// BenchmarkImport imports a 100,000-row xlsx export about 2,000 enterprises on the embedded
// store: streaming the file, parsing, tagging, linking, inserting in batches, and adding the
// counters. It reports rows per second and the peak heap above the start.
func BenchmarkImport(b *testing.B) {
	path := benchExport(b)
	ctx := context.Background()
	for b.Loop() {
		b.StopTimer()
		svc := benchService(b, storetest.New(b), benchEnterprises)
		f, err := os.Open(path)
		require.NoError(b, err)
		stop := peakHeap()
		b.StartTimer()

		started := time.Now()
		rd, err := sheet.Open(f, "12345-100k.xlsx")
		require.NoError(b, err)
		rows, err := svc.ComplaintRows(context.Background(), rd)
		require.NoError(b, err)
		r, err := svc.NewImport(ctx, audit.System, "12345-100k.xlsx")
		require.NoError(b, err)
		require.NoError(b, svc.RunImport(ctx, audit.System, r, rows, nil))
		elapsed := time.Since(started)

		b.StopTimer()
		b.ReportMetric(stop(), "peak-MiB")
		b.ReportMetric(float64(r.Imported)/elapsed.Seconds(), "rows/s")
		require.Equal(b, benchRows, r.Imported)
		rd.Close()
		f.Close()
		b.StartTimer()
	}
}

// BenchmarkImportBaseline is the floor for BenchmarkImport: the same complaint documents,
// made beforehand, written with the plain driver by one InsertMany, then one counter update
// per enterprise.
func BenchmarkImportBaseline(b *testing.B) {
	path := benchExport(b)
	ctx := context.Background()
	for b.Loop() {
		b.StopTimer()
		db := storetest.New(b)
		svc := benchService(b, db, benchEnterprises)
		docs, deltas := preparedComplaints(b, svc, path)
		b.StartTimer()

		started := time.Now()
		_, err := db.Collection(ComplaintsCollection).InsertMany(ctx, docs)
		require.NoError(b, err)
		for u, d := range deltas {
			_, err := db.Collection(EnterprisesCollection).UpdateOne(ctx, bson.M{"_id": string(u)},
				bson.M{"$inc": bson.M{"complaints.total": d.Total, "complaints.amount_fen": d.AmountFen}})
			require.NoError(b, err)
		}
		b.ReportMetric(float64(len(docs))/time.Since(started).Seconds(), "rows/s")
	}
}

// preparedComplaints reads the export into the complaint documents an import would write.
func preparedComplaints(tb testing.TB, svc *Service, path string) ([]any, map[USCC]*ComplaintCounters) {
	tb.Helper()
	f, err := os.Open(path)
	require.NoError(tb, err)
	defer f.Close()
	rd, err := sheet.Open(f, filepath.Base(path))
	require.NoError(tb, err)
	defer rd.Close()
	rows, err := svc.ComplaintRows(context.Background(), rd)
	require.NoError(tb, err)
	idx, err := svc.complaints.NameIndex(context.Background())
	require.NoError(tb, err)
	var docs []any
	deltas := map[USCC]*ComplaintCounters{}
	for {
		row, err := rows.Next()
		if err != nil {
			break
		}
		c, fe := svc.prepare(row.Input, idx, time.Now().UTC())
		require.Nil(tb, fe)
		docs = append(docs, c)
		if deltas[c.USCC] == nil {
			deltas[c.USCC] = &ComplaintCounters{}
		}
		deltas[c.USCC].add(c)
	}
	return docs, deltas
}

// TestImport_RoundTripsPerBatchDoNotGrowWithRows counts the commands an import sends for a
// batch of 10 rows and for a batch of 1,000 rows about the same enterprises.
func TestImport_RoundTripsPerBatchDoNotGrowWithRows(t *testing.T) {
	count := func(rows int) map[string]int {
		mon := store.NewMonitor()
		st := storetest.Open(t, mon)
		svc := benchService(t, st.DB, 5)
		path := filepath.Join(t.TempDir(), "export.xlsx")
		require.NoError(t, writeExport(path, rows, 5))
		f, err := os.Open(path)
		require.NoError(t, err)
		defer f.Close()
		rd, err := sheet.Open(f, "export.xlsx")
		require.NoError(t, err)
		defer rd.Close()
		src, err := svc.ComplaintRows(context.Background(), rd)
		require.NoError(t, err)
		r, err := svc.NewImport(context.Background(), audit.System, "export.xlsx")
		require.NoError(t, err)

		mon.Reset()
		require.NoError(t, svc.RunImport(context.Background(), audit.System, r, src, nil))
		require.Equal(t, rows, r.Imported)
		return mon.Counts()
	}
	small, large := count(10), count(ImportBatchSize)
	assert.Equal(t, small, large, "commands for 10 rows and for %d rows", ImportBatchSize)
	t.Logf("commands for one batch: %v", large)
	assert.NotContains(t, strings.Join(keys(large), ","), "getMore")
}

func keys(m map[string]int) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// BenchmarkRescoreAll assesses 10,000 enterprises afresh on the embedded store, each with a
// few complaints in its counters, as `prepaidreg rescore` does.
func BenchmarkRescoreAll(b *testing.B) {
	const enterprises = 10_000
	ctx := context.Background()
	for b.Loop() {
		b.StopTimer()
		counters := emptyCounters()
		counters.Total, counters.ByCategory["refund_refused"] = 3, 2
		svc := benchServiceWith(b, storetest.New(b), enterprises, counters)
		b.StartTimer()

		started := time.Now()
		n, err := svc.RescoreAll(ctx, nil)
		require.NoError(b, err)
		require.Equal(b, enterprises, n)
		b.ReportMetric(float64(n)/time.Since(started).Seconds(), "enterprises/s")
	}
}

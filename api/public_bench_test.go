package api_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/stretchr/testify/require"

	"prepaidreg/api"
	"prepaidreg/registry"
)

// Load of the public search benchmark: 50 connections, as with wrk -c 50.
const (
	benchConnections = 50
	benchEntries     = 20_000
	benchWarmUp      = time.Second
	benchRound       = 3 * time.Second
	benchRounds      = 2
)

// benchQueries are searches a visitor makes, each answered with a full page of 20 entries.
var benchQueries = []string{
	url.Values{"q": {"悦动"}}.Encode(),
	url.Values{"q": {"星河"}, "kind": {"grey"}}.Encode(),
	url.Values{"q": {"北京朝阳"}}.Encode(),
	url.Values{"kind": {"black"}, "district": {"110105"}}.Encode(),
	url.Values{"q": {"92110105MA00"}}.Encode(),
	url.Values{"q": {"健身"}, "industry": {"fitness"}}.Encode(),
}

// BenchmarkPublicSearchUnderLoad serves the app with 20,000 published entries on a loopback
// port, and beside it a bare Fiber app that answers a fixed body of the same size, and drives
// both with the same load: 50 connections for benchRounds rounds of benchRound each, taking
// turns. It reports requests per second and 99th-percentile latency of both and their ratio
// (target: the app at least 0.5 of the bare app's rate, p99 under 10 ms). When wrk is
// installed, it also drives both with wrk and reports its figures. Run it once:
//
//	go test ./api -run '^$' -bench PublicSearchUnderLoad -benchtime 1x
func BenchmarkPublicSearchUnderLoad(b *testing.B) {
	env := newBenchEnv(b)
	seedBenchEntries(b, env, benchEntries)
	app := api.New(api.Deps{
		Store: env.store, Registry: env.registry, Users: env.users, Audit: env.audit,
		// One client sends everything here: the limit must not throttle it.
		Public: api.PublicOptions{Context: b.Context(), Rate: 1e9, Burst: 1 << 30},
	})
	appURL := serveBench(b, app)
	size := meanBodySize(b, appURL, benchQueries)
	bareURL := serveBench(b, bareApp(size))
	b.Logf("answer size %d bytes, %d published entries", size, benchEntries)

	for range b.N {
		app, bare := compareLoad(b, appURL, bareURL)
		reportLoad(b, "", app, bare)
		if _, err := exec.LookPath("wrk"); err == nil {
			reportLoad(b, "wrk-", runWrk(b, appURL+benchQueries[0]), runWrk(b, bareURL+benchQueries[0]))
		}
	}
}

// seedBenchEntries stores n published entries with names built from district, brand and
// industry words, so that a two-character fragment matches a few hundred of them.
func seedBenchEntries(b *testing.B, env *testEnv, n int) {
	b.Helper()
	districts := []struct{ code, name string }{
		{"110105", "朝阳"}, {"110108", "海淀"}, {"110101", "东城"}, {"110102", "西城"}, {"110106", "丰台"},
	}
	brands := strings.Fields("悦动 星河 美丽 阳光 金色 小天 乐享 优品 博雅 康健 青禾 蓝海 启航 明德 华彩 安心 " +
		"快洁 鑫源 佳美 天成 聚力 和悦 新锐 卓越 瑞丰 嘉禾 智慧 童梦 盛世 馨怡 恒信 云端 锦程 荣耀 宏图 诚品 " +
		"汇丰 飞扬 晨光 致远")
	industries := []struct {
		industry registry.Industry
		suffix   string
	}{
		{registry.IndustryFitness, "健身有限公司"}, {registry.IndustryBeauty, "美容美发店"},
		{registry.IndustryEducation, "教育咨询有限公司"}, {registry.IndustryLaundry, "洗衣服务部"},
		{registry.IndustryCatering, "餐饮管理有限公司"},
	}
	listed := day(b, "2026-01-01")
	batch := make([]registry.ListEntry, 0, 1000)
	for i := range n {
		d, ind := districts[i%len(districts)], industries[(i/7)%len(industries)]
		name := fmt.Sprintf("北京%s%s%s%s（%d店）", d.name, brands[i%len(brands)], brands[(i/len(brands))%len(brands)],
			ind.suffix, i)
		kind := registry.ListBlack
		if i%3 == 0 {
			kind = registry.ListGrey
		}
		e := listEntry(b, fmt.Sprintf("le-%05d", i), fmt.Sprintf("MA%07d", i), name, kind,
			listed.Add(time.Duration(i)*time.Minute))
		e.District, e.Industry = d.code, ind.industry
		if batch = append(batch, e); len(batch) == cap(batch) {
			insertEntries(b, env, batch...)
			batch = batch[:0]
		}
	}
	if len(batch) > 0 {
		insertEntries(b, env, batch...)
	}
	bumpPublication(b, env)
}

// serveBench serves app on a loopback port until the benchmark ends and returns its base URL.
func serveBench(b *testing.B, app *fiber.App) string {
	b.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(b, err)
	done := make(chan error, 1)
	go func() { done <- app.Listener(ln) }()
	b.Cleanup(func() {
		_ = app.ShutdownWithTimeout(5 * time.Second)
		if err := <-done; err != nil && !errors.Is(err, net.ErrClosed) {
			b.Errorf("server stopped with %v", err)
		}
	})
	return "http://" + ln.Addr().String() + "/api/v1/public/lists?"
}

// meanBodySize asks each query once (which also loads the snapshot) and returns the mean size
// of the answers.
func meanBodySize(b *testing.B, base string, queries []string) int {
	b.Helper()
	total := 0
	for _, q := range queries {
		resp, err := http.Get(base + q)
		require.NoError(b, err)
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		require.NoError(b, err)
		require.Equal(b, http.StatusOK, resp.StatusCode, "%s: %s", q, body)
		require.Contains(b, string(body), `"next_cursor"`, "%s should fill a page", q)
		total += len(body)
	}
	return total / len(queries)
}

// bareApp is the baseline: Fiber answering a fixed JSON body of size bytes.
func bareApp(size int) *fiber.App {
	body := []byte(`{"items":["` + strings.Repeat("x", max(0, size-14)) + `"]}`)
	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	app.Get("/api/v1/public/lists", func(c *fiber.Ctx) error {
		c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
		return c.Send(body)
	})
	return app
}

// loadResult is what a load run measured.
type loadResult struct {
	requests  int
	errors    int
	elapsed   time.Duration
	latencies []time.Duration
	// rate and p99 are given directly by wrk, which keeps no latencies for us.
	rate float64
	p99  time.Duration
}

func (r loadResult) perSecond() float64 {
	if r.rate > 0 {
		return r.rate
	}
	return float64(r.requests) / r.elapsed.Seconds()
}

func (r loadResult) percentile99() time.Duration {
	if r.p99 > 0 || len(r.latencies) == 0 {
		return r.p99
	}
	sorted := slices.Clone(r.latencies)
	slices.Sort(sorted)
	return sorted[len(sorted)*99/100]
}

func (r *loadResult) add(o loadResult) {
	r.requests += o.requests
	r.errors += o.errors
	r.elapsed += o.elapsed
	r.latencies = append(r.latencies, o.latencies...)
}

// compareLoad warms both servers up, then loads them in turns.
func compareLoad(b *testing.B, appURL, bareURL string) (app, bare loadResult) {
	b.Helper()
	runLoad(appURL, benchWarmUp)
	runLoad(bareURL, benchWarmUp)
	for range benchRounds {
		bare.add(runLoad(bareURL, benchRound))
		app.add(runLoad(appURL, benchRound))
	}
	require.Zero(b, app.errors+bare.errors, "failed requests: app %d, bare %d", app.errors, bare.errors)
	return app, bare
}

// runLoad sends the benchmark's queries in turn over benchConnections keep-alive connections
// for d and records every request's latency.
func runLoad(base string, d time.Duration) loadResult {
	transport := &http.Transport{
		MaxIdleConnsPerHost: benchConnections, MaxConnsPerHost: benchConnections, DisableCompression: true,
	}
	defer transport.CloseIdleConnections()
	client := &http.Client{Transport: transport, Timeout: 10 * time.Second}

	results := make([]loadResult, benchConnections)
	start := time.Now()
	deadline := start.Add(d)
	var wg sync.WaitGroup
	for w := range benchConnections {
		wg.Go(func() {
			r := &results[w]
			// Each connection's requests are made once and sent again, as wrk does.
			reqs := make([]*http.Request, len(benchQueries))
			for i, q := range benchQueries {
				reqs[i], _ = http.NewRequest(http.MethodGet, base+q, nil)
			}
			r.latencies = make([]time.Duration, 0, 1<<14)
			for i := w; time.Now().Before(deadline); i++ {
				t0 := time.Now()
				if err := fetch(client, reqs[i%len(reqs)]); err != nil {
					r.errors++
					continue
				}
				r.latencies = append(r.latencies, time.Since(t0))
				r.requests++
			}
		})
	}
	wg.Wait()
	total := loadResult{elapsed: time.Since(start)}
	for _, r := range results {
		total.requests += r.requests
		total.errors += r.errors
		total.latencies = append(total.latencies, r.latencies...)
	}
	return total
}

func fetch(client *http.Client, req *http.Request) error {
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	return nil
}

// reportLoad reports both runs and the app's share of the bare rate.
func reportLoad(b *testing.B, prefix string, app, bare loadResult) {
	b.Helper()
	b.ReportMetric(app.perSecond(), prefix+"app-req/s")
	b.ReportMetric(bare.perSecond(), prefix+"bare-req/s")
	b.ReportMetric(app.perSecond()/bare.perSecond(), prefix+"ratio")
	b.ReportMetric(float64(app.percentile99().Microseconds())/1000, prefix+"app-p99-ms")
	b.ReportMetric(float64(bare.percentile99().Microseconds())/1000, prefix+"bare-p99-ms")
}

var (
	wrkRate = regexp.MustCompile(`Requests/sec:\s+([0-9.]+)`)
	wrkP99  = regexp.MustCompile(`\s99%\s+([0-9.]+)(us|ms|s)\b`)
	wrkErrs = regexp.MustCompile(`Non-2xx or 3xx responses: (\d+)`)
)

// runWrk drives one URL with wrk for a round, 50 connections on one thread (on a two-core
// machine a second wrk thread takes the server's other core), and reads its request rate and
// 99th percentile.
func runWrk(b *testing.B, u string) loadResult {
	b.Helper()
	ctx, cancel := context.WithTimeout(b.Context(), benchRound+30*time.Second)
	defer cancel()
	secs := strconv.Itoa(int(benchRound.Seconds()))
	out, err := exec.CommandContext(ctx, "wrk", "-t1", "-c"+strconv.Itoa(benchConnections), "-d"+secs+"s",
		"--latency", u).CombinedOutput()
	require.NoError(b, err, "wrk: %s", out)
	require.Nil(b, wrkErrs.FindSubmatch(out), "wrk saw failed requests: %s", out)

	rate := wrkRate.FindSubmatch(out)
	p99 := wrkP99.FindSubmatch(out)
	require.NotNil(b, rate, "wrk output: %s", out)
	require.NotNil(b, p99, "wrk output: %s", out)
	r, _ := strconv.ParseFloat(string(rate[1]), 64)
	d, err := time.ParseDuration(string(p99[1]) + strings.Replace(string(p99[2]), "us", "µs", 1))
	require.NoError(b, err)
	return loadResult{rate: r, p99: d}
}

package api_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/csv"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"prepaidreg/api"
	"prepaidreg/internal/pdf/pdftest"
	"prepaidreg/internal/store"
	"prepaidreg/internal/user"
	"prepaidreg/registry"
)

// newPublicEnv is a test environment whose app refreshes the public lists every 50 ms (unless
// opts say otherwise), stops doing so when the test ends, and does not rate-limit unless told.
func newPublicEnv(t *testing.T, opts api.PublicOptions) *testEnv {
	return newPublicEnvWithMonitor(t, opts, nil)
}

func newPublicEnvWithMonitor(t *testing.T, opts api.PublicOptions, mon *store.Monitor) *testEnv {
	t.Helper()
	env := newTestEnvWithMonitor(t, mon)
	if opts.Context == nil {
		opts.Context = t.Context()
	}
	if opts.Rate == 0 {
		opts.Rate, opts.Burst = 1e6, 1e6
	}
	if opts.RefreshEvery == 0 {
		opts.RefreshEvery = 50 * time.Millisecond
	}
	env.app = api.New(api.Deps{
		Store: env.store, Registry: env.registry, Users: env.users, Audit: env.audit, Public: opts,
	})
	return env
}

// Text that is in the entries' records but must never reach the public.
var internalText = []string{
	"李秀英", "13912345678", "12345:T0001", "regulator1", "supervisor1", "内部备注", "风险评分87", "异议材料原文",
}

// day is a listing time in Asia/Shanghai.
func day(t testing.TB, s string) time.Time {
	t.Helper()
	d, err := time.ParseInLocation("2006-01-02 15:04", s+" 10:00", time.FixedZone("CST", 8*3600))
	require.NoError(t, err)
	return d.UTC()
}

// beijingDay shows t's day in Beijing.
func beijingDay(t time.Time) string {
	return t.In(time.FixedZone("CST", 8*3600)).Format("2006-01-02")
}

// listEntry is a published entry with every internal field filled in, so that a test can show
// none of them is published.
func listEntry(t testing.TB, id, org, name string, kind registry.ListKind, listed time.Time) registry.ListEntry {
	t.Helper()
	review := listed.AddDate(0, 6, 0)
	return registry.ListEntry{
		ID: id, USCC: registry.USCC(validUSCCFor(t, org)), Name: name, FormerNames: []string{},
		Address: "北京市朝阳区望京街道阜通东大街6号", District: "110105", Industry: registry.IndustryFitness,
		Kind: kind, State: registry.EntryPublished,
		Reason:     "收取会员预付款后停业，经营场所已关闭，经查无法联系",
		LegalBasis: "《市场监督管理严重违法失信名单管理办法》第八条",
		Evidence: []registry.Evidence{
			{Kind: "complaint", ID: "12345:T0001", Note: "投诉人李秀英 13912345678"},
			{Kind: "assessment", ID: "a1", Note: "风险评分87"},
		},
		Authority: "北京市朝阳区市场监督管理局", DecisionNumber: "京朝市监信〔2026〕" + id + "号",
		ProposedBy: "regulator1", ApprovedBy: "supervisor1", ListedAt: &listed, ReviewAt: &review,
		Objections: []registry.Objection{{ID: "o1", ReceivedAt: listed, Text: "异议材料原文"}},
		History: []registry.EntryEvent{
			{At: listed, By: "supervisor1", Action: "approve", To: registry.EntryPublished, Note: "内部备注"},
		},
		Version: 2, CreatedAt: listed.Add(-time.Hour), UpdatedAt: listed,
	}
}

// insertEntries writes entries into the list-entry collection, as the list-decision service
// would.
func insertEntries(t testing.TB, env *testEnv, entries ...registry.ListEntry) {
	t.Helper()
	docs := make([]any, len(entries))
	for i := range entries {
		docs[i] = entries[i]
	}
	_, err := env.store.DB.Collection("list_entries").InsertMany(context.Background(), docs)
	require.NoError(t, err)
}

// setEntry replaces one stored entry.
func setEntry(t testing.TB, env *testEnv, e registry.ListEntry) {
	t.Helper()
	_, err := env.store.DB.Collection("list_entries").ReplaceOne(context.Background(), bson.M{"_id": e.ID}, e)
	require.NoError(t, err)
}

// bumpPublication increments the publication version, as an approval does.
func bumpPublication(t testing.TB, env *testEnv) {
	t.Helper()
	_, err := env.store.DB.Collection("publication").UpdateOne(context.Background(),
		bson.M{"_id": "lists"}, bson.M{"$inc": bson.M{"version": int64(1)}}, options.UpdateOne().SetUpsert(true))
	require.NoError(t, err)
}

// publicPage is an answer of the public search.
type publicPage struct {
	Items      []registry.PublicEntry `json:"items"`
	NextCursor string                 `json:"next_cursor"`
}

// search asks the public search and returns the names found, in order.
func (e *testEnv) search(t *testing.T, query string) ([]string, publicPage) {
	t.Helper()
	r := e.do(user.Public, "GET", "/api/v1/public/lists?"+query, nil)
	require.Equal(t, http.StatusOK, r.Status, "query %s: %s", query, r.Body)
	var page publicPage
	r.JSON(t, &page)
	names := make([]string, len(page.Items))
	for i, it := range page.Items {
		names[i] = it.Name
	}
	return names, page
}

// seedPublicLists stores a small set of entries: three on the lists, one only proposed and one
// removed.
func seedPublicLists(t *testing.T, env *testEnv) map[string]registry.ListEntry {
	t.Helper()
	yuedong := listEntry(t, "le-yuedong", "MA01YD001", "北京朝阳悦动健身有限公司", registry.ListBlack,
		day(t, "2026-03-02"))
	yuedong.FormerNames = []string{"北京星河体育文化有限公司"}
	meili := listEntry(t, "le-meili", "L12345678", "北京海淀美丽人生美容美发店", registry.ListGrey,
		day(t, "2026-03-05"))
	meili.District, meili.Industry = "110108", registry.IndustryBeauty
	meili.LegalBasis = "《北京市单用途预付卡管理条例》"
	xiaotiancai := listEntry(t, "le-xtc", "MA02XTC03", "北京朝阳小天才教育咨询有限公司", registry.ListBlack,
		day(t, "2026-02-20"))
	xiaotiancai.Industry = registry.IndustryEducation
	xiaotiancai.State = registry.EntryRemovalProposed
	proposed := listEntry(t, "le-proposed", "MA03PR004", "北京朝阳悦动瑜伽馆", registry.ListBlack, day(t, "2026-03-06"))
	proposed.State, proposed.ListedAt = registry.EntryProposed, nil
	removed := listEntry(t, "le-removed", "MA04RM005", "北京朝阳快洁洗衣店", registry.ListBlack, day(t, "2025-01-10"))
	removedAt := day(t, "2026-01-15")
	removed.State, removed.RemovedAt, removed.Industry = registry.EntryRemoved, &removedAt, registry.IndustryLaundry

	all := []registry.ListEntry{yuedong, meili, xiaotiancai, proposed, removed}
	insertEntries(t, env, all...)
	bumpPublication(t, env)
	out := map[string]registry.ListEntry{}
	for _, e := range all {
		out[e.ID] = e
	}
	return out
}

func TestPublic_Search(t *testing.T) {
	env := newPublicEnv(t, api.PublicOptions{})
	entries := seedPublicLists(t, env)
	const (
		yuedong = "北京朝阳悦动健身有限公司"
		meili   = "北京海淀美丽人生美容美发店"
		xtc     = "北京朝阳小天才教育咨询有限公司"
	)

	cases := []struct {
		name  string
		query url.Values
		want  []string
	}{
		{"both lists, newest listing first", url.Values{}, []string{meili, yuedong, xtc}},
		{"Chinese name fragment", url.Values{"q": {"悦动"}}, []string{yuedong}},
		{"single character", url.Values{"q": {"美"}}, []string{meili}},
		{"fragment with full-width brackets and spaces", url.Values{"q": {"朝阳 （悦动）"}}, []string{yuedong}},
		{"former name", url.Values{"q": {"星河体育"}}, []string{yuedong}},
		{"code prefix", url.Values{"q": {string(entries["le-meili"].USCC[:12])}}, []string{meili}},
		{"lower-case code prefix", url.Values{"q": {strings.ToLower(string(entries["le-yuedong"].USCC[:14]))}},
			[]string{yuedong}},
		{"whole code", url.Values{"q": {string(entries["le-xtc"].USCC)}}, []string{xtc}},
		{"black list", url.Values{"kind": {"black"}}, []string{yuedong, xtc}},
		{"grey list", url.Values{"kind": {"grey"}}, []string{meili}},
		{"district", url.Values{"district": {"110108"}}, []string{meili}},
		{"industry", url.Values{"industry": {"education"}}, []string{xtc}},
		{"fragment within a list", url.Values{"q": {"北京朝阳"}, "kind": {"black"}}, []string{yuedong, xtc}},
		{"fragment in the other list", url.Values{"q": {"悦动"}, "kind": {"grey"}}, []string{}},
		{"only proposed", url.Values{"q": {"瑜伽"}}, []string{}},
		{"only removed", url.Values{"q": {"快洁"}}, []string{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, _ := env.search(t, tc.query.Encode())
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestPublic_Paging(t *testing.T) {
	env := newPublicEnv(t, api.PublicOptions{})
	var want []string
	var entries []registry.ListEntry
	for i := range 7 {
		name := "北京朝阳第" + strconv.Itoa(i) + "健身有限公司"
		// Two entries share a listing time, so that the id orders them.
		listed := day(t, "2026-03-01").Add(time.Duration(min(i, 5)) * time.Hour)
		entries = append(entries, listEntry(t, "le-p"+strconv.Itoa(i), "MA05PG00"+strconv.Itoa(i), name,
			registry.ListBlack, listed))
	}
	insertEntries(t, env, entries...)
	for _, i := range []int{5, 6, 4, 3, 2, 1, 0} {
		want = append(want, entries[i].Name)
	}

	var got []string
	query := url.Values{"q": {"健身"}, "limit": {"3"}}
	for pages := 0; ; pages++ {
		require.Less(t, pages, 4, "paging does not end")
		names, page := env.search(t, query.Encode())
		got = append(got, names...)
		if page.NextCursor == "" {
			break
		}
		assert.Len(t, names, 3)
		query.Set("cursor", page.NextCursor)
	}
	assert.Equal(t, want, got)
}

func TestPublic_CursorSurvivesANewPublication(t *testing.T) {
	env := newPublicEnv(t, api.PublicOptions{})
	seedPublicLists(t, env)
	_, first := env.search(t, "limit=1")
	require.NotEmpty(t, first.NextCursor)

	newer := listEntry(t, "le-newer", "MA06NW006", "北京朝阳新列入健身有限公司", registry.ListBlack,
		day(t, "2026-04-01"))
	insertEntries(t, env, newer)
	bumpPublication(t, env)
	require.Eventually(t, func() bool {
		names, _ := env.search(t, "q=新列入")
		return len(names) == 1
	}, 5*time.Second, 20*time.Millisecond)

	names, _ := env.search(t, "limit=1&cursor="+first.NextCursor)
	assert.Equal(t, []string{"北京朝阳悦动健身有限公司"}, names, "the second page still follows the first")
}

func TestPublic_AnswersHoldOnlyThePublishedFields(t *testing.T) {
	env := newPublicEnv(t, api.PublicOptions{})
	seedPublicLists(t, env)
	want := []string{
		"address", "authority", "decision_number", "district", "id", "industry", "kind", "legal_basis",
		"listed_at", "name", "reason", "removed_at", "uscc",
	}

	r := env.do(user.Public, "GET", "/api/v1/public/lists", nil)
	require.Equal(t, http.StatusOK, r.Status)
	var list struct {
		Items []map[string]json.RawMessage `json:"items"`
	}
	r.JSON(t, &list)
	require.NotEmpty(t, list.Items)
	for _, item := range list.Items {
		assert.ElementsMatch(t, want, keysOf(item))
	}

	for _, id := range []string{"le-yuedong", "le-removed"} {
		r = env.do(user.Public, "GET", "/api/v1/public/lists/"+id, nil)
		require.Equal(t, http.StatusOK, r.Status)
		var item map[string]json.RawMessage
		r.JSON(t, &item)
		assert.ElementsMatch(t, want, keysOf(item), "entry %s", id)
	}

	t.Run("nothing internal anywhere", func(t *testing.T) {
		for _, path := range []string{
			"/api/v1/public/lists", "/api/v1/public/lists/le-yuedong", "/api/v1/public/lists/le-removed",
			"/api/v1/public/lists.csv", "/", "/?q=悦动", "/lists/black", "/lists/grey", "/lists/entries/le-yuedong",
			"/lists/entries/le-removed",
		} {
			r := env.do(user.Public, "GET", path, nil)
			require.Equal(t, http.StatusOK, r.Status, "%s: %s", path, r.Body)
			for _, s := range internalText {
				assert.NotContains(t, string(r.Body), s, "%s shows internal data", path)
			}
		}
		r := env.do(user.Public, "GET", "/lists/entries/le-yuedong/notice.pdf", nil)
		require.Equal(t, http.StatusOK, r.Status)
		text := pdftest.Text(t, r.Body)
		for _, s := range internalText {
			assert.NotContains(t, text, s, "the notice shows internal data")
		}
	})
}

func keysOf(m map[string]json.RawMessage) []string {
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func TestPublic_RemovedEntry(t *testing.T) {
	env := newPublicEnv(t, api.PublicOptions{})
	seedPublicLists(t, env)

	r := env.do(user.Public, "GET", "/api/v1/public/lists/le-removed", nil)
	require.Equal(t, http.StatusOK, r.Status)
	var got registry.PublicEntry
	r.JSON(t, &got)
	require.NotNil(t, got.RemovedAt, "a removed entry says when it was removed")
	assert.Equal(t, day(t, "2026-01-15"), got.RemovedAt.UTC())

	r = env.do(user.Public, "GET", "/api/v1/public/lists/le-yuedong", nil)
	r.JSON(t, &got)
	assert.Nil(t, got.RemovedAt)

	page := env.do(user.Public, "GET", "/lists/entries/le-removed", nil)
	require.Equal(t, http.StatusOK, page.Status)
	assert.Contains(t, string(page.Body), "已移出")
	assert.Contains(t, string(page.Body), "2026-01-15")

	list := env.do(user.Public, "GET", "/lists/black", nil)
	assert.NotContains(t, string(list.Body), "快洁洗衣店", "a removed entry is off the list page")
	csvBody := env.do(user.Public, "GET", "/api/v1/public/lists.csv", nil)
	assert.NotContains(t, string(csvBody.Body), "快洁洗衣店", "and off the download")

	t.Run("an entry removed later leaves the list", func(t *testing.T) {
		e := listEntry(t, "le-yuedong", "MA01YD001", "北京朝阳悦动健身有限公司", registry.ListBlack,
			day(t, "2026-03-02"))
		removedAt := day(t, "2026-04-01")
		e.State, e.RemovedAt = registry.EntryRemoved, &removedAt
		setEntry(t, env, e)
		bumpPublication(t, env)
		require.Eventually(t, func() bool {
			names, _ := env.search(t, "q=悦动")
			return len(names) == 0
		}, 5*time.Second, 20*time.Millisecond)
		page := env.do(user.Public, "GET", "/lists/entries/le-yuedong", nil)
		assert.Contains(t, string(page.Body), "2026-04-01")
	})

	t.Run("unknown and unpublished entries are not found", func(t *testing.T) {
		for _, path := range []string{
			"/api/v1/public/lists/le-proposed", "/api/v1/public/lists/nope", "/lists/entries/le-proposed",
			"/lists/entries/nope/notice.pdf",
		} {
			r := env.do(user.Public, "GET", path, nil)
			assert.Equal(t, http.StatusNotFound, r.Status, path)
		}
	})
}

func TestPublic_CSV(t *testing.T) {
	env := newPublicEnv(t, api.PublicOptions{})
	entries := seedPublicLists(t, env)
	formula := listEntry(t, "le-formula", "MA07FM007", "=HYPERLINK(\"http://x\")健身",
		registry.ListGrey, day(t, "2026-01-01"))
	formula.Reason = "+cmd|' /C calc'!A0"
	insertEntries(t, env, formula)
	bumpPublication(t, env)
	require.Eventually(t, func() bool {
		names, _ := env.search(t, "kind=grey")
		return len(names) == 2
	}, 5*time.Second, 20*time.Millisecond)

	r := env.do(user.Public, "GET", "/api/v1/public/lists.csv", nil)
	require.Equal(t, http.StatusOK, r.Status)
	assert.Equal(t, "text/csv; charset=utf-8", r.Header.Get("Content-Type"))
	assert.Contains(t, r.Header.Get("Content-Disposition"), "attachment")
	require.True(t, bytes.HasPrefix(r.Body, []byte("\uFEFF")), "UTF-8 byte-order mark")

	rows, err := csv.NewReader(bytes.NewReader(r.Body[3:])).ReadAll()
	require.NoError(t, err)
	require.Len(t, rows, 5, "header and the four listed entries")
	assert.Equal(t, []string{"编号", "名单", "企业名称", "统一社会信用代码", "地址", "所在区", "行业",
		"列入原因", "法律依据", "决定机关", "决定文书号", "列入日期"}, rows[0])
	m := entries["le-meili"]
	assert.Equal(t, []string{"le-meili", "灰名单", m.Name, string(m.USCC), m.Address, "海淀区", "美容美发",
		m.Reason, m.LegalBasis, m.Authority, m.DecisionNumber, "2026-03-05"}, rows[1])
	last := rows[4]
	assert.Equal(t, "'=HYPERLINK(\"http://x\")健身", last[2], "a name is not a formula")
	assert.Equal(t, "'+cmd|' /C calc'!A0", last[7], "nor is a reason")
	assert.True(t, bytes.Contains(r.Body, []byte("\r\n")), "CRLF line ends")

	black := env.do(user.Public, "GET", "/api/v1/public/lists.csv?kind=black", nil)
	rows, err = csv.NewReader(bytes.NewReader(black.Body[3:])).ReadAll()
	require.NoError(t, err)
	assert.Len(t, rows, 3, "header and the two black-listed entries")
}

func TestPublic_AbuseInputs(t *testing.T) {
	env := newPublicEnv(t, api.PublicOptions{})
	seedPublicLists(t, env)
	long := strings.Repeat("a", 1000)

	refused := []struct{ name, query, field string }{
		{"1,000-character search", "q=" + long, "q"},
		{"101-character search", "q=" + url.QueryEscape(strings.Repeat("a", 101)), "q"},
		{"unknown kind", "kind=white", "kind"},
		{"operator-looking kind", "kind=" + url.QueryEscape(`{"$ne":""}`), "kind"},
		{"bracketed operator key", "q%5B%24ne%5D=x", "q[$ne]"},
		{"unknown parameter", "where=1", "where"},
		{"repeated parameter", "q=a&q=b", "q"},
		{"garbage cursor", "cursor=%%%", "cursor"},
		{"cursor that is not ours", "cursor=" + base64.RawURLEncoding.EncodeToString([]byte("a:nothing")), "cursor"},
		{"cursor of another kind", "cursor=" + base64.RawURLEncoding.EncodeToString([]byte("x:1/a")), "cursor"},
		{"unknown district", "district=999999", "district"},
		{"operator district", "district=" + url.QueryEscape(`{"$gt":""}`), "district"},
		{"unknown industry", "industry=casino", "industry"},
		{"limit too large", "limit=100000", "limit"},
		{"limit not a number", "limit=1;DROP", "limit"},
	}
	for _, tc := range refused {
		t.Run(tc.name, func(t *testing.T) {
			r := env.do(user.Public, "GET", "/api/v1/public/lists?"+tc.query, nil)
			require.Equal(t, http.StatusBadRequest, r.Status, "body: %s", r.Body)
			assert.Contains(t, r.Problem(t).fieldNames(), tc.field)
		})
	}

	literal := []string{
		".*", "(a+)+", "(a+)+$", "^北京", "[朝海]", "北京.*公司", `\d+`, "%", "_", "'; DROP TABLE list_entries; --",
		"' OR '1'='1", `{"$gt": ""}`, `{"$where": "sleep(1000)"}`, "$ne", "<script>alert(1)</script>",
		"\x00", strings.Repeat("a", 100), strings.Repeat("健", 100),
	}
	for _, q := range literal {
		t.Run("literal "+q, func(t *testing.T) {
			names, _ := env.search(t, url.Values{"q": {q}}.Encode())
			assert.Empty(t, names, "a search matches text only")
		})
	}

	t.Run("pages refuse the same input with a message", func(t *testing.T) {
		r := env.do(user.Public, "GET", "/lists/black?q="+url.QueryEscape(long), nil)
		assert.Equal(t, http.StatusBadRequest, r.Status)
		assert.Contains(t, string(r.Body), "关键字最多100个字")
		r = env.do(user.Public, "GET", "/?q="+url.QueryEscape(long), nil)
		assert.Equal(t, http.StatusBadRequest, r.Status)
		r = env.do(user.Public, "GET", "/lists/grey?cursor=bad!", nil)
		assert.Equal(t, http.StatusBadRequest, r.Status)
		r = env.do(user.Public, "GET", "/?q="+url.QueryEscape("<script>alert(1)</script>"), nil)
		assert.Equal(t, http.StatusOK, r.Status)
		assert.NotContains(t, string(r.Body), "<script>alert(1)", "the search text is escaped")
	})

	t.Run("1,000 Chinese characters are refused before routing", func(t *testing.T) {
		// 9 kB of escaped URL is more than the server reads as a request head; Fiber answers it
		// through the app's error handler.
		base := serveLoopback(t, env.app)
		huge := url.QueryEscape(strings.Repeat("健", 1000))
		resp, body := getFrom(t, http.DefaultClient, base+"/api/v1/public/lists?q="+huge)
		assert.Equal(t, http.StatusRequestHeaderFieldsTooLarge, resp.StatusCode, "body: %s", body)
		assert.Equal(t, "application/problem+json", resp.Header.Get("Content-Type"))
		resp, _ = getFrom(t, http.DefaultClient, base+"/api/v1/public/lists?q="+url.QueryEscape("悦动"))
		assert.Equal(t, http.StatusOK, resp.StatusCode)
	})

	t.Run("the server keeps serving", func(t *testing.T) {
		names, _ := env.search(t, "q=悦动")
		assert.Equal(t, []string{"北京朝阳悦动健身有限公司"}, names)
	})
}

// clientFrom returns an HTTP client whose connections come from the loopback address ip, so
// that the server sees a client of its own.
func clientFrom(ip string) *http.Client {
	dialer := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 5 * time.Second}
	return &http.Client{Transport: &http.Transport{DialContext: dialer.DialContext}, Timeout: 10 * time.Second}
}

func getFrom(t *testing.T, c *http.Client, u string) (*http.Response, []byte) {
	t.Helper()
	resp, err := c.Get(u)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp, body
}

func TestPublic_FloodFromOneAddressIsRefused(t *testing.T) {
	env := newPublicEnv(t, api.PublicOptions{Rate: 1, Burst: 5})
	seedPublicLists(t, env)
	base := serveLoopback(t, env.app)
	flooder, other := clientFrom("127.0.0.2"), clientFrom("127.0.0.3")

	var limited *http.Response
	var limitedBody []byte
	for i := 0; i < 30 && limited == nil; i++ {
		resp, body := getFrom(t, flooder, base+"/api/v1/public/lists?q=悦动")
		if resp.StatusCode == http.StatusTooManyRequests {
			limited, limitedBody = resp, body
		}
	}
	require.NotNil(t, limited, "a flood from one address is refused")
	assert.Equal(t, "application/problem+json", limited.Header.Get("Content-Type"))
	retry, err := strconv.Atoi(limited.Header.Get("Retry-After"))
	require.NoError(t, err, "Retry-After in seconds")
	assert.GreaterOrEqual(t, retry, 1)
	assert.Contains(t, string(limitedBody), "请求过于频繁")

	resp, _ := getFrom(t, flooder, base+"/lists/black")
	assert.Equal(t, http.StatusTooManyRequests, resp.StatusCode, "pages share the limit")
	resp, _ = getFrom(t, flooder, base+"/static/site.css")
	assert.Equal(t, http.StatusOK, resp.StatusCode, "the style sheet is not limited")

	for range 5 {
		resp, _ = getFrom(t, other, base+"/api/v1/public/lists?q=悦动")
		assert.Equal(t, http.StatusOK, resp.StatusCode, "another address is still served")
	}
}

func TestPublic_SnapshotFollowsThePublicationVersion(t *testing.T) {
	// The production poll interval.
	env := newPublicEnv(t, api.PublicOptions{RefreshEvery: 2 * time.Second})
	seedPublicLists(t, env)
	names, _ := env.search(t, "q=新开")
	require.Empty(t, names)

	insertEntries(t, env, listEntry(t, "le-new", "MA08NW008", "北京朝阳新开健身有限公司",
		registry.ListGrey, day(t, "2026-03-10")))
	names, _ = env.search(t, "q=新开")
	assert.Empty(t, names, "answers come from the snapshot, not from the store")

	bumpPublication(t, env)
	start := time.Now()
	require.Eventually(t, func() bool {
		names, _ := env.search(t, "q=新开")
		return len(names) == 1
	}, 6*time.Second, 50*time.Millisecond, "the snapshot follows a new publication within seconds")
	t.Logf("seen after %v", time.Since(start).Round(10*time.Millisecond))
}

func TestPublic_RequestsDoNotReachTheStore(t *testing.T) {
	mon := store.NewMonitor()
	env := newPublicEnvWithMonitor(t, api.PublicOptions{RefreshEvery: time.Hour}, mon)
	seedPublicLists(t, env)
	env.search(t, "") // loads the snapshot

	mon.Reset()
	for _, path := range []string{
		"/api/v1/public/lists?q=悦动", "/api/v1/public/lists?kind=grey", "/api/v1/public/lists/le-meili",
		"/api/v1/public/lists.csv", "/?q=美丽", "/lists/black", "/lists/grey?district=110108",
		"/lists/entries/le-xtc", "/lists/entries/le-xtc/notice.pdf",
	} {
		r := env.do(user.Public, "GET", path, nil)
		require.Equal(t, http.StatusOK, r.Status, path)
	}
	assert.Zero(t, mon.Total(), "commands sent: %v", mon.Counts())
}

func TestPublic_CacheHeaders(t *testing.T) {
	env := newPublicEnv(t, api.PublicOptions{})
	seedPublicLists(t, env)

	for _, path := range []string{
		"/api/v1/public/lists?q=悦动", "/api/v1/public/lists/le-yuedong", "/api/v1/public/lists.csv",
		"/lists/entries/le-yuedong/notice.pdf",
	} {
		r := env.do(user.Public, "GET", path, nil)
		require.Equal(t, http.StatusOK, r.Status, path)
		assert.Equal(t, "public, max-age=60", r.Header.Get("Cache-Control"), path)
		etag := r.Header.Get("ETag")
		require.NotEmpty(t, etag, path)

		again := env.do(user.Public, "GET", path, nil, "If-None-Match", etag)
		assert.Equal(t, http.StatusNotModified, again.Status, path)
		assert.Empty(t, again.Body, path)
		assert.Equal(t, etag, again.Header.Get("ETag"), path)
	}

	r := env.do(user.Public, "GET", "/lists/black", nil)
	assert.Equal(t, "public, max-age=60", r.Header.Get("Cache-Control"), "an anonymous page")
	assert.Contains(t, r.Header.Get("Vary"), "Cookie")
	signedIn := env.pageAs(t, user.Regulator, "GET", "/lists/black")
	assert.Equal(t, "no-store", signedIn.Header.Get("Cache-Control"), "a page that names the user")

	t.Run("a new publication changes the tag", func(t *testing.T) {
		before := env.do(user.Public, "GET", "/api/v1/public/lists", nil).Header.Get("ETag")
		insertEntries(t, env, listEntry(t, "le-etag", "MA09ET009", "北京朝阳标签健身有限公司",
			registry.ListGrey, day(t, "2026-03-11")))
		bumpPublication(t, env)
		require.Eventually(t, func() bool {
			r := env.do(user.Public, "GET", "/api/v1/public/lists", nil, "If-None-Match", before)
			return r.Status == http.StatusOK && r.Header.Get("ETag") != before
		}, 5*time.Second, 20*time.Millisecond)
	})
}

func TestPublic_NoticePDF(t *testing.T) {
	env := newPublicEnv(t, api.PublicOptions{})
	entries := seedPublicLists(t, env)

	for _, id := range []string{"le-yuedong", "le-meili", "le-removed"} {
		t.Run(id, func(t *testing.T) {
			r := env.do(user.Public, "GET", "/lists/entries/"+id+"/notice.pdf", nil)
			require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
			assert.Equal(t, "application/pdf", r.Header.Get("Content-Type"))
			text := pdftest.Squash(pdftest.Text(t, r.Body))

			e := entries[id]
			district := map[string]string{"110105": "朝阳区", "110108": "海淀区"}[e.District]
			want := []string{
				"公示", e.Name, string(e.USCC), e.Address, district, e.Industry.Label(), e.Kind.Label(), e.Reason,
				e.LegalBasis, e.Authority, e.DecisionNumber, beijingDay(*e.ListedAt),
			}
			if e.RemovedAt != nil {
				want = append(want, "移出", beijingDay(*e.RemovedAt))
			}
			for _, s := range want {
				assert.Contains(t, text, pdftest.Squash(s))
			}
		})
	}
}

func TestPublic_Pages(t *testing.T) {
	env := newPublicEnv(t, api.PublicOptions{})
	seedPublicLists(t, env)

	cases := []struct {
		path     string
		want     []string
		dontWant []string
	}{
		{"/", []string{`name="q"`, "黑名单", "灰名单", `href="/lists/black"`}, []string{`id="results"`}},
		{"/?q=悦动", []string{`id="results"`, "北京朝阳悦动健身有限公司", `href="/lists/entries/le-yuedong"`},
			[]string{"美丽人生"}},
		{"/?q=不存在的企业", []string{"两份名单中都没有找到"}, nil},
		{"/lists/black", []string{"严重违法失信名单", "北京朝阳悦动健身有限公司", "北京朝阳小天才教育咨询有限公司",
			`href="/api/v1/public/lists.csv?kind=black"`}, []string{"美丽人生", "瑜伽", "快洁"}},
		{"/lists/grey", []string{"北京海淀美丽人生美容美发店"}, []string{"悦动"}},
		// A link shared through a messaging app comes back with parameters of its own.
		{"/?q=悦动&from=singlemessage&isappinstalled=0", []string{"北京朝阳悦动健身有限公司"}, nil},
		{"/lists/entries/le-meili?from=singlemessage", []string{"北京海淀美丽人生美容美发店"}, nil},
		{"/lists/black?district=110108", []string{"没有符合条件的经营者"}, []string{"悦动"}},
		{"/lists/black?industry=education", []string{"小天才"}, []string{"悦动"}},
		{"/lists/entries/le-yuedong", []string{
			"北京朝阳悦动健身有限公司", "收取会员预付款后停业", "《市场监督管理严重违法失信名单管理办法》第八条",
			"北京市朝阳区市场监督管理局", "京朝市监信〔2026〕le-yuedong号", "2026-03-02", "朝阳区", "健身",
			`href="/lists/entries/le-yuedong/notice.pdf"`,
		}, []string{"已移出", "星河体育"}},
	}
	for _, tc := range cases {
		t.Run(tc.path, func(t *testing.T) {
			r := env.do(user.Public, "GET", tc.path, nil)
			require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
			body := string(r.Body)
			for _, s := range tc.want {
				assert.Contains(t, body, s)
			}
			for _, s := range tc.dontWant {
				assert.NotContains(t, body, s)
			}
			assert.NotContains(t, body, "<script", "public pages work without JavaScript")
		})
	}

	t.Run("pages of a long list", func(t *testing.T) {
		var more []registry.ListEntry
		for i := range 25 {
			n := strconv.Itoa(i)
			listed := day(t, "2025-06-01").Add(time.Duration(i) * time.Hour)
			more = append(more, listEntry(t, "le-long"+n, "MA1"+strconv.Itoa(10+i)+"LG01",
				"北京朝阳连锁"+n+"号健身房", registry.ListGrey, listed))
		}
		insertEntries(t, env, more...)
		bumpPublication(t, env)
		require.Eventually(t, func() bool {
			names, _ := env.search(t, "q=连锁&limit=50")
			return len(names) == 25
		}, 5*time.Second, 20*time.Millisecond)

		r := env.do(user.Public, "GET", "/lists/grey?q=连锁", nil)
		body := string(r.Body)
		require.Contains(t, body, `id="next"`)
		assert.Equal(t, 20, strings.Count(body, `href="/lists/entries/le-long`))
		next := between(body, `<a href="`, `" id="next"`)
		r = env.do(user.Public, "GET", strings.ReplaceAll(next, "&amp;", "&"), nil)
		require.Equal(t, http.StatusOK, r.Status)
		assert.Equal(t, 5, strings.Count(string(r.Body), `href="/lists/entries/le-long`))
		assert.NotContains(t, string(r.Body), `id="next"`)
	})

	t.Run("an unknown entry's page is not found", func(t *testing.T) {
		r := env.do(user.Public, "GET", "/lists/entries/nope", nil)
		assert.Equal(t, http.StatusNotFound, r.Status)
		assert.Contains(t, r.Header.Get("Content-Type"), "text/html")
	})
}

// between returns the text of s after the last start before end.
func between(s, start, end string) string {
	i := strings.Index(s, end)
	if i < 0 {
		return ""
	}
	j := strings.LastIndex(s[:i], start)
	if j < 0 {
		return ""
	}
	return s[j+len(start) : i]
}

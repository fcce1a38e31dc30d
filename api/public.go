package api

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"prepaidreg/internal/errs"
	"prepaidreg/registry"
)

// maxPublicQuery is the longest search text accepted, in characters.
const maxPublicQuery = 100

// publicPageSize is how many entries a public page shows.
const publicPageSize = 20

// maxPageSize is the largest page the API gives (parseLimit).
const maxPageSize = 200

// publicMaxAge is how long a client or shared cache may keep a public answer.
const publicMaxAge = "public, max-age=60"

var errNoPublicEntry = errs.E(errs.NotFound, "api.publicEntry", "没有这个公示条目 (no such published entry)")

// publicGate admits a request to the public lists: it spends one of the client's requests and
// returns the snapshot the answer is made from.
func (s *server) publicGate(c *fiber.Ctx) (*publicSnapshot, error) {
	if err := s.public.limiter.limit(c); err != nil {
		return nil, err
	}
	snap, err := s.public.current(c.UserContext())
	if err != nil {
		c.Set(fiber.HeaderRetryAfter, "5")
	}
	return snap, err
}

// cacheable marks an answer as the same for everyone for a minute and reports whether the
// client's copy (If-None-Match) is still current, in which case the handler answers 304.
func cacheable(c *fiber.Ctx, etag string) bool {
	c.Set(fiber.HeaderCacheControl, publicMaxAge)
	c.Set(fiber.HeaderETag, etag)
	for _, tag := range strings.Split(c.Get(fiber.HeaderIfNoneMatch), ",") {
		tag = strings.TrimPrefix(strings.TrimSpace(tag), "W/")
		if tag == etag || tag == "*" {
			c.Status(http.StatusNotModified)
			return true
		}
	}
	return false
}

// parsePublicQuery reads a search of the API into checked values, refusing any parameter not
// in allowed (queryParams). The API takes limit (parseLimit).
func (s *server) parsePublicQuery(c *fiber.Ctx, allowed ...string) (publicQuery, error) {
	params, err := queryParams(c, allowed...)
	if err != nil {
		return publicQuery{}, err
	}
	return s.publicQueryOf(params, "", slices.Contains(allowed, "limit"))
}

// parsePageQuery reads a public page's search. Parameters the page does not use are ignored
// rather than refused, since links shared through messaging apps come back with their own
// (from=singlemessage); kind fixes the list of a list's page. A page shows publicPageSize
// entries.
func (s *server) parsePageQuery(c *fiber.Ctx, kind registry.ListKind, used ...string) (publicQuery, error) {
	params := map[string]string{}
	for _, k := range used {
		params[k] = c.Query(k)
	}
	return s.publicQueryOf(params, kind, false)
}

// publicQueryOf checks a search's parameters, each with a message a visitor can act on.
func (s *server) publicQueryOf(
	params map[string]string,
	kind registry.ListKind,
	withLimit bool,
) (publicQuery, error) {
	var err error
	q := publicQuery{kind: kind, text: strings.TrimSpace(params["q"]), district: params["district"],
		industry: registry.Industry(params["industry"]), limit: publicPageSize}
	var bad []errs.FieldError
	if utf8.RuneCountInString(q.text) > maxPublicQuery {
		bad = append(bad, errs.FieldError{Field: "q",
			Message: "关键字最多100个字 (at most 100 characters)"})
	}
	if k := registry.ListKind(params["kind"]); k != "" {
		q.kind = k
		if k.Label() == "" {
			bad = append(bad, errs.FieldError{Field: "kind",
				Message: "名单应为 black（黑名单）或 grey（灰名单） (black or grey)"})
		}
	}
	if q.district != "" && s.Registry.Areas().DistrictName(q.district) == "" {
		bad = append(bad, errs.FieldError{Field: "district", Message: "未知的区代码 (unknown district code)"})
	}
	if q.industry != "" && !q.industry.Valid() {
		bad = append(bad, errs.FieldError{Field: "industry", Message: "未知的行业 (unknown industry)"})
	}
	if len(bad) > 0 {
		return q, newHTTPError(http.StatusBadRequest, "查询参数有误 (invalid query)", bad...)
	}
	if withLimit {
		if q.limit, err = parseLimit(params["limit"]); err != nil {
			return q, err
		}
	}
	q.after, err = parseOrderCursor(params["cursor"])
	return q, err
}

// parseOrderCursor reads a cursor made by orderCursor.
func parseOrderCursor(s string) (*orderKey, error) {
	after, err := decodeCursor(s)
	if err != nil || after == "" {
		return nil, err
	}
	listed, id, ok := strings.Cut(after, "/")
	n, perr := strconv.ParseInt(listed, 10, 64)
	if !ok || perr != nil || id == "" {
		return nil, newHTTPError(http.StatusBadRequest, "查询参数有误 (invalid query)",
			errs.FieldError{Field: "cursor", Message: "分页游标无效，请从第一页重新开始 (invalid cursor)"})
	}
	return &orderKey{listed: n, id: id}, nil
}

// orderCursor is the cursor of the page that follows it.
func orderCursor(it *publicItem) string {
	return encodeCursor(strconv.FormatInt(it.order.listed, 10) + "/" + it.order.id)
}

func (s *server) publicSearch(c *fiber.Ctx) error {
	snap, err := s.publicGate(c)
	if err != nil {
		return err
	}
	q, err := s.parsePublicQuery(c, "kind", "q", "district", "industry", "limit", "cursor")
	if err != nil || cacheable(c, snap.etag) {
		return err
	}
	var page [maxPageSize + 1]*publicItem
	items, more := snap.search(q, page[:0])
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
	writeListBody(c, items, more)
	return nil
}

// writeListBody writes a page of entries as {"items": [...], "next_cursor": "..."} from the
// entries' JSON, encoded once when the snapshot was built, straight into the response's
// pooled buffer: a search allocates no body of its own.
func writeListBody(c *fiber.Ctx, items []*publicItem, more bool) {
	w := c.Response()
	w.AppendBodyString(`{"items":[`)
	for i, it := range items {
		if i > 0 {
			w.AppendBodyString(",")
		}
		w.AppendBody(it.encoded)
	}
	w.AppendBodyString("]")
	if more {
		// A cursor is base64url: nothing in it needs escaping.
		w.AppendBodyString(`,"next_cursor":"` + orderCursor(items[len(items)-1]) + `"`)
	}
	w.AppendBodyString("}")
}

func (s *server) publicEntry(c *fiber.Ctx) error {
	snap, err := s.publicGate(c)
	if err != nil {
		return err
	}
	if _, err := queryParams(c); err != nil {
		return err
	}
	it, err := publicItemOf(c, snap)
	if err != nil || cacheable(c, snap.etag) {
		return err
	}
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
	return c.Send(it.encoded)
}

// publicItemOf returns the entry the path names.
func publicItemOf(c *fiber.Ctx, snap *publicSnapshot) (*publicItem, error) {
	id := c.Params("id")
	if unescaped, err := url.PathUnescape(id); err == nil {
		id = unescaped
	}
	it, ok := snap.entry(id)
	if !ok {
		return nil, errNoPublicEntry
	}
	return it, nil
}

func (s *server) publicCSV(c *fiber.Ctx) error {
	snap, err := s.publicGate(c)
	if err != nil {
		return err
	}
	q, err := s.parsePublicQuery(c, "kind")
	if err != nil || cacheable(c, snap.etag) {
		return err
	}
	name := "public-lists"
	if q.kind != "" {
		name = string(q.kind) + "-list"
	}
	name += "-" + time.Now().In(shanghai).Format("20060102") + ".csv"
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+name+`"`)
	return c.Send(snap.csv(q.kind))
}

// publicCSVHeader names the columns of the public lists' CSV.
var publicCSVHeader = []string{
	"编号", "名单", "企业名称", "统一社会信用代码", "地址", "所在区", "行业",
	"列入原因", "法律依据", "决定机关", "决定文书号", "列入日期",
}

// publicCSVBody writes the listed entries of kind (both lists for "") as UTF-8 CSV with a
// byte-order mark and CRLF line ends, every cell kept from being read as a formula.
func publicCSVBody(items []*publicItem, kind registry.ListKind, areas *registry.Areas) []byte {
	var buf bytes.Buffer
	buf.WriteString("\uFEFF")
	w := csv.NewWriter(&buf)
	w.UseCRLF = true
	_ = w.Write(publicCSVHeader)
	for _, it := range items {
		e := it.entry
		if kind != "" && e.Kind != kind {
			continue
		}
		row := []string{
			e.ID, e.Kind.Label(), e.Name, string(e.USCC), e.Address, districtLabel(areas, e.District),
			labelOf(e.Industry.Label(), string(e.Industry)), e.Reason, e.LegalBasis, e.Authority,
			e.DecisionNumber, dayOf(e.ListedAt),
		}
		for i, v := range row {
			row[i] = csvSafe(v)
		}
		_ = w.Write(row)
	}
	w.Flush()
	return buf.Bytes()
}

// districtLabel names a district, or shows its code when the table does not know it.
func districtLabel(areas *registry.Areas, code string) string {
	if areas == nil {
		return code
	}
	return labelOf(areas.DistrictName(code), code)
}

func labelOf(label, raw string) string {
	if label == "" {
		return raw
	}
	return label
}

// dayOf shows a day in Asia/Shanghai, or nothing.
func dayOf(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.In(shanghai).Format("2006-01-02")
}

// publicListView is what the start page and the list pages show besides the search form.
type publicListView struct {
	// Kind is the list a list page shows; empty on the start page, which searches both.
	Kind       registry.ListKind
	Intro      string
	Black      int
	Grey       int
	Searched   bool
	Items      []registry.PublicEntry
	Areas      *registry.Areas
	Districts  []option
	Industries []option
	NextURL    string
	CSVURL     string
}

// publicEntryView is what an entry's page shows.
type publicEntryView struct {
	Entry   registry.PublicEntry
	Removed bool
	Areas   *registry.Areas
}

// listIntros says what each list is, in the words of its rule.
var listIntros = map[registry.ListKind]string{
	registry.ListBlack: "依据《市场监督管理严重违法失信名单管理办法》，收取预付款后停业、转移经营场所等逃避义务，" +
		"经查实无法联系的经营者，列入严重违法失信名单（黑名单）。",
	registry.ListGrey: "经风险评估并由监管部门批准，预付式消费风险较高的经营者列入灰名单，" +
		"提醒消费者谨慎购买其预付卡。",
}

// listTitles are the list pages' headings.
var listTitles = map[registry.ListKind]string{
	registry.ListBlack: "黑名单（严重违法失信名单）",
	registry.ListGrey:  "灰名单（高风险经营者消费提示）",
}

// publicInputs names the search form input each query parameter is shown beside.
var publicInputs = map[string]string{"q": "q", "district": "district", "industry": "industry"}

func (s *server) home(c *fiber.Ctx) error {
	snap, err := s.publicGate(c)
	if err != nil {
		return err
	}
	d := pageData{Title: "黑名单、灰名单查询", Form: map[string]string{"q": c.Query("q")}}
	view := &publicListView{Black: snap.black, Grey: snap.grey, Areas: snap.areas}
	d.Data = view
	q, err := s.parsePageQuery(c, "", "q", "cursor")
	if err != nil {
		return s.publicFormFailed(c, "home", d, err)
	}
	if q.text != "" {
		view.Searched = true
		s.fillResults(c, snap, q, view)
	}
	return s.renderPublic(c, "home", d)
}

func (s *server) blackListPage(c *fiber.Ctx) error { return s.listPage(c, registry.ListBlack) }
func (s *server) greyListPage(c *fiber.Ctx) error  { return s.listPage(c, registry.ListGrey) }

// listPage shows one list, newest listing first, with a search by name, code, district and
// industry.
func (s *server) listPage(c *fiber.Ctx, kind registry.ListKind) error {
	snap, err := s.publicGate(c)
	if err != nil {
		return err
	}
	form := map[string]string{"q": c.Query("q"), "district": c.Query("district"), "industry": c.Query("industry")}
	d := pageData{Title: listTitles[kind], Form: form}
	view := &publicListView{
		Kind: kind, Intro: listIntros[kind], Black: snap.black, Grey: snap.grey, Areas: snap.areas,
		Districts: s.districtOptions(form["district"]), Industries: industryOptions(form["industry"]),
		CSVURL: "/api/v1/public/lists.csv?kind=" + string(kind),
	}
	d.Data = view
	q, err := s.parsePageQuery(c, kind, "q", "district", "industry", "cursor")
	if err != nil {
		return s.publicFormFailed(c, "lists", d, err)
	}
	s.fillResults(c, snap, q, view)
	return s.renderPublic(c, "lists", d)
}

// fillResults runs the search and adds a page of results and the link to the next.
func (s *server) fillResults(c *fiber.Ctx, snap *publicSnapshot, q publicQuery, view *publicListView) {
	items, more := snap.search(q, nil)
	view.Items = make([]registry.PublicEntry, len(items))
	for i, it := range items {
		view.Items[i] = it.entry
	}
	if !more {
		return
	}
	v := url.Values{}
	for _, k := range []string{"q", "district", "industry"} {
		if c.Query(k) != "" {
			v.Set(k, c.Query(k))
		}
	}
	v.Set("cursor", orderCursor(items[len(items)-1]))
	view.NextURL = c.Path() + "?" + v.Encode()
}

// publicFormFailed shows a public page again with its search refused: 400 with the messages
// beside the inputs. Any other error goes to the error page.
func (s *server) publicFormFailed(c *fiber.Ctx, page string, d pageData, err error) error {
	fields, ok := queryErrors(err)
	if !ok {
		return err
	}
	d.FieldErrors, d.Error = placeErrors(fields, publicInputs, nil)
	c.Status(http.StatusBadRequest)
	return s.render(c, page, d)
}

// renderPublic renders a public page. A visitor who is not signed in gets the same page as
// everyone else, which caches may keep for a minute; a signed-in user's page names the user
// and is not kept.
func (s *server) renderPublic(c *fiber.Ctx, name string, d pageData) error {
	if err := s.render(c, name, d); err != nil {
		return err
	}
	if currentUser(c) == nil {
		c.Set(fiber.HeaderCacheControl, publicMaxAge)
		c.Vary(fiber.HeaderCookie)
	}
	return nil
}

func (s *server) entryPage(c *fiber.Ctx) error {
	snap, err := s.publicGate(c)
	if err != nil {
		return err
	}
	it, err := publicItemOf(c, snap)
	if err != nil {
		return err
	}
	view := publicEntryView{Entry: it.entry, Removed: !it.onList, Areas: snap.areas}
	return s.renderPublic(c, "entry", pageData{Title: it.entry.Name, Data: view})
}

func (s *server) noticePDF(c *fiber.Ctx) error {
	snap, err := s.publicGate(c)
	if err != nil {
		return err
	}
	it, err := publicItemOf(c, snap)
	if err != nil || cacheable(c, snap.etag) {
		return err
	}
	b, err := snap.notice(it)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/pdf")
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf(`inline; filename="notice-%s.pdf"`, fileSafe(it.entry.ID)))
	return c.Send(b)
}

// fileSafe keeps the letters, digits, '-' and '_' of s, for a download's file name.
func fileSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '-' || r == '_' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' {
			return r
		}
		return '_'
	}, s)
}

package api

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"prepaidreg/registry"
)

// PublicOptions tune the public lists. The zero value is what production runs with.
type PublicOptions struct {
	// Context ends the background refresh of the public lists; nil lets it run as long as the
	// process.
	Context context.Context
	// RefreshEvery is how often the publication version is read to notice decisions approved
	// by other instances; default 2 s.
	RefreshEvery time.Duration
	// Rate and Burst limit each client address on the public routes to Rate requests a second
	// after a burst of Burst; defaults 20 and 40.
	Rate  float64
	Burst int
}

const (
	defaultPublicRefresh = 2 * time.Second
	// publicLoadTimeout bounds one refresh of the snapshot.
	publicLoadTimeout = 30 * time.Second
	// publicFirstWait is how long a request waits for the very first snapshot before it is
	// answered 503.
	publicFirstWait = 10 * time.Second
	// maxCodeCandidates is the largest set of code-prefix matches merged by hand; a prefix that
	// more entries share is served by scanning the list in order, where matches are then dense.
	maxCodeCandidates = 512
	// maxCachedNotices bounds the notice PDFs kept per snapshot.
	maxCachedNotices = 256
)

// errPublicLoading answers requests that arrive before the first snapshot is in.
var errPublicLoading = newHTTPError(http.StatusServiceUnavailable,
	"公示名单正在加载，请稍后再试 (the public lists are loading; try again shortly)")

// publicLists serves the public lists from an immutable in-memory snapshot of the published
// entries, so that public traffic never reaches the store. The snapshot is loaded on first use
// and replaced whole (an atomic pointer swap) when the publication version changes: at once
// when this instance approves a decision (server.refreshPublic), and within RefreshEvery when
// another instance does.
type publicLists struct {
	source  registry.PublicStore
	areas   *registry.Areas
	logger  *slog.Logger
	opts    PublicOptions
	limiter *rateLimiter

	snap      atomic.Pointer[publicSnapshot]
	refreshMu sync.Mutex
	start     sync.Once
	ready     chan struct{}
	readyOnce sync.Once
	failing   atomic.Bool
}

// newPublicLists prepares the public lists of d; nothing is read until the first public request.
func newPublicLists(d Deps) *publicLists {
	p := &publicLists{
		logger: d.Logger, opts: d.Public, ready: make(chan struct{}),
		limiter: newRateLimiter(d.Public.Rate, d.Public.Burst),
	}
	if d.Registry != nil {
		p.source, p.areas = d.Registry, d.Registry.Areas()
	}
	if p.opts.RefreshEvery <= 0 {
		p.opts.RefreshEvery = defaultPublicRefresh
	}
	return p
}

// refreshPublic reloads the public lists at once. The list-decision handlers call it after an
// approval or a removal has been stored, so that this instance shows the change on the next
// request; other instances notice it by polling. A failure is logged, not returned: the
// decision stands, and the next poll tries again.
func (s *server) refreshPublic(ctx context.Context) {
	if err := s.public.refresh(ctx); err != nil {
		s.logger.Warn("public lists not refreshed; the next poll retries", "err", err)
	}
}

// current returns the snapshot, starting the poller on first use and waiting for the first
// load if it is not in yet.
func (p *publicLists) current(ctx context.Context) (*publicSnapshot, error) {
	p.start.Do(p.startPolling)
	if snap := p.snap.Load(); snap != nil {
		return snap, nil
	}
	wait := time.NewTimer(publicFirstWait)
	defer wait.Stop()
	select {
	case <-p.ready:
		return p.snap.Load(), nil
	case <-wait.C:
	case <-ctx.Done():
	}
	return nil, errPublicLoading
}

func (p *publicLists) startPolling() {
	ctx := p.opts.Context
	if ctx == nil {
		ctx = context.Background()
	}
	go p.poll(ctx)
}

// poll loads the snapshot, then reads the publication version every RefreshEvery and reloads
// when it has moved, until ctx ends.
func (p *publicLists) poll(ctx context.Context) {
	tick := time.NewTicker(p.opts.RefreshEvery)
	defer tick.Stop()
	for {
		p.check(ctx)
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// check reloads the snapshot if there is none yet or the publication version has moved. A
// failure is logged once until the store answers again.
func (p *publicLists) check(ctx context.Context) {
	loadCtx, cancel := context.WithTimeout(ctx, publicLoadTimeout)
	defer cancel()
	err := p.checkVersion(loadCtx)
	switch {
	case err == nil:
		if p.failing.Swap(false) {
			p.logger.Info("public lists refresh works again")
		}
	case ctx.Err() != nil:
		// Stopping: not a failure.
	case !p.failing.Swap(true):
		p.logger.Warn("public lists refresh failed; serving the last snapshot", "err", err)
	}
}

func (p *publicLists) checkVersion(ctx context.Context) error {
	if p.source == nil {
		return errors.New("no registry to read the public lists from")
	}
	v, err := p.source.PublicationVersion(ctx)
	if err != nil {
		return err
	}
	if snap := p.snap.Load(); snap != nil && snap.version == v {
		return nil
	}
	return p.refresh(ctx)
}

// refresh reads the version, then the entries, builds a snapshot and swaps it in. The version
// is read first so that a snapshot never claims a version newer than its entries; refreshes
// run one at a time, so a later one always wins.
func (p *publicLists) refresh(ctx context.Context) error {
	if p.source == nil {
		return errors.New("no registry to read the public lists from")
	}
	p.refreshMu.Lock()
	defer p.refreshMu.Unlock()

	start := time.Now()
	v, err := p.source.PublicationVersion(ctx)
	if err != nil {
		return err
	}
	entries, err := p.source.PublishedEntries(ctx)
	if err != nil {
		return err
	}
	snap, err := buildSnapshot(v, entries, p.areas)
	if err != nil {
		return err
	}
	p.snap.Store(snap)
	p.readyOnce.Do(func() { close(p.ready) })
	p.logger.Info("public lists loaded", slog.Int64("version", v), slog.Int("listed", len(snap.listed)),
		slog.Int("entries", len(snap.byID)), slog.Duration("took", time.Since(start)))
	return nil
}

// publicSnapshot is the published entries at one publication version, never changed once
// built. Entries on a list are kept newest listing first, with an index for search: every one-
// and two-character piece of the normalised names (registry.NameKey of the name and former
// names) maps to the positions of the entries that contain it, and the codes are kept sorted
// for prefix search.
type publicSnapshot struct {
	version int64
	etag    string
	areas   *registry.Areas
	listed  []*publicItem
	byID    map[string]*publicItem
	grams   map[string][]int32
	codes   []codeRef
	black   int
	grey    int

	csvs     [3]lazyBytes
	noticeMu sync.Mutex
	notices  map[string][]byte
}

// publicItem is one entry as the public sees it, with what search and paging need.
type publicItem struct {
	entry   registry.PublicEntry
	onList  bool
	keys    []string
	order   orderKey
	encoded []byte
}

// orderKey places an entry in the lists' order: newest listing first, then by id. A page's
// cursor is the key of its last entry, so paging survives a snapshot swap.
type orderKey struct {
	listed int64
	id     string
}

// codeRef is an entry's code and position in the list.
type codeRef struct {
	code string
	pos  int32
}

// lazyBytes is a body built on first use.
type lazyBytes struct {
	once sync.Once
	b    []byte
}

// buildSnapshot makes the snapshot of version from the entries the store returned.
func buildSnapshot(version int64, entries []registry.ListEntry, areas *registry.Areas) (*publicSnapshot, error) {
	s := &publicSnapshot{version: version, areas: areas, byID: make(map[string]*publicItem, len(entries))}
	var sum uint64
	for i := range entries {
		it, err := newPublicItem(&entries[i])
		if err != nil {
			return nil, err
		}
		if it == nil {
			continue
		}
		s.byID[it.entry.ID] = it
		sum += hashOf(it.encoded)
		if it.onList {
			s.listed = append(s.listed, it)
		}
	}
	slices.SortFunc(s.listed, func(a, b *publicItem) int { return compareOrder(a.order, b.order) })
	s.index()
	s.etag = fmt.Sprintf(`"%d-%x"`, version, sum)
	return s, nil
}

// newPublicItem keeps an entry's published fields, or returns nil for an entry the public may
// not see. An entry on a list has no removal date; a removed one always has one (its last
// change, should the decision not have recorded it).
func newPublicItem(e *registry.ListEntry) (*publicItem, error) {
	onList := e.State == registry.EntryPublished || e.State == registry.EntryRemovalProposed
	if !onList && e.State != registry.EntryRemoved {
		return nil, nil
	}
	pub := e.Public()
	pub.RemovedAt = nil
	if !onList {
		pub.RemovedAt = cmp.Or(e.RemovedAt, &e.UpdatedAt)
	}
	encoded, err := json.Marshal(pub)
	if err != nil {
		return nil, fmt.Errorf("encode entry %s: %w", e.ID, err)
	}
	it := &publicItem{entry: pub, onList: onList, encoded: encoded, order: orderKey{listed: minListed, id: e.ID}}
	if e.ListedAt != nil {
		it.order.listed = e.ListedAt.UnixNano()
	}
	for _, name := range append([]string{e.Name}, e.FormerNames...) {
		if k := registry.NameKey(name); k != "" && !slices.Contains(it.keys, k) {
			it.keys = append(it.keys, k)
		}
	}
	return it, nil
}

// minListed orders an entry without a listing date last.
const minListed = -1 << 63

func hashOf(b []byte) uint64 {
	h := fnv.New64a()
	_, _ = h.Write(b)
	return h.Sum64()
}

func compareOrder(a, b orderKey) int {
	return cmp.Or(cmp.Compare(b.listed, a.listed), strings.Compare(a.id, b.id))
}

// index builds the search index of the listed entries and counts them by list.
func (s *publicSnapshot) index() {
	s.grams = map[string][]int32{}
	s.codes = make([]codeRef, len(s.listed))
	for p, it := range s.listed {
		pos := int32(p)
		for _, k := range it.keys {
			runes := []rune(k)
			for i := range runes {
				s.addGram(string(runes[i]), pos)
				if i+1 < len(runes) {
					s.addGram(string(runes[i:i+2]), pos)
				}
			}
		}
		s.codes[p] = codeRef{code: string(it.entry.USCC), pos: pos}
		switch it.entry.Kind {
		case registry.ListBlack:
			s.black++
		case registry.ListGrey:
			s.grey++
		}
	}
	slices.SortFunc(s.codes, func(a, b codeRef) int { return strings.Compare(a.code, b.code) })
}

func (s *publicSnapshot) addGram(g string, pos int32) {
	list := s.grams[g]
	if n := len(list); n > 0 && list[n-1] == pos {
		return
	}
	s.grams[g] = append(list, pos)
}

// publicQuery is a checked search of the public lists.
type publicQuery struct {
	kind     registry.ListKind
	text     string
	district string
	industry registry.Industry
	limit    int
	after    *orderKey
}

// matcher decides whether an entry answers a query. The text is compared as text, after the
// same normalisation as the names (full-width folded, lower case, no spaces or brackets), so
// that a Chinese fragment matches by substring and no character has a special meaning.
type matcher struct {
	q    publicQuery
	name string
	code string
}

func newMatcher(q publicQuery) matcher {
	m := matcher{q: q}
	if q.text != "" {
		m.name = registry.NameKey(q.text)
		m.code, _ = registry.ParseUSCCPrefix(m.name)
	}
	return m
}

func (m matcher) match(it *publicItem) bool {
	e := &it.entry
	switch {
	case m.q.kind != "" && e.Kind != m.q.kind,
		m.q.district != "" && e.District != m.q.district,
		m.q.industry != "" && e.Industry != m.q.industry:
		return false
	case m.q.text == "":
		return true
	case m.code != "" && strings.HasPrefix(string(e.USCC), m.code):
		return true
	case m.name == "":
		return false
	}
	for _, k := range it.keys {
		if strings.Contains(k, m.name) {
			return true
		}
	}
	return false
}

// search returns one page of the listed entries that answer q, in the lists' order, and
// whether more follow. The page is appended to dst, which a caller may give room for
// maxPageSize+1 entries on its stack.
func (s *publicSnapshot) search(q publicQuery, dst []*publicItem) ([]*publicItem, bool) {
	m := newMatcher(q)
	start := s.startAfter(q.after)
	out := dst[:0]
	visit := func(p int) bool {
		if it := s.listed[p]; m.match(it) {
			out = append(out, it)
		}
		return len(out) <= q.limit
	}

	list, all := s.candidates(m)
	if all {
		for p := start; p < len(s.listed) && visit(p); p++ {
		}
	} else {
		i, _ := slices.BinarySearch(list, int32(start))
		for ; i < len(list) && visit(int(list[i])); i++ {
		}
	}
	if len(out) > q.limit {
		return out[:q.limit], true
	}
	return out, false
}

// startAfter returns the position of the first entry after the cursor's.
func (s *publicSnapshot) startAfter(after *orderKey) int {
	if after == nil {
		return 0
	}
	return sort.Search(len(s.listed), func(i int) bool { return compareOrder(s.listed[i].order, *after) > 0 })
}

// candidates narrows a search to the positions that may answer it, ascending: the shortest
// posting list among the pieces of the text, merged with the entries whose code starts with
// it. It reports all when the whole list is to be scanned instead: no text, or a code prefix
// that very many entries share.
func (s *publicSnapshot) candidates(m matcher) ([]int32, bool) {
	if m.q.text == "" {
		return nil, true
	}
	names := s.nameCandidates(m.name)
	if m.code == "" {
		return names, false
	}
	lo := sort.Search(len(s.codes), func(i int) bool { return s.codes[i].code >= m.code })
	rest := s.codes[lo:]
	n := sort.Search(len(rest), func(i int) bool { return !strings.HasPrefix(rest[i].code, m.code) })
	if n > maxCodeCandidates {
		return nil, true
	}
	codes := make([]int32, n)
	for i, r := range rest[:n] {
		codes[i] = r.pos
	}
	slices.Sort(codes)
	return mergeSorted(names, codes), false
}

// nameCandidates returns the shortest posting list among the text's two-character pieces (its
// one character, for a single character), or none if a piece occurs nowhere. Pieces are
// slices of the text, so looking them up allocates nothing.
func (s *publicSnapshot) nameCandidates(name string) []int32 {
	var best []int32
	prev, pieces := -1, 0
	for i := range name {
		if prev >= 0 {
			_, size := utf8.DecodeRuneInString(name[i:])
			list, ok := s.grams[name[prev:i+size]]
			if !ok {
				return nil
			}
			if pieces == 0 || len(list) < len(best) {
				best = list
			}
			pieces++
		}
		prev = i
	}
	if pieces == 0 {
		return s.grams[name]
	}
	return best
}

// mergeSorted returns the union of two ascending lists, ascending.
func mergeSorted(a, b []int32) []int32 {
	out := make([]int32, 0, len(a)+len(b))
	for len(a) > 0 || len(b) > 0 {
		switch {
		case len(b) == 0 || len(a) > 0 && a[0] < b[0]:
			out, a = append(out, a[0]), a[1:]
		case len(a) == 0 || b[0] < a[0]:
			out, b = append(out, b[0]), b[1:]
		default:
			out, a, b = append(out, a[0]), a[1:], b[1:]
		}
	}
	return out
}

// entry returns a published or removed entry by id.
func (s *publicSnapshot) entry(id string) (*publicItem, bool) {
	it, ok := s.byID[id]
	return it, ok
}

// csv returns the listed entries of kind (both lists for "") as CSV, built once per snapshot.
func (s *publicSnapshot) csv(kind registry.ListKind) []byte {
	slot := &s.csvs[kindSlot(kind)]
	slot.once.Do(func() { slot.b = publicCSVBody(s.listed, kind, s.areas) })
	return slot.b
}

func kindSlot(kind registry.ListKind) int {
	switch kind {
	case registry.ListBlack:
		return 1
	case registry.ListGrey:
		return 2
	}
	return 0
}

// notice returns the publication notice PDF of an entry, kept for later requests while the
// cache has room.
func (s *publicSnapshot) notice(it *publicItem) ([]byte, error) {
	s.noticeMu.Lock()
	b, ok := s.notices[it.entry.ID]
	s.noticeMu.Unlock()
	if ok {
		return b, nil
	}
	b, err := registry.PublicationNoticePDF(it.entry, s.areas)
	if err != nil {
		return nil, err
	}
	s.noticeMu.Lock()
	defer s.noticeMu.Unlock()
	if s.notices == nil {
		s.notices = map[string][]byte{}
	}
	if len(s.notices) < maxCachedNotices {
		s.notices[it.entry.ID] = b
	}
	return b, nil
}

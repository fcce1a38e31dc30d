package registry

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"prepaidreg/internal/audit"
	"prepaidreg/internal/errs"
	"prepaidreg/internal/sheet"
)

// ComplaintStore is what complaint intake needs of its storage.
type ComplaintStore interface {
	// InsertComplaints inserts the new complaints and names the ids already on file.
	InsertComplaints(ctx context.Context, cs []*Complaint) (inserted, duplicates []string, err error)
	GetComplaint(ctx context.Context, id string) (*Complaint, error)
	// UpdateComplaint writes c if the stored version is still c.Version-1; otherwise Stale.
	UpdateComplaint(ctx context.Context, c *Complaint) error
	ListComplaints(ctx context.Context, q ComplaintQuery) ([]Complaint, error)
	NameIndex(ctx context.Context) (*NameIndex, error)
	// AddCounters adds each enterprise's counts to its counters and records the assessments
	// made from the new counts.
	AddCounters(ctx context.Context, deltas map[USCC]*ComplaintCounters, risks []Assessment) error
	// MarkImport opens or refreshes an import's mark, adding the enterprises it will count
	// into; CloseImport closes it once their counts are added.
	MarkImport(ctx context.Context, id string, enterprises []USCC, at time.Time) error
	CloseImport(ctx context.Context, id string) error
	// OpenImports returns the marks not yet closed.
	OpenImports(ctx context.Context) ([]ImportMark, error)
	// Recount rebuilds an enterprise's counters from its complaints.
	Recount(ctx context.Context, uscc USCC) (before, after ComplaintCounters, err error)
	// LinkWaiting links the unlinked complaints naming the enterprise and returns their ids.
	LinkWaiting(ctx context.Context, uscc USCC, keys []string, at time.Time) ([]string, error)
	EnterpriseCodes(ctx context.Context) ([]USCC, error)
	// GetEnterpriseFile reads the enterprise with its summaries, in one read.
	GetEnterpriseFile(ctx context.Context, uscc USCC) (*EnterpriseFile, error)
	// SaveImport writes an import's report, creating it the first time.
	SaveImport(ctx context.Context, r *ImportReport) error
	GetImport(ctx context.Context, id string) (*ImportReport, error)
}

// HotlineSource is the source name of 12345 hotline work orders.
const HotlineSource = "12345"

// maxComplaintText is the longest complaint text kept.
const maxComplaintText = 10_000

// prepare checks a complaint as it arrives and fills in what the bureau derives from it: the
// category (the hotline's own, mapped, else tagged from the text), the handling state, and
// the enterprise it names, found in idx.
func (s *Service) prepare(in ComplaintInput, idx *NameIndex, now time.Time) (*Complaint, []errs.FieldError) {
	var fe []errs.FieldError
	bad := func(field, msg string) { fe = append(fe, errs.FieldError{Field: field, Message: msg}) }

	source := strings.TrimSpace(in.Source)
	if source == "" {
		source = HotlineSource
	}
	ticket := strings.TrimSpace(in.Ticket)
	switch {
	case ticket == "":
		bad("ticket", "请填写工单编号 (ticket number required)")
	case utf8.RuneCountInString(ticket) > 64 || strings.ContainsAny(ticket, ":\x00\r\n\t"):
		bad("ticket", "工单编号最多64个字符，且不能含冒号或控制字符 (at most 64 characters, no colons)")
	}
	if len(source) > 32 || strings.ContainsAny(source, ":\x00") {
		bad("source", "来源最多32个字符，且不能含冒号 (at most 32 characters, no colons)")
	}
	if in.ReceivedAt.IsZero() {
		bad("received_at", "请填写受理时间 (received time required)")
	} else if in.ReceivedAt.After(now.Add(24 * time.Hour)) {
		bad("received_at", "受理时间不能晚于今天 (received time is in the future)")
	}
	text := strings.TrimSpace(in.Text)
	if text == "" {
		bad("text", "请填写诉求内容 (complaint text required)")
	} else if utf8.RuneCountInString(text) > maxComplaintText {
		bad("text", fmt.Sprintf("诉求内容最多%d个字 (at most %d characters)", maxComplaintText, maxComplaintText))
	}
	name := strings.TrimSpace(in.ReportedName)
	if utf8.RuneCountInString(name) > 200 {
		bad("reported_name", "被反映主体最多200个字 (at most 200 characters)")
	}
	var reported USCC
	if code := strings.TrimSpace(in.ReportedUSCC); code != "" {
		u, err := ParseUSCC(code)
		if err != nil {
			bad("reported_uscc", err.Error())
		}
		reported = u
	}
	if name == "" && in.ReportedUSCC == "" {
		bad("reported_name", "请填写被反映主体名称或统一社会信用代码 (name or USCC of the enterprise required)")
	}
	if in.AmountFen < 0 || in.AmountFen > 1_000_000_000_00 {
		bad("amount_fen", "涉及金额应为0至10亿元之间的整数分 (amount in fen, 0 to 10^11)")
	}
	if in.District != "" && s.areas.DistrictName(in.District) == "" {
		bad("district", "未知的区代码 (unknown district code)")
	}
	if in.Category != "" && !in.Category.Valid() {
		bad("category", "未知的投诉类别 (unknown category)")
	}
	for field, v := range map[string]string{
		"complainant_name": in.ComplainantName, "complainant_phone": in.ComplainantPhone,
		"street": in.Street, "hotline_category": in.HotlineCategory, "handling_status": in.HandlingStatus,
		"satisfaction": in.Satisfaction} {
		if utf8.RuneCountInString(v) > 100 {
			bad(field, "最多100个字 (at most 100 characters)")
		}
	}
	if len(fe) > 0 {
		return nil, fe
	}

	c := &Complaint{
		ID: ComplaintID(source, ticket), Source: source, Ticket: ticket,
		ReceivedAt: in.ReceivedAt.UTC(), ComplainantName: strings.TrimSpace(in.ComplainantName),
		ComplainantPhone: strings.TrimSpace(in.ComplainantPhone), ReportedName: name, ReportedUSCC: string(reported),
		ReportedKey: NameKey(name), District: in.District, Street: strings.TrimSpace(in.Street), Text: text,
		HotlineCategory: strings.TrimSpace(in.HotlineCategory), AmountFen: in.AmountFen,
		HandlingStatus: strings.TrimSpace(in.HandlingStatus), Satisfaction: strings.TrimSpace(in.Satisfaction),
		TagEvidence: []string{}, Version: 1, CreatedAt: now, UpdatedAt: now,
	}
	c.Handling = s.handling(c.HandlingStatus)
	s.categorise(c, in.Category)
	c.USCC, c.LinkedBy = idx.Match(reported, c.ReportedKey)
	return c, nil
}

// handling maps the hotline's handling status; a status the mapping does not know counts as
// still open, so that nothing unfinished is reported as concluded.
func (s *Service) handling(raw string) Handling {
	if h := Handling(s.currentMapping().HandlingState(raw)); h != "" {
		return h
	}
	return HandlingOpen
}

// ComplaintRows reads a 12345 export with the column mapping in force, which it reads from the
// store so that an administrator's change reaches every instance.
func (s *Service) ComplaintRows(ctx context.Context, r *sheet.Reader) (*ComplaintRows, error) {
	set, err := s.ColumnMappingSetting(ctx)
	if err != nil {
		return nil, err
	}
	s.setMapping(set.Mapping)
	return NewComplaintRows(r, set.Mapping, s.areas, HotlineSource)
}

// currentMapping returns the column mapping last read or set.
func (s *Service) currentMapping() ColumnMapping {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.mapping
}

func (s *Service) setMapping(m ColumnMapping) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.mapping = m
}

// categorise sets the category: as given, else the hotline's mapped, else tagged by rules.
func (s *Service) categorise(c *Complaint, given Category) {
	if given != "" {
		c.Category, c.CategorySource = given, CategoryGiven
		return
	}
	if cat, ok := s.tagger.MapHotline(c.HotlineCategory); ok && cat != CategoryOther {
		c.Category, c.CategorySource = cat, CategoryGiven
		return
	}
	t := s.tagger.Tag(c.Text)
	c.Category, c.CategorySource, c.TagEvidence = t.Category, CategoryRules, t.Matched
	if c.TagEvidence == nil {
		c.TagEvidence = []string{}
	}
}

// ComplaintResult is the answer to one complaint sent in: the complaint on file, and whether
// this request created it or it was already there.
type ComplaintResult struct {
	Complaint *Complaint
	Created   bool
}

// CreateComplaint files one complaint. The same source and ticket sent again returns the
// complaint already on file, unchanged.
func (s *Service) CreateComplaint(ctx context.Context, actor audit.Actor, in ComplaintInput) (*ComplaintResult, error) {
	const op = "registry.CreateComplaint"
	now := s.now().UTC().Truncate(time.Millisecond)
	idx, err := s.complaints.NameIndex(ctx)
	if err != nil {
		return nil, err
	}
	c, fe := s.prepare(in, idx, now)
	if fe != nil {
		return nil, errs.Fields(op, fe...)
	}

	rep := &ImportReport{ID: "api-" + newImportID(now)}
	counts := newCounts()
	if err := s.fileBatch(ctx, actor, "complaint.create", []*Complaint{c}, rep, counts); err != nil {
		return nil, err
	}
	if err := s.flushCounts(ctx, rep.ID, counts); err != nil {
		return nil, err
	}
	if err := s.detectWarnings(ctx, counts.enterprises()); err != nil {
		return nil, err
	}
	if rep.Duplicates == 1 {
		existing, err := s.complaints.GetComplaint(ctx, c.ID)
		return &ComplaintResult{Complaint: existing}, err
	}
	return &ComplaintResult{Complaint: c, Created: true}, nil
}

// Complaint returns one complaint.
func (s *Service) Complaint(ctx context.Context, id string) (*Complaint, error) {
	if len(id) > 200 {
		return nil, errs.E(errs.NotFound, "registry.Complaint", "没有这件投诉 (no such complaint)")
	}
	return s.complaints.GetComplaint(ctx, id)
}

// ComplaintCursor is where a page of complaints ended.
type ComplaintCursor struct {
	ReceivedAt time.Time
	ID         string
}

// ComplaintQuery selects complaints, newest first.
type ComplaintQuery struct {
	USCC     USCC
	Category Category
	Handling Handling
	District string
	From, To time.Time
	// Linked, when set, selects linked (true) or unlinked (false) complaints.
	Linked *bool
	After  *ComplaintCursor
	// Limit is the page size; 0 means all (exports).
	Limit int
}

// ComplaintPage is one page of complaints.
type ComplaintPage struct {
	Items []Complaint
	Next  *ComplaintCursor
}

// ListComplaints returns one page of complaints matching q.
func (s *Service) ListComplaints(ctx context.Context, q ComplaintQuery) (ComplaintPage, error) {
	want := q.Limit
	if want > 0 {
		q.Limit++
	}
	items, err := s.complaints.ListComplaints(ctx, q)
	if err != nil {
		return ComplaintPage{}, err
	}
	page := ComplaintPage{Items: items}
	if want > 0 && len(items) > want {
		page.Items = items[:want]
		last := page.Items[want-1]
		page.Next = &ComplaintCursor{ReceivedAt: last.ReceivedAt, ID: last.ID}
	}
	return page, nil
}

// LinkComplaint links a complaint to an enterprise by hand. With addAlias, the name the
// complainant used becomes an alias of the enterprise so that later complaints using it link
// themselves.
func (s *Service) LinkComplaint(
	ctx context.Context,
	actor audit.Actor,
	id string,
	uscc string,
	addAlias bool,
) (*Complaint, error) {
	const op = "registry.LinkComplaint"
	c, err := s.Complaint(ctx, id)
	if err != nil {
		return nil, err
	}
	e, err := s.Enterprise(ctx, uscc)
	if err != nil {
		return nil, err
	}
	previous := c.USCC
	if previous == e.USCC {
		return c, nil
	}

	c.USCC, c.LinkedBy = e.USCC, "manual"
	c.Version++
	c.UpdatedAt = s.now().UTC().Truncate(time.Millisecond)
	if err := s.complaints.UpdateComplaint(ctx, c); err != nil {
		return nil, err
	}
	if _, err := s.audit.Append(ctx, audit.Entry{Actor: actor, Action: "complaint.link", Target: "complaint/" + c.ID,
		Change: map[string]any{"uscc": FieldChange{From: previous, To: e.USCC}}}); err != nil {
		return nil, errs.Wrap(errs.Internal, op, err)
	}
	if err := s.recountAndRescore(ctx, previous, e.USCC); err != nil {
		return nil, err
	}

	if addAlias && c.ReportedName != "" && NameKey(c.ReportedName) != NameKey(e.Name) {
		aliases := append(append([]string{}, e.Aliases...), c.ReportedName)
		if _, err := s.UpdateEnterprise(ctx, actor, e.USCC.String(), e.Version,
			EnterprisePatch{Aliases: &aliases}); err != nil {
			return nil, err
		}
	}
	return s.Complaint(ctx, id)
}

// CorrectCategory sets a complaint's category by a regulator's judgement. The correction is
// kept: later imports of the same ticket do not overwrite it.
func (s *Service) CorrectCategory(
	ctx context.Context,
	actor audit.Actor,
	id string,
	ifMatch int64,
	cat Category,
) (*Complaint, error) {
	const op = "registry.CorrectCategory"
	if !cat.Valid() {
		return nil, errs.Fields(op, errs.FieldError{Field: "category", Message: "未知的投诉类别 (unknown category)"})
	}
	c, err := s.Complaint(ctx, id)
	if err != nil {
		return nil, err
	}
	if c.Version != ifMatch {
		return nil, errs.E(errs.Stale, op, "投诉已被他人修改，请刷新后重试 (the complaint changed since you read it)")
	}
	from := c.Category
	c.Category, c.CategorySource = cat, CategoryCorrected
	c.Version++
	c.UpdatedAt = s.now().UTC().Truncate(time.Millisecond)
	if err := s.complaints.UpdateComplaint(ctx, c); err != nil {
		return nil, err
	}
	if _, err := s.audit.Append(ctx, audit.Entry{Actor: actor,
		Action: "complaint.category", Target: "complaint/" + c.ID,
		Change: map[string]any{"category": FieldChange{From: from, To: cat}}}); err != nil {
		return nil, errs.Wrap(errs.Internal, op, err)
	}
	if err := s.recountAndRescore(ctx, c.USCC); err != nil {
		return nil, err
	}
	return c, nil
}

// linkWaiting links the complaints waiting for a newly registered or renamed enterprise and
// brings its counters up to date.
func (s *Service) linkWaiting(ctx context.Context, actor audit.Actor, e *Enterprise) error {
	ids, err := s.complaints.LinkWaiting(ctx, e.USCC, e.nameKeys(), s.now().UTC())
	if err != nil || len(ids) == 0 {
		return err
	}
	if _, err := s.audit.Append(ctx, audit.Entry{Actor: actor, Action: "complaint.link_later", Target: e.target(),
		Change: map[string]any{"linked": ids}}); err != nil {
		return errs.Wrap(errs.Internal, "registry.linkWaiting", err)
	}
	return s.recountAndRescore(ctx, e.USCC)
}

// recountAndRescore rebuilds the counters of the enterprises named (empty codes are skipped)
// and assesses them afresh.
func (s *Service) recountAndRescore(ctx context.Context, codes ...USCC) error {
	var changed []USCC
	for _, u := range codes {
		if u == "" {
			continue
		}
		if _, _, err := s.complaints.Recount(ctx, u); err != nil {
			return err
		}
		changed = append(changed, u)
	}
	_, err := s.Rescore(ctx, changed)
	return err
}

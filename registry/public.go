package registry

import (
	"context"
	"time"

	"prepaidreg/internal/errs"
	"prepaidreg/internal/pdf"
)

// PublicStore reads what the public lists are made of. The public pages keep these entries in
// memory and read the store only to see whether a decision has changed them since.
type PublicStore interface {
	// PublishedEntries returns, in one query, every entry the public may see: those on a list
	// (published, removal_proposed) and those taken off it (removed), whose pages show the
	// removal. Only the published fields, former names, state and times are filled in.
	PublishedEntries(ctx context.Context) ([]ListEntry, error)
	// PublicationVersion returns the number every approval or removal of a list decision
	// increments, or 0 before the first.
	PublicationVersion(ctx context.Context) (int64, error)
}

var _ PublicStore = (*MongoStore)(nil)

// publicStore returns the service's store as a PublicStore.
func (s *Service) publicStore(op string) (PublicStore, error) {
	ps, ok := s.store.(PublicStore)
	if !ok {
		return nil, errs.E(errs.Internal, op, "the registry's store cannot read the published lists")
	}
	return ps, nil
}

// PublishedEntries returns every entry the public may see: on a list or removed from one.
func (s *Service) PublishedEntries(ctx context.Context) ([]ListEntry, error) {
	ps, err := s.publicStore("registry.PublishedEntries")
	if err != nil {
		return nil, err
	}
	return ps.PublishedEntries(ctx)
}

// PublicationVersion returns the version of the published lists, 0 before the first decision.
func (s *Service) PublicationVersion(ctx context.Context) (int64, error) {
	ps, err := s.publicStore("registry.PublicationVersion")
	if err != nil {
		return 0, err
	}
	return ps.PublicationVersion(ctx)
}

// Fixed text of the publication notice (公示).
const (
	noticeDate        = "2006-01-02"
	noticeDefaultBody = "区市场监督管理局"
)

// noticeTitles names each list's notice.
var noticeTitles = map[ListKind]string{
	ListBlack: "严重违法失信名单（黑名单）公示",
	ListGrey:  "高风险经营者消费提示名单（灰名单）公示",
}

// noticeIntros opens each list's notice.
var noticeIntros = map[ListKind]string{
	ListBlack: "经调查核实，下列经营者存在收取预付款后停业、转移经营场所等逃避义务的行为，" +
		"本机关依法决定将其列入严重违法失信名单，现予公示。",
	ListGrey: "经风险评估，下列经营者存在较高的预付式消费风险，本机关决定将其列入高风险经营者消费提示名单，" +
		"提醒消费者谨慎购买其预付卡，现予公示。",
}

// PublicationNoticePDF renders the publication notice (公示) of a published or removed entry in
// Chinese: every published field, the deciding authority as issuer and, for a removed entry,
// the date it was taken off the list. areas names the district; it may be nil.
func PublicationNoticePDF(e PublicEntry, areas *Areas) ([]byte, error) {
	const op = "registry.PublicationNoticePDF"
	authority := orText(e.Authority, noticeDefaultBody)
	title := orText(noticeTitles[e.Kind], "名单公示")

	doc := pdf.New(title + "　" + e.Name)
	doc.SetHeader(authority)
	doc.Title(title)
	if e.RemovedAt != nil {
		doc.Paragraph("本条目已于" + noticeDateText(e.RemovedAt) + "移出名单，以下为原公示内容，仅供查询。")
	}
	doc.Paragraph(orText(noticeIntros[e.Kind], "下列经营者已列入名单，现予公示。"))

	writeNoticeFacts(doc, e, areas)
	writeNoticeDecision(doc, e, authority)
	writeNoticeRights(doc, e)

	doc.Spacer(8)
	doc.Field("公示机关", authority)
	doc.Field("公示日期", noticeDateText(e.ListedAt))

	out, err := doc.Bytes()
	if err != nil {
		return nil, errs.Wrap(errs.Internal, op, err)
	}
	return out, nil
}

// writeNoticeFacts adds the enterprise's published facts.
func writeNoticeFacts(doc *pdf.Document, e PublicEntry, areas *Areas) {
	doc.Heading("一、经营者信息")
	doc.Field("企业名称", e.Name)
	doc.Field("统一社会信用代码", string(e.USCC))
	doc.Field("地址", e.Address)
	doc.Field("所在区", districtText(e.District, areas))
	doc.Field("行业", orText(e.Industry.Label(), string(e.Industry)))
}

// writeNoticeDecision adds the decision: list, reason, legal basis, authority, number, dates.
func writeNoticeDecision(doc *pdf.Document, e PublicEntry, authority string) {
	doc.Heading("二、决定内容")
	doc.Field("名单", orText(e.Kind.Label(), string(e.Kind)))
	doc.Field("决定文书号", e.DecisionNumber)
	doc.Field("决定机关", authority)
	doc.Field("列入日期", noticeDateText(e.ListedAt))
	if e.RemovedAt != nil {
		doc.Field("移出日期", noticeDateText(e.RemovedAt))
	}
	doc.Heading("列入原因")
	doc.Paragraph(e.Reason)
	doc.Heading("法律依据")
	doc.Paragraph(e.LegalBasis)
}

// writeNoticeRights tells the enterprise how to object and, for the black list, when it may ask
// for removal (《市场监督管理严重违法失信名单管理办法》).
func writeNoticeRights(doc *pdf.Document, e PublicEntry) {
	if e.RemovedAt != nil {
		return
	}
	doc.Heading("三、异议与移出")
	doc.Paragraph("当事人对公示内容有异议的，可自公示之日起30日内向决定机关书面提出，并提交相关证明材料。")
	if e.Kind == ListBlack {
		doc.Paragraph("列入严重违法失信名单满一年、且已履行相关义务的，当事人可向决定机关申请提前移出；" +
			"列入满三年的，依法移出。")
		return
	}
	doc.Paragraph("决定机关按期对灰名单进行复核，风险消除的予以移出。")
}

// noticeDateText shows a day in Asia/Shanghai, or "—" when there is none.
func noticeDateText(t *time.Time) string {
	if t == nil || t.IsZero() {
		return "—"
	}
	return t.In(shanghai).Format(noticeDate)
}

package enforcement

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"prepaidreg/internal/errs"
	"prepaidreg/internal/pdf"
	"prepaidreg/internal/workday"
	"prepaidreg/registry"
)

// Notice is what the notices of one interview (约谈通知书) are made from: the interview, its
// enterprises and officials, and the bureau that issues them. Enterprises and Officials may
// hold more than the interview names, such as all those of a campaign; only the interview's
// are used, in the interview's order.
type Notice struct {
	Interview   *Interview
	Enterprises []registry.Enterprise
	Officials   []Official
	Bureau      Bureau
}

// noticeTitle is the document's name, printed under the bureau's and in every footer.
const noticeTitle = "约谈通知书"

// noticeUndated is printed for an interview without a creation time, to be filled in by hand.
const noticeUndated = "　　年　　月　　日"

// noticeWeekdays names the days of the week as a notice does, from Sunday.
var noticeWeekdays = [...]string{"星期日", "星期一", "星期二", "星期三", "星期四", "星期五", "星期六"}

// noticeAttendeeLabels name the people an enterprise is asked to send.
var noticeAttendeeLabels = map[AttendeeRole]string{
	AttendeeLegalRepresentative: "法定代表人",
	AttendeeManager:             "主要负责人",
	AttendeeFinance:             "财务负责人",
	AttendeeOther:               "其他",
}

// noticeNumerals number a notice's sections.
var noticeNumerals = [...]string{"一", "二", "三", "四", "五", "六", "七", "八", "九", "十"}

// noticeAbsence tells the enterprise plainly what follows from staying away; it promises
// nothing beyond what the bureau may do with the record.
const noticeAbsence = "你单位无正当理由不按时参加约谈的，本局将如实记录在案，" +
	"并将其作为对你单位实施信用监管的参考依据。"

// NoticePDF renders the interview's notices as one PDF: one notice for each of its
// enterprises, each starting on a new page, so that a collective interview with three
// enterprises gives three. A cancelled interview has no notice: it is refused as a conflict.
func NoticePDF(n Notice) ([]byte, error) {
	const op = "enforcement.NoticePDF"
	title := noticeTitle
	if n.Interview != nil && n.Interview.NoticeNumber != "" {
		title += "　" + n.Interview.NoticeNumber
	}

	doc := pdf.New(title)
	if n.Interview != nil {
		doc.SetDate(n.Interview.UpdatedAt)
	}
	if err := addNotices(doc, op, n); err != nil {
		return nil, err
	}
	return noticeBytes(doc, op)
}

// NoticesPDF renders the notices of several interviews, such as a campaign's, as one PDF, in
// the order given, each notice starting on a new page. It fails, naming the interview, when
// any of them has no notice; leave cancelled interviews out.
func NoticesPDF(ns []Notice) ([]byte, error) {
	const op = "enforcement.NoticesPDF"
	if len(ns) == 0 {
		return nil, errs.E(errs.Invalid, op, "没有要生成的约谈通知书 (no notices to render)")
	}

	doc := pdf.New(noticeTitle)
	var latest time.Time
	for _, n := range ns {
		if err := addNotices(doc, op, n); err != nil {
			return nil, err
		}
		if n.Interview.UpdatedAt.After(latest) {
			latest = n.Interview.UpdatedAt
		}
	}
	doc.SetDate(latest)
	return noticeBytes(doc, op)
}

// noticeBytes lays doc out; a failure here is the program's, not the caller's.
func noticeBytes(doc *pdf.Document, op string) ([]byte, error) {
	out, err := doc.Bytes()
	if err != nil {
		return nil, errs.Wrap(errs.Internal, op, err)
	}
	return out, nil
}

// addNotices adds one notice per enterprise of n's interview to doc, each on a new page.
func addNotices(doc *pdf.Document, op string, n Notice) error {
	iv := n.Interview
	if iv != nil && iv.State == StateCancelled {
		return errs.E(errs.Conflict, op, fmt.Sprintf(
			"约谈 %s 已取消，不再出具约谈通知书 (interview %s was cancelled: it has no notice)",
			noticeName(iv), iv.ID))
	}
	ents, officials, err := interviewParties(op, iv, n.Enterprises, n.Officials)
	if err != nil {
		return err
	}
	if strings.TrimSpace(iv.Reason) == "" {
		return errs.E(errs.Invalid, op, fmt.Sprintf(
			"约谈 %s 没有约谈事由 (interview %s has no reason)", noticeName(iv), iv.ID))
	}

	for _, e := range ents {
		doc.PageBreak()
		writeNotice(doc, iv, len(ents), e, officials, n.Bureau)
	}
	return nil
}

// interviewParties checks that iv can be put on a document and returns its enterprises and
// officials, in its order, from those given.
func interviewParties(op string, iv *Interview, ents []registry.Enterprise, officials []Official) (
	[]registry.Enterprise, []Official, error,
) {
	if iv == nil {
		return nil, nil, errs.E(errs.Invalid, op, "缺少约谈 (no interview)")
	}
	if iv.StartsAt.IsZero() {
		return nil, nil, errs.E(errs.Invalid, op, fmt.Sprintf(
			"约谈 %s 没有约谈时间 (interview %s has no start time)", noticeName(iv), iv.ID))
	}
	if len(iv.Enterprises) == 0 {
		return nil, nil, errs.E(errs.Invalid, op, fmt.Sprintf(
			"约谈 %s 没有被约谈企业 (interview %s names no enterprise)", noticeName(iv), iv.ID))
	}

	gotEnts := make([]registry.Enterprise, 0, len(iv.Enterprises))
	for _, code := range iv.Enterprises {
		i := slices.IndexFunc(ents, func(e registry.Enterprise) bool { return e.USCC == code })
		if i < 0 {
			return nil, nil, errs.E(errs.Invalid, op, fmt.Sprintf(
				"缺少约谈 %s 的企业 %s (enterprise %s of interview %s not given)", noticeName(iv), code, code, iv.ID))
		}
		gotEnts = append(gotEnts, ents[i])
	}

	gotOfficials := make([]Official, 0, len(iv.Officials))
	for _, id := range iv.Officials {
		i := slices.IndexFunc(officials, func(o Official) bool { return o.ID == id })
		if i < 0 {
			return nil, nil, errs.E(errs.Invalid, op, fmt.Sprintf(
				"缺少约谈 %s 的工作人员 %s (official %s of interview %s not given)", noticeName(iv), id, id, iv.ID))
		}
		gotOfficials = append(gotOfficials, officials[i])
	}
	return gotEnts, gotOfficials, nil
}

// noticeName names an interview in messages: by its notice number, else its id.
func noticeName(iv *Interview) string {
	if iv.NoticeNumber != "" {
		return iv.NoticeNumber
	}
	return iv.ID
}

// writeNotice adds the notice to one enterprise; count is how many the interview has.
func writeNotice(doc *pdf.Document, iv *Interview, count int, e registry.Enterprise, officials []Official, b Bureau) {
	doc.Title(b.Name + "\n" + noticeTitle)
	doc.Field("文书编号", iv.NoticeNumber)
	doc.Field("被约谈单位", e.Name)
	doc.Field("统一社会信用代码", string(e.USCC))
	doc.Field("法定代表人", e.LegalRepresentative)
	doc.Field("住所", e.RegisteredAddress)
	doc.Spacer(2)
	doc.Paragraph(noticeOpening(count))

	heading := noticeHeadings(doc)
	heading("约谈事由")
	doc.Paragraph(iv.Reason)
	if iv.LegalBasis != "" {
		heading("约谈依据")
		doc.Paragraph(iv.LegalBasis)
	}

	heading("约谈时间和地点")
	doc.Field("时间", noticeTimeText(iv.StartsAt, interviewEnd(iv)))
	if iv.Room != "" {
		doc.Field("地点", iv.Room)
	}
	if iv.VideoLink != "" {
		doc.Field("视频会议", iv.VideoLink)
	}
	if iv.Room == "" && iv.VideoLink == "" {
		doc.Field("地点", "另行通知")
	}

	if len(iv.Departments) > 0 || len(officials) > 0 {
		heading("参加约谈的部门和人员")
		if len(iv.Departments) > 0 {
			doc.Field("参加部门", noticeDepartments(iv.Departments))
		}
		if len(officials) > 0 {
			doc.Field("约谈人员", noticeOfficials(officials))
		}
	}

	heading("你单位参加人员")
	doc.Paragraph(strings.Join(noticeAttendees(iv.Attendees, e), "\n"))
	doc.Paragraph("请上述人员携带本人身份证件准时参加。")

	if len(iv.Materials) > 0 {
		heading("需携带的材料")
		doc.Paragraph(strings.Join(numbered(iv.Materials), "\n"))
	}

	heading("联系方式")
	doc.Field("联系人", noticeContact(iv, b))
	if b.Address != "" {
		doc.Field("地址", b.Address)
	}

	doc.Spacer(2)
	doc.Paragraph(noticeAbsence)
	doc.Spacer(12)
	doc.Field("发文机关", b.Name)
	doc.Field("发文日期", noticeDateText(iv.CreatedAt))
}

// noticeOpening is the sentence that tells the enterprise it is summoned.
func noticeOpening(count int) string {
	if count > 1 {
		return fmt.Sprintf("本局决定对你单位等%d家经营者进行集体行政约谈。现将有关事项通知如下：", count)
	}
	return "本局决定对你单位进行行政约谈。现将有关事项通知如下："
}

// noticeHeadings returns a function that adds the next numbered section heading to doc:
// 一、…, 二、… Sections a notice leaves out take no number.
func noticeHeadings(doc *pdf.Document) func(string) {
	next := 0
	return func(s string) {
		doc.Heading(noticeNumerals[next] + "、" + s)
		next++
	}
}

// interviewEnd is when the interview ends: its end time, else its start plus its duration,
// else the zero time when neither is known.
func interviewEnd(iv *Interview) time.Time {
	switch {
	case !iv.EndsAt.IsZero():
		return iv.EndsAt
	case iv.DurationMinutes > 0:
		return iv.StartsAt.Add(time.Duration(iv.DurationMinutes) * time.Minute)
	}
	return time.Time{}
}

// noticeDay shows a day in Asia/Shanghai with its weekday, as 2026年9月28日（星期一）.
func noticeDay(t time.Time) string {
	t = t.In(workday.Zone)
	return fmt.Sprintf("%d年%d月%d日（%s）", t.Year(), t.Month(), t.Day(), noticeWeekdays[t.Weekday()])
}

// noticeTimeText shows when an interview takes place in Asia/Shanghai, as
// 2026年9月28日（星期一）09:00—10:00; the end day is repeated only when it differs.
func noticeTimeText(start, end time.Time) string {
	text := noticeDay(start) + start.In(workday.Zone).Format("15:04")
	if end.IsZero() {
		return text
	}
	text += "—"
	if noticeDay(end) != noticeDay(start) {
		text += noticeDay(end)
	}
	return text + end.In(workday.Zone).Format("15:04")
}

// noticeDateText shows the date of issue in Asia/Shanghai, as 2026年9月14日.
func noticeDateText(t time.Time) string {
	if t.IsZero() {
		return noticeUndated
	}
	t = t.In(workday.Zone)
	return fmt.Sprintf("%d年%d月%d日", t.Year(), t.Month(), t.Day())
}

// noticeDepartments names the departments taking part, as 区市场监督管理局、区商务局.
func noticeDepartments(ds []Department) string {
	names := make([]string, len(ds))
	for i, d := range ds {
		names[i] = d.Name()
	}
	return strings.Join(names, "、")
}

// noticeOfficials names the officials who conduct the interview, with their titles.
func noticeOfficials(list []Official) string {
	names := make([]string, len(list))
	for i, o := range list {
		names[i] = o.Name
		if o.Title != "" {
			names[i] += "（" + o.Title + "）"
		}
	}
	return strings.Join(names, "、")
}

// noticeAttendees lists, numbered, who the enterprise must send, by role and by name where
// known; the legal representative's name comes from the registry when the interview gives
// none. With no attendees set, the legal representative is asked for.
func noticeAttendees(as []Attendee, e registry.Enterprise) []string {
	if len(as) == 0 {
		as = []Attendee{{Role: AttendeeLegalRepresentative}}
	}
	lines := make([]string, len(as))
	for i, a := range as {
		label := noticeAttendeeLabels[a.Role]
		if label == "" {
			label = string(a.Role)
		}
		name := a.Name
		if name == "" && a.Role == AttendeeLegalRepresentative {
			name = e.LegalRepresentative
		}
		lines[i] = label
		if name != "" {
			lines[i] += "：" + name
		}
	}
	return numbered(lines)
}

// numbered puts 1. 2. … before the items.
func numbered(items []string) []string {
	out := make([]string, len(items))
	for i, s := range items {
		out[i] = fmt.Sprintf("%d. %s", i+1, s)
	}
	return out
}

// noticeContact is who the enterprise calls: the interview's contact, else the bureau's.
func noticeContact(iv *Interview, b Bureau) string {
	if iv.Contact != "" {
		return iv.Contact
	}
	contact := b.Contact
	if b.Phone != "" {
		contact = strings.TrimPrefix(contact+"，联系电话："+b.Phone, "，")
	}
	return contact
}

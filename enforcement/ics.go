package enforcement

import (
	"bytes"
	"cmp"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"prepaidreg/internal/errs"
	"prepaidreg/internal/workday"
	"prepaidreg/registry"
)

// Fixed parts of an interview invitation (RFC 5545, with RFC 5546 methods).
const (
	icsProdID = "-//prepaidreg//Administrative interviews//ZH"
	icsZone   = "Asia/Shanghai"
	// icsOrganizer stands in for the bureau's address, which the system does not keep; the
	// .invalid domain (RFC 2606) makes sure no reply is ever sent anywhere.
	icsOrganizer = "mailto:noreply@prepaidreg.invalid"
	// icsOfficialURN names an official without an e-mail address.
	icsOfficialURN = "urn:prepaidreg:official:"
	// icsLineOctets is the longest a content line may be before it is folded (RFC 5545 §3.1).
	icsLineOctets = 75
	icsLocalTime  = "20060102T150405"
	icsUTCTime    = "20060102T150405Z"
)

// icsText escapes a TEXT value (RFC 5545 §3.3.11); line ends are made "\n" first.
var icsText = strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`, "\n", `\n`)

// InviteICS returns the interview as an iCalendar invitation (RFC 5545) for its officials: one
// VEVENT with a UID stable for the interview and its Sequence, so that calendars replace an
// earlier version, and times in Asia/Shanghai. A cancelled interview gives METHOD:CANCEL with
// STATUS:CANCELLED, which removes the event. With only set, the invitation names only that
// official, who must be one of the interview's; otherwise it is refused as not found.
func InviteICS(
	iv *Interview,
	officials []Official,
	ents []registry.Enterprise,
	bureau Bureau,
	only string,
) ([]byte, error) {
	const op = "enforcement.InviteICS"
	ents, invited, err := interviewParties(op, iv, ents, officials)
	if err != nil {
		return nil, err
	}
	if only != "" {
		i := slices.IndexFunc(invited, func(o Official) bool { return o.ID == only })
		if i < 0 {
			return nil, errs.E(errs.NotFound, op, fmt.Sprintf(
				"工作人员 %s 不参加约谈 %s (official %s is not one of interview %s)",
				only, noticeName(iv), only, iv.ID))
		}
		invited = invited[i : i+1]
	}

	// RFC 5546 §3.2.2 and §3.2.5: an invitation is a REQUEST, a cancellation a CANCEL.
	method, status := "REQUEST", "CONFIRMED"
	if iv.State == StateCancelled {
		method, status = "CANCEL", "CANCELLED"
	}

	var w icsWriter
	w.line("BEGIN:VCALENDAR")
	w.line("PRODID:" + icsProdID)
	w.line("VERSION:2.0")
	w.line("CALSCALE:GREGORIAN")
	w.line("METHOD:" + method)
	w.timezone()

	w.line("BEGIN:VEVENT")
	w.line("UID:" + icsEscape(iv.ID+"@prepaidreg"))
	w.line(fmt.Sprintf("SEQUENCE:%d", iv.Sequence))
	w.line("DTSTAMP:" + icsStamp(iv).UTC().Format(icsUTCTime))
	w.line("DTSTART;TZID=" + icsZone + ":" + iv.StartsAt.In(workday.Zone).Format(icsLocalTime))
	if end := interviewEnd(iv); !end.IsZero() {
		w.line("DTEND;TZID=" + icsZone + ":" + end.In(workday.Zone).Format(icsLocalTime))
	}
	w.line("SUMMARY:" + icsEscape("行政约谈："+icsEnterpriseNames(ents)))
	if loc := cmp.Or(iv.Room, iv.VideoLink); loc != "" {
		w.line("LOCATION:" + icsEscape(loc))
	}
	w.line("DESCRIPTION:" + icsEscape(icsDescription(iv, ents, bureau)))
	w.line("STATUS:" + status)
	w.line("ORGANIZER;CN=" + icsParam(bureau.Name) + ":" + icsOrganizer)
	for _, o := range invited {
		w.line("ATTENDEE;CN=" + icsParam(o.Name) + ";CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;" +
			"PARTSTAT=NEEDS-ACTION;RSVP=TRUE:" + icsAddress(o))
	}
	w.line("END:VEVENT")
	w.line("END:VCALENDAR")
	return w.buf.Bytes(), nil
}

// icsWriter writes content lines, folded, with CRLF line ends.
type icsWriter struct {
	buf bytes.Buffer
}

// line writes one content line, folded so that no physical line is longer than 75 octets
// and no UTF-8 character is split (RFC 5545 §3.1): each continuation starts with a space,
// which counts towards its 75.
func (w *icsWriter) line(s string) {
	limit := icsLineOctets
	for len(s) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		w.buf.WriteString(s[:cut])
		w.buf.WriteString("\r\n ")
		s = s[cut:]
		limit = icsLineOctets - 1
	}
	w.buf.WriteString(s)
	w.buf.WriteString("\r\n")
}

// timezone writes Asia/Shanghai, which has kept +08:00 without daylight saving since 1991;
// the single STANDARD rule from 1970 is how calendars publish it.
func (w *icsWriter) timezone() {
	w.line("BEGIN:VTIMEZONE")
	w.line("TZID:" + icsZone)
	w.line("BEGIN:STANDARD")
	w.line("DTSTART:19700101T000000")
	w.line("TZOFFSETFROM:+0800")
	w.line("TZOFFSETTO:+0800")
	w.line("TZNAME:CST")
	w.line("END:STANDARD")
	w.line("END:VTIMEZONE")
}

// icsStamp is the DTSTAMP: when the interview last changed, else when it was created, else
// its start, so that the same interview always gives the same file.
func icsStamp(iv *Interview) time.Time {
	for _, t := range []time.Time{iv.UpdatedAt, iv.CreatedAt} {
		if !t.IsZero() {
			return t
		}
	}
	return iv.StartsAt
}

// icsEscape makes s a TEXT value: line ends become "\n", other control characters except tab
// are dropped, and backslash, semicolon, comma and line end are escaped.
func icsEscape(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '\r':
			return '\n'
		case r == '\n' || r == '\t':
			return r
		case unicode.IsControl(r):
			return -1
		}
		return r
	}, s)
	return icsText.Replace(s)
}

// icsParam makes s a quoted parameter value: a quoted value may hold ":;," but no double
// quote or control character (RFC 5545 §3.2), so those are replaced or dropped.
func icsParam(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '"':
			return '\''
		case unicode.IsControl(r):
			return -1
		}
		return r
	}, s)
	return `"` + s + `"`
}

// icsAddress is an official's calendar address: their e-mail, else a URN with their id.
func icsAddress(o Official) string {
	if o.Email != "" {
		return "mailto:" + strings.Map(func(r rune) rune {
			if unicode.IsControl(r) || unicode.IsSpace(r) {
				return -1
			}
			return r
		}, o.Email)
	}
	return icsOfficialURN + url.PathEscape(o.ID)
}

// icsEnterpriseNames lists the enterprises by name, as A、B.
func icsEnterpriseNames(ents []registry.Enterprise) string {
	names := make([]string, len(ents))
	for i, e := range ents {
		names[i] = e.Name
	}
	return strings.Join(names, "、")
}

// icsDescription is what an official needs to know about the interview, one fact a line.
func icsDescription(iv *Interview, ents []registry.Enterprise, b Bureau) string {
	lines := []string{"文书编号：" + iv.NoticeNumber, "约谈事由：" + iv.Reason}
	if iv.LegalBasis != "" {
		lines = append(lines, "约谈依据："+iv.LegalBasis)
	}
	for _, e := range ents {
		lines = append(lines, "被约谈单位："+e.Name+"（"+string(e.USCC)+"）")
	}
	lines = append(lines, "时间："+noticeTimeText(iv.StartsAt, interviewEnd(iv)))
	if iv.Room != "" {
		lines = append(lines, "地点："+iv.Room)
	}
	if iv.VideoLink != "" {
		lines = append(lines, "视频会议："+iv.VideoLink)
	}
	if len(iv.Departments) > 0 {
		lines = append(lines, "参加部门："+noticeDepartments(iv.Departments))
	}
	lines = append(lines, "企业参加人员："+icsAttendees(iv.Attendees))
	lines = append(lines, "联系人："+noticeContact(iv, b))
	return strings.Join(lines, "\n")
}

// icsAttendees lists who the enterprises must send, as 法定代表人、财务负责人（赵会计）.
func icsAttendees(as []Attendee) string {
	if len(as) == 0 {
		as = []Attendee{{Role: AttendeeLegalRepresentative}}
	}
	parts := make([]string, len(as))
	for i, a := range as {
		parts[i] = cmp.Or(noticeAttendeeLabels[a.Role], string(a.Role))
		if a.Name != "" {
			parts[i] += "（" + a.Name + "）"
		}
	}
	return strings.Join(parts, "、")
}

package enforcement

import (
	"bytes"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/emersion/go-ical"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"prepaidreg/internal/errs"
	"prepaidreg/internal/workday"
)

// parseICS checks the physical lines of an iCalendar file (CRLF ends, at most 75 octets, whole
// UTF-8 characters) and parses it with go-ical.
func parseICS(t *testing.T, data []byte) *ical.Calendar {
	t.Helper()
	requireICSLines(t, data)
	cal, err := ical.NewDecoder(bytes.NewReader(data)).Decode()
	require.NoError(t, err, "go-ical cannot parse:\n%s", data)
	return cal
}

// requireICSLines checks that every line ends with CRLF, holds no other line end, is at most
// 75 octets long and is valid UTF-8 on its own, so that no character was split by folding.
func requireICSLines(t *testing.T, data []byte) {
	t.Helper()
	require.True(t, bytes.HasSuffix(data, []byte("\r\n")), "the file does not end with CRLF")
	lines := strings.Split(strings.TrimSuffix(string(data), "\r\n"), "\r\n")
	for i, line := range lines {
		require.NotContains(t, line, "\n", "line %d has a bare LF", i+1)
		require.NotContains(t, line, "\r", "line %d has a bare CR", i+1)
		require.LessOrEqual(t, len(line), 75, "line %d is %d octets: %q", i+1, len(line), line)
		require.True(t, utf8.ValidString(line), "line %d splits a character: %q", i+1, line)
	}
}

// onlyEvent returns the calendar's one event.
func onlyEvent(t *testing.T, cal *ical.Calendar) ical.Event {
	t.Helper()
	events := cal.Events()
	require.Len(t, events, 1)
	return events[0]
}

// text returns a property's TEXT value, unescaped.
func text(t *testing.T, props ical.Props, name string) string {
	t.Helper()
	p := props.Get(name)
	require.NotNil(t, p, "no %s", name)
	s, err := p.Text()
	require.NoError(t, err)
	return s
}

func TestInviteICS_Request(t *testing.T) {
	iv := collectiveInterview()

	data, err := InviteICS(iv, testOfficials, testEnterprises, testBureau, "")
	require.NoError(t, err)
	cal := parseICS(t, data)

	assert.Equal(t, "REQUEST", cal.Props.Get(ical.PropMethod).Value)
	assert.Equal(t, "2.0", cal.Props.Get(ical.PropVersion).Value)
	assert.Equal(t, "GREGORIAN", cal.Props.Get(ical.PropCalendarScale).Value)
	assert.NotEmpty(t, cal.Props.Get(ical.PropProductID).Value)

	var zones []*ical.Component
	for _, c := range cal.Children {
		if c.Name == ical.CompTimezone {
			zones = append(zones, c)
		}
	}
	require.Len(t, zones, 1)
	assert.Equal(t, "Asia/Shanghai", zones[0].Props.Get(ical.PropTimezoneID).Value)
	require.Len(t, zones[0].Children, 1)
	std := zones[0].Children[0]
	assert.Equal(t, ical.CompTimezoneStandard, std.Name)
	assert.Equal(t, "+0800", std.Props.Get(ical.PropTimezoneOffsetFrom).Value)
	assert.Equal(t, "+0800", std.Props.Get(ical.PropTimezoneOffsetTo).Value)
	assert.Equal(t, "CST", std.Props.Get(ical.PropTimezoneName).Value)
	assert.Equal(t, "19700101T000000", std.Props.Get(ical.PropDateTimeStart).Value)

	ev := onlyEvent(t, cal)
	assert.Equal(t, "iv-0153@prepaidreg", ev.Props.Get(ical.PropUID).Value)
	seq, err := ev.Props.Get(ical.PropSequence).Int()
	require.NoError(t, err)
	assert.Equal(t, 2, seq)
	assert.Equal(t, "CONFIRMED", ev.Props.Get(ical.PropStatus).Value)

	stamp, err := ev.Props.DateTime(ical.PropDateTimeStamp, nil)
	require.NoError(t, err)
	assert.True(t, stamp.Equal(iv.UpdatedAt), "DTSTAMP %v, want %v", stamp, iv.UpdatedAt)
	assert.Equal(t, "20260915T083015Z", ev.Props.Get(ical.PropDateTimeStamp).Value)

	start, err := ev.DateTimeStart(nil)
	require.NoError(t, err)
	assert.True(t, start.Equal(iv.StartsAt), "DTSTART %v, want %v", start, iv.StartsAt)
	assert.Equal(t, "Asia/Shanghai", start.Location().String())
	assert.Equal(t, "Asia/Shanghai", ev.Props.Get(ical.PropDateTimeStart).Params.Get(ical.ParamTimezoneID))
	assert.Equal(t, "20260928T090000", ev.Props.Get(ical.PropDateTimeStart).Value)
	end, err := ev.DateTimeEnd(nil)
	require.NoError(t, err)
	assert.True(t, end.Equal(iv.EndsAt), "DTEND %v, want %v", end, iv.EndsAt)

	assert.Equal(t,
		"行政约谈：北京悦动力健身服务有限公司、北京小天鹅少儿英语培训学校有限公司、北京市朝阳区美美美容美发店",
		text(t, ev.Props, ical.PropSummary))
	assert.Equal(t, iv.Room, text(t, ev.Props, ical.PropLocation))
	assert.Equal(t, strings.Join([]string{
		"文书编号：京朝市监约〔2026〕第0153号",
		"约谈事由：" + longReason,
		"约谈依据：《北京市单用途预付卡管理条例》第十二条、第十八条；《单用途商业预付卡管理办法（试行）》第二十二条",
		"被约谈单位：北京悦动力健身服务有限公司（91110105MA01R8XK2N）",
		"被约谈单位：北京小天鹅少儿英语培训学校有限公司（91110105MA02C3LW7Q）",
		"被约谈单位：北京市朝阳区美美美容美发店（92110105L12345678X）",
		"时间：2026年9月28日（星期一）09:00—10:00",
		"地点：北京市朝阳区霄云路霄云里3号 第二会议室（305）",
		"视频会议：" + longVideoLink,
		"参加部门：区市场监督管理局、区商务局、区体育局",
		"企业参加人员：法定代表人、财务负责人（赵会计）、其他",
		"联系人：预付式消费监管科，联系电话：010-65090000",
	}, "\n"), text(t, ev.Props, ical.PropDescription))

	org := ev.Props.Get(ical.PropOrganizer)
	require.NotNil(t, org)
	assert.Equal(t, "mailto:noreply@prepaidreg.invalid", org.Value)
	assert.Equal(t, testBureau.Name, org.Params.Get(ical.ParamCommonName))

	attendees := ev.Props.Values(ical.PropAttendee)
	require.Len(t, attendees, 2, "the interview's two officials, not the third")
	assert.Equal(t, "mailto:wangfang@scjgj.example.gov.cn", attendees[0].Value)
	assert.Equal(t, "王芳", attendees[0].Params.Get(ical.ParamCommonName))
	assert.Equal(t, "urn:prepaidreg:official:off-li", attendees[1].Value, "an official without e-mail")
	assert.Equal(t, "李明", attendees[1].Params.Get(ical.ParamCommonName))
	for _, a := range attendees {
		assert.Equal(t, "REQ-PARTICIPANT", a.Params.Get(ical.ParamRole))
		assert.Equal(t, "NEEDS-ACTION", a.Params.Get(ical.ParamParticipationStatus))
	}

	assert.Contains(t, string(data), "\r\n ", "long values should have been folded")
}

func TestInviteICS_Only(t *testing.T) {
	iv := collectiveInterview()

	data, err := InviteICS(iv, testOfficials, testEnterprises, testBureau, "off-li")
	require.NoError(t, err)
	ev := onlyEvent(t, parseICS(t, data))
	attendees := ev.Props.Values(ical.PropAttendee)
	require.Len(t, attendees, 1)
	assert.Equal(t, "李明", attendees[0].Params.Get(ical.ParamCommonName))

	for _, id := range []string{"off-zhao", "nobody"} {
		_, err := InviteICS(iv, testOfficials, testEnterprises, testBureau, id)
		assert.True(t, errs.Is(err, errs.NotFound), "official %s: got %v", id, err)
	}
}

func TestInviteICS_Cancel(t *testing.T) {
	iv := collectiveInterview()
	iv.State = StateCancelled
	iv.Sequence = 3

	data, err := InviteICS(iv, testOfficials, testEnterprises, testBureau, "")
	require.NoError(t, err)
	cal := parseICS(t, data)

	assert.Equal(t, "CANCEL", cal.Props.Get(ical.PropMethod).Value)
	ev := onlyEvent(t, cal)
	assert.Equal(t, "CANCELLED", ev.Props.Get(ical.PropStatus).Value)
	assert.Equal(t, "iv-0153@prepaidreg", ev.Props.Get(ical.PropUID).Value, "the UID of the invitation it cancels")
	assert.Equal(t, "3", ev.Props.Get(ical.PropSequence).Value)
	assert.Len(t, ev.Props.Values(ical.PropAttendee), 2)
}

func TestInviteICS_EscapesText(t *testing.T) {
	iv := singleInterview()
	iv.ID = "iv;0007,a"
	iv.Reason = `退卡投诉较多, 包括"闭店"; 反斜杠\在此` + "\r\n第二行\n\n第四行\t带制表符\x07"
	iv.LegalBasis = "a,b;c\\d"
	iv.VideoLink = ""
	iv.Room = "会议室, 305; 东侧"
	official := Official{ID: "off x/1", Name: `王"五", 科长; 值班`}
	iv.Officials = []string{official.ID}

	data, err := InviteICS(iv, []Official{official}, testEnterprises, testBureau, "")
	require.NoError(t, err)
	ev := onlyEvent(t, parseICS(t, data))

	assert.Equal(t, "iv;0007,a@prepaidreg", text(t, ev.Props, ical.PropUID))
	assert.Equal(t, "会议室, 305; 东侧", text(t, ev.Props, ical.PropLocation))
	description := text(t, ev.Props, ical.PropDescription)
	assert.Contains(t, description, "约谈事由：退卡投诉较多, 包括\"闭店\"; 反斜杠\\在此\n第二行\n\n第四行\t带制表符\n",
		"escaped text round-trips; the control character is dropped")
	assert.Contains(t, description, "约谈依据：a,b;c\\d\n")
	assert.Contains(t, description, "时间：2026年12月31日（星期四）14:30—15:15")

	attendees := ev.Props.Values(ical.PropAttendee)
	require.Len(t, attendees, 1)
	assert.Equal(t, `王'五', 科长; 值班`, attendees[0].Params.Get(ical.ParamCommonName))
	assert.Equal(t, "urn:prepaidreg:official:off%20x%2F1", attendees[0].Value)
}

func TestInviteICS_NoEnd(t *testing.T) {
	iv := singleInterview()
	iv.DurationMinutes = 0

	data, err := InviteICS(iv, nil, testEnterprises, testBureau, "")
	require.NoError(t, err)
	ev := onlyEvent(t, parseICS(t, data))
	assert.Nil(t, ev.Props.Get(ical.PropDateTimeEnd))
	assert.Equal(t, iv.VideoLink, text(t, ev.Props, ical.PropLocation), "the video link when there is no room")
	assert.Empty(t, ev.Props.Values(ical.PropAttendee))
}

func TestICSWriter_Folds(t *testing.T) {
	tests := []struct {
		name string
		line string
		want []string
	}{
		{"75 octets stay on one line", strings.Repeat("a", 75), []string{strings.Repeat("a", 75)}},
		{"76 octets fold", strings.Repeat("a", 76), []string{strings.Repeat("a", 75), " a"}},
		{"continuations hold 74 octets after the space", strings.Repeat("a", 75+74+1),
			[]string{strings.Repeat("a", 75), " " + strings.Repeat("a", 74), " a"}},
		// 24 three-octet characters are 72 octets; the 25th would end at octet 75 after "ab".
		{"a character is not split", "abc" + strings.Repeat("约", 25),
			[]string{"abc" + strings.Repeat("约", 24), " 约"}},
		{"a character is moved whole", "ab" + strings.Repeat("约", 25),
			[]string{"ab" + strings.Repeat("约", 24), " 约"}},
		{"four-octet characters", strings.Repeat("𠀀", 20),
			[]string{strings.Repeat("𠀀", 18), " " + strings.Repeat("𠀀", 2)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var w icsWriter
			w.line(tt.line)
			assert.Equal(t, strings.Join(tt.want, "\r\n")+"\r\n", w.buf.String())
			requireICSLines(t, w.buf.Bytes())
		})
	}
}

func TestInviteICS_TimesInShanghai(t *testing.T) {
	iv := singleInterview()
	// 23:30 UTC on 30 December is 07:30 on the 31st in Beijing.
	iv.StartsAt = time.Date(2026, 12, 30, 23, 30, 0, 0, time.UTC)

	data, err := InviteICS(iv, nil, testEnterprises, testBureau, "")
	require.NoError(t, err)
	ev := onlyEvent(t, parseICS(t, data))
	assert.Equal(t, "20261231T073000", ev.Props.Get(ical.PropDateTimeStart).Value)
	assert.Equal(t, "20261231T081500", ev.Props.Get(ical.PropDateTimeEnd).Value)
	start, err := ev.DateTimeStart(workday.Zone)
	require.NoError(t, err)
	assert.True(t, start.Equal(iv.StartsAt))
}

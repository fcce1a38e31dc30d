package enforcement

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"prepaidreg/internal/errs"
	"prepaidreg/internal/pdf/pdftest"
	"prepaidreg/registry"
)

var testBureau = Bureau{
	Name:    "北京市朝阳区市场监督管理局",
	Address: "北京市朝阳区霄云路霄云里3号",
	Contact: "预付式消费监管科",
	Phone:   "010-65090000",
}

var testEnterprises = []registry.Enterprise{
	{
		USCC: "91110105MA01R8XK2N", Name: "北京悦动力健身服务有限公司", LegalRepresentative: "欧阳晓明",
		RegisteredAddress: "北京市朝阳区望京街道阜通东大街6号院3号楼B座12层1201室（望京SOHO塔三）",
	},
	{
		USCC: "91110105MA02C3LW7Q", Name: "北京小天鹅少儿英语培训学校有限公司", LegalRepresentative: "陈静",
		RegisteredAddress: "北京市朝阳区朝阳北路101号朝阳大悦城10层1008",
	},
	{
		USCC: "92110105L12345678X", Name: "北京市朝阳区美美美容美发店", LegalRepresentative: "刘美",
		RegisteredAddress: "北京市朝阳区劲松路5号",
	},
}

var testOfficials = []Official{
	{ID: "off-wang", Name: "王芳", Department: "market", Title: "科长", Email: "wangfang@scjgj.example.gov.cn",
		Active: true},
	{ID: "off-li", Name: "李明", Department: "commerce", Title: "副科长", Active: true},
	{ID: "off-zhao", Name: "赵强", Department: "sports", Title: "科员", Email: "zhaoqiang@example.gov.cn",
		Active: true},
}

// longReason is a reason of several lines, with numbers, money and Latin letters.
const longReason = "经查，你单位自2026年3月1日起发售单用途预付卡，截至2026年6月30日预收资金余额为3,456,789.50元，" +
	"按照本市规定的40%存管比例应存管资金1,382,715.80元，实际存管仅1,234.56元；" +
	"2026年第二季度12315平台、12345市民服务热线共转来涉及你单位的投诉举报57件，" +
	"消费者反映的主要问题包括门店无故闭店、拒绝退还未消费余额、擅自变更服务内容、未按约定提供发票等，" +
	"投诉量较上季度增长185.5%，存在较高的预付式消费风险。"

// longVideoLink is a video link longer than a line.
const longVideoLink = "https://meeting.example.gov.cn/j/88123456789?pwd=QmFzZTY0RW5jb2RlZFBhc3N3b3JkMTIzNDU2Nzg5MA" +
	"&uname=chaoyang_scjgj_yufuxiaofei_jiandu&lang=zh_CN&from=notice"

// collectiveInterview returns a collective interview of the three test enterprises, with every
// part of a notice filled in.
func collectiveInterview() *Interview {
	return &Interview{
		ID:           "iv-0153",
		NoticeNumber: "京朝市监约〔2026〕第0153号",
		Enterprises:  []registry.USCC{testEnterprises[0].USCC, testEnterprises[1].USCC, testEnterprises[2].USCC},
		Reason:       longReason,
		LegalBasis:   "《北京市单用途预付卡管理条例》第十二条、第十八条；《单用途商业预付卡管理办法（试行）》第二十二条",
		StartsAt:     time.Date(2026, 9, 28, 1, 0, 0, 0, time.UTC),
		EndsAt:       time.Date(2026, 9, 28, 2, 0, 0, 0, time.UTC),
		Room:         "北京市朝阳区霄云路霄云里3号 第二会议室（305）",
		VideoLink:    longVideoLink,
		Departments:  []Department{"market", "commerce", "sports"},
		Officials:    []string{"off-wang", "off-li"},
		Attendees: []Attendee{
			{Role: AttendeeLegalRepresentative},
			{Role: AttendeeFinance, Name: "赵会计"},
			{Role: AttendeeOther},
		},
		Materials: []string{
			"营业执照副本复印件（加盖公章）",
			"预付卡发售台账、资金存管协议（或履约保证保险保单、银行保函）",
			"针对上述问题的书面自查报告（一式两份，加盖公章）",
		},
		State:     StateNotified,
		Sequence:  2,
		CreatedAt: time.Date(2026, 9, 14, 2, 0, 0, 0, time.UTC),
		CreatedBy: "wangfang",
		UpdatedAt: time.Date(2026, 9, 15, 8, 30, 15, 0, time.UTC),
	}
}

// singleInterview returns an interview of one enterprise with only the required parts: no
// legal basis, departments, officials, attendees or materials, and its own contact.
func singleInterview() *Interview {
	return &Interview{
		ID:              "iv-0007",
		NoticeNumber:    "京朝市监约〔2026〕第0007号",
		Enterprises:     []registry.USCC{testEnterprises[2].USCC},
		Reason:          "近期涉及你单位的退卡投诉较多。",
		StartsAt:        time.Date(2026, 12, 31, 6, 30, 0, 0, time.UTC),
		DurationMinutes: 45,
		VideoLink:       "https://meeting.example.gov.cn/j/1234",
		Contact:         "李明 010-65091234",
		State:           StateScheduled,
		CreatedAt:       time.Date(2026, 12, 20, 17, 0, 0, 0, time.UTC),
		UpdatedAt:       time.Date(2026, 12, 20, 17, 0, 0, 0, time.UTC),
	}
}

// wantCollectiveNotice is, word for word, the notice of the collective interview to e.
func wantCollectiveNotice(e registry.Enterprise) []string {
	return []string{
		"北京市朝阳区市场监督管理局", "约谈通知书",
		"文书编号：京朝市监约〔2026〕第0153号",
		"被约谈单位：" + e.Name,
		"统一社会信用代码：" + string(e.USCC),
		"法定代表人：" + e.LegalRepresentative,
		"住所：" + e.RegisteredAddress,
		"本局决定对你单位等3家经营者进行集体行政约谈。现将有关事项通知如下：",
		"一、约谈事由", longReason,
		"二、约谈依据",
		"《北京市单用途预付卡管理条例》第十二条、第十八条；《单用途商业预付卡管理办法（试行）》第二十二条",
		"三、约谈时间和地点",
		"时间：2026年9月28日（星期一）09:00—10:00",
		"地点：北京市朝阳区霄云路霄云里3号 第二会议室（305）",
		"视频会议：" + longVideoLink,
		"四、参加约谈的部门和人员",
		"参加部门：区市场监督管理局、区商务局、区体育局",
		"约谈人员：王芳（科长）、李明（副科长）",
		"五、你单位参加人员",
		"1. 法定代表人：" + e.LegalRepresentative, "2. 财务负责人：赵会计", "3. 其他",
		"请上述人员携带本人身份证件准时参加。",
		"六、需携带的材料",
		"1. 营业执照副本复印件（加盖公章）",
		"2. 预付卡发售台账、资金存管协议（或履约保证保险保单、银行保函）",
		"3. 针对上述问题的书面自查报告（一式两份，加盖公章）",
		"七、联系方式",
		"联系人：预付式消费监管科，联系电话：010-65090000",
		"地址：北京市朝阳区霄云路霄云里3号",
		"你单位无正当理由不按时参加约谈的，本局将如实记录在案，并将其作为对你单位实施信用监管的参考依据。",
		"发文机关：北京市朝阳区市场监督管理局",
		"发文日期：2026年9月14日",
	}
}

// noticeTexts extracts the text of a PDF of notices and returns each notice's text with white
// space removed, after checking that every page ends with the footer (title, 第 N 页 / 共 M 页)
// and that every notice starts on a new page with the bureau's name and the title.
func noticeTexts(t *testing.T, out []byte, title string) []string {
	t.Helper()
	pages := strings.Split(strings.TrimSuffix(pdftest.Text(t, out), "\f"), "\f")
	start := pdftest.Squash(testBureau.Name + noticeTitle)

	var notices []string
	for i, page := range pages {
		page = pdftest.Squash(page)
		footer := pdftest.Squash(fmt.Sprintf("%s第 %d 页 / 共 %d 页", title, i+1, len(pages)))
		require.True(t, strings.HasSuffix(page, footer), "page %d does not end with %q: %q", i+1, footer, page)
		body := strings.TrimSuffix(page, footer)
		if strings.HasPrefix(body, start) {
			notices = append(notices, body)
			continue
		}
		require.NotEmpty(t, notices, "page 1 does not start a notice: %q", body)
		notices[len(notices)-1] += body
	}
	return notices
}

// squashAll joins parts and removes white space.
func squashAll(parts []string) string {
	return pdftest.Squash(strings.Join(parts, ""))
}

func TestNoticePDF_CollectiveInterview(t *testing.T) {
	iv := collectiveInterview()

	out, err := NoticePDF(Notice{Interview: iv, Enterprises: testEnterprises, Officials: testOfficials,
		Bureau: testBureau})
	require.NoError(t, err)

	notices := noticeTexts(t, out, "约谈通知书 京朝市监约〔2026〕第0153号")
	require.Len(t, notices, 3, "one notice per enterprise, each on its own page")
	for i, e := range testEnterprises {
		assert.Equal(t, squashAll(wantCollectiveNotice(e)), notices[i], "notice to %s", e.Name)
	}
}

func TestNoticePDF_SingleInterview(t *testing.T) {
	e := testEnterprises[2]

	// Enterprises and officials beyond the interview's are ignored.
	out, err := NoticePDF(Notice{Interview: singleInterview(), Enterprises: testEnterprises, Officials: testOfficials,
		Bureau: testBureau})
	require.NoError(t, err)

	notices := noticeTexts(t, out, "约谈通知书 京朝市监约〔2026〕第0007号")
	require.Len(t, notices, 1)
	want := []string{
		"北京市朝阳区市场监督管理局", "约谈通知书",
		"文书编号：京朝市监约〔2026〕第0007号",
		"被约谈单位：北京市朝阳区美美美容美发店",
		"统一社会信用代码：92110105L12345678X",
		"法定代表人：刘美",
		"住所：北京市朝阳区劲松路5号",
		"本局决定对你单位进行行政约谈。现将有关事项通知如下：",
		"一、约谈事由", "近期涉及你单位的退卡投诉较多。",
		"二、约谈时间和地点",
		"时间：2026年12月31日（星期四）14:30—15:15",
		"视频会议：https://meeting.example.gov.cn/j/1234",
		"三、你单位参加人员", "1. 法定代表人：" + e.LegalRepresentative,
		"请上述人员携带本人身份证件准时参加。",
		"四、联系方式", "联系人：李明 010-65091234", "地址：北京市朝阳区霄云路霄云里3号",
		"你单位无正当理由不按时参加约谈的，本局将如实记录在案，并将其作为对你单位实施信用监管的参考依据。",
		"发文机关：北京市朝阳区市场监督管理局",
		"发文日期：2026年12月21日",
	}
	assert.Equal(t, squashAll(want), notices[0])

	// The same interview at the same version gives the same file, byte for byte.
	again, err := NoticePDF(Notice{Interview: singleInterview(), Enterprises: testEnterprises, Officials: testOfficials,
		Bureau: testBureau})
	require.NoError(t, err)
	assert.True(t, bytes.Equal(out, again), "the notice PDF changed between two renderings")
}

func TestNoticeTimeText(t *testing.T) {
	at := func(month time.Month, day, hour, minute int) time.Time {
		return time.Date(2026, month, day, hour, minute, 0, 0, time.UTC)
	}
	tests := []struct {
		name       string
		start, end time.Time
		want       string
	}{
		{"same day", at(9, 28, 1, 0), at(9, 28, 2, 0), "2026年9月28日（星期一）09:00—10:00"},
		{"UTC evening is the next day in Shanghai", at(9, 27, 23, 30), at(9, 28, 0, 30),
			"2026年9月28日（星期一）07:30—08:30"},
		{"ends the next day", at(12, 31, 14, 0), at(12, 31, 17, 0),
			"2026年12月31日（星期四）22:00—2027年1月1日（星期五）01:00"},
		{"no end", at(10, 4, 6, 5), time.Time{}, "2026年10月4日（星期日）14:05"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, noticeTimeText(tt.start, tt.end))
		})
	}
}

func TestNoticePDF_Refused(t *testing.T) {
	cancelled := collectiveInterview()
	cancelled.State = StateCancelled
	noReason := singleInterview()
	noReason.Reason = " "
	noStart := singleInterview()
	noStart.StartsAt = time.Time{}

	tests := []struct {
		name   string
		notice Notice
		kind   errs.Kind
		says   string
	}{
		{"cancelled", Notice{Interview: cancelled, Enterprises: testEnterprises, Officials: testOfficials},
			errs.Conflict, "已取消"},
		{"no interview", Notice{}, errs.Invalid, "no interview"},
		{"enterprise not given",
			Notice{Interview: collectiveInterview(), Enterprises: testEnterprises[:2], Officials: testOfficials},
			errs.Invalid, "92110105L12345678X"},
		{"official not given",
			Notice{Interview: collectiveInterview(), Enterprises: testEnterprises, Officials: testOfficials[1:]},
			errs.Invalid, "off-wang"},
		{"no reason", Notice{Interview: noReason, Enterprises: testEnterprises}, errs.Invalid, "no reason"},
		{"no start", Notice{Interview: noStart, Enterprises: testEnterprises}, errs.Invalid, "no start time"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NoticePDF(tt.notice)
			require.Error(t, err)
			assert.True(t, errs.Is(err, tt.kind), "got %v, want kind %v", err, tt.kind)
			assert.Contains(t, err.Error(), tt.says)
		})
	}
}

// campaignNotices returns n notices of single-enterprise interviews, numbered from 1, as a
// campaign sends them; every tenth is collective with all three test enterprises.
func campaignNotices(n int) []Notice {
	ns := make([]Notice, n)
	for i := range ns {
		iv := collectiveInterview()
		iv.ID = fmt.Sprintf("iv-c%04d", i+1)
		iv.NoticeNumber = fmt.Sprintf("京朝市监约〔2026〕第%04d号", i+1)
		iv.CampaignID = "campaign-2026-q3"
		iv.StartsAt = iv.StartsAt.Add(time.Duration(i) * 24 * time.Hour)
		iv.EndsAt = iv.EndsAt.Add(time.Duration(i) * 24 * time.Hour)
		if i%10 != 0 {
			iv.Enterprises = iv.Enterprises[i%3 : i%3+1]
		}
		ns[i] = Notice{Interview: iv, Enterprises: testEnterprises, Officials: testOfficials, Bureau: testBureau}
	}
	return ns
}

func TestNoticesPDF_Campaign(t *testing.T) {
	ns := campaignNotices(220)

	out, err := NoticesPDF(ns)
	require.NoError(t, err)

	notices := noticeTexts(t, out, noticeTitle)
	wantCount := 0
	for _, n := range ns {
		wantCount += len(n.Interview.Enterprises)
	}
	require.Len(t, notices, wantCount, "each notice starts on a new page")

	at := 0
	for _, n := range ns {
		for range n.Interview.Enterprises {
			number := pdftest.Squash("文书编号：" + n.Interview.NoticeNumber)
			require.Contains(t, notices[at], number, "notice %d", at+1)
			at++
		}
	}
}

func TestNoticesPDF_Refused(t *testing.T) {
	_, err := NoticesPDF(nil)
	assert.True(t, errs.Is(err, errs.Invalid), "got %v", err)

	ns := campaignNotices(3)
	ns[1].Interview.State = StateCancelled
	_, err = NoticesPDF(ns)
	assert.True(t, errs.Is(err, errs.Conflict), "got %v", err)
	assert.Contains(t, err.Error(), "京朝市监约〔2026〕第0002号")
}

package pdf

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"prepaidreg/internal/pdf/pdftest"
)

const (
	noticeTitle  = "单用途预付卡经营企业约谈通知书"
	noticeHeader = "北京市朝阳区商务局"
)

var noticeFields = [][2]string{
	{"文书编号", "京朝商约〔2026〕第0153号"},
	{"企业名称", "北京某某健身服务有限公司"},
	{"统一社会信用代码", "91110105MA01ABCDE2"},
	{"经营地址", "北京市朝阳区望京街道阜通东大街6号院3号楼B座1201室（望京SOHO T3）"},
	{"约谈时间", "2026年12月10日（星期四）14:00—16:00"},
	{"约谈事由", "预收资金存管比例不足、投诉量持续上升，" +
		"涉嫌违反《北京市单用途预付卡管理条例》第十二条、第十八条的规定"},
}

var noticeParagraphs = []string{
	longParagraph,

	"根据你单位报送的2026年第三季度经营数据，截至2026年9月30日，你单位预收资金余额为3,456,789.50元，" +
		"按照本市规定的40%存管比例，应存管资金1,382,715.80元；实际存管资金1,234.56元，差额1,381,481.24元。" +
		"2026年7月1日至2026年11月30日期间，12315平台、12345市民服务热线共转来涉及你单位的投诉举报" +
		"57件，其中已调解成功21件、终止调解9件、正在处理27件，涉及金额合计286,450.00元；" +
		"消费者反映的主要问题包括：门店无故闭店、拒绝退还未消费余额、擅自变更服务内容、" +
		"未按约定提供发票等。依据《单用途商业预付卡管理办法（试行）》（商务部令2012年第9号）第二十二条，" +
		"单张记名卡限额不得超过5,000元，单张不记名卡限额不得超过1,000元；经抽查，你单位发售的" +
		"“至尊年卡”（卡号段88000001—88001286）单张面值为6,800元，已超出上述限额。" +
		"请你单位于约谈前对照上述问题逐项自查，形成书面报告（一式两份，加盖公章），并于约谈时提交。",

	"约谈结束后，你单位应当在15个工作日内完成整改，补足存管资金或提供履约保证保险、银行保函等担保，" +
		"并将整改情况书面报送本局；本局将在整改期限届满后5个工作日内组织复查。" +
		"对拒不整改或整改不到位的，本局将依据《市场监督管理严重违法失信名单管理办法》第八条的规定，" +
		"视情形将你单位列入经营异常名录或严重违法失信名单，并通过国家企业信用信息公示系统（北京）向社会公示；" +
		"列入严重违法失信名单的，公示期为3年，期满自动移出；符合条件的，可在公示满1年后申请提前移出。" +
		"你单位对本通知书有异议的，可自收到之日起30日内向本局提出书面异议，" +
		"或在60日内向北京市朝阳区人民政府申请行政复议，也可在6个月内向北京市朝阳区人民法院提起行政诉讼。" +
		"联系人：李明、王芳，联系电话：010-65091234、010-65095678，电子邮箱：yufuka@example.gov.cn。",
}

var complaintHeaders = []string{"序号", "受理日期", "投诉编号", "投诉事由", "涉及金额（元）", "处理状态"}

// complaintRows returns n rows of a complaint summary table, long enough for
// some cells to wrap.
func complaintRows(n int) [][]string {
	reasons := []string{
		"门店无故闭店，拒绝退还未消费余额",
		"擅自变更服务内容",
		"私教课程未按约定提供，教练频繁更换，要求退还剩余课时费用并赔偿损失",
		"未按约定提供发票",
	}
	states := []string{"已调解", "调解中", "终止调解", "已受理"}
	rows := make([][]string, n)
	for i := range rows {
		rows[i] = []string{
			fmt.Sprintf("%d", i+1),
			fmt.Sprintf("2026-%02d-%02d", 7+i%5, 1+i%28),
			fmt.Sprintf("TS20261105%04d", 37+i),
			reasons[i%len(reasons)],
			fmt.Sprintf("%d,%03d.%02d", 1+i%9, (i*137)%1000, (i*7)%100),
			states[i%len(states)],
		}
	}
	return rows
}

// notice builds a multi-page interview notice with every kind of content.
func notice() *Document {
	doc := New(noticeTitle)
	doc.SetHeader(noticeHeader)
	doc.Title(noticeTitle)
	for _, f := range noticeFields {
		doc.Field(f[0], f[1])
	}
	doc.Heading("一、约谈事由")
	doc.Paragraph(noticeParagraphs[0])
	doc.Heading("二、相关情况")
	doc.Paragraph(noticeParagraphs[1])
	doc.Heading("三、投诉举报明细")
	doc.Table(complaintHeaders, []float64{12, 24, 34, 56, 26, 18}, complaintRows(40))
	doc.Heading("四、整改要求及救济途径")
	doc.Paragraph(noticeParagraphs[2])
	doc.Spacer(12)
	doc.Field("发文机关", "北京市朝阳区商务局（印章）")
	doc.Field("发文日期", "2026年12月3日")
	return doc
}

func TestDocument_TextSurvivesLayout(t *testing.T) {
	pdf, err := notice().Bytes()
	require.NoError(t, err)

	pages := strings.Split(strings.TrimSuffix(pdftest.Text(t, pdf), "\f"), "\f")
	require.Greater(t, len(pages), 2, "the notice should span several pages")

	// Every page carries the header and a footer with the title and
	// "第 N 页 / 共 M 页"; what is left is the body, in order.
	var body strings.Builder
	for i, page := range pages {
		page = pdftest.Squash(page)
		footer := pdftest.Squash(fmt.Sprintf("第 %d 页 / 共 %d 页", i+1, len(pages)))
		require.True(t, strings.HasPrefix(page, noticeHeader), "page %d does not start with the header: %q", i+1, page)
		require.Contains(t, page, footer, "page %d has no page number", i+1)
		page = strings.TrimPrefix(page, noticeHeader)
		page = strings.Replace(page, footer, "", 1)
		require.True(t, strings.HasSuffix(page, noticeTitle), "page %d footer has no title: %q", i+1, page)
		body.WriteString(strings.TrimSuffix(page, noticeTitle))
	}

	var want []string
	want = append(want, noticeTitle)
	for _, f := range noticeFields {
		want = append(want, f[0]+"："+f[1])
	}
	want = append(want, "一、约谈事由", noticeParagraphs[0], "二、相关情况", noticeParagraphs[1], "三、投诉举报明细")
	want = append(want, complaintHeaders...)
	for _, row := range complaintRows(40) {
		want = append(want, row...)
	}
	want = append(want, "四、整改要求及救济途径", noticeParagraphs[2],
		"发文机关：北京市朝阳区商务局（印章）", "发文日期：2026年12月3日")
	requireInOrder(t, body.String(), want)
}

// requireInOrder checks that every string of want, with white space removed,
// occurs in text after the one before it.
func requireInOrder(t *testing.T, text string, want []string) {
	t.Helper()
	rest := text
	for i, w := range want {
		w = pdftest.Squash(w)
		at := strings.Index(rest, w)
		require.GreaterOrEqual(t, at, 0, "string %d %q not found in order; text from there: %q", i, w, rest)
		rest = rest[at+len(w):]
	}
}

func TestDocument_TableHeaderRepeats(t *testing.T) {
	doc := New("投诉明细")
	doc.Table(complaintHeaders, nil, complaintRows(80))
	pdf, err := doc.Bytes()
	require.NoError(t, err)

	pages := strings.Split(strings.TrimSuffix(pdftest.Text(t, pdf), "\f"), "\f")
	require.Greater(t, len(pages), 1)
	head := pdftest.Squash(strings.Join(complaintHeaders, ""))
	for i, page := range pages {
		assert.Contains(t, pdftest.Squash(page), head, "page %d has no table header", i+1)
	}
}

func TestDocument_OutputErrors(t *testing.T) {
	tests := []struct {
		name    string
		headers []string
		widths  []float64
		rows    [][]string
		want    string
	}{
		{"no headers", nil, nil, nil, "no headers"},
		{"widths do not match columns", []string{"a", "b"}, []float64{10}, nil, "1 widths for 2 columns"},
		{"width not positive", []string{"a", "b"}, []float64{10, 0}, nil, "column 2 has width 0"},
		{"row too long", []string{"a"}, nil, [][]string{{"1"}, {"1", "2"}}, "row 2 has 2 cells for 1 columns"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := New("表格")
			doc.Table(tt.headers, tt.widths, tt.rows)

			err := doc.Output(&bytes.Buffer{})
			require.Error(t, err)
			assert.Contains(t, err.Error(), "pdf output: ")
			assert.Contains(t, err.Error(), tt.want)

			_, err = doc.Bytes()
			require.Error(t, err)
			assert.Contains(t, err.Error(), "pdf bytes: ")
		})
	}
}

func TestDocument_OutputTwice(t *testing.T) {
	doc := New("测试")
	doc.Paragraph("2026年12月3日 ABC 统一社会信用代码 91110105MA01XXXX")

	first, err := doc.Bytes()
	require.NoError(t, err)
	second, err := doc.Bytes()
	require.NoError(t, err)

	for _, pdf := range [][]byte{first, second} {
		text := pdftest.Text(t, pdf)
		assert.Contains(t, text, "2026年12月3日 ABC 统一社会信用代码 91110105MA01XXXX")
		assert.Contains(t, pdftest.Squash(text), "第1页/共1页")
	}
}

func TestDocument_TallTableRowSplitsAcrossPages(t *testing.T) {
	long := strings.Repeat(noticeParagraphs[1], 6)
	doc := New("长单元格")
	doc.Paragraph("表格之前的一段文字。")
	doc.Table([]string{"项目", "内容"}, []float64{30, 140}, [][]string{{"情况说明", long}, {"备注", "无"}})
	pdf, err := doc.Bytes()
	require.NoError(t, err)

	text := pdftest.Text(t, pdf)
	assert.Contains(t, pdftest.Squash(text), "第1页/共")
	assert.NotContains(t, pdftest.Squash(text), "第1页/共1页",
		"a cell of %d characters should not fit one page", len([]rune(long)))

	// The footer and, after the first page, the repeated header row interrupt
	// the cell where it crosses a page; the text around them is all there, in
	// order.
	var body strings.Builder
	for i, page := range strings.Split(strings.TrimSuffix(text, "\f"), "\f") {
		squashed := pdftest.Squash(page)
		if i > 0 {
			require.True(t, strings.HasPrefix(squashed, "项目内容"), "page %d does not repeat the header row", i+1)
			squashed = strings.TrimPrefix(squashed, "项目内容")
		}
		cut := strings.LastIndex(squashed, "长单元格")
		require.GreaterOrEqual(t, cut, 0, "page %d has no footer: %q", i+1, squashed)
		body.WriteString(squashed[:cut])
	}
	requireInOrder(t, body.String(), []string{"表格之前的一段文字。", "项目", "内容", "情况说明", long, "备注", "无"})
}

func TestDocument_Empty(t *testing.T) {
	pdf, err := New("空白文书").Bytes()
	require.NoError(t, err)
	assert.Equal(t, "空白文书第1页/共1页", pdftest.Squash(pdftest.Text(t, pdf)))
}

func TestDocument_PageBreak(t *testing.T) {
	doc := New("分页")
	doc.PageBreak() // at the top of the first page: no blank page
	doc.Paragraph("第一份通知。")
	doc.PageBreak()
	doc.PageBreak() // a second break in a row adds no page either
	doc.Paragraph("第二份通知。")
	doc.PageBreak()
	doc.Paragraph("第三份通知。")
	pdf, err := doc.Bytes()
	require.NoError(t, err)

	pages := strings.Split(strings.TrimSuffix(pdftest.Text(t, pdf), "\f"), "\f")
	require.Len(t, pages, 3)
	for i, want := range []string{"第一份通知。", "第二份通知。", "第三份通知。"} {
		page := pdftest.Squash(pages[i])
		assert.Equal(t, want+"分页"+fmt.Sprintf("第%d页/共3页", i+1), page, "page %d", i+1)
	}
}

package pdf

import (
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// measureUnits is a stand-in for a font: CJK characters are two units wide,
// everything else one.
func measureUnits(s string) float64 {
	var w float64
	for _, r := range s {
		if isCJK(r) {
			w += 2
			continue
		}
		w++
	}
	return w
}

func TestWrapLines(t *testing.T) {
	tests := []struct {
		name  string
		text  string
		width float64
		want  []string
	}{
		{"empty string", "", 10, []string{""}},
		{"only newlines", "\n\n", 10, []string{"", "", ""}},
		{"fits on one line", "统一社会信用代码", 16, []string{"统一社会信用代码"}},
		{"breaks between Chinese characters", "一二三四五六", 8, []string{"一二三四", "五六"}},
		{"explicit newline ends a paragraph", "一二\n三四", 10, []string{"一二", "三四"}},
		{"money not split", "金额为1,000.00元", 8, []string{"金额为", "1,000.00", "元"}},
		{"date not split", "日期2026-12-03止", 12, []string{"日期", "2026-12-03止"}},
		{"time not split", "上午9:30开始", 6, []string{"上午", "9:30开", "始"}},
		{"USCC not split", "代码91110105MA01ABCDE2号", 20, []string{"代码", "91110105MA01ABCDE2号"}},
		{"long word split by characters", "代码91110105MA01ABCDE2", 12, []string{"代码", "91110105MA01", "ABCDE2"}},
		{"line narrower than a character", "中文", 1, []string{"中", "文"}},
		{"Chinese comma not at line start", "一二三四，五六", 8, []string{"一二三", "四，五六"}},
		{"full stop and closing quote not at line start", "一二三四。”五", 8, []string{"一二三", "四。”五"}},
		{"closing bracket not at line start", "一二三（四）", 8, []string{"一二三", "（四）"}},
		{"opening title mark not at line end", "一二三《四五》", 8, []string{"一二三", "《四五》"}},
		{"ASCII comma stays with its word", "word, next", 5, []string{"word,", "next"}},
		{"ASCII bracket not at line end", "abc (def)", 6, []string{"abc", "(def)"}},
		{"spaces dropped at a break", "alpha beta gamma", 10, []string{"alpha beta", "gamma"}},
		{"several spaces dropped at a break", "alpha   beta", 6, []string{"alpha", "beta"}},
		{"leading spaces of a paragraph kept", "  ab", 10, []string{"  ab"}},
		{"number after Chinese may move down", "共计12345678笔", 10, []string{"共计", "12345678笔"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := wrapLines(tt.text, tt.width, measureUnits)
			assert.Equal(t, tt.want, got)
			requireRejoins(t, tt.text, got)
		})
	}
}

// longParagraph is a mixed Chinese text of more than 500 characters with
// numbers, dates, codes, money, Latin words and punctuation.
const longParagraph = "经查，北京某某健身服务有限公司（统一社会信用代码91110105MA01ABCDE2，以下简称“该公司”）" +
	"自2024年3月1日起在朝阳区望京街道开展单用途预付卡业务，截至2026-12-03共发售记名卡1,286张、" +
	"不记名卡342张，预收资金余额合计3,456,789.50元。根据《北京市单用途预付卡管理条例》第十二条、" +
	"第十八条的规定，经营者应当按照上一季度末预收资金余额的40%存管资金；该公司实际存管仅1,234.56元，" +
	"存管比例不足0.1%，明显低于规定标准。另据12315平台统计，2026年第三季度涉及该公司的投诉共计57件，" +
	"其中“闭店跑路”类诉求23件、“拒绝退卡”类诉求19件，投诉量较上季度增长185.5%。" +
	"执法人员于2026年11月20日上午9:30至该公司经营场所（朝阳区望京街道阜通东大街6号院3号楼B座1201室）" +
	"现场检查，发现其营业时间缩短、教练人员减少，门店张贴的《会员须知》未载明退卡条件。" +
	"负责人Zhang Wei称：“公司正在调整经营，并非停业。”但未能提供近三个月的资金流水及会员消费明细。" +
	"依据《市场监督管理投诉举报处理暂行办法》及本市相关规定，现决定于2026年12月10日14:00对该公司进行约谈，" +
	"请法定代表人或其委托代理人携带营业执照副本、预付卡发售台账、资金存管协议（或履约保证保险保单、银行保函）" +
	"等材料准时到场；逾期不到或拒不配合的，将依法列入经营异常名录，并视情形采取进一步监管措施！" +
	"联系电话：010-65091234，联系人：李明。"

func TestWrapLines_KeepsEveryCharacter(t *testing.T) {
	require.Greater(t, utf8.RuneCountInString(longParagraph), 500)
	text := longParagraph + "\n\n" + longParagraph

	for _, width := range []float64{20, 31, 47, 60, 85} {
		lines := wrapLines(text, width, measureUnits)
		requireRejoins(t, text, lines)

		for i, line := range lines {
			assert.LessOrEqual(t, measureUnits(line), width, "line %d %q is too wide", i, line)
			if line == "" {
				continue
			}
			first, _ := utf8.DecodeRuneInString(line)
			last, _ := utf8.DecodeLastRuneInString(line)
			assert.NotContains(t, closing, string(first), "line %d %q starts with closing punctuation", i, line)
			assert.NotContains(t, opening, string(last), "line %d %q ends with opening punctuation", i, line)
		}

		joined := strings.Join(lines, "\n")
		for _, number := range regexp.MustCompile(`[0-9A-Z][0-9A-Z,.:%-]*[0-9A-Z%]`).FindAllString(text, -1) {
			assert.Contains(t, joined, number, "width %g split %q", width, number)
		}
	}
}

// requireRejoins checks that lines are text with line breaks added: between
// two lines there is either nothing, a run of spaces that was dropped at the
// break, or the "\n" that ended a paragraph.
func requireRejoins(t *testing.T, text string, lines []string) {
	t.Helper()
	rest := text
	for i, line := range lines {
		if i > 0 {
			if strings.HasPrefix(rest, "\n") {
				rest = rest[1:]
			} else {
				rest = strings.TrimLeft(rest, " ")
			}
		}
		require.True(t, strings.HasPrefix(rest, line),
			"line %d %q is not the next part of the text: %q", i, line, rest)
		rest = rest[len(line):]
	}
	require.Empty(t, rest, "text left over after the last line")
}

func TestWrapLines_KeepsAnAddressTogether(t *testing.T) {
	measure := func(s string) float64 { return float64(len([]rune(s))) }
	lines := wrapLines("视频链接：https://meeting.example.cn/j/88 请准时", 33, measure)
	require.GreaterOrEqual(t, len(lines), 1)
	for _, l := range lines {
		assert.NotEqual(t, "https:", strings.TrimSpace(l), "the scheme must not stand alone: %q", lines)
	}
	assert.Contains(t, strings.Join(lines, "\n"), "https://meeting.example.cn/j/88")
}

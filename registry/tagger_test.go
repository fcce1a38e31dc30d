package registry

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The labelled sets: the rules were tuned on the first; the second was written before the
// tagger was run on it and is never used for tuning.
const (
	tuneSetPath     = "testdata/complaints-tune.jsonl"
	heldOutSetPath  = "testdata/complaints-labelled.jsonl"
	heldOutAccFloor = 0.90
	tuneSetAccFloor = 0.95
)

func TestTagger_Tag(t *testing.T) {
	tests := []struct {
		name string
		text string
		want Category
	}{
		{
			name: "refund refused",
			text: "来电人反映其在健身房办理年卡3800元，因搬家申请退卡，商家拒绝退款，要求退还余额。",
			want: CategoryRefundRefused,
		},
		{
			name: "refund dragged out",
			text: "市民称培训机构答应退费后一直拖延，三个月了至今未退，多次催促均被推脱。",
			want: CategoryRefundRefused,
		},
		{
			name: "closed and unreachable",
			text: "来电人反映：其于2025年在朝阳区某健身房办理年卡3800元，现该店突然关门，电话无人接听，要求退款。",
			want: CategoryClosed,
		},
		{
			name: "owner ran away",
			text: "来电人称美容院老板卷款跑路，店里人去楼空，会员卡内余额无人退还。",
			want: CategoryClosed,
		},
		{
			name: "service cut",
			text: "来电人反映少儿英语机构每节课从90分钟缩短为60分钟，外教课也取消了，课程缩水。",
			want: CategoryServiceCut,
		},
		{
			name: "false advertising",
			text: "来电人反映减肥机构宣传“一个月瘦20斤”，实际毫无效果，认为商家虚假宣传。",
			want: CategoryFalseAdvertising,
		},
		{
			name: "unfair terms",
			text: "来电人反映健身房合同写明“本卡一经售出概不退换，最终解释权归本店所有”，认为是霸王条款。",
			want: CategoryUnfairTerms,
		},
		{
			name: "price raised",
			text: "来电人反映美发店剪发由每次68元涨到128元，会员卡余额也按新价格扣费，属于变相涨价。",
			want: CategoryPriceRaised,
		},
		{
			name: "transfer with a new owner refusing old cards",
			text: "来电人反映洗衣店转让给新老板后，新老板不认原来的会员卡，要求重新办卡。",
			want: CategoryTransfer,
		},
		{
			name: "other: an invoice",
			text: "来电人反映某培训机构收取学费后一直不给开具发票，只给了一张手写收据。",
			want: CategoryOther,
		},
		{
			name: "closed wins over the refund it leads to",
			text: "来电人反映瑜伽馆已关门停业，老板失联，要求退还卡内余额4000元。",
			want: CategoryClosed,
		},
		{
			name: "price raised though the balance is said to shrink",
			text: "来电人反映足疗店将项目价格全部上调，储值卡余额按新价格扣费，相当于卡里的钱缩水了。",
			want: CategoryPriceRaised,
		},
	}
	tg := DefaultTagger()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tg.Tag(tt.text)
			assert.Equal(t, tt.want, got.Category, "matched %v", got.Matched)
			assert.NotEmpty(t, got.Matched)
		})
	}
}

func TestTagger_Negation(t *testing.T) {
	tests := []struct {
		name    string
		text    string
		want    Category
		notWant Category
	}{
		{
			name:    "refund already paid",
			text:    "来电人反映美容院已退费，但店员在退费时态度恶劣，对其冷嘲热讽，要求商家道歉。",
			want:    CategoryOther,
			notWant: CategoryRefundRefused,
		},
		{
			name:    "refund arrived",
			text:    "来电人称退款已到账，现反映该机构仍在宣传“全市最低价”，实际收费远高于宣传，认为是虚假宣传。",
			want:    CategoryFalseAdvertising,
			notWant: CategoryRefundRefused,
		},
		{
			name:    "open but classes cut",
			text:    "店还在正常营业，但课程缩水",
			want:    CategoryServiceCut,
			notWant: CategoryClosed,
		},
		{
			name:    "did not run away",
			text:    "来电人称健身房老板并没有跑路，店也没有关门，但私教课由60分钟缩短为45分钟，服务缩水。",
			want:    CategoryServiceCut,
			notWant: CategoryClosed,
		},
		{
			name:    "refund partly paid, the rest refused",
			text:    "来电人称美容院已退费1000元，剩余3000元拒绝退还，要求全额退款。",
			want:    CategoryRefundRefused,
			notWant: CategoryOther,
		},
		{
			name:    "refusal to agree is no agreement",
			text:    "来电人反映健身房不同意退费，称卡已激活。",
			want:    CategoryRefundRefused,
			notWant: CategoryOther,
		},
		{
			name:    "a negator past a clause break does not reach",
			text:    "来电人没有办法，店已跑路",
			want:    CategoryClosed,
			notWant: CategoryOther,
		},
		{
			name:    "没想到 is no negation",
			text:    "来电人办卡后没想到跑路了",
			want:    CategoryClosed,
			notWant: CategoryOther,
		},
	}
	tg := DefaultTagger()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tg.Tag(tt.text)
			assert.Equal(t, tt.want, got.Category, "matched %v", got.Matched)
			assert.NotEqual(t, tt.notWant, got.Category)
		})
	}
}

func TestTagger_EmptyOrUnmatchedTextIsOther(t *testing.T) {
	tg := DefaultTagger()
	for _, text := range []string{"", "   ", "\u3000", "来电人反映情况，工作人员已记录。"} {
		got := tg.Tag(text)
		assert.Equal(t, CategoryOther, got.Category, "text %q", text)
		assert.Empty(t, got.Matched, "text %q", text)
	}
}

func TestTagger_MatchedExplainsTheChoice(t *testing.T) {
	got := DefaultTagger().Tag("来电人反映健身房突然关门，老板失联，电话无人接听。")

	require.Equal(t, CategoryClosed, got.Category)
	assert.Equal(t, []string{"关门", "失联", "无人接听"}, got.Matched)
}

func TestTagger_NormalisesFullWidthAndSpaces(t *testing.T) {
	rules := `{"categories": {"false_advertising": {"phrases": [{"weight": 1, "list": ["vip卡", "a b"]}]}}}`
	tg, err := NewTagger([]byte(rules))
	require.NoError(t, err)

	for _, text := range []string{"办了ＶＩＰ卡", "办了 Vip卡", "x Ａ\u3000\t Ｂ y"} {
		assert.Equal(t, CategoryFalseAdvertising, tg.Tag(text).Category, "text %q", text)
	}
	assert.Equal(t, "a b,c", normaliseText("  Ａ \u3000 B，c\n"))
}

func TestTagger_TieGoesToTheEarlierCategory(t *testing.T) {
	rules := `{"categories": {
		"transfer": {"phrases": [{"weight": 2, "list": ["新老板"]}]},
		"price_raised": {"phrases": [{"weight": 2, "list": ["补差价"]}]}
	}}`
	tg, err := NewTagger([]byte(rules))
	require.NoError(t, err)

	for i := 0; i < 20; i++ {
		assert.Equal(t, CategoryPriceRaised, tg.Tag("新老板要求补差价").Category)
	}
}

func TestTagger_PhraseCountsOnce(t *testing.T) {
	rules := `{"categories": {
		"refund_refused": {"phrases": [{"weight": 2, "list": ["退款"]}]},
		"transfer": {"phrases": [{"weight": 3, "list": ["转让"]}]}
	}}`
	tg, err := NewTagger([]byte(rules))
	require.NoError(t, err)

	got := tg.Tag("退款，退款，退款，店铺转让")
	assert.Equal(t, CategoryTransfer, got.Category)
	assert.Equal(t, []string{"转让"}, got.Matched)
}

func TestTagger_MapHotline(t *testing.T) {
	tests := []struct {
		in   string
		want Category
	}{
		{"退费难", CategoryRefundRefused},
		{" 预付卡退费 ", CategoryRefundRefused},
		{"退款纠纷", CategoryRefundRefused},
		{"商家跑路", CategoryClosed},
		{"闭店", CategoryClosed},
		{"失联", CategoryClosed},
		{"服务质量下降", CategoryServiceCut},
		{"课程缩水", CategoryServiceCut},
		{"夸大宣传", CategoryFalseAdvertising},
		{"不公平格式条款", CategoryUnfairTerms},
		{"变相涨价", CategoryPriceRaised},
		{"变更经营者", CategoryTransfer},
		{"转店", CategoryTransfer},
		{"咨询", CategoryOther},
		{"其它", CategoryOther},
		{"停业跑路", CategoryClosed},
		{"refund_refused", CategoryRefundRefused},
		{"退 费 难", CategoryRefundRefused},
		{"霸王条款\u3000", CategoryUnfairTerms},
		{"消费维权/预付式消费/退费难", CategoryRefundRefused},
		{"市场监管－预付卡－商家跑路", CategoryClosed},
		{"预付式消费＞转让纠纷", CategoryTransfer},
	}
	tg := DefaultTagger()
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, ok := tg.MapHotline(tt.in)
			require.True(t, ok)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestTagger_MapHotlineUnknown(t *testing.T) {
	tg := DefaultTagger()
	for _, in := range []string{"", "  ", "城市管理", "消费维权/预付式消费"} {
		got, ok := tg.MapHotline(in)
		assert.False(t, ok, "text %q", in)
		assert.Empty(t, got, "text %q", in)
	}
}

func TestTagger_EveryHotlineCategoryMaps(t *testing.T) {
	tg := DefaultTagger()
	for _, c := range Categories {
		got, ok := tg.MapHotline(c.Label())
		require.True(t, ok, "label %s", c.Label())
		assert.Equal(t, c, got)
	}
}

func TestNewTagger_MalformedRules(t *testing.T) {
	const phrase = `{"weight": 1, "list": ["退款"]}`
	tests := []struct {
		name    string
		rules   string
		wantErr string
	}{
		{name: "not JSON", rules: `{"categories": `, wantErr: "malformed"},
		{name: "trailing text", rules: `{} {}`, wantErr: "text after"},
		{name: "unknown field", rules: `{"categorys": {}}`, wantErr: "unknown field"},
		{name: "no phrases", rules: `{}`, wantErr: "no phrases"},
		{
			name:    "unknown category",
			rules:   `{"categories": {"refund": {"phrases": [` + phrase + `]}}}`,
			wantErr: `"refund" is not a category code`,
		},
		{
			name:    "zero weight",
			rules:   `{"categories": {"other": {"phrases": [{"weight": 0, "list": ["咨询"]}]}}}`,
			wantErr: "other phrases[0]: weight is 0",
		},
		{
			name:    "empty phrase",
			rules:   `{"categories": {"other": {"phrases": [{"weight": 1, "list": [" "]}]}}}`,
			wantErr: "an empty phrase",
		},
		{
			name:    "empty list",
			rules:   `{"categories": {"other": {"negations": [{"weight": 1, "list": []}]}}}`,
			wantErr: "other negations[0]: list is empty",
		},
		{
			name: "phrase listed twice",
			rules: `{"categories": {"refund_refused": {"phrases": [` + phrase + `],
				"negations": [{"weight": 1, "list": ["退款"]}]}}}`,
			wantErr: `"退款" is listed twice`,
		},
		{
			name:    "negator window too wide",
			rules:   `{"negator_window": 50, "categories": {"other": {"phrases": [` + phrase + `]}}}`,
			wantErr: "negator_window is 50",
		},
		{
			name:    "empty negator",
			rules:   `{"negators": [""], "categories": {"other": {"phrases": [` + phrase + `]}}}`,
			wantErr: "negators[0] is empty",
		},
		{
			name:    "hotline to an unknown category",
			rules:   `{"hotline": {"closed": ["跑路"]}, "categories": {"other": {"phrases": [` + phrase + `]}}}`,
			wantErr: `hotline: "closed" is not a category code`,
		},
		{
			name: "hotline text mapped twice",
			rules: `{"hotline": {"transfer": ["转让"], "other": ["转 让"]},
				"categories": {"other": {"phrases": [` + phrase + `]}}}`,
			wantErr: "maps to both",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tg, err := NewTagger([]byte(tt.rules))
			require.Error(t, err)
			assert.Nil(t, tg)
			assert.Contains(t, err.Error(), tt.wantErr)
			assert.True(t, strings.HasPrefix(err.Error(), "tag rules: "), err.Error())
		})
	}
}

func TestNewTagger_TooManyPhrases(t *testing.T) {
	phrases := make([]string, 14000)
	for i := range phrases {
		phrases[i] = fmt.Sprintf("%08x", uint32(i)*2654435761)
	}
	group, err := json.Marshal(map[string]any{"weight": 1, "list": phrases})
	require.NoError(t, err)

	_, err = NewTagger([]byte(`{"categories": {"other": {"phrases": [` + string(group) + `]}}}`))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "tag rules: too many phrases")
}

func TestTagger_ShippedRulesParse(t *testing.T) {
	tg, err := NewTagger(tagRulesJSON)
	require.NoError(t, err)
	assert.Same(t, DefaultTagger(), DefaultTagger())
	assert.Equal(t, len(tg.phrases), len(DefaultTagger().phrases))
}

func TestTagger_MatchesAgreeWithPlainSearch(t *testing.T) {
	tg := DefaultTagger()
	for _, row := range loadLabelled(t, tuneSetPath) {
		text := normaliseText(row.Text)
		found := map[int]bool{}
		for _, h := range tg.matcher.find(text, nil) {
			require.Equal(t, tg.phrases[h.phrase].text, text[h.start:h.end])
			found[h.phrase] = true
		}
		for i, p := range tg.phrases {
			assert.Equal(t, strings.Contains(text, p.text), found[i], "phrase %q in %q", p.text, row.Text)
		}
	}
}

func TestTagger_LabelledSetsAreWellFormedAndApart(t *testing.T) {
	tune := loadLabelled(t, tuneSetPath)
	heldOut := loadLabelled(t, heldOutSetPath)
	require.GreaterOrEqual(t, len(tune), 120)
	require.GreaterOrEqual(t, len(heldOut), 200)

	seen := map[string]bool{}
	for _, row := range tune {
		seen[normaliseText(row.Text)] = true
	}
	for _, row := range heldOut {
		assert.False(t, seen[normaliseText(row.Text)], "held-out text is also in the tuning set: %s", row.Text)
	}
	for _, row := range append(tune, heldOut...) {
		n := utf8.RuneCountInString(row.Text)
		assert.True(t, n >= 30 && n <= 300, "%d characters: %s", n, row.Text)
		assert.True(t, row.Category.Valid(), "category %q", row.Category)
	}
}

func TestTagger_AccuracyOnHeldOutSet(t *testing.T) {
	tg := DefaultTagger()
	heldOut := scoreTagger(tg, loadLabelled(t, heldOutSetPath))
	tune := scoreTagger(tg, loadLabelled(t, tuneSetPath))

	logScore(t, "held-out set", heldOut)
	t.Logf("tuning set, for comparison: accuracy %.3f (%d of %d)", tune.accuracy(), tune.correct, tune.total)
	assert.GreaterOrEqual(t, heldOut.accuracy(), heldOutAccFloor)
}

func TestTagger_AccuracyOnTuningSet(t *testing.T) {
	tune := scoreTagger(DefaultTagger(), loadLabelled(t, tuneSetPath))

	logScore(t, "tuning set", tune)
	assert.GreaterOrEqual(t, tune.accuracy(), tuneSetAccFloor)
}

func BenchmarkTagger_Tag(b *testing.B) {
	texts := benchTexts(b)
	tg := DefaultTagger()
	b.ReportAllocs()

	i := 0
	for b.Loop() {
		tg.Tag(texts[i%len(texts)])
		i++
	}
}

// BenchmarkTagger_TagBaseline is the plain way to find the same phrases, one search per
// phrase, against which the automaton in Tag is measured.
func BenchmarkTagger_TagBaseline(b *testing.B) {
	texts := benchTexts(b)
	tg := DefaultTagger()
	b.ReportAllocs()

	i, found := 0, 0
	for b.Loop() {
		text := normaliseText(texts[i%len(texts)])
		for _, p := range tg.phrases {
			if strings.Contains(text, p.text) {
				found++
			}
		}
		i++
	}
	require.Positive(b, found)
}

// benchTexts returns the tuning set's texts of 50 to 300 characters.
func benchTexts(b *testing.B) []string {
	b.Helper()
	var texts []string
	for _, r := range loadLabelled(b, tuneSetPath) {
		if n := utf8.RuneCountInString(r.Text); n >= 50 && n <= 300 {
			texts = append(texts, r.Text)
		}
	}
	require.NotEmpty(b, texts)
	return texts
}

// labelledText is one line of a labelled set.
type labelledText struct {
	Text     string   `json:"text"`
	Category Category `json:"category"`
}

// loadLabelled reads a labelled set, one JSON object a line.
func loadLabelled(tb testing.TB, path string) []labelledText {
	tb.Helper()
	f, err := os.Open(path)
	require.NoError(tb, err)
	defer f.Close()

	var rows []labelledText
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		var row labelledText
		require.NoError(tb, json.Unmarshal(sc.Bytes(), &row), "%s:%d", path, line)
		rows = append(rows, row)
	}
	require.NoError(tb, sc.Err())
	return rows
}

// tagScore counts how the tagger did on a labelled set.
type tagScore struct {
	total, correct int
	// hits counts right answers by category; tagged and labelled count answers and labels.
	hits, tagged, labelled map[Category]int
	misses                 []string
}

// scoreTagger tags every text of a labelled set and compares the answers with the labels.
func scoreTagger(tg *Tagger, rows []labelledText) tagScore {
	s := tagScore{hits: map[Category]int{}, tagged: map[Category]int{}, labelled: map[Category]int{}}
	for _, row := range rows {
		got := tg.Tag(row.Text)
		s.total++
		s.tagged[got.Category]++
		s.labelled[row.Category]++
		if got.Category == row.Category {
			s.correct++
			s.hits[row.Category]++
			continue
		}
		miss := fmt.Sprintf("want %s, got %s %v: %s", row.Category, got.Category, got.Matched, row.Text)
		s.misses = append(s.misses, miss)
	}
	return s
}

func (s tagScore) accuracy() float64 { return ratio(s.correct, s.total) }

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// logScore logs the accuracy, a precision and recall table by category, and the misses.
func logScore(t *testing.T, name string, s tagScore) {
	t.Helper()
	t.Logf("%s: accuracy %.3f (%d of %d)", name, s.accuracy(), s.correct, s.total)
	t.Logf("| category | labelled | tagged | precision | recall |")
	t.Logf("|---|---|---|---|---|")
	for _, c := range Categories {
		t.Logf("| %s | %d | %d | %.2f | %.2f |", c, s.labelled[c], s.tagged[c],
			ratio(s.hits[c], s.tagged[c]), ratio(s.hits[c], s.labelled[c]))
	}
	for _, m := range s.misses {
		t.Logf("miss: %s", m)
	}
}

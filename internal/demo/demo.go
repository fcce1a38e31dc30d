// Package demo makes the synthetic data set that "prepaidreg demo" and "prepaidreg serve --demo"
// load into an empty store: a few hundred prepaid-consumption enterprises of Chaoyang district
// with Chinese names, legal representatives, addresses on Chaoyang roads, stores, prepaid card
// business and valid unified social credit codes. Every name, code and number is made up.
//
// The set is drawn from a fixed seed, so every call returns the same enterprises in the same
// order.
package demo

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"prepaidreg/registry"
)

// Size is how many enterprises Enterprises returns.
const Size = 300

// district is Chaoyang's GB/T 2260 code; every demo enterprise is filed there.
const district = "110105"

// The PCG seed of the set. Changing it changes every enterprise.
const (
	seedHi = 0x5052_4550_4149_4452 // "PREPAIDR"
	seedLo = 0x0011_0105_2026_1203
)

// usccAlphabet lists the characters of positions 9–17 of a USCC (GB 32100-2015: no I, O, S,
// V, Z).
const usccAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"

// balanceDate is the quarter end the demo balances were reported for, midnight in Beijing.
var balanceDate = time.Date(2026, 9, 29, 16, 0, 0, 0, time.UTC)

// Enterprises returns the demo set: Size enterprises spread over every street and area office
// of Chaoyang and every industry, ready for registry.Service.CreateEnterprise.
func Enterprises() []registry.EnterpriseInput {
	g := newGenerator()
	streets := g.streetPlan(Size)
	industries := g.industryPlan(Size)

	out := make([]registry.EnterpriseInput, Size)
	for i := range out {
		out[i] = g.enterprise(streets[i], profiles[industries[i]])
	}
	return out
}

// generator draws enterprises and remembers the codes and names already given out.
type generator struct {
	rng     *rand.Rand
	streets []string
	usccs   map[string]bool
	names   map[string]bool
}

func newGenerator() *generator {
	return &generator{
		rng:     rand.New(rand.NewPCG(seedHi, seedLo)),
		streets: slices.Clone(registry.BeijingAreas().Streets[district]),
		usccs:   map[string]bool{},
		names:   map[string]bool{},
	}
}

// streetPlan returns n streets, each of Chaoyang's at least once, in random order.
func (g *generator) streetPlan(n int) []string {
	plan := slices.Clone(g.streets)
	for len(plan) < n {
		plan = append(plan, pick(g.rng, g.streets))
	}
	g.rng.Shuffle(len(plan), func(i, j int) { plan[i], plan[j] = plan[j], plan[i] })
	return plan[:n]
}

// industryPlan returns n indexes into profiles, each industry at least once and the rest in
// proportion to the profiles' weights, in random order.
func (g *generator) industryPlan(n int) []int {
	total := 0
	plan := make([]int, 0, n)
	for i, p := range profiles {
		total += p.weight
		plan = append(plan, i)
	}
	for len(plan) < n {
		r := g.rng.IntN(total)
		i := 0
		for r >= profiles[i].weight {
			r -= profiles[i].weight
			i++
		}
		plan = append(plan, i)
	}
	g.rng.Shuffle(len(plan), func(i, j int) { plan[i], plan[j] = plan[j], plan[i] })
	return plan[:n]
}

// enterprise draws one enterprise filed under street in the profile's industry.
func (g *generator) enterprise(street string, p profile) registry.EnterpriseInput {
	individual := g.rng.IntN(100) < p.individualPct
	brand, f, name := g.name(p, individual)

	in := registry.EnterpriseInput{
		USCC:                g.uscc(individual),
		Name:                name,
		Aliases:             g.aliases(p, brand, f, individual),
		LegalRepresentative: g.person(),
		RegisteredAddress:   g.address(street),
		District:            district,
		Street:              street,
		Industry:            p.industry,
		ContactPhone:        g.phone(),
		Status:              g.status(),
	}
	in.Stores = g.stores(brand, f, street, individual)
	in.Prepaid = g.prepaid(p, len(in.Stores))
	return in
}

// name draws an unused enterprise name: 北京<字号><行业词>有限公司 for a company, or
// 北京市朝阳区<字号><店名> for an individual business (个体工商户).
func (g *generator) name(p profile, individual bool) (string, form, string) {
	forms, prefix := p.companies, "北京"
	if individual {
		forms, prefix = p.shops, "北京市朝阳区"
	}
	for attempt := 0; ; attempt++ {
		brand := pick(g.rng, brands)
		if attempt > 20 {
			// The curated 字号 are used up for this industry; pair two of them.
			brand = string([]rune(brand)[0]) + string([]rune(pick(g.rng, brands))[1:])
		}
		f := pick(g.rng, forms)
		name := prefix + brand + f.suffix
		if !g.names[name] {
			g.names[name] = true
			return brand, f, name
		}
	}
}

// uscc draws an unused, valid USCC: 91 for a company or 92 for an individual business,
// Chaoyang's area code, an organisation code and the check character.
func (g *generator) uscc(individual bool) string {
	kind := "91"
	if individual {
		kind = "92"
	}
	for {
		org := g.orgCode(individual)
		first17 := kind + district + org
		check, err := registry.CheckChar(first17)
		if err != nil {
			panic(fmt.Sprintf("demo: made an impossible USCC %q: %v", first17, err))
		}
		code := first17 + string(check)
		if !g.usccs[code] {
			g.usccs[code] = true
			return code
		}
	}
}

// orgCode draws positions 9–17: codes issued since 2015 begin with MA; older companies carry
// their former nine-character organisation code, which individual businesses never had.
func (g *generator) orgCode(individual bool) string {
	var b strings.Builder
	if individual || g.rng.IntN(100) < 75 {
		b.WriteString("MA0")
		for range 6 {
			b.WriteByte(usccAlphabet[g.rng.IntN(len(usccAlphabet))])
		}
		return b.String()
	}
	for range 8 {
		b.WriteByte(byte('0' + g.rng.IntN(10)))
	}
	if g.rng.IntN(10) == 0 {
		b.WriteByte('X')
	} else {
		b.WriteByte(byte('0' + g.rng.IntN(10)))
	}
	return b.String()
}

// aliases draws the trading name most chains use and, for some, a former registered name.
func (g *generator) aliases(p profile, brand string, f form, individual bool) []string {
	var out []string
	if !individual && g.rng.IntN(100) < 30 {
		out = append(out, brand+f.store)
	}
	if !individual && g.rng.IntN(100) < 10 {
		_, _, former := g.name(p, false)
		out = append(out, former)
	}
	return out
}

// person draws a Chinese name, common surnames more often than rare ones.
func (g *generator) person() string {
	surname := surnames[min(g.rng.IntN(len(surnames)), g.rng.IntN(len(surnames)))]
	if g.rng.IntN(100) == 0 {
		surname = pick(g.rng, compoundSurnames)
	}
	given := pick(g.rng, givenChars)
	if g.rng.IntN(100) < 65 {
		given += pick(g.rng, givenChars)
	}
	return surname + given
}

// address draws an address on one of the street's roads.
func (g *generator) address(street string) string {
	road := pick(g.rng, roadsOf(street))
	no := 1 + g.rng.IntN(188)
	floor := 1 + g.rng.IntN(20)
	room := floor*100 + 1 + g.rng.IntN(30)
	switch g.rng.IntN(5) {
	case 0:
		return fmt.Sprintf("北京市朝阳区%s%d号", road, no)
	case 1:
		return fmt.Sprintf("北京市朝阳区%s%d号院%d号楼%d层%d室", road, no, 1+g.rng.IntN(12), floor, room)
	case 2:
		floor = 1 + floor%4
		return fmt.Sprintf("北京市朝阳区%s%d号%s%d层%d号商铺",
			road, no, pick(g.rng, buildings), floor, floor*100+1+g.rng.IntN(60))
	case 3:
		return fmt.Sprintf("北京市朝阳区%s%d号楼1层%d号", road, no, 101+g.rng.IntN(20))
	}
	return fmt.Sprintf("北京市朝阳区%s%d号%d层%d室", road, no, floor, room)
}

// roadsOf returns the roads of a street, or one named after it where none are listed.
func roadsOf(street string) []string {
	if r, ok := roads[street]; ok {
		return r
	}
	return []string{areaName(street) + "路"}
}

// areaName strips 街道 or 地区 from a street's name: 望京街道 → 望京.
func areaName(street string) string {
	return strings.TrimSuffix(strings.TrimSuffix(street, "街道"), "地区")
}

// phone draws a Beijing landline or a mobile number; a few enterprises gave none.
func (g *generator) phone() string {
	switch r := g.rng.IntN(100); {
	case r < 3:
		return ""
	case r < 70:
		return fmt.Sprintf("010-%c%07d", "568"[g.rng.IntN(3)], g.rng.IntN(10_000_000))
	}
	return fmt.Sprintf("%s%08d", pick(g.rng, mobilePrefixes), g.rng.IntN(100_000_000))
}

// status draws an operating status: most are open, a few suspended, closed or gone.
func (g *generator) status() registry.Status {
	switch r := g.rng.IntN(100); {
	case r < 88:
		return registry.StatusOperating
	case r < 93:
		return registry.StatusSuspended
	case r < 96:
		return registry.StatusClosed
	}
	return registry.StatusUnreachable
}

// stores draws one to three stores, the first in the enterprise's own street; an individual
// business has one.
func (g *generator) stores(brand string, f form, street string, individual bool) []registry.Shop {
	n := 1
	if r := g.rng.IntN(100); !individual && r >= 60 {
		n = 2 + r/88
	}
	out := make([]registry.Shop, n)
	for i := range out {
		at := street
		if i > 0 {
			at = pick(g.rng, g.streets)
		}
		out[i] = registry.Shop{
			Name:    fmt.Sprintf("%s%s（%s店）", brand, f.store, areaName(at)),
			Address: g.address(at),
		}
	}
	return out
}

// prepaid draws the card types and the outstanding balance, which grows with the stores.
func (g *generator) prepaid(p profile, stores int) registry.Prepaid {
	cards := []registry.CardType{p.cards[0]}
	for _, c := range p.cards[1:] {
		if g.rng.IntN(2) == 0 {
			cards = append(cards, c)
		}
	}
	slices.SortFunc(cards, func(a, b registry.CardType) int {
		return slices.Index(registry.CardTypes, a) - slices.Index(registry.CardTypes, b)
	})

	// Skew towards small balances: the product of two uniform draws.
	span := p.maxYuan - p.minYuan
	yuan := p.minYuan + span*g.rng.Int64N(1000)/1000*g.rng.Int64N(1000)/1000
	out := registry.Prepaid{
		CardTypes:             cards,
		OutstandingBalanceFen: int64(stores)*yuan*100 + g.rng.Int64N(100),
	}
	if g.rng.IntN(100) < 85 {
		reported := balanceDate
		out.BalanceReportedOn = &reported
	}
	if g.rng.IntN(100) < 60 {
		out.SupervisedAccount = g.account()
	}
	return out
}

// account draws a supervised deposit account at a Chaoyang bank branch.
func (g *generator) account() string {
	var digits strings.Builder
	for i := range 19 {
		if i > 0 && i%4 == 0 {
			digits.WriteByte(' ')
		}
		digits.WriteByte(byte('0' + g.rng.IntN(10)))
	}
	return fmt.Sprintf("%s北京%s支行 %s", pick(g.rng, banks), areaName(pick(g.rng, g.streets)), digits.String())
}

// pick returns a random element of list.
func pick[T any](rng *rand.Rand, list []T) T {
	return list[rng.IntN(len(list))]
}

// form is one way of ending an enterprise's name, with the word its stores are called by.
type form struct {
	suffix string // after the 字号: 健身服务有限公司, 美发店
	store  string // in a store's name: 悦动健身（望京店）
}

// profile describes the enterprises of one industry.
type profile struct {
	industry      registry.Industry
	weight        int // share of the set, in per cent
	individualPct int // share of individual businesses (个体工商户)
	companies     []form
	shops         []form
	cards         []registry.CardType // the first is always sold
	minYuan       int64               // outstanding balance per store
	maxYuan       int64
}

// profiles holds one profile per industry. Gyms, beauty salons and training schools sell most
// of the prepaid cards and draw most of the complaints, so they are the most common.
var profiles = []profile{
	{
		industry: registry.IndustryFitness, weight: 20, individualPct: 15,
		companies: []form{
			{"健身服务有限公司", "健身"}, {"体育文化发展有限公司", "健身"}, {"健身管理有限公司", "健身"},
			{"运动健身有限公司", "健身"}, {"瑜伽健身有限公司", "瑜伽"}, {"体育科技有限公司", "运动馆"},
		},
		shops:   []form{{"健身中心", "健身"}, {"健身馆", "健身"}, {"瑜伽馆", "瑜伽"}, {"游泳健身馆", "游泳健身"}},
		cards:   []registry.CardType{registry.CardNamed, registry.CardSessions},
		minYuan: 50_000, maxYuan: 2_500_000,
	},
	{
		industry: registry.IndustryBeauty, weight: 19, individualPct: 40,
		companies: []form{
			{"美容美发有限公司", "美容美发"}, {"美容服务有限公司", "美容"}, {"美业管理有限公司", "美业"},
			{"形象设计有限公司", "造型"}, {"健康管理有限公司", "美容"},
		},
		shops: []form{
			{"美容美发店", "美容美发"}, {"美发店", "美发"}, {"美容院", "美容"}, {"美甲店", "美甲"},
			{"美发沙龙", "美发沙龙"},
		},
		cards:   []registry.CardType{registry.CardNamed, registry.CardAnonymous, registry.CardSessions},
		minYuan: 20_000, maxYuan: 800_000,
	},
	{
		industry: registry.IndustryEducation, weight: 17, individualPct: 3,
		companies: []form{
			{"教育科技有限公司", "教育"}, {"教育咨询有限公司", "教育"}, {"文化艺术发展有限公司", "艺术"},
			{"培训学校有限公司", "培训学校"}, {"体育文化传播有限公司", "少儿体适能"}, {"文化传播有限公司", "美术"},
		},
		shops:   []form{{"艺术培训中心", "艺术培训"}, {"书法工作室", "书法"}, {"美术工作室", "美术"}},
		cards:   []registry.CardType{registry.CardSessions, registry.CardNamed},
		minYuan: 50_000, maxYuan: 3_000_000,
	},
	{
		industry: registry.IndustryCatering, weight: 11, individualPct: 35,
		companies: []form{
			{"餐饮管理有限公司", "餐厅"}, {"餐饮有限公司", "餐厅"}, {"餐饮服务有限公司", "火锅"},
			{"食品有限公司", "烘焙"},
		},
		shops:   []form{{"餐厅", "餐厅"}, {"火锅店", "火锅"}, {"烘焙坊", "烘焙"}, {"咖啡馆", "咖啡"}, {"面馆", "面馆"}},
		cards:   []registry.CardType{registry.CardAnonymous, registry.CardNamed},
		minYuan: 5_000, maxYuan: 200_000,
	},
	{
		industry: registry.IndustryLaundry, weight: 6, individualPct: 50,
		companies: []form{{"洗衣服务有限公司", "洗衣"}, {"洗涤服务有限公司", "洗衣"}, {"干洗有限公司", "干洗"}},
		shops:     []form{{"洗衣店", "洗衣"}, {"干洗店", "干洗"}, {"洗衣坊", "洗衣"}},
		cards:     []registry.CardType{registry.CardAnonymous, registry.CardNamed},
		minYuan:   3_000, maxYuan: 120_000,
	},
	{
		industry: registry.IndustryCarCare, weight: 6, individualPct: 35,
		companies: []form{
			{"汽车服务有限公司", "汽车服务"}, {"汽车美容有限公司", "汽车美容"}, {"汽车维修服务有限公司", "汽修"},
		},
		shops:   []form{{"洗车行", "洗车"}, {"汽车美容店", "汽车美容"}, {"汽车装饰店", "汽车装饰"}},
		cards:   []registry.CardType{registry.CardNamed, registry.CardSessions, registry.CardAnonymous},
		minYuan: 10_000, maxYuan: 400_000,
	},
	{
		industry: registry.IndustryEntertainment, weight: 6, individualPct: 20,
		companies: []form{
			{"文化娱乐有限公司", "KTV"}, {"文化传媒有限公司", "剧本杀"}, {"电子竞技有限公司", "电竞馆"},
			{"文化发展有限公司", "桌游"},
		},
		shops:   []form{{"量贩KTV", "KTV"}, {"桌游吧", "桌游"}, {"台球厅", "台球"}, {"剧本娱乐馆", "剧本杀"}},
		cards:   []registry.CardType{registry.CardAnonymous, registry.CardNamed, registry.CardSessions},
		minYuan: 10_000, maxYuan: 300_000,
	},
	{
		industry: registry.IndustryElderlyCare, weight: 4, individualPct: 0,
		companies: []form{
			{"养老服务有限公司", "养老驿站"}, {"康养服务有限公司", "养老照料中心"}, {"健康管理有限公司", "康养中心"},
		},
		shops:   []form{{"养老服务部", "养老服务"}},
		cards:   []registry.CardType{registry.CardNamed, registry.CardSessions},
		minYuan: 20_000, maxYuan: 600_000,
	},
	{
		industry: registry.IndustryRetail, weight: 6, individualPct: 45,
		companies: []form{{"商贸有限公司", "超市"}, {"便利店连锁有限公司", "便利店"}, {"鲜花有限公司", "花艺"}},
		shops:     []form{{"超市", "超市"}, {"便利店", "便利店"}, {"鲜花店", "鲜花"}, {"水果店", "水果"}},
		cards:     []registry.CardType{registry.CardAnonymous, registry.CardNamed},
		minYuan:   5_000, maxYuan: 250_000,
	},
	{
		industry: registry.IndustryOther, weight: 5, individualPct: 40,
		companies: []form{
			{"摄影服务有限公司", "摄影"}, {"家政服务有限公司", "家政"}, {"宠物服务有限公司", "宠物"},
			{"母婴护理服务有限公司", "母婴护理"}, {"足疗保健有限公司", "足疗"},
		},
		shops:   []form{{"摄影工作室", "摄影"}, {"宠物店", "宠物"}, {"足疗店", "足疗"}, {"家政服务部", "家政"}},
		cards:   []registry.CardType{registry.CardNamed, registry.CardSessions, registry.CardAnonymous},
		minYuan: 5_000, maxYuan: 300_000,
	},
}

// brands are the 字号 names are made of, two characters each; well-known real brands are left
// out so that no real business is shown as closed or unreachable.
var brands = strings.Fields(`
	悦动 力美 启航 博雅 嘉禾 华彩 德信 恒远 瑞丰 安泰 康乐 优客 尚品 锦程 卓越 乐享 鼎盛 金石 新禾 思齐
	晨光 星辰 睿思 鑫源 益康 和悦 盛世 美嘉 雅韵 馨怡 泽润 青藤 蓝鲸 橙果 麦田 稻香 竹林 松鹤 福寿 颐年
	久安 同心 众合 兴隆 永和 长青 朗悦 逸品 凯越 宏图 聚英 书香 童趣 小橙 米兰 名匠 匠心 朗晴 艾尚 维纳
	澜庭 雅居 君澜 汇众 金鼎 品味 老街 胡同 京味 一品 百味 晴天 暖阳 初心 知行 明德 致远 博学 精英 未来
	启智 小树 乐贝 童星 艺海 琴韵 墨香 舞动 跃动 超能 铁人 燃动 速跑 蓝天 洁丽 净美 鲜衣 途安 驰骋 诚信
	佳美 万家 鹏程 惠民 利民 顺达 东方 亚奥 知味 元气 禾木 朝华 金台 光华 青禾 云朵 麒麟 云杉 银杏 海棠
`)

// surnames holds the common surnames, the most common first.
var surnames = strings.Fields(`
	王 李 张 刘 陈 杨 黄 赵 吴 周 徐 孙 马 朱 胡 郭 何 高 林 罗 郑 梁 谢 宋 唐 许 韩 冯 邓 曹
	彭 曾 肖 田 董 袁 潘 于 蒋 蔡 余 杜 叶 程 苏 魏 吕 丁 任 沈 姚 卢 姜 崔 钟 谭 陆 汪 范 金
	石 廖 贾 夏 韦 付 方 白 邹 孟 熊 秦 邱 江 尹 薛 闫 段 雷 侯 龙 史 陶 黎 贺 顾 毛 郝 龚 邵
`)

// compoundSurnames are the rarer two-character surnames.
var compoundSurnames = []string{"欧阳", "司马", "上官", "诸葛", "东方", "慕容"}

// givenChars are the characters given names are made of.
var givenChars = strings.Fields(`
	伟 芳 娜 敏 静 丽 强 磊 军 洋 勇 艳 杰 娟 涛 明 超 霞 平 刚 辉 鑫 琳 雪 晨 阳 博 凯 然 萌
	志 建 国 文 华 海 晓 子 宇 浩 佳 欣 雨 思 梓 俊 婷 颖 鹏 峰 鸿 鹤 玉 兰 秀 英 慧 宁 昊 天
	瑞 欢 冬 春 秋 亮 斌 波 丹 红 燕 飞 彤 琪 悦 轩 泽 睿 晗 铭 嘉 怡 帆 源 晶 璐 蕾 倩 瑶 薇
`)

// roads lists real-looking roads of each street and area office of Chaoyang.
var roads = map[string][]string{
	"朝外街道":   {"朝阳门外大街", "吉市口路", "工人体育场南路", "朝阳门北大街"},
	"劲松街道":   {"劲松路", "东三环南路", "劲松中街", "农光里"},
	"建外街道":   {"建国门外大街", "建国路", "光华路", "秀水街"},
	"呼家楼街道":  {"东三环中路", "金台路", "呼家楼北街", "金台里"},
	"八里庄街道":  {"朝阳路", "甜水园街", "十里堡路", "八里庄东里"},
	"三里屯街道":  {"三里屯路", "工人体育场北路", "新东路", "幸福二村"},
	"团结湖街道":  {"团结湖路", "农展馆南路", "东三环北路", "团结湖北路"},
	"双井街道":   {"广渠路", "东三环中路", "九龙山路", "百子湾西里"},
	"垡头街道":   {"化工路", "垡头路", "翠城路", "垡头西里"},
	"左家庄街道":  {"左家庄中街", "曙光西里", "静安里", "三元桥路"},
	"小关街道":   {"惠新东街", "小关北街", "北土城东路", "惠新里"},
	"和平街街道":  {"和平街", "樱花园东街", "北三环东路", "和平里东街"},
	"酒仙桥街道":  {"酒仙桥路", "酒仙桥北路", "万红路", "酒仙桥中路"},
	"首都机场街道": {"机场南路", "机场西路", "机场辅路", "南平里"},
	"潘家园街道":  {"潘家园路", "华威路", "东三环南路", "松榆南路"},
	"六里屯街道":  {"姚家园路", "延静里中街", "六里屯北里", "甜水园北里"},
	"麦子店街道":  {"枣营路", "麦子店街", "朝阳公园路", "农展馆北路"},
	"香河园街道":  {"香河园路", "西坝河南路", "柳芳北街", "光熙门北里"},
	"亚运村街道":  {"北辰东路", "慧忠路", "安立路", "安慧北里"},
	"奥运村街道":  {"北辰西路", "科荟路", "大屯路", "林萃路"},
	"望京街道":   {"阜通东大街", "望京街", "广顺北大街", "利泽中街", "阜通西大街"},
	"安贞街道":   {"安贞路", "北三环东路", "安定路", "安华西里"},
	"大屯街道":   {"大屯路", "北苑路", "慧忠北路", "惠新西街"},
	"东湖街道":   {"湖光中街", "利泽西街", "望京东路", "湖光北街"},
	"南磨房地区":  {"百子湾路", "西大望路", "南磨房路", "东四环中路"},
	"高碑店地区":  {"高碑店路", "通惠河北路", "建国路", "西店路"},
	"将台地区":   {"将台路", "驼房营路", "酒仙桥南路", "丽都花园路"},
	"太阳宫地区":  {"太阳宫中路", "太阳宫北街", "芍药居北里", "西坝河北里"},
	"小红门地区":  {"小红门路", "龙爪树路", "成寿寺路", "鸿博家园"},
	"十八里店地区": {"十八里店路", "周庄路", "弘燕路", "吕家营路"},
	"平房地区":   {"平房路", "青年路", "石各庄路", "天鹅湾路"},
	"东风地区":   {"石佛营路", "东风南路", "将台西路", "东风北路"},
	"来广营地区":  {"来广营西路", "北湖渠路", "来广营东路", "清河营路"},
	"常营地区":   {"朝阳北路", "常通路", "常营路", "长楹天街"},
	"三间房地区":  {"定福庄路", "朝阳路", "三间房南里", "褡裢坡路"},
	"管庄地区":   {"管庄路", "双桥路", "朝阳路", "杨闸路"},
	"金盏地区":   {"金盏路", "金榆路", "楼梓庄路", "长店路"},
	"孙河地区":   {"京密路", "顺黄路", "孙河路", "下辛堡路"},
	"崔各庄地区":  {"京顺路", "南皋路", "崔各庄路", "草场地路"},
	"东坝地区":   {"东坝中路", "东坝南二街", "坝河北路", "东坝北街"},
	"黑庄户地区":  {"黑庄户路", "万子营路", "郎辛庄路", "双桥东路"},
	"豆各庄地区":  {"豆各庄路", "于家围路", "马家湾路", "东坝河路"},
	"王四营地区":  {"王四营路", "观音堂路", "南花园路", "道口路"},
}

// buildings are the shopping and office buildings shop addresses may name.
var buildings = strings.Fields("商业中心 购物中心 大厦 广场 综合楼 商务楼 生活广场 商业街")

// mobilePrefixes are the first three digits of mainland mobile numbers.
var mobilePrefixes = strings.Fields(`
	130 131 132 133 135 136 137 138 139 150 151 152 155 156 158 159 176 177 186 188 189 199
`)

// banks keep the supervised deposit accounts.
var banks = strings.Fields("中国工商银行 中国建设银行 中国银行 中国农业银行 交通银行 招商银行 北京银行 中信银行 北京农商银行")

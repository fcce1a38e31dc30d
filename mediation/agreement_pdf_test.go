package mediation

import (
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

// agreementFacts is a facts paragraph long enough to wrap several times, with money, dates,
// a code and Latin letters.
const agreementFacts = "申请人张晓燕、欧阳明于2026年3月1日在被申请人北京悦动力健身服务有限公司（统一社会信用代码" +
	"91110105MA01R8XK2N）望京门店分别购买“尊享年卡”会员卡各一张，面值均为15,000.00元，实际支付12,345.67元" +
	"和9,876.54元，并另行购买私人教练课程24节。2026年6月起，被申请人以门店装修为由多次暂停营业，" +
	"私教课程频繁更换教练，团体课程由每周21节减至6节；2026年8月15日门店张贴停业通知后，申请人多次通过" +
	"电话、微信及12345市民服务热线要求退还未消费余额，被申请人以“会员卡一经售出概不退换”为由拒绝。" +
	"经调解员核对会员消费记录（POS流水号2026030100187、2026030100188），张晓燕已消费4,115.22元，" +
	"欧阳明已消费3,292.18元，私教课程已上7节。"

func agreementDoc() AgreementDoc {
	return AgreementDoc{
		CaseID:       "MC-20260901-0007",
		Number:       "朝消调〔2026〕第0007号",
		BodyName:     "北京市朝阳区消费者协会调解委员会",
		BodyKind:     BodyConsumerAssociation,
		MediatorName: "李青",
		Consumers: []ConsumerParty{
			{Name: "张晓燕", Phone: "13812345678", IDNumber: "110105199001011234"},
			{Name: "欧阳明", Phone: "13987654321"},
		},
		Enterprise: EnterpriseParty{
			Name: "北京悦动力健身服务有限公司", USCC: "91110105MA01R8XK2N", LegalRepresentative: "王大力",
			Address: "北京市朝阳区望京街道阜通东大街6号院3号楼B座12层1201室（望京SOHO塔三）", Phone: "010-65091234",
		},
		Facts:  agreementFacts,
		Points: []string{"未消费余额应否退还及退还金额", "私人教练课程剩余课时费用的计算方法"},
		Terms: []Term{
			{Payer: "enterprise", Payee: "张晓燕", AmountFen: 1234567, DueOn: "2026-10-15",
				Method: "银行转账至申请人尾号5678的账户"},
			{Payer: "enterprise", Payee: "欧阳明", AmountFen: 658436, DueOn: "2026-10-31", Method: "微信转账"},
		},
		OverClaimReason: "被申请人自愿对停业期间给申请人造成的不便给予补偿。",
		SignedAt:        time.Date(2026, 10, 8, 7, 30, 0, 0, time.UTC),
	}
}

// wantAgreement is, word for word, the agreement of agreementDoc.
var wantAgreement = []string{
	"北京市朝阳区消费者协会调解委员会", "调解协议书",
	"编号：朝消调〔2026〕第0007号",
	"一、当事人基本情况",
	"申请人：张晓燕", "联系电话：13812345678", "身份证件号码：110105199001011234",
	"申请人：欧阳明", "联系电话：13987654321",
	"被申请人：北京悦动力健身服务有限公司",
	"统一社会信用代码：91110105MA01R8XK2N",
	"法定代表人：王大力",
	"住所：北京市朝阳区望京街道阜通东大街6号院3号楼B座12层1201室（望京SOHO塔三）",
	"联系电话：010-65091234",
	"二、纠纷的主要事实", agreementFacts,
	"三、争议事项", "1. 未消费余额应否退还及退还金额", "2. 私人教练课程剩余课时费用的计算方法",
	"四、调解协议内容",
	"经北京市朝阳区消费者协会调解委员会调解员李青主持调解，双方当事人在平等、自愿的基础上达成如下协议：",
	"1. 北京悦动力健身服务有限公司于2026年10月15日前向张晓燕支付12,345.67元，支付方式：" +
		"银行转账至申请人尾号5678的账户。",
	"2. 北京悦动力健身服务有限公司于2026年10月31日前向欧阳明支付6,584.36元，支付方式：微信转账。",
	"以上款项合计18,930.03元。",
	"双方当事人就本纠纷再无其他争议。",
	"本协议约定的金额高于申请人的请求，原因：被申请人自愿对停业期间给申请人造成的不便给予补偿。",
	"五、协议效力",
	"本协议是双方当事人在调解员主持下平等协商、自愿达成的，是双方当事人的真实意思表示，" +
		"内容不违背法律、法规和国家政策（《中华人民共和国人民调解法》第三条、第二十八条）。",
	"本协议自各方当事人签名、盖章或者按指印，" +
		"调解员签名并加盖调解组织印章之日起生效（《中华人民共和国人民调解法》第二十九条）。",
	"本协议具有法律约束力，当事人应当按照约定履行；当事人之间就协议的履行或者内容发生争议的，" +
		"一方当事人可以向人民法院提起诉讼（《中华人民共和国人民调解法》第三十一条、第三十二条）。",
	"双方当事人认为有必要的，" +
		"可以自本协议生效之日起三十日内共同向人民法院申请司法确认（《中华人民共和国人民调解法》第三十三条）。",
	"本协议一式4份，各方当事人和调解组织各执一份。",
	"申请人：张晓燕（签名或按指印）：________________",
	"申请人：欧阳明（签名或按指印）：________________",
	"被申请人：北京悦动力健身服务有限公司（盖章）",
	"法定代表人：（或委托代理人）签名：________________",
	"调解员：李青（签名）：________________",
	"调解组织：北京市朝阳区消费者协会调解委员会（印章）",
	"日期：2026年10月8日",
}

// documentBody extracts a PDF's text, checks that every page ends with the footer (title,
// 第 N 页 / 共 M 页), and returns the text of the pages without footers or white space.
func documentBody(t *testing.T, out []byte, title string) string {
	t.Helper()
	pages := strings.Split(strings.TrimSuffix(pdftest.Text(t, out), "\f"), "\f")
	var body strings.Builder
	for i, page := range pages {
		page = pdftest.Squash(page)
		footer := pdftest.Squash(fmt.Sprintf("%s第 %d 页 / 共 %d 页", title, i+1, len(pages)))
		require.True(t, strings.HasSuffix(page, footer), "page %d does not end with %q: %q", i+1, footer, page)
		body.WriteString(strings.TrimSuffix(page, footer))
	}
	return body.String()
}

func TestAgreementPDF(t *testing.T) {
	require.Greater(t, len([]rune(agreementFacts)), 250, "the facts should wrap over several lines")

	out, err := AgreementPDF(agreementDoc())
	require.NoError(t, err)

	got := documentBody(t, out, "调解协议书 朝消调〔2026〕第0007号")
	assert.Equal(t, pdftest.Squash(strings.Join(wantAgreement, "")), got)

	again, err := AgreementPDF(agreementDoc())
	require.NoError(t, err)
	assert.Equal(t, out, again, "the same agreement gives the same bytes")
}

func TestAgreementPDF_PeoplesMediationOneConsumer(t *testing.T) {
	d := agreementDoc()
	d.BodyName, d.BodyKind, d.Number = "望京街道人民调解委员会", BodyPeoples, ""
	d.Consumers = d.Consumers[:1]
	d.Enterprise = EnterpriseParty{Name: "北京市朝阳区美美美容美发店"}
	d.Facts, d.Points, d.OverClaimReason = "申请人要求退还储值卡余额。", nil, ""
	d.Terms = []Term{{Payer: "enterprise", Payee: "consumer", AmountFen: 80000}}

	out, err := AgreementPDF(d)
	require.NoError(t, err)
	got := documentBody(t, out, "人民调解协议书 MC-20260901-0007")
	want := []string{
		"望京街道人民调解委员会", "人民调解协议书",
		"编号：MC-20260901-0007",
		"一、当事人基本情况",
		"申请人：张晓燕", "联系电话：13812345678", "身份证件号码：110105199001011234",
		"被申请人：北京市朝阳区美美美容美发店",
		"二、纠纷的主要事实", "申请人要求退还储值卡余额。",
		"三、调解协议内容",
		"经望京街道人民调解委员会调解员李青主持调解，双方当事人在平等、自愿的基础上达成如下协议：",
		"1. 北京市朝阳区美美美容美发店向张晓燕支付800.00元。",
		"双方当事人就本纠纷再无其他争议。",
		"四、协议效力",
	}
	require.True(t, strings.HasPrefix(got, pdftest.Squash(strings.Join(want, ""))), "got %q", got)
	assert.Contains(t, got, pdftest.Squash("本协议一式3份"))
	assert.True(t,
		strings.HasSuffix(got, pdftest.Squash("调解组织：望京街道人民调解委员会（印章）日期：2026年10月8日")))
}

func TestAgreementPDF_Invalid(t *testing.T) {
	_, err := AgreementPDF(AgreementDoc{Terms: []Term{{AmountFen: -1}}})
	require.Error(t, err)
	assert.Equal(t, errs.Invalid, errs.KindOf(err))
	assert.Equal(t,
		[]string{"body_name", "mediator_name", "consumers", "enterprise.name", "terms[0].amount_fen", "signed_at"},
		fieldNames(err))
}

func TestTerminationPDF(t *testing.T) {
	a := agreementDoc()
	d := TerminationDoc{
		CaseID: a.CaseID, Number: "朝消调终〔2026〕第0003号", BodyName: a.BodyName, BodyKind: a.BodyKind,
		MediatorName: a.MediatorName, Consumers: a.Consumers, Enterprise: a.Enterprise,
		Facts: agreementFacts, Points: a.Points,
		Reason: "被申请人坚持只同意以延长会员期限代替退款，申请人要求退还未消费余额12,345.67元，双方分歧较大，" +
			"经三次调解仍未能达成一致。",
		EndedAt: time.Date(2026, 11, 20, 2, 0, 0, 0, time.UTC),
	}
	out, err := TerminationPDF(d)
	require.NoError(t, err)

	want := []string{
		"北京市朝阳区消费者协会调解委员会", "终止调解书",
		"编号：朝消调终〔2026〕第0003号",
	}
	want = append(want, wantAgreement[3:16]...) // the parties and the facts, as in the agreement
	want = append(want,
		"三、争议事项", "1. 未消费余额应否退还及退还金额", "2. 私人教练课程剩余课时费用的计算方法",
		"四、终止调解的原因", d.Reason,
		"经调解，双方当事人未能达成协议，本组织于2026年11月20日终止调解。",
		"五、当事人的其他救济途径",
		"调解不成的，当事人可以依法通过仲裁、行政、司法等途径维护自己的权利（《中华人民共和国人民调解法》第二十六条）：",
		"1. 根据与经营者达成的仲裁协议，向仲裁机构申请仲裁；",
		"2. 向人民法院提起诉讼；",
		"3. 向有关行政部门投诉（《中华人民共和国消费者权益保护法》第三十九条）。",
		"本书一式4份，各方当事人和调解组织各执一份。",
		"调解员：李青（签名）：________________",
		"调解组织：北京市朝阳区消费者协会调解委员会（印章）",
		"日期：2026年11月20日",
	)
	got := documentBody(t, out, "终止调解书 朝消调终〔2026〕第0003号")
	assert.Equal(t, pdftest.Squash(strings.Join(want, "")), got)

	_, err = TerminationPDF(TerminationDoc{BodyName: "x", MediatorName: "y", Consumers: a.Consumers,
		Enterprise: a.Enterprise})
	require.Error(t, err)
	assert.Equal(t, []string{"reason", "ended_at"}, fieldNames(err))
}

func TestPartiesOf(t *testing.T) {
	c := &Case{EnterpriseName: "旧名称", USCC: "91110105MA01R8XK2N", Claims: []Claim{
		{ConsumerName: "张三", ConsumerPhone: "13800000001"},
		{ConsumerName: "李四", ConsumerPhone: "13800000002", IDNumber: "110105199001011234"},
		{ConsumerName: "张三", ConsumerPhone: "13800000001"},
	}}
	consumers, ent := PartiesOf(c, nil)
	assert.Equal(t, []ConsumerParty{{Name: "张三", Phone: "13800000001"},
		{Name: "李四", Phone: "13800000002", IDNumber: "110105199001011234"}}, consumers)
	assert.Equal(t, EnterpriseParty{Name: "旧名称", USCC: "91110105MA01R8XK2N"}, ent)

	_, ent = PartiesOf(c, &registry.Enterprise{Name: "新名称", USCC: "91110105MA01R8XK2N", LegalRepresentative: "王",
		RegisteredAddress: "北京市朝阳区", ContactPhone: "010-1"})
	assert.Equal(t, EnterpriseParty{Name: "新名称", USCC: "91110105MA01R8XK2N", LegalRepresentative: "王",
		Address: "北京市朝阳区", Phone: "010-1"}, ent)
}

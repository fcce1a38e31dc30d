package api_test

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"prepaidreg/internal/audit"
	"prepaidreg/internal/pdf/pdftest"
	"prepaidreg/internal/user"
	"prepaidreg/internal/workday"
	"prepaidreg/mediation"
)

// medEnv is a test environment whose mediation clock can be moved; it starts on Monday
// 2026-09-14 at 09:00 in Beijing, before 中秋 and 国庆, with one mediation body and
// mediator1 (李青) registered under it.
type medEnv struct {
	*testEnv
	now  atomic.Pointer[time.Time]
	body string
}

// asMediator2 is the key of a second mediator's token in env.tokens, so that env.do can send
// requests as them.
const asMediator2 user.Role = "mediator2"

const (
	bodyName     = "北京市朝阳区消费者协会调解委员会"
	mediatorName = "李青"
)

func newMedEnv(t *testing.T) *medEnv {
	env := &medEnv{testEnv: newTestEnv(t)}
	env.setNow(shanghai(t, "2026-09-14", "09:00"))
	clock := func() time.Time { return *env.now.Load() }
	env.mediation.SetClock(clock)
	env.registry.SetClock(clock)
	env.body = env.createBody(t, bodyName, "consumer_association")
	env.registerMediator(t, "mediator1", mediatorName)
	return env
}

func (e *medEnv) setNow(t time.Time) { e.now.Store(&t) }

// createBody registers a mediation body and returns its id.
func (e *medEnv) createBody(t *testing.T, name, kind string) string {
	t.Helper()
	r := e.do(user.Regulator, "POST", "/api/v1/mediation/bodies", map[string]any{"name": name, "kind": kind})
	require.Equal(t, http.StatusCreated, r.Status, "body: %s", r.Body)
	var b mediation.Body
	r.JSON(t, &b)
	return b.ID
}

// registerMediator puts an account with the mediator role on file under the env's body.
func (e *medEnv) registerMediator(t *testing.T, username, name string) mediation.Mediator {
	t.Helper()
	r := e.do(user.Regulator, "POST", "/api/v1/mediation/mediators", map[string]any{"username": username, "name": name,
		"body": e.body, "industries": []string{"fitness"}, "districts": []string{"110105"}})
	require.Equal(t, http.StatusCreated, r.Status, "body: %s", r.Body)
	var m mediation.Mediator
	r.JSON(t, &m)
	assert.Equal(t, `"1"`, r.Header.Get("ETag"))
	return m
}

// addMediator2 creates the account mediator2 and registers them as a mediator (赵敏).
func (e *medEnv) addMediator2(t *testing.T) {
	t.Helper()
	added, err := e.users.Add(context.Background(), audit.System, "mediator2", user.Mediator, "")
	require.NoError(t, err)
	e.tokens[asMediator2] = added.Token
	e.registerMediator(t, "mediator2", "赵敏")
}

// caseView is a case as the API answers it.
type caseView struct {
	mediation.Case
	StateLabel string `json:"state_label"`
}

// deadline returns the case's deadline of kind.
func (c caseView) deadline(t *testing.T, kind mediation.DeadlineKind) mediation.Deadline {
	t.Helper()
	for _, d := range c.Deadlines {
		if d.Kind == kind {
			return d
		}
	}
	t.Fatalf("case %s has no %s deadline: %+v", c.ID, kind, c.Deadlines)
	return mediation.Deadline{}
}

// events lists what the timeline recorded, in order.
func (c caseView) events() []string {
	var out []string
	for _, e := range c.Timeline {
		out = append(out, e.What)
	}
	return out
}

// open opens a case as a regulator and returns it with its ETag.
func (e *medEnv) open(t *testing.T, body map[string]any) (caseView, string) {
	t.Helper()
	r := e.do(user.Regulator, "POST", "/api/v1/mediation/cases", body)
	require.Equal(t, http.StatusCreated, r.Status, "body: %s", r.Body)
	var c caseView
	r.JSON(t, &c)
	assert.Equal(t, "/api/v1/mediation/cases/"+c.ID, r.Header.Get("Location"))
	return c, r.Header.Get("ETag")
}

// act posts an action on a case as role with If-Match and returns the answer.
func (e *medEnv) act(t *testing.T, role user.Role, id, action, etag string, body any) (caseView, response) {
	t.Helper()
	r := e.do(role, "POST", "/api/v1/mediation/cases/"+id+"/"+action, body, "If-Match", etag)
	var c caseView
	if r.Status == http.StatusOK {
		r.JSON(t, &c)
		assert.Equal(t, strconv.Quote(strconv.FormatInt(c.Version, 10)), r.Header.Get("ETag"))
	}
	return c, r
}

// step is act for a change that must succeed; it returns the case and its new ETag.
func (e *medEnv) step(t *testing.T, role user.Role, id, action, etag string, body any) (caseView, string) {
	t.Helper()
	c, r := e.act(t, role, id, action, etag, body)
	require.Equal(t, http.StatusOK, r.Status, "%s: %s", action, r.Body)
	return c, r.Header.Get("ETag")
}

// get reads a case as role.
func (e *medEnv) get(t *testing.T, role user.Role, id string) (caseView, response) {
	t.Helper()
	r := e.do(role, "GET", "/api/v1/mediation/cases/"+id, nil)
	var c caseView
	if r.Status == http.StatusOK {
		r.JSON(t, &c)
	}
	return c, r
}

// queue reads role's queue.
func (e *medEnv) queue(t *testing.T, role user.Role) mediation.Queue {
	t.Helper()
	r := e.do(role, "GET", "/api/v1/mediation/cases", nil)
	require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
	var q mediation.Queue
	r.JSON(t, &q)
	return q
}

// queueIDs lists the ids of queue items.
func queueIDs(items []mediation.QueueItem) []string {
	ids := []string{}
	for _, it := range items {
		ids = append(ids, it.ID)
	}
	return ids
}

// fileComplaint files a hotline complaint by 张伟 against the enterprise named reported and
// returns its id.
func (e *medEnv) fileComplaint(t *testing.T, ticket, reported, text string) string {
	t.Helper()
	r := e.do(user.Regulator, "POST", "/api/v1/complaints", map[string]any{
		"ticket": ticket, "received_at": "2026-09-10T02:30:00Z", "complainant_name": "张伟",
		"complainant_phone": "13812341234", "reported_name": reported, "district": "110105", "street": "望京街道",
		"text": text, "amount_fen": 380000, "handling_status": "办理中",
	})
	require.Equal(t, http.StatusCreated, r.Status, "body: %s", r.Body)
	var got struct {
		Complaint complaintBody `json:"complaint"`
	}
	r.JSON(t, &got)
	require.NotEmpty(t, got.Complaint.USCC, "the complaint is linked by the enterprise's exact name")
	return got.Complaint.ID
}

// documentText extracts a PDF's text, checks that every page ends with its footer (title,
// 第 N 页 / 共 M 页), and returns the pages' text without footers or white space.
func documentText(t *testing.T, out []byte, title string) string {
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

// download reads a case's document as role and checks it is a PDF attachment with both names.
func (e *medEnv) download(t *testing.T, role user.Role, id, name, ascii, title string) []byte {
	t.Helper()
	r := e.do(role, "GET", "/api/v1/mediation/cases/"+id+"/"+name, nil)
	require.Equal(t, http.StatusOK, r.Status, "body: %.300s", r.Body)
	assert.Equal(t, "application/pdf", r.Header.Get("Content-Type"))
	cd := r.Header.Get("Content-Disposition")
	assert.Contains(t, cd, `attachment; filename="`+ascii+"-"+id+`.pdf"`)
	assert.Contains(t, cd, "filename*=UTF-8''"+urlPathEscape(title+"_"+id+".pdf"))
	return r.Body
}

// urlPathEscape percent-encodes every byte outside A-Z a-z 0-9 and - . _ as RFC 8187 does.
func urlPathEscape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		ch := s[i]
		if 'a' <= ch && ch <= 'z' || 'A' <= ch && ch <= 'Z' || '0' <= ch && ch <= '9' ||
			strings.IndexByte("-._", ch) >= 0 {
			b.WriteByte(ch)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", ch)
	}
	return b.String()
}

// agreementEffect is the agreement's statement of its force (《人民调解法》第二十八条至第三十三条)
// with one copy for each party and the body.
func agreementEffect(copies int) []string {
	return []string{
		"本协议是双方当事人在调解员主持下平等协商、自愿达成的，是双方当事人的真实意思表示，" +
			"内容不违背法律、法规和国家政策（《中华人民共和国人民调解法》第三条、第二十八条）。",
		"本协议自各方当事人签名、盖章或者按指印，" +
			"调解员签名并加盖调解组织印章之日起生效（《中华人民共和国人民调解法》第二十九条）。",
		"本协议具有法律约束力，当事人应当按照约定履行；当事人之间就协议的履行或者内容发生争议的，" +
			"一方当事人可以向人民法院提起诉讼（《中华人民共和国人民调解法》第三十一条、第三十二条）。",
		"双方当事人认为有必要的，" +
			"可以自本协议生效之日起三十日内共同向人民法院申请司法确认（《中华人民共和国人民调解法》第三十三条）。",
		fmt.Sprintf("本协议一式%d份，各方当事人和调解组织各执一份。", copies),
	}
}

// complaintFacts is a complaint long enough to wrap over several lines, with money, dates and
// a ticket number.
const complaintFacts = "来电人反映：2026年3月1日在北京朝阳悦动健身有限公司望京店办理“尊享年卡”一张，面值3,800.00元，" +
	"实际支付3,800.00元。2026年7月起该店以装修为由多次停业，团体课程由每周21节减至6节，已消费800.00元；" +
	"来电人于2026年9月1日起多次要求退还剩余3,000.00元，商家以“会员卡一经售出概不退换”为由拒绝（POS流水号" +
	"2026030100187）。来电人要求退还未消费余额3,800.00元并赔偿损失。"

func TestMediationAPI_ComplaintToPerformedAgreement(t *testing.T) {
	env := newMedEnv(t)
	uscc := env.createEnterprise("MA01MED01", nil)
	complaintID := env.fileComplaint(t, "2026091000001", "北京朝阳悦动健身有限公司", complaintFacts)
	card := map[string]any{"type": "named", "face_value_fen": 380000, "paid_fen": 380000, "used_fen": 80000,
		"bought_on": "2026-03-01"}

	mc, etag := env.open(t, map[string]any{"complaint_id": complaintID, "card": card})
	assert.Equal(t, `"1"`, etag)
	assert.Equal(t, mediation.StateSubmitted, mc.State)
	assert.Equal(t, "待受理", mc.StateLabel)
	assert.Equal(t, uscc, string(mc.USCC))
	require.Len(t, mc.Claims, 1)
	assert.Equal(t, mediation.Claim{ConsumerName: "张伟", ConsumerPhone: "13812341234", Kind: mediation.ClaimRefund,
		ClaimFen: 380000, ComplaintID: complaintID,
		Card: &mediation.Card{Kind: mediation.CardNamed, FaceValueFen: 380000,
			PaidFen: 380000, UsedFen: 80000, BoughtOn: "2026-03-01"}}, mc.Claims[0], "carried over from the complaint")
	assert.Equal(t, complaintFacts, mc.Facts)
	acceptance := mc.deadline(t, mediation.DeadlineAcceptance)
	// Sunday 20 September is a working day (调休 for 国庆): 15–18, 20, 21, 22.
	assert.Equal(t, "2026-09-22", acceptance.Due, "7 working days from Monday 14 September")
	assert.Contains(t, acceptance.Rule, "7个工作日")

	mc, etag = env.step(t, user.Regulator, mc.ID, "accept", etag, nil)
	assert.Equal(t, mediation.StateAccepted, mc.State)
	assert.Equal(t, mediation.DeadlineMet, mc.deadline(t, mediation.DeadlineAcceptance).Status)
	assert.Contains(t, mc.deadline(t, mediation.DeadlineMediation).Rule, "45个工作日")

	t.Run("a mediator sees the pool case with the consumer masked", func(t *testing.T) {
		got, r := env.get(t, user.Mediator, mc.ID)
		require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
		assert.Equal(t, "张*", got.Claims[0].ConsumerName)
		assert.Equal(t, "138****1234", got.Claims[0].ConsumerPhone)
		q := env.queue(t, user.Mediator)
		assert.Empty(t, q.Cases)
		assert.Equal(t, []string{mc.ID}, queueIDs(q.Pool))
		assert.Equal(t, []string{"张*"}, q.Pool[0].Consumers)
	})

	mc, etag = env.step(t, user.Regulator, mc.ID, "assign", etag,
		map[string]any{"body": env.body, "mediator": "mediator1"})
	assert.Equal(t, mediation.StateAssigned, mc.State)
	assert.Equal(t, "mediator1", mc.Mediator)
	assert.Equal(t, env.body, mc.Body)

	t.Run("the assigned mediator sees the consumer in full and the case in their queue", func(t *testing.T) {
		got, r := env.get(t, user.Mediator, mc.ID)
		require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
		assert.Equal(t, "张伟", got.Claims[0].ConsumerName)
		assert.Equal(t, etag, r.Header.Get("ETag"))
		q := env.queue(t, user.Mediator)
		assert.Equal(t, []string{mc.ID}, queueIDs(q.Cases))
		assert.Equal(t, []string{"张伟"}, q.Cases[0].Consumers)
		assert.Empty(t, q.Pool)
	})

	// The calculator works out what the consumer is due, which the agreement takes up.
	env.setNow(shanghai(t, "2026-09-16", "10:00"))
	r := env.do(user.Mediator, "POST", "/api/v1/mediation/refund", map[string]any{"card": card, "claim_fen": 380000,
		"as_of": "2026-09-16"})
	require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
	var refund mediation.Refund
	r.JSON(t, &refund)
	assert.Equal(t, int64(300000), refund.DueFen)
	assert.Equal(t, mediation.RefundStoredValue, refund.Method)
	assert.Equal(t, int64(80000), refund.DifferenceFen)

	mc, etag = env.step(t, user.Mediator, mc.ID, "sessions", etag, map[string]any{
		"at": "2026-09-16T09:30:00+08:00", "form": "on_site", "attendees": []string{"张伟", "王建国", mediatorName},
		"notes": "双方对已消费金额无异议。",
		"offers": []map[string]any{
			{"side": "consumer", "amount_fen": 380000, "terms": "全额退款"},
			{"side": "enterprise", "amount_fen": 200000, "terms": "退还部分余额"},
			{"side": "mediator", "amount_fen": 300000, "terms": "按未消费余额退还"},
		},
	})
	assert.Equal(t, mediation.StateInMediation, mc.State)
	require.Len(t, mc.Sessions, 1)
	assert.Len(t, mc.Sessions[0].Offers, 3)
	assert.Equal(t, mediation.SideMediator, mc.Sessions[0].Offers[2].Side)

	points := []string{"未消费余额应否退还", "退还金额的计算方法"}
	mc, etag = env.step(t, user.Mediator, mc.ID, "agreement", etag, map[string]any{
		"points": points,
		"terms": []map[string]any{{"payer": "enterprise", "payee": "consumer", "amount_fen": refund.DueFen,
			"due_on": "2026-09-30", "method": "银行转账至申请人账户"}},
	})
	assert.Equal(t, mediation.StateAgreement, mc.State)
	require.NotNil(t, mc.Agreement)
	assert.Equal(t, int64(300000), mc.Agreement.TotalFen)
	assert.Equal(t, "2026-09-30", mc.deadline(t, mediation.DeadlinePerformance).Due)

	env.setNow(shanghai(t, "2026-10-09", "10:00"))
	mc, etag = env.step(t, user.Mediator, mc.ID, "performance", etag, map[string]any{"performed": true,
		"note": "申请人确认已于9月28日收到退款"})
	require.NotNil(t, mc.Agreement.Performed)
	assert.True(t, *mc.Agreement.Performed)
	// The service takes the day performance is recorded for the day it was performed: checked
	// after the due day, the deadline shows as met late.
	performance := mc.deadline(t, mediation.DeadlinePerformance)
	assert.Equal(t, mediation.DeadlineOverdue, performance.Status)
	assert.Equal(t, "逾期完成（2026-10-09）", performance.Note)

	mc, _ = env.step(t, user.Mediator, mc.ID, "close", etag, nil)
	assert.Equal(t, mediation.StateClosed, mc.State)
	assert.Equal(t, []string{"submit", "accept", "assign", "session", "agreement", "performance", "close"}, mc.events())

	t.Run("the agreement reads back word for word", func(t *testing.T) {
		out := env.download(t, user.Mediator, mc.ID, "agreement.pdf", "mediation-agreement", "调解协议书")
		want := []string{
			bodyName, "调解协议书",
			"编号：" + mc.ID,
			"一、当事人基本情况",
			"申请人：张伟", "联系电话：13812341234",
			"被申请人：北京朝阳悦动健身有限公司",
			"统一社会信用代码：" + uscc,
			"法定代表人：王建国",
			"住所：北京市朝阳区望京街道阜通东大街6号",
			"联系电话：010-84761234",
			"二、纠纷的主要事实", complaintFacts,
			"三、争议事项", "1. 未消费余额应否退还", "2. 退还金额的计算方法",
			"四、调解协议内容",
			"经" + bodyName + "调解员" + mediatorName + "主持调解，双方当事人在平等、自愿的基础上达成如下协议：",
			"1. 北京朝阳悦动健身有限公司于2026年9月30日前向张伟支付3,000.00元，支付方式：银行转账至申请人账户。",
			"双方当事人就本纠纷再无其他争议。",
			"五、协议效力",
		}
		want = append(want, agreementEffect(3)...)
		want = append(want,
			"申请人：张伟（签名或按指印）：________________",
			"被申请人：北京朝阳悦动健身有限公司（盖章）",
			"法定代表人：（或委托代理人）签名：________________",
			"调解员："+mediatorName+"（签名）：________________",
			"调解组织："+bodyName+"（印章）",
			"日期：2026年9月16日",
		)
		got := documentText(t, out, "调解协议书 "+mc.ID)
		assert.Equal(t, pdftest.Squash(strings.Join(want, "")), got)

		env.download(t, user.Supervisor, mc.ID, "agreement.pdf", "mediation-agreement", "调解协议书")
		r := env.do(user.Mediator, "GET", "/api/v1/mediation/cases/"+mc.ID+"/termination.pdf", nil)
		assert.Equal(t, http.StatusConflict, r.Status, "no termination for a case with an agreement")
	})

	t.Run("the dossier lists the case without the consumer", func(t *testing.T) {
		d := env.dossier(t, uscc)
		require.Len(t, d.Mediation, 1)
		assert.Equal(t, mc.ID, d.Mediation[0].ID)
		assert.Equal(t, "已结案", d.Mediation[0].State)
		assert.Equal(t, "达成协议，已履行", d.Mediation[0].Outcome)
		assert.Equal(t, 0.0, d.factor(t, "mediation").Value, "a performed agreement is no failure")
	})
}

// dossierMediation is what the mediation tests read of a dossier.
type dossierMediation struct {
	Mediation []struct {
		ID      string `json:"id"`
		State   string `json:"state"`
		Outcome string `json:"outcome"`
	} `json:"mediation"`
	Risk struct {
		Factors []riskFactor `json:"factors"`
	} `json:"risk"`
}

// riskFactor is one factor of a risk assessment.
type riskFactor struct {
	Name         string  `json:"name"`
	Value        float64 `json:"value"`
	Contribution float64 `json:"contribution"`
	Explanation  string  `json:"explanation"`
}

// factor returns the risk factor called name; a dossier not yet scored has it at zero.
func (d dossierMediation) factor(t *testing.T, name string) riskFactor {
	t.Helper()
	for _, f := range d.Risk.Factors {
		if f.Name == name {
			return f
		}
	}
	require.Empty(t, d.Risk.Factors, "no factor %q", name)
	return riskFactor{Name: name}
}

// dossier reads the enterprise's dossier as a regulator.
func (e *medEnv) dossier(t *testing.T, uscc string) dossierMediation {
	t.Helper()
	r := e.do(user.Regulator, "GET", "/api/v1/enterprises/"+uscc+"/dossier", nil)
	require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
	var d dossierMediation
	r.JSON(t, &d)
	return d
}

func TestMediationAPI_TerminationAfter45WorkingDays(t *testing.T) {
	env := newMedEnv(t)
	uscc := env.createEnterprise("MA01MED02",
		map[string]any{"name": "北京朝阳美丽人生美容有限公司", "industry": "beauty"})
	before := env.dossier(t, uscc).factor(t, "mediation")
	assert.Zero(t, before.Value)

	facts := "申请人在被申请人处办理美容储值卡，充值5,200.00元，门店停业后要求退还余额未果。"
	mc, etag := env.open(t, map[string]any{"uscc": uscc, "consumer_name": "李娜", "consumer_phone": "13987654321",
		"claim": "refund", "claim_fen": 520000, "facts": facts,
		"card": map[string]any{"type": "named", "face_value_fen": 520000, "paid_fen": 520000,
			"bought_on": "2026-05-01"}})
	mc, etag = env.step(t, user.Supervisor, mc.ID, "accept", etag, map[string]any{})
	mc, etag = env.step(t, user.Regulator, mc.ID, "assign", etag, map[string]any{"mediator": "mediator1"})
	assert.Equal(t, env.body, mc.Body, "the mediator's own body")

	env.setNow(shanghai(t, "2026-09-15", "10:00"))
	mc, etag = env.step(t, user.Mediator, mc.ID, "sessions", etag, map[string]any{"at": "2026-09-15T09:00:00+08:00",
		"form": "phone", "attendees": []string{"李娜", "店长"}, "notes": "企业称需核对储值记录。"})

	// The clock stops while the card's records are appraised (检测、鉴定), Wednesday to the
	// next Tuesday: 17, 18, 20 (a working Sunday), 21 and 22 September do not count.
	env.setNow(shanghai(t, "2026-09-16", "10:00"))
	mc, etag = env.step(t, user.Mediator, mc.ID, "pause", etag, map[string]any{"reason": "储值消费记录送第三方鉴定"})
	assert.Contains(t, mc.deadline(t, mediation.DeadlineMediation).Note, "计时中止中")
	env.setNow(shanghai(t, "2026-09-22", "10:00"))
	mc, etag = env.step(t, user.Mediator, mc.ID, "resume", etag, nil)
	assert.Equal(t, "中止5个工作日", mc.Timeline[len(mc.Timeline)-1].Note)

	med := mc.deadline(t, mediation.DeadlineMediation)
	cal := env.calendar.Calendar()
	assert.Equal(t, cal.AddWorkdays(*mc.AcceptedAt, mediation.MediationWorkdays+5).Format(time.DateOnly), med.Due)
	assert.Equal(t, "2026-11-27", med.Due, "50 working days after 14 September, 中秋 and 国庆 left out")
	assert.Equal(t, "中止5个工作日，期限相应顺延", med.Note)
	due, err := time.ParseInLocation(time.DateOnly, med.Due, workday.Zone)
	require.NoError(t, err)

	t.Run("not before the period has passed", func(t *testing.T) {
		env.setNow(due.Add(16 * time.Hour))
		_, r := env.act(t, user.Mediator, mc.ID, "terminate", etag, map[string]any{"reason": mediation.TermExpired})
		require.Equal(t, http.StatusConflict, r.Status, "body: %s", r.Body)
		assert.Contains(t, r.Problem(t).Detail, "尚未届满")
	})

	env.setNow(due.Add(33 * time.Hour))
	mc, etag = env.step(t, user.Mediator, mc.ID, "terminate", etag, map[string]any{"reason": mediation.TermExpired})
	assert.Equal(t, mediation.StateEnded, mc.State)
	assert.Equal(t, mediation.EndingNoAgreement, mc.Ending)
	assert.Equal(t, mediation.DeadlineMet, mc.deadline(t, mediation.DeadlineMediation).Status)
	notification := mc.deadline(t, mediation.DeadlineNotification)
	assert.Equal(t, mediation.DeadlineOpen, notification.Status)

	mc, etag = env.step(t, user.Mediator, mc.ID, "notify", etag, map[string]any{"note": "电话告知双方并寄送终止调解书"})
	assert.Equal(t, mediation.DeadlineMet, mc.deadline(t, mediation.DeadlineNotification).Status)

	t.Run("the termination reads back word for word", func(t *testing.T) {
		out := env.download(t, user.Mediator, mc.ID, "termination.pdf", "mediation-termination", "终止调解书")
		ended := docDay(*mc.EndedAt)
		want := []string{
			bodyName, "终止调解书",
			"编号：" + mc.ID,
			"一、当事人基本情况",
			"申请人：李娜", "联系电话：13987654321",
			"被申请人：北京朝阳美丽人生美容有限公司",
			"统一社会信用代码：" + uscc,
			"法定代表人：王建国",
			"住所：北京市朝阳区望京街道阜通东大街6号",
			"联系电话：010-84761234",
			"二、纠纷的主要事实", facts,
			"三、终止调解的原因", mediation.TermExpired,
			"经调解，双方当事人未能达成协议，本组织于" + ended + "终止调解。",
			"四、当事人的其他救济途径",
			"调解不成的，当事人可以依法通过仲裁、行政、司法等途径维护自己的权利" +
				"（《中华人民共和国人民调解法》第二十六条）：",
			"1. 根据与经营者达成的仲裁协议，向仲裁机构申请仲裁；",
			"2. 向人民法院提起诉讼；",
			"3. 向有关行政部门投诉（《中华人民共和国消费者权益保护法》第三十九条）。",
			"本书一式3份，各方当事人和调解组织各执一份。",
			"调解员：" + mediatorName + "（签名）：________________",
			"调解组织：" + bodyName + "（印章）",
			"日期：" + ended,
		}
		got := documentText(t, out, "终止调解书 "+mc.ID)
		assert.Equal(t, pdftest.Squash(strings.Join(want, "")), got)

		r := env.do(user.Mediator, "GET", "/api/v1/mediation/cases/"+mc.ID+"/agreement.pdf", nil)
		assert.Equal(t, http.StatusConflict, r.Status, "no agreement was reached")
	})

	mc, _ = env.step(t, user.Regulator, mc.ID, "close", etag, nil)
	assert.Equal(t,
		[]string{"submit", "accept", "assign", "session", "pause", "resume", "terminate", "notify", "close"},
		mc.events())

	t.Run("the dossier shows the failed mediation and the score moved", func(t *testing.T) {
		d := env.dossier(t, uscc)
		require.Len(t, d.Mediation, 1)
		assert.Equal(t, mc.ID, d.Mediation[0].ID)
		assert.Equal(t, "终止调解："+mediation.TermExpired, d.Mediation[0].Outcome)
		after := d.factor(t, "mediation")
		assert.Equal(t, 1.0, after.Value)
		assert.Greater(t, after.Contribution, before.Contribution)
		assert.Contains(t, after.Explanation, "调解失败或拒绝调解1次")
	})
}

// docDay shows a time's day in Asia/Shanghai as the documents do: 2026年11月30日.
func docDay(t time.Time) string {
	t = t.In(workday.Zone)
	return fmt.Sprintf("%d年%d月%d日", t.Year(), t.Month(), t.Day())
}

// openAccepted opens a refund case for the consumer against uscc as a regulator and accepts it.
func (e *medEnv) openAccepted(t *testing.T, uscc, name, phone string) (caseView, string) {
	t.Helper()
	mc, etag := e.open(t, map[string]any{"uscc": uscc, "consumer_name": name, "consumer_phone": phone,
		"claim": "refund", "claim_fen": 150000, "facts": "门店停业，要求退还储值卡余额。"})
	return e.step(t, user.Regulator, mc.ID, "accept", etag, nil)
}

func TestMediationAPI_Privacy(t *testing.T) {
	env := newMedEnv(t)
	env.addMediator2(t)
	uscc := env.createEnterprise("MA01MED03", nil)

	mine, mineTag := env.openAccepted(t, uscc, "王小明", "13700001111")
	mine, mineTag = env.step(t, user.Regulator, mine.ID, "assign", mineTag, map[string]any{"mediator": "mediator1"})
	pool, poolTag := env.openAccepted(t, uscc, "陈静", "13600002222")

	t.Run("another mediator's case is closed to a mediator", func(t *testing.T) {
		_, r := env.get(t, asMediator2, mine.ID)
		assert.Equal(t, http.StatusForbidden, r.Status, "body: %s", r.Body)
		assert.NotContains(t, string(r.Body), "王小明")
		for action, body := range map[string]any{
			"pause":     map[string]any{"reason": "鉴定"},
			"sessions":  map[string]any{"at": "2026-09-14T09:00:00+08:00", "form": "phone", "attendees": []string{"x"}},
			"terminate": map[string]any{"reason": "双方分歧较大"},
			"withdraw":  map[string]any{},
			"assign":    map[string]any{},
			"accept":    nil,
		} {
			_, r := env.act(t, asMediator2, mine.ID, action, mineTag, body)
			assert.Equal(t, http.StatusForbidden, r.Status, "%s: %s", action, r.Body)
		}
		r = env.do(asMediator2, "GET", "/api/v1/mediation/cases/"+mine.ID+"/agreement.pdf", nil)
		assert.Equal(t, http.StatusForbidden, r.Status)

		got, r := env.get(t, user.Regulator, mine.ID)
		require.Equal(t, http.StatusOK, r.Status)
		assert.Equal(t, mine.Version, got.Version, "nothing was written")
		assert.Equal(t, "mediator1", got.Mediator)
	})

	t.Run("a pool case shows consumers masked to a mediator", func(t *testing.T) {
		got, r := env.get(t, asMediator2, pool.ID)
		require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
		assert.Equal(t, "陈*", got.Claims[0].ConsumerName)
		assert.Equal(t, "136****2222", got.Claims[0].ConsumerPhone)
		assert.NotContains(t, string(r.Body), "陈静")
		assert.NotContains(t, string(r.Body), "13600002222")

		q := env.queue(t, asMediator2)
		assert.Empty(t, q.Cases, "mediator2 has no cases of their own")
		assert.Equal(t, []string{pool.ID}, queueIDs(q.Pool))
		assert.Equal(t, []string{"陈*"}, q.Pool[0].Consumers)

		r = env.do(asMediator2, "GET", "/api/v1/mediation/cases/"+pool.ID+"/suggestions", nil)
		assert.Equal(t, http.StatusForbidden, r.Status, "suggestions are for regulators")
	})

	t.Run("regulators see consumers in full", func(t *testing.T) {
		for _, role := range []user.Role{user.Regulator, user.Supervisor} {
			got, r := env.get(t, role, pool.ID)
			require.Equal(t, http.StatusOK, r.Status)
			assert.Equal(t, "陈静", got.Claims[0].ConsumerName)
			assert.Equal(t, "13600002222", got.Claims[0].ConsumerPhone)
			q := env.queue(t, role)
			assert.ElementsMatch(t, []string{mine.ID, pool.ID}, queueIDs(q.Cases), "every open case")
			for _, it := range q.Cases {
				assert.NotContains(t, it.Consumers[0], "*")
			}
		}
	})

	t.Run("a mediator takes a pool case and then sees it in full", func(t *testing.T) {
		got, _ := env.step(t, asMediator2, pool.ID, "assign", poolTag, nil)
		assert.Equal(t, "mediator2", got.Mediator)
		assert.Equal(t, "陈静", got.Claims[0].ConsumerName)
		_, r := env.get(t, user.Mediator, pool.ID)
		assert.Equal(t, http.StatusForbidden, r.Status, "out of the pool, closed to other mediators")
	})

	t.Run("roles outside mediation are refused", func(t *testing.T) {
		caseURL := "/api/v1/mediation/cases/" + mine.ID
		refund := map[string]any{"card": map[string]any{"type": "named", "paid_fen": 100, "bought_on": "2026-09-01"}}
		tests := []struct {
			role   user.Role
			method string
			path   string
			body   any
			want   int
		}{
			{user.FundOfficer, "GET", "/api/v1/mediation/cases", nil, http.StatusForbidden},
			{user.FundOfficer, "GET", caseURL, nil, http.StatusForbidden},
			{user.FundOfficer, "POST", "/api/v1/mediation/refund", refund, http.StatusForbidden},
			{user.Admin, "GET", caseURL, nil, http.StatusForbidden},
			{user.Public, "GET", caseURL, nil, http.StatusUnauthorized},
			{user.Public, "GET", "/api/v1/mediation/cases", nil, http.StatusUnauthorized},
			{user.Public, "GET", caseURL + "/agreement.pdf", nil, http.StatusUnauthorized},
			{user.Public, "GET", "/api/v1/mediation/bodies", nil, http.StatusUnauthorized},
			{user.FundOfficer, "GET", "/api/v1/mediation/mediators", nil, http.StatusForbidden},
			{user.Mediator, "POST", "/api/v1/mediation/cases", map[string]any{"uscc": uscc}, http.StatusForbidden},
			{user.Mediator, "POST", "/api/v1/mediation/bodies", map[string]any{"name": "x", "kind": "peoples"},
				http.StatusForbidden},
			{user.Mediator, "GET", "/api/v1/mediation/stats?from=2026-09-01&to=2026-09-30", nil, http.StatusForbidden},
		}
		for _, tt := range tests {
			r := env.do(tt.role, tt.method, tt.path, tt.body)
			assert.Equal(t, tt.want, r.Status, "%s %s as %s: %s", tt.method, tt.path, tt.role, r.Body)
			assert.NotContains(t, string(r.Body), "王小明")
		}
	})
}

func TestMediationAPI_BodiesMediatorsSuggestionsStats(t *testing.T) {
	env := newMedEnv(t)
	uscc := env.createEnterprise("MA01MED04", nil)

	t.Run("bodies: admins and regulators keep them, mediators read them", func(t *testing.T) {
		r := env.do(user.Admin, "POST", "/api/v1/mediation/bodies",
			map[string]any{"name": "望京街道人民调解委员会", "kind": "peoples"})
		require.Equal(t, http.StatusCreated, r.Status, "body: %s", r.Body)
		assert.Equal(t, `"1"`, r.Header.Get("ETag"))
		r = env.do(user.Mediator, "GET", "/api/v1/mediation/bodies", nil)
		require.Equal(t, http.StatusOK, r.Status)
		var got struct {
			Items []mediation.Body `json:"items"`
		}
		r.JSON(t, &got)
		assert.Len(t, got.Items, 2)
	})

	t.Run("a mediator is an account with the mediator role", func(t *testing.T) {
		for username, want := range map[string]string{"nobody": "没有这个用户账户", "regulator1": "不是调解员"} {
			r := env.do(user.Regulator, "POST", "/api/v1/mediation/mediators", map[string]any{"username": username,
				"name": "某人", "body": env.body})
			require.Equal(t, http.StatusBadRequest, r.Status, "body: %s", r.Body)
			p := r.Problem(t)
			assert.Equal(t, []string{"username"}, p.fieldNames())
			assert.Contains(t, p.Errors[0].Message, want)
		}
		r := env.do(user.Regulator, "POST", "/api/v1/mediation/mediators", map[string]any{"username": "mediator1",
			"name": mediatorName, "body": env.body})
		assert.Equal(t, http.StatusConflict, r.Status, "already on file: %s", r.Body)

		env.addMediator2(t)
		r = env.do(user.Mediator, "GET", "/api/v1/mediation/mediators?body="+env.body, nil)
		require.Equal(t, http.StatusOK, r.Status)
		var got struct {
			Items []mediation.Mediator `json:"items"`
		}
		r.JSON(t, &got)
		assert.Len(t, got.Items, 2)
	})

	t.Run("stats count the cases each body took", func(t *testing.T) {
		taken, etag := env.openAccepted(t, uscc, "周杰", "13400004444")
		env.step(t, user.Regulator, taken.ID, "assign", etag, map[string]any{"mediator": "mediator1"})

		r := env.do(user.Regulator, "GET", "/api/v1/mediation/stats?from=2026-09-01&to=2026-09-30", nil)
		require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
		var got struct {
			From  time.Time            `json:"from"`
			To    time.Time            `json:"to"`
			Items []mediation.BodyStat `json:"items"`
		}
		r.JSON(t, &got)
		assert.True(t, got.To.Equal(shanghai(t, "2026-10-01", "00:00")), "to takes in its whole day: %s", got.To)
		require.Len(t, got.Items, 2)
		byBody := map[string]mediation.BodyStat{}
		for _, st := range got.Items {
			byBody[st.Body] = st
		}
		assert.Equal(t, 1, byBody[env.body].Cases)
		assert.Equal(t, 1, byBody[env.body].Open)
		assert.Equal(t, bodyName, byBody[env.body].BodyName)
	})

	mc, _ := env.openAccepted(t, uscc, "刘洋", "13500003333")

	t.Run("a conflict of interest keeps a mediator out of the suggestions", func(t *testing.T) {
		suggested := func() []string {
			r := env.do(user.Regulator, "GET", "/api/v1/mediation/cases/"+mc.ID+"/suggestions", nil)
			require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
			var got struct {
				Items []mediation.Suggestion `json:"items"`
			}
			r.JSON(t, &got)
			var names []string
			for _, s := range got.Items {
				names = append(names, s.Username)
				assert.NotEmpty(t, s.Reasons)
			}
			return names
		}
		assert.Equal(t, []string{"mediator2", "mediator1"}, suggested(), "mediator1 already has a case")

		r := env.do(user.Regulator, "GET", "/api/v1/mediation/mediators/mediator2", nil)
		require.Equal(t, http.StatusOK, r.Status)
		etag := r.Header.Get("ETag")
		r = env.do(user.Regulator, "POST", "/api/v1/mediation/mediators/mediator2/conflicts",
			map[string]any{"uscc": uscc, "reason": "曾在该企业任职"}, "If-Match", etag)
		require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
		assert.Equal(t, `"2"`, r.Header.Get("ETag"))
		assert.Equal(t, []string{"mediator1"}, suggested())

		r = env.do(user.Regulator, "POST", "/api/v1/mediation/mediators/mediator2/conflicts",
			map[string]any{"uscc": uscc, "reason": "again"}, "If-Match", etag)
		assert.Equal(t, http.StatusPreconditionFailed, r.Status, "body: %s", r.Body)

		r = env.do(user.Admin, "POST", "/api/v1/mediation/mediators/mediator1/deactivate", nil, "If-Match", `"1"`)
		require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
		var m mediation.Mediator
		r.JSON(t, &m)
		assert.False(t, m.Active)
		assert.Empty(t, suggested())
	})

}

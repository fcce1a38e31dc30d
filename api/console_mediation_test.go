package api_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"prepaidreg/internal/audit"
	"prepaidreg/internal/user"
	"prepaidreg/mediation"
	"prepaidreg/registry"
)

// medWorld is the mediation tests' setting: an enterprise, a body with mediator1 on file, and
// the mediation service's clock, first at Monday 2026-09-14 09:00 in Asia/Shanghai.
type medWorld struct {
	env   *testEnv
	clock *ivClock
	uscc  string
	body  string
}

func newMedWorld(t *testing.T) *medWorld {
	t.Helper()
	env := newTestEnv(t)
	clock := &ivClock{}
	clock.Set(t, "2026-09-14 09:00")
	env.mediation.SetClock(clock.Now)
	w := &medWorld{env: env, clock: clock, uscc: env.createEnterprise("MA01MED01", nil)}
	ctx := context.Background()
	b, err := env.mediation.CreateBody(ctx, actorSystem, mediation.BodyInput{Name: "朝阳区消费者协会调解委员会",
		Kind: mediation.BodyConsumerAssociation})
	require.NoError(t, err)
	w.body = b.ID
	_, err = env.mediation.RegisterMediator(ctx, actorSystem, mediation.MediatorInput{Username: "mediator1", Name: "周调解",
		Body: b.ID, Industries: []registry.Industry{"fitness"}, Districts: []string{"110105"}})
	require.NoError(t, err)
	return w
}

// openCase opens a case behind the console for consumer name, with a named card.
func (w *medWorld) openCase(t *testing.T, name, phone string) *mediation.Case {
	t.Helper()
	c, err := w.env.mediation.OpenCase(context.Background(), staffActor, mediation.OpenInput{
		USCC: w.uscc, ConsumerName: name, ConsumerPhone: phone, IDNumber: "110105199001011234",
		Claim: mediation.ClaimRefund, ClaimFen: 80000, Facts: "办理年卡后商家拒绝退还余额。",
		Card: &mediation.Card{Kind: mediation.CardNamed, FaceValueFen: 100000, PaidFen: 100000, UsedFen: 25000,
			BoughtOn: "2026-08-01"},
	})
	require.NoError(t, err)
	return c
}

func (w *medWorld) caseNow(t *testing.T, id string) *mediation.Case {
	t.Helper()
	c, err := w.env.mediation.Case(context.Background(), staffActor, id)
	require.NoError(t, err)
	return c
}

// act posts one of the case page's forms with the case's current version.
func (w *medWorld) act(t *testing.T, s session, id, action string, form url.Values) response {
	t.Helper()
	posted := url.Values{"csrf": {s.csrf}, "version": {strconv.FormatInt(w.caseNow(t, id).Version, 10)}}
	for k, v := range form {
		posted[k] = v
	}
	return w.env.page(t, s, "POST", "/console/mediation/cases/"+id+"/"+action, posted)
}

// mustAct posts a form that the service accepts and checks where it leads and the state.
func (w *medWorld) mustAct(t *testing.T, s session, id, action string, form url.Values, want mediation.State) {
	t.Helper()
	r := w.act(t, s, id, action, form)
	require.Equal(t, http.StatusSeeOther, r.Status, "%s: %s", action, r.Body)
	assert.Equal(t, "/console/mediation/cases/"+id+"?done="+action, r.Header.Get("Location"))
	assert.Equal(t, want, w.caseNow(t, id).State, "after %s", action)
}

var staffActor = audit.Actor{Username: "regulator1", Role: "regulator", Via: "test"}

func TestConsoleMediation_Queue(t *testing.T) {
	w := newMedWorld(t)
	mine := w.openCase(t, "张伟", "13812341234")
	pool := w.openCase(t, "李娜", "13900001111")
	waiting := w.openCase(t, "王芳", "13700002222")
	reg := w.env.signIn(t, user.Regulator)
	med := w.env.signIn(t, user.Mediator)
	w.mustAct(t, reg, mine.ID, "accept", nil, mediation.StateAccepted)
	w.mustAct(t, reg, mine.ID, "assign", url.Values{"mediator": {"mediator1"}}, mediation.StateAssigned)
	w.mustAct(t, reg, pool.ID, "accept", nil, mediation.StateAccepted)

	t.Run("regulator sees every open case, near deadlines flagged", func(t *testing.T) {
		w.clock.Set(t, "2026-09-21 09:00") // acceptance due 2026-09-23: two working days left
		r := w.env.page(t, reg, "GET", "/console/mediation", nil)
		require.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
		body := string(r.Body)
		assert.Contains(t, body, `id="new-case"`)
		row := pagePart(t, body, `id="q-`+waiting.ID+`"`, "</tr>")
		assert.Contains(t, row, "临近")
		assert.Contains(t, row, "flag-near")
		assert.Contains(t, row, "王芳", "staff see consumers in full")
		assert.Contains(t, pagePart(t, body, `id="pool"`, "</section>"), pool.ID)
	})

	t.Run("mediator sees own cases first and the pool masked with a take button", func(t *testing.T) {
		w.clock.Set(t, "2026-12-28 09:00") // long past the 45 working days
		r := w.env.page(t, med, "GET", "/console/mediation", nil)
		require.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
		body := string(r.Body)
		own := pagePart(t, body, `id="my-cases"`, "</section>")
		assert.Contains(t, own, mine.ID)
		assert.NotContains(t, own, waiting.ID, "a case not accepted is no mediator's")
		assert.Contains(t, pagePart(t, own, `id="q-`+mine.ID+`"`, "</tr>"), "逾期")
		poolPart := pagePart(t, body, `id="pool"`, "</section>")
		assert.Contains(t, poolPart, `id="take-`+pool.ID+`"`)
		assert.Contains(t, poolPart, "李*")
		assert.NotContains(t, poolPart, "李娜")
		assert.NotContains(t, body, `id="new-case"`)
	})

	t.Run("take from the pool", func(t *testing.T) {
		w.clock.Set(t, "2026-09-22 09:00")
		w.mustAct(t, med, pool.ID, "take", nil, mediation.StateAssigned)
		assert.Equal(t, "mediator1", w.caseNow(t, pool.ID).Mediator)
	})

	t.Run("bad cursor", func(t *testing.T) {
		r := w.env.page(t, med, "GET", "/console/mediation?cursor=%21%21", nil)
		assert.Equal(t, http.StatusBadRequest, r.Status)
		r = w.env.page(t, med, "GET", "/console/mediation?sort=x", nil)
		assert.Equal(t, http.StatusBadRequest, r.Status)
	})
}

func TestConsoleMediation_CaseMasking(t *testing.T) {
	w := newMedWorld(t)
	c := w.openCase(t, "张伟", "13812341234")
	other := w.openCase(t, "李娜", "13900001111")
	reg := w.env.signIn(t, user.Regulator)
	med := w.env.signIn(t, user.Mediator)
	w.mustAct(t, reg, c.ID, "accept", nil, mediation.StateAccepted)

	path := "/console/mediation/cases/" + c.ID
	r := w.env.page(t, med, "GET", path, nil)
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
	assert.Contains(t, string(r.Body), `id="masked-note"`)
	assert.Contains(t, string(r.Body), "张*")
	assert.NotContains(t, string(r.Body), "张伟")
	assert.NotContains(t, string(r.Body), "13812341234")
	assert.NotContains(t, string(r.Body), "110105199001011234")
	assert.Contains(t, string(r.Body), `id="act-take"`)

	r = w.env.page(t, reg, "GET", path, nil)
	assert.Contains(t, string(r.Body), "张伟")
	assert.Contains(t, string(r.Body), "13812341234")
	assert.Contains(t, string(r.Body), `id="act-assign"`)
	assert.Contains(t, string(r.Body), `data-mediator="mediator1"`, "mediator1 is suggested")

	w.mustAct(t, med, c.ID, "take", nil, mediation.StateAssigned)
	r = w.env.page(t, med, "GET", path, nil)
	assert.Contains(t, string(r.Body), "张伟", "the assigned mediator sees the consumer")
	assert.Contains(t, string(r.Body), "13812341234")
	assert.NotContains(t, string(r.Body), `id="masked-note"`)

	r = w.env.page(t, med, "GET", "/console/mediation/cases/"+other.ID, nil)
	assert.Equal(t, http.StatusForbidden, r.Status, "a case neither theirs nor in the pool")
	assert.NotContains(t, string(r.Body), "李娜")
}

func TestConsoleMediation_ActionsToAgreement(t *testing.T) {
	w := newMedWorld(t)
	c := w.openCase(t, "张伟", "13812341234")
	reg := w.env.signIn(t, user.Regulator)
	med := w.env.signIn(t, user.Mediator)

	t.Run("mediator may not accept", func(t *testing.T) {
		r := w.act(t, med, c.ID, "accept", nil)
		assert.Equal(t, http.StatusForbidden, r.Status)
	})
	w.mustAct(t, reg, c.ID, "accept", nil, mediation.StateAccepted)
	t.Run("a second acceptance is refused with the reason", func(t *testing.T) {
		r := w.act(t, reg, c.ID, "accept", nil)
		assert.Equal(t, http.StatusConflict, r.Status)
		assert.Contains(t, string(r.Body), "只有待受理的案件可以受理")
		assert.Contains(t, string(r.Body), `id="form-error"`)
	})
	t.Run("a stale version says someone else changed the case", func(t *testing.T) {
		r := w.env.page(t, reg, "POST", "/console/mediation/cases/"+c.ID+"/pause",
			url.Values{"csrf": {reg.csrf}, "version": {"1"}, "reason": {"鉴定"}})
		assert.Equal(t, http.StatusPreconditionFailed, r.Status)
		assert.Contains(t, string(r.Body), "已被他人修改")
		assert.Contains(t, string(r.Body), "鉴定", "the typed reason is kept")
	})
	w.mustAct(t, reg, c.ID, "assign", url.Values{"body": {w.body}, "mediator": {"mediator1"}}, mediation.StateAssigned)
	w.mustAct(t, med, c.ID, "pause", url.Values{"reason": {"送检会员卡消费记录"}}, mediation.StateAssigned)
	w.mustAct(t, med, c.ID, "resume", nil, mediation.StateAssigned)

	w.clock.Set(t, "2026-09-14 11:00")
	session := url.Values{"at": {"2026-09-14T10:30"}, "form": {"on_site"}, "attendees": {"张伟\n店长李某"},
		"notes": {"双方到场"}, "offer_side_0": {"consumer"}, "offer_yuan_0": {"800"}, "offer_terms_0": {"一次退清"},
		"offer_side_1": {"enterprise"}, "offer_yuan_1": {"600.50"}, "offer_terms_1": {"分两期"}}
	t.Run("an amount with three decimals is refused beside its row, the rest kept", func(t *testing.T) {
		bad := url.Values{}
		for k, v := range session {
			bad[k] = v
		}
		bad.Set("offer_yuan_1", "600.505")
		r := w.act(t, med, c.ID, "session", bad)
		assert.Equal(t, http.StatusBadRequest, r.Status)
		assert.Contains(t, string(r.Body), "最多两位小数")
		assert.Contains(t, string(r.Body), `value="600.505"`)
		bad.Set("offer_yuan_1", "-5")
		r = w.act(t, med, c.ID, "session", bad)
		assert.Equal(t, http.StatusBadRequest, r.Status)
		assert.Contains(t, string(r.Body), "不能为负数")
	})
	w.mustAct(t, med, c.ID, "session", session, mediation.StateInMediation)
	got := w.caseNow(t, c.ID)
	require.Len(t, got.Sessions, 1)
	require.Len(t, got.Sessions[0].Offers, 2)
	assert.Equal(t, int64(60050), got.Sessions[0].Offers[1].AmountFen)

	agreement := url.Values{"points": {"退还年卡余额"}, "term_payer_0": {"北京朝阳悦动健身有限公司"},
		"term_payee_0": {"张伟"}, "term_yuan_0": {"700"}, "term_due_0": {"2026-09-20"}, "term_method_0": {"银行转账"}}
	w.mustAct(t, med, c.ID, "agreement", agreement, mediation.StateAgreement)

	r := w.env.page(t, med, "GET", "/console/mediation/cases/"+c.ID+"?done=agreement", nil)
	require.Equal(t, http.StatusOK, r.Status)
	body := string(r.Body)
	assert.Contains(t, body, "达成协议")
	assert.Contains(t, body, `href="/api/v1/mediation/cases/`+c.ID+`/agreement.pdf"`)
	assert.Contains(t, pagePart(t, body, `id="session-1"`, "</article>"), "600.50 元")
	assert.Contains(t, body, "700.00 元")

	w.mustAct(t, med, c.ID, "performance", url.Values{"performed": {"yes"}, "note": {"已转账"}},
		mediation.StateAgreement)
	w.mustAct(t, med, c.ID, "close", nil, mediation.StateClosed)
}

func TestConsoleMediation_OtherEndings(t *testing.T) {
	w := newMedWorld(t)
	reg := w.env.signIn(t, user.Regulator)
	med := w.env.signIn(t, user.Mediator)

	refused := w.openCase(t, "张伟", "13812341234")
	r := w.act(t, reg, refused.ID, "refuse", nil)
	assert.Equal(t, http.StatusBadRequest, r.Status, "a refusal needs its reason")
	assert.Contains(t, string(r.Body), "必填")
	w.mustAct(t, reg, refused.ID, "refuse", url.Values{"reason": {"不属于消费纠纷"}}, mediation.StateRefused)

	ended := w.openCase(t, "李娜", "13900001111")
	w.mustAct(t, reg, ended.ID, "accept", nil, mediation.StateAccepted)
	w.mustAct(t, med, ended.ID, "take", nil, mediation.StateAssigned)
	w.mustAct(t, med, ended.ID, "recuse", url.Values{"reason": {"曾在该企业任职"}}, mediation.StateAccepted)
	w.mustAct(t, reg, ended.ID, "assign", url.Values{"mediator": {"mediator1"}}, mediation.StateAssigned)
	w.mustAct(t, med, ended.ID, "terminate",
		url.Values{"reason": {"企业拒绝参加调解"}, "refused_by_enterprise": {"on"}},
		mediation.StateEnded)
	r = w.env.page(t, med, "GET", "/console/mediation/cases/"+ended.ID, nil)
	assert.Contains(t, string(r.Body), `/termination.pdf"`)
	w.mustAct(t, med, ended.ID, "notify", url.Values{"note": {"电话告知"}}, mediation.StateEnded)
	w.mustAct(t, med, ended.ID, "close", nil, mediation.StateClosed)

	withdrawn := w.openCase(t, "王芳", "13700002222")
	w.mustAct(t, reg, withdrawn.ID, "withdraw", url.Values{"reason": {"已自行和解"}}, mediation.StateWithdrawn)

	referred := w.openCase(t, "赵强", "13600003333")
	w.mustAct(t, reg, referred.ID, "accept", nil, mediation.StateAccepted)
	r = w.act(t, reg, referred.ID, "refer", url.Values{"to": {"court_confirmation"}})
	assert.Equal(t, http.StatusConflict, r.Status)
	assert.Contains(t, string(r.Body), "只有调解协议可以申请司法确认")
	w.mustAct(t, reg, referred.ID, "refer", url.Values{"to": {"arbitration"}, "note": {"消费者申请仲裁"}},
		mediation.StateReferred)

	r = w.act(t, reg, referred.ID, "nonsense", nil)
	assert.Equal(t, http.StatusNotFound, r.Status)
	r = w.env.page(t, reg, "POST", "/console/mediation/cases/"+referred.ID+"/close", url.Values{"csrf": {reg.csrf}})
	assert.Equal(t, http.StatusBadRequest, r.Status, "a form without its version")
}

func TestConsoleMediation_RefundCalculator(t *testing.T) {
	w := newMedWorld(t)
	c := w.openCase(t, "张伟", "13812341234")
	reg := w.env.signIn(t, user.Regulator)
	path := "/console/mediation/cases/" + c.ID

	r := w.env.page(t, reg, "GET", path, nil)
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
	result := pagePart(t, string(r.Body), `id="refund-result-0"`, "</div>")
	assert.Contains(t, result, "750.00 元", "paid 1000 less 250 used")
	assert.Contains(t, result, "已付金额 − 已消费金额")

	q := url.Values{"refund": {"0"}, "face": {"1200"}, "paid": {"1000"}, "used": {"300"}, "bought_on": {"2026-08-01"},
		"as_of": {"2026-09-14"}}
	r = w.env.page(t, reg, "GET", path+"?"+q.Encode(), nil)
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
	result = pagePart(t, string(r.Body), `id="refund-result-0"`, "</div>")
	assert.Contains(t, result, "已消费面值 × 实付金额 ÷ 面值", "a discounted card's working")
	assert.Contains(t, result, "750.00 元", "300 of 1200 face is 250 paid")

	q.Set("used", "-1")
	r = w.env.page(t, reg, "GET", path+"?"+q.Encode(), nil)
	assert.Equal(t, http.StatusBadRequest, r.Status)
	assert.Contains(t, string(r.Body), "金额不能为负数")
	q.Set("used", "1.001")
	r = w.env.page(t, reg, "GET", path+"?"+q.Encode(), nil)
	assert.Equal(t, http.StatusBadRequest, r.Status)
	assert.Contains(t, string(r.Body), "最多两位小数")

	r = w.env.page(t, reg, "GET", path+"?refund=7", nil)
	assert.Equal(t, http.StatusBadRequest, r.Status)
	r = w.env.page(t, reg, "GET", path+"?done=nope", nil)
	assert.Equal(t, http.StatusBadRequest, r.Status)
}

var caseLocation = regexp.MustCompile(`^/console/mediation/cases/(MC-[0-9]+-[0-9a-f]+)\?done=open$`)

func TestConsoleMediation_OpenCase(t *testing.T) {
	w := newMedWorld(t)
	reg := w.env.signIn(t, user.Regulator)

	t.Run("from the complaint page", func(t *testing.T) {
		page := w.env.fileComplaint(t, "2026091400001", "北京朝阳悦动健身有限公司", 1)
		r := w.env.page(t, reg, "GET", page, nil)
		require.Equal(t, http.StatusOK, r.Status)
		assert.Contains(t, string(r.Body), `id="to-mediation-button"`)
		form := url.Values{"csrf": {reg.csrf}, "complaint_id": {"12345:2026091400001"}}
		r = w.env.page(t, reg, "POST", "/console/mediation/cases", form)
		require.Equal(t, http.StatusSeeOther, r.Status, "%s", r.Body)
		m := caseLocation.FindStringSubmatch(r.Header.Get("Location"))
		require.NotNil(t, m, r.Header.Get("Location"))
		r = w.env.page(t, reg, "GET", r.Header.Get("Location"), nil)
		body := string(r.Body)
		assert.Contains(t, body, "张伟")
		assert.Contains(t, body, "3,800.00 元")
		assert.Contains(t, body, "调解案件已登记")
	})

	t.Run("an unlinked complaint has no button", func(t *testing.T) {
		page := w.env.fileComplaint(t, "2026091400002", "不存在的商户", 1)
		r := w.env.page(t, reg, "GET", page, nil)
		assert.NotContains(t, string(r.Body), `id="to-mediation-button"`)
		form := url.Values{"csrf": {reg.csrf}, "complaint_id": {"12345:2026091400002"}}
		r = w.env.page(t, reg, "POST", "/console/mediation/cases", form)
		assert.Equal(t, http.StatusBadRequest, r.Status)
		assert.Contains(t, string(r.Body), "请先关联")
	})

	direct := url.Values{"csrf": {reg.csrf}, "uscc": {w.uscc}, "consumer_name": {"李娜"}, "consumer_phone": {"13900001111"},
		"claim": {"refund"}, "claim_yuan": {"1,200.50"}, "facts": {"课程停开，要求退费"}, "card_type": {"course"},
		"paid_yuan": {"2400"}, "bought_on": {"2026-06-01"}, "lessons": {"24"}, "lessons_used": {"12"}}
	for _, tc := range []struct{ amount, want string }{
		{"12.345", "最多两位小数"}, {"-5", "金额不能为负数"}, {"abc", "金额应为"},
	} {
		t.Run("claim of "+tc.amount+" is refused", func(t *testing.T) {
			bad := url.Values{}
			for k, v := range direct {
				bad[k] = v
			}
			bad.Set("claim_yuan", tc.amount)
			r := w.env.page(t, reg, "GET", "/console/mediation/cases/new", nil)
			require.Equal(t, http.StatusOK, r.Status)
			r = w.env.page(t, reg, "POST", "/console/mediation/cases", bad)
			assert.Equal(t, http.StatusBadRequest, r.Status)
			field := pagePart(t, string(r.Body), `id="field-claim_yuan"`, "</div>")
			assert.Contains(t, field, tc.want)
			assert.Contains(t, string(r.Body), "课程停开，要求退费", "the rest is kept")
		})
	}

	t.Run("directly", func(t *testing.T) {
		r := w.env.page(t, reg, "POST", "/console/mediation/cases", direct)
		require.Equal(t, http.StatusSeeOther, r.Status, "%s", r.Body)
		m := caseLocation.FindStringSubmatch(r.Header.Get("Location"))
		require.NotNil(t, m)
		got := w.caseNow(t, m[1])
		assert.Equal(t, int64(120050), got.Claims[0].ClaimFen)
		require.NotNil(t, got.Claims[0].Card)
		assert.Equal(t, 24, got.Claims[0].Card.Lessons)
		r = w.env.page(t, reg, "GET", "/console/mediation/cases/"+m[1], nil)
		assert.Contains(t, pagePart(t, string(r.Body), `id="refund-result-0"`, "</div>"), "1,200.00 元",
			"half the lessons of 2400 元")
	})

	t.Run("a service refusal is shown beside its field", func(t *testing.T) {
		bad := url.Values{}
		for k, v := range direct {
			bad[k] = v
		}
		bad.Set("consumer_phone", "x")
		r := w.env.page(t, reg, "POST", "/console/mediation/cases", bad)
		assert.Equal(t, http.StatusBadRequest, r.Status)
		assert.Contains(t, pagePart(t, string(r.Body), `id="field-consumer_phone"`, "</div>"), "联系电话")
	})
}

func TestConsoleMediation_Stats(t *testing.T) {
	w := newMedWorld(t)
	c := w.openCase(t, "张伟", "13812341234")
	reg := w.env.signIn(t, user.Regulator)
	w.mustAct(t, reg, c.ID, "accept", nil, mediation.StateAccepted)
	w.mustAct(t, reg, c.ID, "assign", url.Values{"mediator": {"mediator1"}}, mediation.StateAssigned)

	r := w.env.page(t, reg, "GET", "/console/mediation/stats?from=2026-01-01&to=2026-12-31", nil)
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
	body := string(r.Body)
	assert.Contains(t, body, "<svg")
	row := pagePart(t, body, `data-body="`+w.body+`"`, "</tr>")
	assert.Contains(t, row, "朝阳区消费者协会调解委员会")
	assert.Contains(t, row, "0 / 0")

	for _, q := range []string{"from=2026-13-01", "to=yesterday", "from=2026-09-10&to=2026-09-01", "body=x"} {
		r := w.env.page(t, reg, "GET", "/console/mediation/stats?"+q, nil)
		assert.Equal(t, http.StatusBadRequest, r.Status, q)
	}
	med := w.env.signIn(t, user.Mediator)
	r = w.env.page(t, med, "GET", "/console/mediation/stats", nil)
	assert.Equal(t, http.StatusForbidden, r.Status)
}

func TestConsoleMediation_Bodies(t *testing.T) {
	w := newMedWorld(t)
	reg := w.env.signIn(t, user.Regulator)
	ctx := context.Background()
	_, err := w.env.users.Add(ctx, actorSystem, "mediator2", user.Mediator, testPassword)
	require.NoError(t, err)

	r := w.env.page(t, reg, "GET", "/console/mediation/bodies", nil)
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
	assert.Contains(t, string(r.Body), "周调解")

	r = w.env.page(t, reg, "POST", "/console/mediation/bodies",
		url.Values{"csrf": {reg.csrf}, "name": {"望京街道人民调解委员会"}, "kind": {"peoples"}})
	require.Equal(t, http.StatusSeeOther, r.Status, "%s", r.Body)
	bodies, err := w.env.mediation.Bodies(ctx)
	require.NoError(t, err)
	require.Len(t, bodies, 2)

	r = w.env.page(t, reg, "POST", "/console/mediation/bodies",
		url.Values{"csrf": {reg.csrf}, "name": {""}, "kind": {"peoples"}})
	assert.Equal(t, http.StatusBadRequest, r.Status)

	register := url.Values{"csrf": {reg.csrf}, "username": {"regulator1"}, "name": {"孙调解"}, "body": {w.body},
		"industries": {"beauty"}, "districts": {"110105"}}
	r = w.env.page(t, reg, "POST", "/console/mediation/mediators", register)
	assert.Equal(t, http.StatusBadRequest, r.Status)
	assert.Contains(t, string(r.Body), "不是调解员")
	assert.Contains(t, string(r.Body), "孙调解", "what was typed is kept")
	register.Set("username", "mediator2")
	r = w.env.page(t, reg, "POST", "/console/mediation/mediators", register)
	require.Equal(t, http.StatusSeeOther, r.Status, "%s", r.Body)

	m, err := w.env.mediation.Mediator(ctx, "mediator2")
	require.NoError(t, err)
	conflict := url.Values{"csrf": {reg.csrf}, "version": {strconv.FormatInt(m.Version, 10)}, "uscc": {w.uscc},
		"reason": {"曾任该企业店长"}}
	r = w.env.page(t, reg, "POST", "/console/mediation/mediators/mediator2/conflicts", conflict)
	require.Equal(t, http.StatusSeeOther, r.Status, "%s", r.Body)
	r = w.env.page(t, reg, "POST", "/console/mediation/mediators/mediator2/conflicts", conflict)
	assert.Equal(t, http.StatusPreconditionFailed, r.Status, "the version moved on")

	r = w.env.page(t, reg, "POST", "/console/mediation/mediators/mediator2/deactivate",
		url.Values{"csrf": {reg.csrf}, "version": {strconv.FormatInt(m.Version+1, 10)}})
	require.Equal(t, http.StatusSeeOther, r.Status, "%s", r.Body)
	m, err = w.env.mediation.Mediator(ctx, "mediator2")
	require.NoError(t, err)
	assert.False(t, m.Active)
	assert.Len(t, m.Conflicts, 1)

	admin := w.env.signIn(t, user.Admin)
	r = w.env.page(t, admin, "GET", "/console/mediation/bodies", nil)
	assert.Equal(t, http.StatusOK, r.Status)
	assert.True(t, strings.Contains(string(r.Body), `href="/console/mediation/bodies"`), "admin's nav link")
}

func TestConsoleMediation_NavLink(t *testing.T) {
	w := newMedWorld(t)
	for role, want := range map[user.Role]bool{user.Mediator: true, user.Regulator: true, user.FundOfficer: false} {
		r := w.env.page(t, w.env.signIn(t, role), "GET", "/console", nil)
		assert.Equal(t, want, strings.Contains(string(r.Body), `<a href="/console/mediation">调解</a>`), role)
	}
}

package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"prepaidreg/internal/pdf/pdftest"
	"prepaidreg/internal/user"
	"prepaidreg/registry"
)

// fundAlertBody is a fund alert as the API answers it.
type fundAlertBody struct {
	ID        string           `json:"id"`
	AccountID string           `json:"account_id"`
	USCC      string           `json:"uscc"`
	Kind      string           `json:"kind"`
	Detail    string           `json:"detail"`
	Figures   map[string]int64 `json:"figures"`
	State     string           `json:"state"`
	ClosedBy  string           `json:"closed_by"`
	Version   int64            `json:"version"`
}

// fundPlanBody is a refund plan as the API answers it.
type fundPlanBody struct {
	ID           string `json:"id"`
	AccountID    string `json:"account_id"`
	State        string `json:"state"`
	HeldFen      int64  `json:"held_fen"`
	AvailableFen int64  `json:"available_fen"`
	AccountFen   int64  `json:"account_fen"`
	CoverFen     int64  `json:"cover_fen"`
	Claims       []struct {
		ID            string `json:"id"`
		ConsumerName  string `json:"consumer_name"`
		ConsumerPhone string `json:"consumer_phone"`
		VerifiedFen   int64  `json:"verified_fen"`
	} `json:"claims"`
	Payouts []struct {
		ClaimID    string `json:"claim_id"`
		ShareFen   int64  `json:"share_fen"`
		AccountFen int64  `json:"account_fen"`
	} `json:"payouts"`
	Payments   []struct{ ClaimID, EntryID string } `json:"payments"`
	ProposedBy string                              `json:"proposed_by"`
	ApprovedBy string                              `json:"approved_by"`
	Version    int64                               `json:"version"`
}

// storyClaims are four consumers' claims on a gone gym: 7,500.01 元 verified against the
// 6,000.00 元 it holds.
var storyClaims = []map[string]any{
	{"id": "C-01", "consumer_name": "张三丰", "consumer_phone": "13800001111", "claim_fen": 300_000,
		"verified_fen": 300_000, "source": "complaint"},
	{"id": "C-02", "consumer_name": "李四", "consumer_phone": "13900002222", "claim_fen": 200_000,
		"verified_fen": 200_000, "source": "mediation"},
	{"id": "C-03", "consumer_name": "王小五", "consumer_phone": "13700003333", "claim_fen": 150_000,
		"verified_fen": 150_000, "source": "import"},
	{"id": "C-04", "consumer_name": "赵六", "consumer_phone": "13600004444", "claim_fen": 100_001,
		"verified_fen": 100_001, "source": "import"},
}

// fundDocBody returns a funds PDF's text squashed, each page's footer (title, page n of m)
// checked and cut, and the table header repeated on later pages cut.
func fundDocBody(t *testing.T, out []byte, title string, tableHeader []string) string {
	t.Helper()
	pages := strings.Split(strings.TrimSuffix(pdftest.Text(t, out), "\f"), "\f")
	head := pdftest.Squash(strings.Join(tableHeader, ""))
	var body strings.Builder
	for i, page := range pages {
		page = pdftest.Squash(page)
		footer := pdftest.Squash(fmt.Sprintf("%s第 %d 页 / 共 %d 页", title, i+1, len(pages)))
		require.True(t, strings.HasSuffix(page, footer), "page %d does not end with %q: %q", i+1, footer, page)
		page = strings.TrimSuffix(page, footer)
		if i > 0 {
			page = strings.TrimPrefix(page, head)
		}
		body.WriteString(page)
	}
	return body.String()
}

// TestFunds_Story follows the story through the API: an account is opened and fed,
// a release is refused, a sale raises a coverage alert, the enterprise is black-listed as
// gone and its account frozen, a refund plan shares what is left among four consumers under
// four eyes, the refunds are paid once, and the plan and the statement are printed.
func TestFunds_Story(t *testing.T) {
	env := newFundsAPIEnv(t)
	a := env.openAccount(t, "MA01FQ001")
	id := a.ID
	assert.Equal(t, 40, a.RequiredSharePercent, "Beijing: 40 %")

	// Sales of 10,000 元 and deposits of 6,000 元 in October, covered all along.
	for _, e := range []struct {
		key, typ, ref, at string
		fen               int64
	}{
		{"deposit-1", "deposit", "DEP-1001", "2026-10-09T09:00:00+08:00", 400_000},
		{"sale-1", "sale", "POS-1001", "2026-10-10T10:00:00+08:00", 300_000},
		{"sale-2", "sale", "POS-1002", "2026-10-12T15:30:00+08:00", 500_000},
		{"sale-3", "sale", "POS-1003", "2026-10-20T11:00:00+08:00", 200_000},
		{"deposit-2", "deposit", "DEP-1002", "2026-10-21T09:00:00+08:00", 200_000},
	} {
		env.posted(t, id, e.key, map[string]any{"type": e.typ, "amount_fen": e.fen, "reference": e.ref,
			"occurred_at": e.at})
	}
	got, _ := env.account(t, user.Regulator, id)
	assert.EqualValues(t, 600_000, got.HeldFen)
	assert.EqualValues(t, 1_000_000, got.OutstandingFen)
	assert.EqualValues(t, 400_000, got.RequiredFen)
	require.NotNil(t, got.Coverage)
	assert.InDelta(t, 1.5, *got.Coverage, 1e-9, "6,000 / 4,000")

	// A release of 4,000 元 would leave 2,000 held against 2,400 required on 6,000 outstanding.
	r := env.post(t, id, "release-big", map[string]any{"type": "release", "amount_fen": 400_000})
	require.Equal(t, http.StatusConflict, r.Status, "body: %s", r.Body)
	detail := r.Problem(t).Detail
	for _, figure := range []string{"6,000.00", "4,000.00", "2,000.00", "2,400.00", "40%"} {
		assert.Contains(t, detail, figure)
	}

	// A sale of 6,000 元 takes the requirement to 6,400 元: coverage 93.75 %, and the alert.
	r = env.do(user.FundOfficer, "GET", "/api/v1/funds/alerts?uscc="+a.USCC, nil)
	require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
	assert.JSONEq(t, `{"items":[],"next_cursor":""}`, string(r.Body), "no alert while covered")
	env.posted(t, id, "sale-4", map[string]any{"type": "sale", "amount_fen": 600_000, "reference": "POS-1004",
		"occurred_at": "2026-10-25T19:00:00+08:00"})
	r = env.do(user.Regulator, "GET", "/api/v1/funds/alerts?state=open&kind=coverage_below&uscc="+a.USCC, nil)
	require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
	var alerts struct{ Items []fundAlertBody }
	r.JSON(t, &alerts)
	require.Len(t, alerts.Items, 1)
	alert := alerts.Items[0]
	assert.Equal(t, id, alert.AccountID)
	assert.Equal(t, "new", alert.State)
	assert.Equal(t, map[string]int64{"held_fen": 600_000, "insured_fen": 0, "required_fen": 640_000,
		"shortfall_fen": 40_000, "coverage_bp": 9375}, alert.Figures)
	assert.Contains(t, alert.Detail, "覆盖率 93.75%，差额 400.00 元")
	r = env.do(user.FundOfficer, "GET", "/api/v1/funds/alerts/"+alert.ID, nil)
	require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
	assert.Equal(t, `"1"`, r.Header.Get("ETag"))

	// The enterprise is black-listed as gone (art. 8): proposed by a regulator, approved by a
	// supervisor, and its account is frozen.
	entry := env.postEntry(t, user.Regulator, "/api/v1/list-entries", blackOnGround(a.USCC), http.StatusCreated)
	env.postEntry(t, user.Supervisor, "/api/v1/list-entries/"+entry.ID+"/approve",
		map[string]string{"note": "同意列入"}, http.StatusOK)
	got, _ = env.account(t, user.FundOfficer, id)
	assert.True(t, got.Frozen)
	require.NotNil(t, got.Freeze)
	assert.Contains(t, got.Freeze.Reason, "京朝市监失信〔2026〕7号")
	r = env.post(t, id, "release-frozen", map[string]any{"type": "release", "amount_fen": 10_000})
	require.Equal(t, http.StatusConflict, r.Status, "body: %s", r.Body)
	assert.Contains(t, r.Problem(t).Detail, "账户已冻结")

	// A fund officer proposes to share the 6,000.00 元 held among 7,500.01 元 verified:
	// 6,000 × v ÷ 7,500.01 rounded down gives 2,399.99, 1,599.99, 1,199.99 and 800.00; the
	// three fen left go to the largest remainders, C-03, C-02 and C-04.
	r = env.do(user.FundOfficer, "POST", accountPath(id)+"/plans", map[string]any{"claims": storyClaims})
	require.Equal(t, http.StatusCreated, r.Status, "body: %s", r.Body)
	var plan fundPlanBody
	r.JSON(t, &plan)
	assert.Equal(t, "/api/v1/funds/plans/"+plan.ID, r.Header.Get("Location"))
	assert.Equal(t, `"1"`, r.Header.Get("ETag"))
	assert.Equal(t, "proposed", plan.State)
	assert.Equal(t, "fund_officer1", plan.ProposedBy, "the proposer is not supervisor1")
	assert.EqualValues(t, 600_000, plan.AvailableFen)
	assert.EqualValues(t, 600_000, plan.AccountFen)
	assert.Zero(t, plan.CoverFen)
	wantShares := map[string]int64{"C-01": 239_999, "C-02": 160_000, "C-03": 120_000, "C-04": 80_001}
	require.Len(t, plan.Payouts, 4)
	for _, o := range plan.Payouts {
		assert.Equal(t, wantShares[o.ClaimID], o.ShareFen, o.ClaimID)
		assert.Equal(t, wantShares[o.ClaimID], o.AccountFen, o.ClaimID)
	}
	assert.Equal(t, "张三丰", plan.Claims[0].ConsumerName, "the fund officer sees the consumer")
	planPath := "/api/v1/funds/plans/" + plan.ID

	t.Run("others see the consumers masked", func(t *testing.T) {
		r := env.do(user.Regulator, "GET", planPath, nil)
		require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
		var p fundPlanBody
		r.JSON(t, &p)
		assert.Equal(t, "张**", p.Claims[0].ConsumerName)
		assert.Equal(t, "138****1111", p.Claims[0].ConsumerPhone)
		for _, c := range storyClaims {
			assert.NotContains(t, string(r.Body), c["consumer_phone"])
		}
	})

	// Four eyes: the proposer may not approve; supervisor1, a second person, does.
	r = env.do(user.FundOfficer, "POST", planPath+"/approve", map[string]any{"note": "自批"}, "If-Match", `"1"`)
	require.Equal(t, http.StatusForbidden, r.Status, "body: %s", r.Body)
	r = env.do(user.Supervisor, "POST", planPath+"/approve", map[string]any{"note": "同意"}, "If-Match", `"1"`)
	require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
	r.JSON(t, &plan)
	assert.Equal(t, "approved", plan.State)
	assert.Equal(t, "supervisor1", plan.ApprovedBy)
	assert.Equal(t, `"2"`, r.Header.Get("ETag"))

	// Paying posts one refund per claim and empties the account exactly.
	r = env.do(user.FundOfficer, "POST", planPath+"/pay", nil, "If-Match", `"2"`)
	require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
	r.JSON(t, &plan)
	assert.Equal(t, "paid", plan.State)
	require.Len(t, plan.Payments, 4)
	etag := r.Header.Get("ETag")

	var refunds []map[string]any
	r = env.do(user.Regulator, "GET", accountPath(id)+"/entries?after=6", nil)
	require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
	var page struct{ Items []map[string]any }
	r.JSON(t, &page)
	for _, e := range page.Items {
		if e["type"] == "refund" {
			refunds = append(refunds, e)
		}
	}
	require.Len(t, refunds, 4)
	for i, e := range refunds {
		claim := fmt.Sprintf("C-%02d", i+1)
		assert.Equal(t, claim, e["plan_claim"])
		assert.EqualValues(t, wantShares[claim], e["amount_fen"])
		assert.Equal(t, "退款 "+plan.ID+" "+claim, e["reference"])
	}
	after, _ := env.account(t, user.FundOfficer, id)
	assert.Zero(t, after.HeldFen, "6,000.00 held, 6,000.00 refunded")
	assert.EqualValues(t, 1_000_000, after.OutstandingFen)

	t.Run("paying again adds nothing", func(t *testing.T) {
		r := env.do(user.FundOfficer, "POST", planPath+"/pay", nil, "If-Match", etag)
		require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
		assert.Equal(t, etag, r.Header.Get("ETag"))
		ledger, _ := env.ledger(t, id, 50)
		assert.Len(t, ledger, 10)
		again, _ := env.account(t, user.FundOfficer, id)
		assert.Equal(t, after, again)
	})

	t.Run("the plan PDF lists the claims masked", func(t *testing.T) {
		r := env.do(user.Regulator, "GET", planPath+"/plan.pdf", nil)
		require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
		assert.Equal(t, "application/pdf", r.Header.Get("Content-Type"))
		assert.Contains(t, r.Header.Get("Content-Disposition"), `attachment; filename="refund-plan-`)
		text := pdftest.Text(t, r.Body)
		body := pdftest.Squash(text)
		sources := map[string]string{"complaint": "投诉", "mediation": "调解", "import": "导入"}
		verified := map[string]string{"C-01": "3,000.00", "C-02": "2,000.00", "C-03": "1,500.00", "C-04": "1,000.01"}
		shares := map[string]string{"C-01": "2,399.99", "C-02": "1,600.00", "C-03": "1,200.00", "C-04": "800.01"}
		for _, c := range storyClaims {
			claim, name, phone := c["id"].(string), c["consumer_name"].(string), c["consumer_phone"].(string)
			row := pdftest.Squash(claim + registry.MaskName(name) + registry.MaskPhone(phone) +
				sources[c["source"].(string)] + verified[claim] + shares[claim])
			assert.Contains(t, body, row, "claim %s", claim)
			assert.NotContains(t, text, name)
			assert.NotContains(t, text, phone)
		}
		assert.Contains(t, body, "审批人：supervisor1")
	})

	t.Run("the statement reads back exactly", func(t *testing.T) {
		r := env.do(user.Supervisor, "GET", accountPath(id)+"/statement.pdf?from=2026-10-01&to=2026-11-02", nil)
		require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
		assert.Equal(t, "application/pdf", r.Header.Get("Content-Type"))
		assert.Contains(t, r.Header.Get("Content-Disposition"), `attachment; filename="fund-statement-`)
		headers := []string{"日期", "类型", "业务参考号", "监管资金变动（元）",
			"监管资金余额（元）", "预收资金余额（元）"}
		body := fundDocBody(t, r.Body, "预付资金监管账户对账单　2026年10月1日至2026年11月2日", headers)

		want := []string{
			env.enforcement.Bureau().Name, "预付资金监管账户对账单",
			"企业名称：北京朝阳悦动健身有限公司",
			"统一社会信用代码：" + a.USCC,
			"开户银行：北京银行",
			"监管账户：6222 **** **** 2222",
			"对账期间：2026年10月1日至2026年11月2日",
			"一、期初余额", "监管资金余额：0.00元", "预收资金余额：0.00元",
			"二、本期明细",
		}
		want = append(want, headers...)
		want = append(want,
			"2026-10-09", "存入监管账户", "DEP-1001", "+4,000.00", "4,000.00", "0.00",
			"2026-10-10", "预收款销售", "POS-1001", "0.00", "4,000.00", "3,000.00",
			"2026-10-12", "预收款销售", "POS-1002", "0.00", "4,000.00", "8,000.00",
			"2026-10-20", "预收款销售", "POS-1003", "0.00", "4,000.00", "10,000.00",
			"2026-10-21", "存入监管账户", "DEP-1002", "+2,000.00", "6,000.00", "10,000.00",
			"2026-10-25", "预收款销售", "POS-1004", "0.00", "6,000.00", "16,000.00",
			"2026-11-02", "退款", "退款 "+plan.ID+" C-01", "-2,399.99", "3,600.01", "13,600.01",
			"2026-11-02", "退款", "退款 "+plan.ID+" C-02", "-1,600.00", "2,000.01", "12,000.01",
			"2026-11-02", "退款", "退款 "+plan.ID+" C-03", "-1,200.00", "800.01", "10,800.01",
			"2026-11-02", "退款", "退款 "+plan.ID+" C-04", "-800.01", "0.00", "10,000.00",
			"三、期末余额", "监管资金余额：0.00元", "预收资金余额：10,000.00元", "本期监管资金变动：0.00元",
			"四、存管要求与保障",
			"应存管金额：4,000.00元（期末预收资金余额的40%）",
			"保险及保函保障：0.00元",
			"覆盖率：0.00%（（期末监管资金余额＋保障金额）÷应存管金额）",
			"生成时间：2026年11月2日 10:00",
		)
		assert.Equal(t, pdftest.Squash(strings.Join(want, "")), body)
	})
}

package api_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"prepaidreg/funds"
	"prepaidreg/internal/audit"
	"prepaidreg/internal/user"
	"prepaidreg/mediation"
)

// TestFunds_ClaimCandidates gathers a refund plan's claims from where the consumers' claims
// already are: an unpaid mediation agreement (verified by it) and a complaint's amount (to be
// verified), through the API and into the console's plan builder.
func TestFunds_ClaimCandidates(t *testing.T) {
	env := newMedEnv(t)
	ctx := context.Background()
	uscc := env.createEnterprise("MA01MED01", nil)
	complaintID := env.fileComplaint(t, "2026091000001", "北京朝阳悦动健身有限公司", complaintFacts)

	mc, etag := env.open(t, map[string]any{"complaint_id": complaintID})
	mc, etag = env.step(t, user.Regulator, mc.ID, "accept", etag, nil)
	mc, etag = env.step(t, user.Regulator, mc.ID, "assign", etag,
		map[string]any{"body": env.body, "mediator": "mediator1"})
	mc, etag = env.step(t, user.Mediator, mc.ID, "sessions", etag, map[string]any{
		"at": "2026-09-14T09:00:00+08:00", "form": "phone", "attendees": []string{"张伟"}, "notes": "协商",
		"offers": []map[string]any{{"side": "consumer", "amount_fen": 300000, "terms": "退款"}}})
	mc, _ = env.step(t, user.Mediator, mc.ID, "agreement", etag, map[string]any{"points": []string{"退款金额"},
		"terms": []map[string]any{{"payer": "enterprise", "payee": "consumer", "amount_fen": 250000,
			"due_on": "2026-09-30", "method": "银行转账"}}})
	require.Equal(t, mediation.StateAgreement, mc.State)

	officer := audit.Actor{Username: "fund_officer1", Role: string(user.FundOfficer), Via: "test"}
	a, err := env.funds.OpenAccount(ctx, officer, funds.FundAccountInput{USCC: uscc, Bank: "北京银行",
		Branch: "望京支行", AccountNumber: "6222000011115555", AgreementDate: "2026-01-05"})
	require.NoError(t, err)

	r := env.do(user.FundOfficer, "GET", "/api/v1/funds/accounts/"+a.ID+"/claim-candidates", nil)
	require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
	var got struct {
		Items []struct {
			ID            string `json:"id"`
			ConsumerName  string `json:"consumer_name"`
			ConsumerPhone string `json:"consumer_phone"`
			ClaimFen      int64  `json:"claim_fen"`
			VerifiedFen   int64  `json:"verified_fen"`
			Source        string `json:"source"`
		} `json:"items"`
	}
	r.JSON(t, &got)
	require.Len(t, got.Items, 2, "the agreement's term and the complaint")
	assert.Equal(t, mc.ID+"-1", got.Items[0].ID)
	assert.Equal(t, "张伟", got.Items[0].ConsumerName)
	assert.EqualValues(t, 250000, got.Items[0].VerifiedFen, "verified by the agreement")
	assert.Equal(t, "mediation", got.Items[0].Source)
	assert.Equal(t, complaintID, got.Items[1].ID)
	assert.Zero(t, got.Items[1].VerifiedFen, "a complaint's amount is to be verified")
	assert.Equal(t, "complaint", got.Items[1].Source)

	r = env.do(user.Mediator, "GET", "/api/v1/funds/accounts/"+a.ID+"/claim-candidates", nil)
	assert.Equal(t, http.StatusForbidden, r.Status)

	// The builder shows once the account is frozen: a plan shares a gone enterprise's money.
	_, err = env.funds.Freeze(ctx, audit.Actor{Username: "regulator1", Role: string(user.Regulator)}, a.ID, a.Version,
		"企业停业跑路")
	require.NoError(t, err)
	s := env.signIn(t, user.FundOfficer)
	page := env.page(t, s, "GET", "/console/funds/accounts/"+url.PathEscape(a.ID)+"/plans/new?prefill=1", nil)
	require.Equal(t, http.StatusOK, page.Status, "body: %s", page.Body)
	assert.Contains(t, string(page.Body), mc.ID+"-1, 张伟, 13812341234, 2500.00, 2500.00, mediation")
	assert.Contains(t, string(page.Body), complaintID+", 张伟, 13812341234,")
}

// TestConsoleFunds_AllAccountsLowestCoverageFirst lists every account when no enterprise is
// asked for, the one furthest below its required deposit first.
func TestConsoleFunds_AllAccountsLowestCoverageFirst(t *testing.T) {
	env := newTestEnv(t)
	ctx := context.Background()
	officer := audit.Actor{Username: "fund_officer1", Role: string(user.FundOfficer), Via: "test"}
	open := func(org, number string, sale, deposit int64) string {
		t.Helper()
		uscc := env.createEnterprise(org, nil)
		a, err := env.funds.OpenAccount(ctx, officer, funds.FundAccountInput{USCC: uscc, Bank: "北京银行",
			Branch: "望京支行", AccountNumber: number, AgreementDate: "2026-01-05"})
		require.NoError(t, err)
		for key, in := range map[string]funds.EntryInput{
			"sale":    {Type: funds.EntrySale, AmountFen: sale, Reference: "S"},
			"deposit": {Type: funds.EntryDeposit, AmountFen: deposit, Reference: "D"},
		} {
			_, _, err := env.funds.PostEntry(ctx, officer, a.ID, key, in)
			require.NoError(t, err)
		}
		return a.ID
	}
	well := open("MA01FW101", "6222000011116666", 100_000, 100_000) // 250 %
	short := open("MA01FW102", "6222000011117777", 100_000, 10_000) // 25 %

	page := env.page(t, env.signIn(t, user.Regulator), "GET", "/console/funds", nil)
	require.Equal(t, http.StatusOK, page.Status)
	body := string(page.Body)
	iShort, iWell := strings.Index(body, `id="acct-`+short+`"`), strings.Index(body, `id="acct-`+well+`"`)
	require.True(t, iShort > 0 && iWell > 0, "both accounts listed")
	assert.Less(t, iShort, iWell, "the lowest coverage first")
	assert.NotContains(t, body, "6222000011117777", "account numbers masked in the list")
}

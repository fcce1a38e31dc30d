package api_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"prepaidreg/internal/user"
	"prepaidreg/registry"
)

// entryClock is a clock the list tests move; it starts on Thursday 3 December 2026, 10:00 in
// Beijing.
type entryClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *entryClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *entryClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

func newEntryClock(t *testing.T, env *testEnv) *entryClock {
	t.Helper()
	loc, err := time.LoadLocation("Asia/Shanghai")
	require.NoError(t, err)
	c := &entryClock{now: time.Date(2026, 12, 3, 10, 0, 0, 0, loc)}
	env.registry.SetClock(c.Now)
	return c
}

// greyManual is a grey proposal resting on the regulator's written judgement.
func greyManual(uscc string) map[string]any {
	return map[string]any{
		"uscc": uscc, "kind": "grey", "manual_judgement": true,
		"reason":           "近一个月门店多次停业，会员反映无法预约课程、退费无门",
		"legal_basis_code": "grey-high-risk",
		"evidence":         []map[string]string{{"kind": "interview", "id": "YT-2026-031", "note": "约谈未到"}},
		"authority":        "北京市朝阳区市场监督管理局", "decision_number": "京朝市监灰〔2026〕3号",
	}
}

// blackOnGround is a black proposal on the art. 8 ground with an inspection record.
func blackOnGround(uscc string) map[string]any {
	return map[string]any{
		"uscc": uscc, "kind": "black", "reason": "收取预付款后闭店，经核查无法联系",
		"legal_basis_code": "black-absconded",
		"evidence":         []map[string]string{{"kind": "inspection", "id": "JC-2026-118"}},
		"authority":        "北京市朝阳区市场监督管理局", "decision_number": "京朝市监失信〔2026〕7号",
	}
}

// postEntry sends a request about a list entry and decodes the entry it answers with.
func (e *testEnv) postEntry(t *testing.T, role user.Role, path string, body any, want int) registry.ListEntry {
	t.Helper()
	r := e.do(role, "POST", path, body)
	require.Equal(t, want, r.Status, "body: %s", r.Body)
	var got registry.ListEntry
	r.JSON(t, &got)
	return got
}

// readEntry reads an entry as a regulator.
func (e *testEnv) readEntry(t *testing.T, id string) registry.ListEntry {
	t.Helper()
	r := e.do(user.Regulator, "GET", "/api/v1/list-entries/"+id, nil)
	require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
	var got registry.ListEntry
	r.JSON(t, &got)
	return got
}

// refused checks a refusal's status and detail, and that the entry is as it was.
func (e *testEnv) refused(t *testing.T, r response, status int, detail string, before registry.ListEntry) {
	t.Helper()
	require.Equal(t, status, r.Status, "body: %s", r.Body)
	assert.Contains(t, r.Problem(t).Detail, detail)
	after := e.readEntry(t, before.ID)
	assert.Equal(t, before.Version, after.Version)
	assert.Equal(t, before.State, after.State)
	assert.Len(t, after.History, len(before.History))
}

func TestListEntryAPI_FourEyes(t *testing.T) {
	env := newTestEnv(t)
	newEntryClock(t, env)
	uscc := env.createEnterprise("MA01LA010", nil)

	proposed := env.postEntry(t, user.Regulator, "/api/v1/list-entries", greyManual(uscc), http.StatusCreated)
	assert.Equal(t, registry.EntryProposed, proposed.State)
	assert.Equal(t, "regulator1", proposed.ProposedBy)
	assert.Equal(t, "北京朝阳悦动健身有限公司", proposed.Name)
	assert.Equal(t, []string{"悦动健身"}, proposed.FormerNames)

	t.Run("a regulator cannot approve", func(t *testing.T) {
		r := env.do(user.Regulator, "POST", "/api/v1/list-entries/"+proposed.ID+"/approve", nil)
		env.refused(t, r, http.StatusForbidden, "角色无权", proposed)
	})

	approved := env.postEntry(t, user.Supervisor, "/api/v1/list-entries/"+proposed.ID+"/approve",
		map[string]string{"note": "同意列入"}, http.StatusOK)
	assert.Equal(t, registry.EntryPublished, approved.State)
	assert.Equal(t, "supervisor1", approved.ApprovedBy)
	require.NotNil(t, approved.ListedAt)
	require.NotNil(t, approved.ReviewAt)

	t.Run("approving twice", func(t *testing.T) {
		r := env.do(user.Supervisor, "POST", "/api/v1/list-entries/"+proposed.ID+"/approve", nil)
		env.refused(t, r, http.StatusConflict, "已公示", approved)
	})

	t.Run("a supervisor approving their own proposal", func(t *testing.T) {
		other := env.createEnterprise("MA01LA011", nil)
		own := env.postEntry(t, user.Supervisor, "/api/v1/list-entries", blackOnGround(other), http.StatusCreated)
		r := env.do(user.Supervisor, "POST", "/api/v1/list-entries/"+own.ID+"/approve", nil)
		env.refused(t, r, http.StatusForbidden, "审批人不能是提议人", own)
		r = env.do(user.Supervisor, "POST", "/api/v1/list-entries/"+own.ID+"/reject", map[string]string{"note": "撤销"})
		env.refused(t, r, http.StatusForbidden, "审批人不能是提议人", own)
	})

	t.Run("approving a withdrawn proposal", func(t *testing.T) {
		other := env.createEnterprise("MA01LA012", nil)
		e := env.postEntry(t, user.Regulator, "/api/v1/list-entries", greyManual(other), http.StatusCreated)
		r := env.do(user.Supervisor, "POST", "/api/v1/list-entries/"+e.ID+"/withdraw", nil)
		env.refused(t, r, http.StatusForbidden, "只有提议人", e)
		withdrawn := env.postEntry(t, user.Regulator, "/api/v1/list-entries/"+e.ID+"/withdraw", nil, http.StatusOK)
		assert.Equal(t, registry.EntryWithdrawn, withdrawn.State)
		r = env.do(user.Supervisor, "POST", "/api/v1/list-entries/"+e.ID+"/approve", nil)
		env.refused(t, r, http.StatusConflict, "已撤回", withdrawn)
	})

	t.Run("rejection needs a note", func(t *testing.T) {
		other := env.createEnterprise("MA01LA013", nil)
		e := env.postEntry(t, user.Regulator, "/api/v1/list-entries", greyManual(other), http.StatusCreated)
		r := env.do(user.Supervisor, "POST", "/api/v1/list-entries/"+e.ID+"/reject", map[string]string{})
		require.Equal(t, http.StatusBadRequest, r.Status, "body: %s", r.Body)
		assert.Equal(t, []string{"note"}, r.Problem(t).fieldNames())
		rejected := env.postEntry(t, user.Supervisor, "/api/v1/list-entries/"+e.ID+"/reject",
			map[string]string{"note": "证据不足，请补充约谈记录"}, http.StatusOK)
		assert.Equal(t, registry.EntryRejected, rejected.State)
	})
}

func TestListEntryAPI_BadInput(t *testing.T) {
	env := newTestEnv(t)
	uscc := env.createEnterprise("MA01LA020", nil)

	noGround := blackOnGround(uscc)
	delete(noGround, "legal_basis_code")
	noEvidence := blackOnGround(uscc)
	delete(noEvidence, "evidence")
	greyBare := greyManual(uscc)
	greyBare["manual_judgement"] = false
	cases := []struct {
		name   string
		body   any
		fields []string
	}{
		{"black without a ground", noGround, []string{"legal_basis_code"}},
		{"black without evidence", noEvidence, []string{"evidence"}},
		{"grey without an assessment or a judgement", greyBare, []string{"evidence"}},
		{"unknown field", `{"uscc":"x","colour":"red"}`, []string{"colour"}},
		{"wrong type", `{"uscc":"x","evidence":"all of it"}`, []string{"evidence"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := env.do(user.Regulator, "POST", "/api/v1/list-entries", tc.body)
			require.Equal(t, http.StatusBadRequest, r.Status, "body: %s", r.Body)
			assert.Equal(t, tc.fields, r.Problem(t).fieldNames())
		})
	}

	badQueries := []string{"state=lost", "kind=red", "uscc=123", "limit=0", "cursor=zz", "name%5B%24ne%5D=x",
		"review_due=maybe"}
	for _, q := range badQueries {
		t.Run("query "+q, func(t *testing.T) {
			r := env.do(user.Regulator, "GET", "/api/v1/list-entries?"+q, nil)
			require.Equal(t, http.StatusBadRequest, r.Status, "body: %s", r.Body)
		})
	}

	r := env.do(user.Regulator, "GET", "/api/v1/list-entries", nil)
	require.Equal(t, http.StatusOK, r.Status)
	assert.JSONEq(t, `{"items":[]}`, string(r.Body), "no refused proposal is stored")
	assert.Equal(t, http.StatusNotFound, env.do(user.Regulator, "GET", "/api/v1/list-entries/LE-NONE", nil).Status)
	assert.Equal(t, http.StatusUnauthorized, env.do(user.Public, "GET", "/api/v1/list-entries", nil).Status)
	assert.Equal(t, http.StatusForbidden, env.do(user.Mediator, "GET", "/api/v1/list-entries", nil).Status)
}

// dossierList is the list status of a dossier.
type dossierList struct {
	ListStatus struct {
		List    string                     `json:"list"`
		Entries []registry.ListStatusEntry `json:"entries"`
	} `json:"list_status"`
}

func (e *testEnv) dossierList(t *testing.T, uscc string) dossierList {
	t.Helper()
	r := e.do(user.Regulator, "GET", "/api/v1/enterprises/"+uscc+"/dossier", nil)
	require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
	var d dossierList
	r.JSON(t, &d)
	return d
}

func TestListEntryAPI_ObjectionRemovalAndHistory(t *testing.T) {
	env := newTestEnv(t)
	clock := newEntryClock(t, env)
	uscc := env.createEnterprise("MA01LA030", nil)
	assert.Equal(t, "", env.dossierList(t, uscc).ListStatus.List)

	e := env.postEntry(t, user.Regulator, "/api/v1/list-entries", greyManual(uscc), http.StatusCreated)
	e = env.postEntry(t, user.Supervisor, "/api/v1/list-entries/"+e.ID+"/approve",
		map[string]string{"note": "同意列入"}, http.StatusOK)
	base := "/api/v1/list-entries/" + e.ID

	t.Run("the dossier shows the list", func(t *testing.T) {
		d := env.dossierList(t, uscc)
		assert.Equal(t, "grey", d.ListStatus.List)
		require.Len(t, d.ListStatus.Entries, 1)
		got := d.ListStatus.Entries[0]
		assert.Equal(t, e.ID, got.ID)
		assert.Equal(t, registry.EntryPublished, got.State)
		assert.Equal(t, "京朝市监灰〔2026〕3号", got.DecisionNumber)
		require.NotNil(t, got.ListedAt)
		assert.True(t, got.ListedAt.Equal(*e.ListedAt))
	})

	clock.Set(clock.Now().AddDate(0, 0, 2))
	t.Run("objection with its dates", func(t *testing.T) {
		got := env.postEntry(t, user.Regulator, base+"/objections", map[string]string{
			"text": "我司已恢复营业并完成退费", "received_at": "2026-12-04T09:30:00+08:00",
		}, http.StatusCreated)
		require.Len(t, got.Objections, 1)
		o := got.Objections[0]
		assert.Equal(t, "2026-12-11T15:59:59Z", o.AcceptBy.UTC().Format(time.RFC3339), "five working days")
		assert.Equal(t, "2027-01-01T15:59:59Z", o.ReviewBy.UTC().Format(time.RFC3339), "twenty working days")

		r := env.do(user.Regulator, "POST", base+"/objections", map[string]string{"text": "x", "received_at": "4 Dec"})
		require.Equal(t, http.StatusBadRequest, r.Status, "body: %s", r.Body)
		assert.Equal(t, []string{"received_at"}, r.Problem(t).fieldNames())

		decide := base + "/objections/" + o.ID + "/decide"
		r = env.do(user.Regulator, "POST", decide, map[string]string{"outcome": "dismissed", "note": "x"})
		env.refused(t, r, http.StatusForbidden, "角色无权", got)
		r = env.do(user.Supervisor, "POST", decide, map[string]string{"outcome": "dismissed"})
		env.refused(t, r, http.StatusBadRequest, "输入有误", got)
		decided := env.postEntry(t, user.Supervisor, decide,
			map[string]string{"outcome": "dismissed", "note": "经核实仍有未退款项"}, http.StatusOK)
		assert.Equal(t, "dismissed", decided.Objections[0].Outcome)
		assert.Equal(t, "supervisor1", decided.Objections[0].DecidedBy)
	})

	t.Run("objection after thirty days", func(t *testing.T) {
		clock.Set(clock.Now().AddDate(0, 0, 40))
		before := env.readEntry(t, e.ID)
		r := env.do(user.Regulator, "POST", base+"/objections", map[string]string{"text": "迟到的异议"})
		env.refused(t, r, http.StatusConflict, "异议期已过", before)
	})

	t.Run("removal, four eyes", func(t *testing.T) {
		r := env.do(user.Regulator, "POST", base+"/removal", map[string]string{"reason": "credit_repair"})
		require.Equal(t, http.StatusBadRequest, r.Status, "body: %s", r.Body)
		assert.Equal(t, []string{"note"}, r.Problem(t).fieldNames())

		asked := env.postEntry(t, user.Regulator, base+"/removal",
			map[string]string{"reason": "credit_repair", "note": "已退还部分预付款"}, http.StatusOK)
		assert.Equal(t, registry.EntryRemovalProposed, asked.State)
		r = env.do(user.Regulator, "POST", base+"/removal/approve", nil)
		env.refused(t, r, http.StatusForbidden, "角色无权", asked)
		r = env.do(user.Supervisor, "POST", base+"/removal/reject", nil)
		env.refused(t, r, http.StatusBadRequest, "输入有误", asked)
		kept := env.postEntry(t, user.Supervisor, base+"/removal/reject",
			map[string]string{"note": "尚有未退款项"}, http.StatusOK)
		assert.Equal(t, registry.EntryPublished, kept.State)

		env.postEntry(t, user.Regulator, base+"/removal",
			map[string]string{"reason": "credit_repair", "note": "已退还全部预付款"}, http.StatusOK)
		removed := env.postEntry(t, user.Supervisor, base+"/removal/approve",
			map[string]string{"note": "同意移出"}, http.StatusOK)
		assert.Equal(t, registry.EntryRemoved, removed.State)
		require.NotNil(t, removed.RemovedAt)
		assert.Equal(t, "已退还全部预付款", removed.RemovalReason)

		r = env.do(user.Supervisor, "POST", base+"/removal/approve", nil)
		env.refused(t, r, http.StatusConflict, "已移出", removed)
		d := env.dossierList(t, uscc)
		assert.Equal(t, "", d.ListStatus.List)
		require.Len(t, d.ListStatus.Entries, 1)
		assert.NotNil(t, d.ListStatus.Entries[0].RemovedAt)
	})

	t.Run("a supervisor approving their own removal request", func(t *testing.T) {
		other := env.createEnterprise("MA01LA031", nil)
		e := env.postEntry(t, user.Regulator, "/api/v1/list-entries", greyManual(other), http.StatusCreated)
		env.postEntry(t, user.Supervisor, "/api/v1/list-entries/"+e.ID+"/approve", nil, http.StatusOK)
		asked := env.postEntry(t, user.Supervisor, "/api/v1/list-entries/"+e.ID+"/removal",
			map[string]string{"reason": "other", "note": "企业已注销"}, http.StatusOK)
		r := env.do(user.Supervisor, "POST", "/api/v1/list-entries/"+e.ID+"/removal/approve", nil)
		env.refused(t, r, http.StatusForbidden, "移出申请人", asked)
	})

	t.Run("the whole history stays readable", func(t *testing.T) {
		got := env.readEntry(t, e.ID)
		var steps []string
		for _, ev := range got.History {
			steps = append(steps, ev.By+" "+ev.Action)
		}
		assert.Equal(t, []string{
			"regulator1 propose", "supervisor1 approve", "regulator1 record_objection", "supervisor1 decide_objection",
			"regulator1 propose_removal", "supervisor1 reject_removal", "regulator1 propose_removal",
			"supervisor1 approve_removal",
		}, steps)
		assert.Equal(t, "同意列入", got.History[1].Note)
		assert.Equal(t, "同意移出", got.History[len(got.History)-1].Note)

		page, err := env.audit.List(context.Background(), auditQuery("list-entry/"+e.ID))
		require.NoError(t, err)
		assert.Len(t, page.Records, len(steps), "one audit record per step")
	})
}

func TestListEntryAPI_ListFilters(t *testing.T) {
	env := newTestEnv(t)
	clock := newEntryClock(t, env)
	a := env.createEnterprise("MA01LA040", nil)
	b := env.createEnterprise("MA01LA041", nil)

	greyA := env.postEntry(t, user.Regulator, "/api/v1/list-entries", greyManual(a), http.StatusCreated)
	env.postEntry(t, user.Supervisor, "/api/v1/list-entries/"+greyA.ID+"/approve", nil, http.StatusOK)
	clock.Set(clock.Now().Add(time.Minute))
	blackA := env.postEntry(t, user.Regulator, "/api/v1/list-entries", blackOnGround(a), http.StatusCreated)
	clock.Set(clock.Now().Add(time.Minute))
	greyB := env.postEntry(t, user.Regulator, "/api/v1/list-entries", greyManual(b), http.StatusCreated)

	ids := func(query string) ([]string, string) {
		t.Helper()
		r := env.do(user.Regulator, "GET", "/api/v1/list-entries?"+query, nil)
		require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
		var page struct {
			Items      []registry.ListEntry `json:"items"`
			NextCursor string               `json:"next_cursor"`
		}
		r.JSON(t, &page)
		var out []string
		for _, e := range page.Items {
			out = append(out, e.ID)
		}
		return out, page.NextCursor
	}
	got, _ := ids("")
	assert.Equal(t, []string{greyB.ID, blackA.ID, greyA.ID}, got)
	got, _ = ids("state=proposed&kind=grey")
	assert.Equal(t, []string{greyB.ID}, got)
	got, _ = ids("uscc=" + strings.ToLower(a))
	assert.Equal(t, []string{blackA.ID, greyA.ID}, got)

	first, next := ids("limit=2")
	assert.Equal(t, []string{greyB.ID, blackA.ID}, first)
	require.NotEmpty(t, next)
	second, last := ids("limit=2&cursor=" + next)
	assert.Equal(t, []string{greyA.ID}, second)
	assert.Empty(t, last)

	got, _ = ids("review_due=true")
	assert.Empty(t, got)
	clock.Set(clock.Now().AddDate(0, 7, 0))
	got, _ = ids("review_due=true")
	assert.Equal(t, []string{greyA.ID}, got, "grey entries come up for review after six months")
}

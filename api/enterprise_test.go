package api_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"prepaidreg/internal/user"
)

type enterpriseBody struct {
	USCC     string   `json:"uscc"`
	Name     string   `json:"name"`
	Aliases  []string `json:"aliases"`
	District string   `json:"district"`
	Street   string   `json:"street"`
	Industry string   `json:"industry"`
	Status   string   `json:"status"`
	Version  int64    `json:"version"`
	Prepaid  struct {
		OutstandingBalanceFen int64 `json:"outstanding_balance_fen"`
	} `json:"prepaid"`
}

type enterpriseListBody struct {
	Items      []enterpriseBody `json:"items"`
	NextCursor string           `json:"next_cursor"`
}

func TestEnterprise_CreateAndRead(t *testing.T) {
	env := newTestEnv(t)
	uscc := env.createEnterprise("MA01ABCD0", nil)

	r := env.do(user.Regulator, "GET", "/api/v1/enterprises/"+uscc, nil)
	require.Equal(t, http.StatusOK, r.Status)
	assert.Equal(t, `"1"`, r.Header.Get("ETag"))
	var got enterpriseBody
	r.JSON(t, &got)
	assert.Equal(t, uscc, got.USCC)
	assert.Equal(t, "北京朝阳悦动健身有限公司", got.Name)
	assert.Equal(t, []string{"悦动健身"}, got.Aliases)
	assert.Equal(t, "operating", got.Status, "status defaults to operating")
	assert.EqualValues(t, 12345600, got.Prepaid.OutstandingBalanceFen)

	t.Run("lower-case USCC in the path finds it", func(t *testing.T) {
		r := env.do(user.Mediator, "GET", "/api/v1/enterprises/"+lower(uscc), nil)
		assert.Equal(t, http.StatusOK, r.Status)
	})
	t.Run("duplicate USCC is 409", func(t *testing.T) {
		r := env.do(user.Regulator, "POST", "/api/v1/enterprises", sampleEnterprise(t, "MA01ABCD0"))
		assert.Equal(t, http.StatusConflict, r.Status)
		assert.Contains(t, r.Problem(t).Detail, "已登记")
	})
	t.Run("unknown USCC is 404", func(t *testing.T) {
		r := env.do(user.Regulator, "GET", "/api/v1/enterprises/"+validUSCC(t, "MA01YYYY0"), nil)
		assert.Equal(t, http.StatusNotFound, r.Status)
		r.Problem(t)
	})
	t.Run("the creation is audited", func(t *testing.T) {
		page, err := env.audit.List(context.Background(), auditQuery("enterprise/"+uscc))
		require.NoError(t, err)
		require.Len(t, page.Records, 1)
		assert.Equal(t, "enterprise.create", page.Records[0].Action)
		assert.Equal(t, "regulator1", page.Records[0].Actor)
		assert.Equal(t, "api", page.Records[0].Via)
	})
}

func TestEnterprise_Validation(t *testing.T) {
	env := newTestEnv(t)
	tests := []struct {
		name      string
		change    map[string]any
		wantField string
		wantText  string
	}{
		{"USCC wrong length", map[string]any{"uscc": "9111010512345"}, "uscc", "应为18位"},
		{"USCC forbidden letter", map[string]any{"uscc": "91110105MA01ABCDI0"}, "uscc",
			"不是统一社会信用代码允许的字符"},
		{"USCC wrong check character", map[string]any{"uscc": wrongCheck(t, validUSCC(t, "MA01ABCD1"))},
			"uscc", "校验位应为"},
		{"missing name", map[string]any{"name": "  "}, "name", "请填写企业名称"},
		{"unknown district", map[string]any{"district": "110199"}, "district", "不是北京市的区代码"},
		{"street not in district", map[string]any{"street": "中关村街道"}, "street", "没有名为“中关村街道”"},
		{"unknown industry", map[string]any{"industry": "casino"}, "industry", "请选择行业"},
		{"unknown status", map[string]any{"status": "gone"}, "status", "经营状态"},
		{"bad phone", map[string]any{"contact_phone": "call me"}, "contact_phone", "联系电话"},
		{"negative balance", map[string]any{"prepaid": map[string]any{"outstanding_balance_fen": -1}},
			"prepaid.outstanding_balance_fen", "整数分"},
		{"unknown card type", map[string]any{"prepaid": map[string]any{"card_types": []string{"gold"}}},
			"prepaid.card_types[0]", "卡类型"},
		{"store without address", map[string]any{"stores": []map[string]string{{"name": "店"}}},
			"stores[0].address", "门店地址"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := sampleEnterprise(t, "MA01WALD0")
			for k, v := range tt.change {
				body[k] = v
			}
			r := env.do(user.Regulator, "POST", "/api/v1/enterprises", body)
			require.Equal(t, http.StatusBadRequest, r.Status, "body: %s", r.Body)
			p := r.Problem(t)
			require.Contains(t, p.fieldNames(), tt.wantField)
			for _, e := range p.Errors {
				if e.Field == tt.wantField {
					assert.Contains(t, e.Message, tt.wantText)
				}
			}
		})
	}
	assertNoEnterprises(t, env)
}

func TestEnterprise_PatchWithIfMatch(t *testing.T) {
	env := newTestEnv(t)
	uscc := env.createEnterprise("MA01PTCH0", nil)
	path := "/api/v1/enterprises/" + uscc

	r := env.do(user.Supervisor, "PATCH", path, map[string]any{"status": "suspended", "aliases": []string{"旧名"}},
		"If-Match", `"1"`)
	require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
	var got enterpriseBody
	r.JSON(t, &got)
	assert.Equal(t, "suspended", got.Status)
	assert.EqualValues(t, 2, got.Version)
	assert.Equal(t, `"2"`, r.Header.Get("ETag"))

	t.Run("stale If-Match is 412 and changes nothing", func(t *testing.T) {
		r := env.do(user.Regulator, "PATCH", path, map[string]any{"status": "closed"}, "If-Match", `"1"`)
		assert.Equal(t, http.StatusPreconditionFailed, r.Status)
		assert.Contains(t, r.Problem(t).Detail, "已被他人修改")
		assert.Equal(t, "suspended", env.get(t, uscc).Status)
	})
	t.Run("missing If-Match is 428", func(t *testing.T) {
		r := env.do(user.Regulator, "PATCH", path, map[string]any{"status": "closed"})
		assert.Equal(t, http.StatusPreconditionRequired, r.Status)
	})
	t.Run("invalid patch is 400 and changes nothing", func(t *testing.T) {
		r := env.do(user.Regulator, "PATCH", path, map[string]any{"street": "不存在街道"}, "If-Match", `"2"`)
		assert.Equal(t, http.StatusBadRequest, r.Status)
		assert.EqualValues(t, 2, env.get(t, uscc).Version)
	})
	t.Run("the change is audited with before and after", func(t *testing.T) {
		page, err := env.audit.List(context.Background(), auditQuery("enterprise/"+uscc))
		require.NoError(t, err)
		require.Len(t, page.Records, 2)
		assert.JSONEq(t,
			`{"status":{"from":"operating","to":"suspended"},"aliases":{"from":["悦动健身"],"to":["旧名"]}}`,
			page.Records[1].Change)
	})
}

func TestEnterprise_ListSearchAndPaging(t *testing.T) {
	env := newTestEnv(t)
	for i := 0; i < 5; i++ {
		env.createEnterprise(fmt.Sprintf("MA01LXT%d0", i), map[string]any{"name": fmt.Sprintf("北京星光美容%d号店", i),
			"industry": "beauty", "aliases": []string{fmt.Sprintf("旧星光%d", i)}})
	}
	env.createEnterprise("MA02QTHR0", map[string]any{"name": "北京晨曦教育科技有限公司", "industry": "education",
		"aliases": []string{}})

	list := func(t *testing.T, query string) enterpriseListBody {
		t.Helper()
		r := env.do(user.Regulator, "GET", "/api/v1/enterprises"+query, nil)
		require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
		var got enterpriseListBody
		r.JSON(t, &got)
		return got
	}

	assert.Len(t, list(t, "?q=%E6%98%9F%E5%85%89").Items, 5, "Chinese name fragment 星光")
	assert.Len(t, list(t, "?name=%E6%97%A7%E6%98%9F%E5%85%893").Items, 1, "alias 旧星光3")
	assert.Len(t, list(t, "?industry=education").Items, 1)
	assert.Len(t, list(t, "?uscc=92110105ma02").Items, 1, "USCC prefix, lower case")
	assert.Len(t, list(t, "?district=110105&industry=beauty").Items, 5)
	assert.Empty(t, list(t, "?q=.*").Items, "regex characters are literal")

	var seen []string
	query := "?limit=2"
	for pages := 0; pages < 10; pages++ {
		got := list(t, query)
		for _, e := range got.Items {
			seen = append(seen, e.USCC)
		}
		if got.NextCursor == "" {
			break
		}
		query = "?limit=2&cursor=" + got.NextCursor
	}
	assert.Len(t, seen, 6, "paging visits every enterprise once")
	assert.IsIncreasing(t, seen)
}

func TestEnterprise_Dossier(t *testing.T) {
	env := newTestEnv(t)
	uscc := env.createEnterprise("MA01DXXR0", nil)
	r := env.do(user.Regulator, "GET", "/api/v1/enterprises/"+uscc+"/dossier", nil)
	require.Equal(t, http.StatusOK, r.Status)

	var d map[string]any
	r.JSON(t, &d)
	for _, section := range []string{"enterprise", "complaints", "risk", "list_status", "interviews",
		"enforcement", "mediation", "funds", "changes"} {
		assert.Contains(t, d, section)
	}
	assert.Empty(t, d["interviews"])
	assert.Len(t, d["changes"], 1)
	ent := d["enterprise"].(map[string]any)
	assert.Equal(t, uscc, ent["uscc"])
	stores := ent["stores"].([]any)
	assert.Len(t, stores, 1)
	prepaid := ent["prepaid"].(map[string]any)
	assert.Equal(t, []any{"named", "sessions"}, prepaid["card_types"])
}

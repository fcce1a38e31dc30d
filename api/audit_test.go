package api_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"

	"prepaidreg/internal/audit"
	"prepaidreg/internal/user"
)

type auditListBody struct {
	Items []struct {
		Seq    int64          `json:"seq"`
		Actor  string         `json:"actor"`
		Action string         `json:"action"`
		Target string         `json:"target"`
		Change map[string]any `json:"change"`
	} `json:"items"`
	NextCursor string `json:"next_cursor"`
}

func TestAudit_AdminPagesThroughTrail(t *testing.T) {
	env := newTestEnv(t)
	uscc := env.createEnterprise("MA01AUDT0", nil)
	r := env.do(user.Regulator, "PATCH", "/api/v1/enterprises/"+uscc, map[string]any{"status": "closed"},
		"If-Match", "1")
	require.Equal(t, http.StatusOK, r.Status)

	var all []string
	query := "?limit=3"
	for i := 0; i < 10; i++ {
		r := env.do(user.Admin, "GET", "/api/v1/audit"+query, nil)
		require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
		var page auditListBody
		r.JSON(t, &page)
		for _, it := range page.Items {
			all = append(all, it.Action+" "+it.Target)
		}
		if page.NextCursor == "" {
			break
		}
		query = "?limit=3&cursor=" + page.NextCursor
	}
	// Five accounts were created for the test, then the enterprise and its change.
	require.Len(t, all, 7)
	assert.Equal(t, "enterprise.create enterprise/"+uscc, all[5])
	assert.Equal(t, "enterprise.update enterprise/"+uscc, all[6])

	r = env.do(user.Admin, "GET", "/api/v1/audit?target=enterprise/"+uscc, nil)
	var byTarget auditListBody
	r.JSON(t, &byTarget)
	require.Len(t, byTarget.Items, 2)
	assert.Equal(t, map[string]any{"from": "operating", "to": "closed"}, byTarget.Items[1].Change["status"])
}

func TestAudit_VerifyEndpointNamesTampering(t *testing.T) {
	env := newTestEnv(t)
	ctx := context.Background()
	uscc := env.createEnterprise("MA01AUDT1", nil)

	var rep struct {
		OK       bool            `json:"ok"`
		Problems []audit.Problem `json:"problems"`
	}
	env.do(user.Admin, "GET", "/api/v1/audit/verify", nil).JSON(t, &rep)
	require.True(t, rep.OK, "problems: %v", rep.Problems)

	// A change made behind the application's back has no audit record.
	_, err := env.store.DB.Collection("enterprises").UpdateOne(ctx, bson.M{"_id": uscc},
		bson.M{"$set": bson.M{"name": "篡改", "version": 2}})
	require.NoError(t, err)
	env.do(user.Admin, "GET", "/api/v1/audit/verify", nil).JSON(t, &rep)
	assert.False(t, rep.OK)
	require.Len(t, rep.Problems, 1)
	assert.Equal(t, "enterprise/"+uscc, rep.Problems[0].Target)
	assert.Contains(t, rep.Problems[0].What, "version 2 has no audit record")
}

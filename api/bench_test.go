package api_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"

	"prepaidreg/internal/user"
	"prepaidreg/registry"
)

// seedEnterprises registers n enterprises directly through the service and returns their codes.
func seedEnterprises(tb testing.TB, env *testEnv, n int) []string {
	tb.Helper()
	codes := make([]string, 0, n)
	for i := 0; i < n; i++ {
		org := fmt.Sprintf("MA%07d", i)
		in := registry.EnterpriseInput{
			USCC: validUSCCFor(tb, org), Name: fmt.Sprintf("北京测试健身%d号有限公司", i), LegalRepresentative: "张三",
			RegisteredAddress: "北京市朝阳区望京街道1号", District: "110105", Street: "望京街道", Industry: "fitness",
		}
		e, err := env.registry.CreateEnterprise(context.Background(), actorSystem, in)
		require.NoError(tb, err)
		codes = append(codes, e.USCC.String())
	}
	return codes
}

// BenchmarkEnterpriseGet measures GET /api/v1/enterprises/{uscc} through the whole app:
// routing, bearer-token check, the store read and JSON encoding, on a store of 300 enterprises.
func BenchmarkEnterpriseGet(b *testing.B) {
	env := newBenchEnv(b)
	codes := seedEnterprises(b, env, 300)
	token := env.tokens[user.Regulator]

	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		req := httptest.NewRequest("GET", "/api/v1/enterprises/"+codes[i%len(codes)], nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := env.app.Test(req, -1)
		if err != nil || resp.StatusCode != http.StatusOK {
			b.Fatalf("status %v, err %v", resp.StatusCode, err)
		}
		resp.Body.Close()
	}
}

// BenchmarkEnterpriseGetBaseline is the floor for BenchmarkEnterpriseGet: the same FindOne by
// _id on the raw driver, decoded into the same struct, on the same kind of store.
func BenchmarkEnterpriseGetBaseline(b *testing.B) {
	env := newBenchEnv(b)
	codes := seedEnterprises(b, env, 300)
	coll := env.store.DB.Collection(registry.EnterprisesCollection)
	ctx := context.Background()

	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		var e registry.Enterprise
		if err := coll.FindOne(ctx, bson.M{"_id": codes[i%len(codes)]}).Decode(&e); err != nil {
			b.Fatal(err)
		}
	}
}

package registry_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"prepaidreg/internal/audit"
	"prepaidreg/internal/errs"
	"prepaidreg/internal/store/storetest"
	"prepaidreg/registry"
)

func newService(t *testing.T) (*registry.Service, *audit.Log) {
	t.Helper()
	db := storetest.New(t)
	log := audit.NewLog(db)
	return registry.NewService(registry.NewMongoStore(db), log, registry.BeijingAreas()), log
}

func input(t *testing.T) registry.EnterpriseInput {
	t.Helper()
	c, err := registry.CheckChar("91110105MA01QWER0")
	require.NoError(t, err)
	return registry.EnterpriseInput{
		USCC: "91110105MA01QWER0" + string(c), Name: "北京朝阳青禾教育科技有限公司", LegalRepresentative: "赵敏",
		RegisteredAddress: "北京市朝阳区安贞街道安定路5号", District: "110105", Street: "安贞街道",
		Industry: registry.IndustryEducation,
	}
}

var clerk = audit.Actor{Username: "li", Role: "regulator", Via: "api"}

func TestService_ConcurrentUpdatesOneWins(t *testing.T) {
	svc, log := newService(t)
	ctx := context.Background()
	e, err := svc.CreateEnterprise(ctx, clerk, input(t))
	require.NoError(t, err)

	// Eight clerks read version 1 and save at once: exactly one save lands.
	var wg sync.WaitGroup
	results := make(chan error, 8)
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			phone := "010-6000000" + string(rune('0'+i))
			_, err := svc.UpdateEnterprise(ctx, clerk, e.USCC.String(), 1,
				registry.EnterprisePatch{ContactPhone: &phone})
			results <- err
		}(i)
	}
	wg.Wait()
	close(results)
	wins, stale := 0, 0
	for err := range results {
		switch {
		case err == nil:
			wins++
		case errs.Is(err, errs.Stale):
			stale++
		default:
			t.Errorf("unexpected error: %v", err)
		}
	}
	assert.Equal(t, 1, wins)
	assert.Equal(t, 7, stale)

	got, err := svc.Enterprise(ctx, e.USCC.String())
	require.NoError(t, err)
	assert.EqualValues(t, 2, got.Version)
	rep, err := log.Verify(ctx, audit.Versioned{Collection: registry.EnterprisesCollection, Kind: "enterprise"})
	require.NoError(t, err)
	assert.True(t, rep.OK(), "every stored version has its audit record: %v", rep.Problems)
}

func TestService_UpdateWithoutChangeWritesNothing(t *testing.T) {
	svc, log := newService(t)
	ctx := context.Background()
	e, err := svc.CreateEnterprise(ctx, clerk, input(t))
	require.NoError(t, err)

	same := e.Name
	got, err := svc.UpdateEnterprise(ctx, clerk, e.USCC.String(), 1, registry.EnterprisePatch{Name: &same})
	require.NoError(t, err)
	assert.EqualValues(t, 1, got.Version)
	page, err := log.List(ctx, audit.Query{Target: "enterprise/" + e.USCC.String()})
	require.NoError(t, err)
	assert.Len(t, page.Records, 1)
}

func TestService_TimesAreUTC(t *testing.T) {
	svc, _ := newService(t)
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	require.NoError(t, err)
	svc.SetClock(func() time.Time { return time.Date(2026, 12, 4, 0, 30, 0, 0, shanghai) })

	e, err := svc.CreateEnterprise(context.Background(), clerk, input(t))
	require.NoError(t, err)
	got, err := svc.Enterprise(context.Background(), e.USCC.String())
	require.NoError(t, err)
	assert.Equal(t, time.Date(2026, 12, 3, 16, 30, 0, 0, time.UTC), got.CreatedAt.UTC())
	assert.Equal(t, time.UTC, got.CreatedAt.Location())
}

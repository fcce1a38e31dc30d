package enforcement

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"prepaidreg/internal/errs"
)

func TestService_Officials(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()

	o, err := f.svc.CreateOfficial(ctx, clerk, OfficialInput{Name: " 陈静 ", Department: "education", Title: "科长",
		Email: "chen@example.cn"})
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(o.ID, "OF-"))
	assert.Equal(t, "陈静", o.Name)
	assert.True(t, o.Active)

	_, err = f.svc.CreateOfficial(ctx, clerk, OfficialInput{Name: "", Department: "police", Phone: "abc"})
	requireKind(t, errs.Invalid, err)
	assert.Len(t, errs.FieldsOf(err), 3)

	_, err = f.svc.DeactivateOfficial(ctx, clerk, o.ID, 2)
	requireKind(t, errs.Stale, err)
	o, err = f.svc.DeactivateOfficial(ctx, clerk, o.ID, 1)
	require.NoError(t, err)
	assert.False(t, o.Active)
	_, err = f.svc.DeactivateOfficial(ctx, clerk, o.ID, 2)
	requireKind(t, errs.Conflict, err)

	active, err := f.svc.Officials(ctx, false)
	require.NoError(t, err)
	assert.Empty(t, active)
	all, err := f.svc.Officials(ctx, true)
	require.NoError(t, err)
	assert.Len(t, all, 1)
	_, err = f.svc.Official(ctx, "OF-nobody")
	requireKind(t, errs.NotFound, err)
	verifyTrail(t, f.log)
}

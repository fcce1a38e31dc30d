package mediation

import (
	"context"
	"encoding/json"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"prepaidreg/internal/audit"
	"prepaidreg/internal/errs"
)

func TestMaskIDNumber(t *testing.T) {
	for in, want := range map[string]string{
		"110105199001011234": "110105********1234",
		"11010519900101123X": "110105********123X",
		"110105900101123":    "110105*****1123",
		"1234":               "****",
		"":                   "",
	} {
		assert.Equal(t, want, MaskIDNumber(in), in)
	}
}

// TestService_CaseMasking shows who sees a consumer in full: staff and the assigned mediator;
// another mediator reads a case of the open pool masked, and no other case.
func TestService_CaseMasking(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	code := f.enterprises(t, 1)[0]
	f.mediators(t, "")

	c, err := f.svc.OpenCase(ctx, clerk, direct(code))
	require.NoError(t, err)
	c, err = f.svc.Accept(ctx, clerk, c.ID, c.Version)
	require.NoError(t, err)

	pool, err := f.svc.Case(ctx, zhao, c.ID)
	require.NoError(t, err)
	assert.Equal(t, Claim{ConsumerName: "张*", ConsumerPhone: "138****1234", IDNumber: "110105********1234",
		Kind: ClaimRefund, ClaimFen: 300000, Card: c.Claims[0].Card}, pool.Claims[0])
	// Free text often names the consumer: a mediator looking at the pool sees none of it.
	assert.NotEmpty(t, c.Facts)
	assert.Equal(t, withheld, pool.Facts)
	for _, e := range pool.Timeline {
		assert.True(t, e.Note == "" || e.Note == withheld, "timeline note shown: %q", e.Note)
	}

	c, err = f.svc.Assign(ctx, clerk, c.ID, c.Version, "cca", "wang")
	require.NoError(t, err)
	mine, err := f.svc.Case(ctx, wang, c.ID)
	require.NoError(t, err)
	assert.Equal(t, "张伟", mine.Claims[0].ConsumerName)
	assert.Equal(t, "13812341234", mine.Claims[0].ConsumerPhone)
	assert.Equal(t, "110105199001011234", mine.Claims[0].IDNumber)
	full, err := f.svc.Case(ctx, audit.Actor{Username: "sun", Role: RoleSupervisor}, c.ID)
	require.NoError(t, err)
	assert.Equal(t, "张伟", full.Claims[0].ConsumerName)

	_, err = f.svc.Case(ctx, zhao, c.ID)
	requireKind(t, err, errs.Forbidden, "not your case")
	_, err = f.svc.Case(ctx, audit.Actor{Username: "admin", Role: "admin"}, c.ID)
	requireKind(t, err, errs.Forbidden, "")

	// The JSON a case is shown in has the names the issue fixes.
	raw, err := json.Marshal(mine)
	require.NoError(t, err)
	var shown map[string]any
	require.NoError(t, json.Unmarshal(raw, &shown))
	for _, k := range []string{"state", "deadlines", "timeline", "claims", "next_deadline", "version"} {
		assert.Contains(t, shown, k)
	}
	assert.NotContains(t, shown, "queue_at")
	d := shown["deadlines"].([]any)[0].(map[string]any)
	assert.Equal(t, []string{"due", "kind", "rule", "status", "workdays_left"}, keys(d))
}

func keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"regexp"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"

	"prepaidreg/registry"
)

// fixture is a 12345 export of 30 work orders as a spreadsheet program saves it.
const fixture = "../../registry/testdata/intake/12345-export.xlsx"

func reportNumber(t *testing.T, out, label string) int {
	t.Helper()
	m := regexp.MustCompile(regexp.QuoteMeta(label) + `:\s+(\d+)`).FindStringSubmatch(out)
	require.NotNil(t, m, "no %q in:\n%s", label, out)
	n, err := strconv.Atoi(m[1])
	require.NoError(t, err)
	return n
}

func TestImportAndReconcileCommands(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	cfg := defaultConfig()
	cfg.DataDir = dir

	// One enterprise of the export is on file before the import.
	sys, err := open(ctx, cfg, slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	e, err := sys.registry.CreateEnterprise(ctx, cliActor, registry.EnterpriseInput{
		USCC: testUSCC, Name: "北京悦动健身有限公司", LegalRepresentative: "周强", RegisteredAddress: "北京市朝阳区望京街道",
		District: "110105", Street: "望京街道", Industry: registry.IndustryFitness,
	})
	require.NoError(t, err)
	require.NoError(t, sys.close())

	var out, progress bytes.Buffer
	require.NoError(t, run(ctx, []string{"import", "--data-dir", dir, fixture}, noEnv, nil, &out, &progress))
	assert.Equal(t, 30, reportNumber(t, out.String(), "rows read"))
	assert.Equal(t, 30, reportNumber(t, out.String(), "imported"))
	linked := reportNumber(t, out.String(), "linked")
	assert.Positive(t, linked)
	assert.Equal(t, 30-linked, reportNumber(t, out.String(), "unlinked"))
	assert.Contains(t, progress.String(), "progress: 30 rows read, 30 imported")

	out.Reset()
	require.NoError(t, run(ctx, []string{"import", "--data-dir", dir, fixture}, noEnv, nil, &out, io.Discard))
	assert.Equal(t, 0, reportNumber(t, out.String(), "imported"), "importing the same file again imports nothing")
	assert.Equal(t, 30, reportNumber(t, out.String(), "already present"))

	// Corrupt the counters behind the program's back; reconcile finds and repairs them.
	sys, err = open(ctx, cfg, slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	_, err = sys.store.DB.Collection(registry.EnterprisesCollection).UpdateOne(ctx, bson.M{"_id": e.USCC.String()},
		bson.M{"$set": bson.M{"complaints.total": 999}})
	require.NoError(t, err)
	require.NoError(t, sys.close())

	out.Reset()
	require.NoError(t, run(ctx, []string{"reconcile", "--data-dir", dir}, noEnv, nil, &out, io.Discard))
	assert.Contains(t, out.String(), "enterprises checked: 1")
	assert.Contains(t, out.String(), "corrected "+e.USCC.String()+": total 999 -> "+strconv.Itoa(linked))
	assert.Contains(t, out.String(), "corrected: 1")

	out.Reset()
	require.NoError(t, run(ctx, []string{"reconcile", "--data-dir", dir}, noEnv, nil, &out, io.Discard))
	assert.Contains(t, out.String(), "corrected: 0", "a second reconcile finds nothing to correct")

	t.Run("rescore assesses every enterprise afresh", func(t *testing.T) {
		var out, progress bytes.Buffer
		require.NoError(t, run(ctx, []string{"rescore", "--data-dir", dir}, noEnv, nil, &out, &progress))
		assert.Contains(t, out.String(), "enterprises assessed: 1")
		assert.Contains(t, progress.String(), "progress: 1 enterprises assessed")

		sys, err := open(ctx, cfg, slog.New(slog.DiscardHandler))
		require.NoError(t, err)
		defer sys.close()
		history, err := sys.registry.RiskHistory(ctx, e.USCC.String(), 50)
		require.NoError(t, err)
		assert.GreaterOrEqual(t, len(history), 3, "registration, import, rescore")
	})

	t.Run("a file that is not a spreadsheet is refused whole", func(t *testing.T) {
		err := run(ctx, []string{"import", "--data-dir", dir, "main.go"}, noEnv, nil, io.Discard, io.Discard)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "缺少必需的列")
	})
}

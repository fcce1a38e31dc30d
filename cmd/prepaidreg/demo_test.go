package main

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"

	"prepaidreg/internal/demo"
	"prepaidreg/registry"
)

// runDemoCommand runs the program with args, ignoring the machine's PREPAIDREG_ variables, and
// returns what it printed and logged.
func runDemoCommand(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	getenv := func(string) string { return "" }
	err := run(context.Background(), args, getenv, strings.NewReader(""), &stdout, &stderr)
	return stdout.String() + stderr.String(), err
}

// demoEnterpriseCount opens the embedded store in dir and counts its enterprises.
func demoEnterpriseCount(t *testing.T, dir string) int64 {
	t.Helper()
	ctx := context.Background()
	cfg := defaultConfig()
	cfg.DataDir = dir
	logger, err := newLogger(io.Discard, "error")
	require.NoError(t, err)

	sys, err := open(ctx, cfg, logger)
	require.NoError(t, err)
	defer sys.close()
	n, err := sys.store.DB.Collection(registry.EnterprisesCollection).CountDocuments(ctx, bson.M{})
	require.NoError(t, err)
	return n
}

func TestDemo_LoadsOnceAndAudits(t *testing.T) {
	dir := t.TempDir()

	out, err := runDemoCommand(t, "demo", "--data-dir", dir)
	require.NoError(t, err, out)
	assert.Contains(t, out, "demo data loaded")
	assert.Equal(t, int64(demo.Size), demoEnterpriseCount(t, dir))

	out, err = runDemoCommand(t, "audit", "verify", "--data-dir", dir)
	require.NoError(t, err, out)
	assert.Contains(t, out, "the audit trail is intact")

	t.Run("second run adds nothing", func(t *testing.T) {
		out, err := runDemoCommand(t, "demo", "--data-dir", dir)
		require.NoError(t, err, out)
		assert.Contains(t, out, "demo data skipped")
		assert.Equal(t, int64(demo.Size), demoEnterpriseCount(t, dir))
	})
}

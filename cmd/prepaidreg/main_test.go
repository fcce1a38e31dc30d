package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"

	"prepaidreg/internal/audit"
	"prepaidreg/internal/store"
)

// binary is the program built once for the tests that run it as a real process.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "prepaidreg-bin-")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "prepaidreg")
	out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput()
	if err != nil {
		fmt.Fprintf(os.Stderr, "build prepaidreg: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// server is a running prepaidreg serve process.
type server struct {
	cmd    *exec.Cmd
	addr   string
	mu     sync.Mutex
	stdout bytes.Buffer
	stderr bytes.Buffer
	done   chan error
}

var listeningLine = regexp.MustCompile(`msg=listening addr=(\S+)`)

// startServer runs serve on dataDir and waits until it listens.
func startServer(t *testing.T, dataDir string) *server {
	t.Helper()
	s := &server{done: make(chan error, 1)}
	s.cmd = exec.Command(binary, "serve", "--data-dir", dataDir, "--addr", "127.0.0.1:0")
	s.cmd.Env = append(os.Environ(), "PREPAIDREG_MONGODB_URI=")
	s.cmd.Stdout = &lockedWriter{mu: &s.mu, w: &s.stdout}
	errPipe, err := s.cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, s.cmd.Start())

	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(errPipe)
		for sc.Scan() {
			s.mu.Lock()
			s.stderr.WriteString(sc.Text() + "\n")
			s.mu.Unlock()
			if m := listeningLine.FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
			}
		}
		s.done <- s.cmd.Wait()
	}()
	t.Cleanup(func() { _ = s.cmd.Process.Kill() })

	select {
	case s.addr = <-found:
		return s
	case err := <-s.done:
		t.Fatalf("serve exited before listening: %v\n%s", err, s.logs())
	case <-time.After(60 * time.Second):
		t.Fatalf("serve did not start listening\n%s", s.logs())
	}
	return nil
}

func (s *server) logs() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stdout.String() + s.stderr.String()
}

// waitFor waits until the output matches re and returns its first group. Standard output
// reaches the buffer through its own pipe, so it may lag behind the "listening" line.
func (s *server) waitFor(t *testing.T, re *regexp.Regexp) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if m := re.FindStringSubmatch(s.logs()); m != nil {
			return m[1]
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("output never matched %s:\n%s", re, s.logs())
	return ""
}

// stop sends SIGTERM and waits for a clean exit.
func (s *server) stop(t *testing.T) {
	t.Helper()
	require.NoError(t, s.cmd.Process.Signal(syscall.SIGTERM))
	select {
	case err := <-s.done:
		require.NoError(t, err, "serve should exit cleanly on SIGTERM\n%s", s.logs())
	case <-time.After(60 * time.Second):
		t.Fatalf("serve did not stop after SIGTERM\n%s", s.logs())
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

var tokenLine = regexp.MustCompile(`API token:\s+(ppr_\S+)`)

func call(t *testing.T, method, url, token string, body any, headers ...string) (int, []byte) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		require.NoError(t, err)
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, url, rd)
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, raw
}

const testUSCC = "91350100M000100Y43"

func testEnterprise() map[string]any {
	return map[string]any{
		"uscc": testUSCC, "name": "北京朝阳晨光游泳健身有限公司", "legal_representative": "李红",
		"registered_address": "北京市朝阳区建国路88号", "district": "110105", "street": "建外街道",
		"industry": "fitness",
	}
}

func TestServe_RestartAfterSIGTERMKeepsEverything(t *testing.T) {
	dir := t.TempDir()
	s := startServer(t, dir)
	adminToken := s.waitFor(t, tokenLine)
	assert.Contains(t, s.logs(), "console password:")
	assert.Contains(t, s.logs(), "kind=embedded")

	status, body := call(t, "POST", "http://"+s.addr+"/api/v1/users", adminToken,
		map[string]any{"username": "li.hong", "role": "regulator"})
	require.Equal(t, http.StatusCreated, status, "%s", body)
	var created struct{ Token string }
	require.NoError(t, json.Unmarshal(body, &created))

	status, body = call(t, "POST", "http://"+s.addr+"/api/v1/enterprises", created.Token, testEnterprise())
	require.Equal(t, http.StatusCreated, status, "%s", body)
	status, body = call(t, "PATCH", "http://"+s.addr+"/api/v1/enterprises/"+testUSCC, created.Token,
		map[string]any{"status": "suspended"}, "If-Match", `"1"`)
	require.Equal(t, http.StatusOK, status, "%s", body)
	s.stop(t)
	assert.Contains(t, s.logs(), "store closed")

	s2 := startServer(t, dir)
	assert.NotContains(t, s2.logs(), "console password:", "the administrator is created only once")
	status, body = call(t, "GET", "http://"+s2.addr+"/api/v1/enterprises/"+testUSCC, created.Token, nil)
	require.Equal(t, http.StatusOK, status, "%s", body)
	assert.Contains(t, string(body), `"status":"suspended"`)
	assert.Contains(t, string(body), `"version":2`)
	s2.stop(t)

	var out bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"audit", "verify", "--data-dir", dir}, noEnv, nil, &out, io.Discard))
	assert.Contains(t, out.String(), "the audit trail is intact")
}

func TestServe_SecondServeOnSameDataDirFailsFast(t *testing.T) {
	dir := t.TempDir()
	s := startServer(t, dir)
	defer s.stop(t)

	out, err := exec.Command(binary, "serve", "--data-dir", dir, "--addr", "127.0.0.1:0").CombinedOutput()
	require.Error(t, err)
	assert.Contains(t, string(out), "the data directory is in use by another prepaidreg process")
}

func noEnv(string) string { return "" }

func TestUserCommands(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	var out bytes.Buffer
	err := run(ctx, []string{"user", "add", "--data-dir", dir, "--username", "wang.fang", "--role", "mediator",
		"--password-stdin"}, noEnv, strings.NewReader("a-long-password\n"), &out, io.Discard)
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	token := lines[len(lines)-1]
	assert.True(t, strings.HasPrefix(token, "ppr_"), "the token is the last line: %q", out.String())

	out.Reset()
	require.NoError(t, run(ctx, []string{"user", "list", "--data-dir", dir}, noEnv, nil, &out, io.Discard))
	assert.Regexp(t, `wang\.fang\s+mediator\s+enabled`, out.String())

	t.Run("the token works against the server", func(t *testing.T) {
		s := startServer(t, dir)
		defer s.stop(t)
		status, body := call(t, "GET", "http://"+s.addr+"/api/v1/me", token, nil)
		require.Equal(t, http.StatusOK, status, "%s", body)
		assert.Contains(t, string(body), `"username":"wang.fang"`)
		assert.NotContains(t, s.logs(), "console password:", "an existing user means no first administrator")
	})

	out.Reset()
	require.NoError(t, run(ctx, []string{"user", "token", "--data-dir", dir, "--username", "wang.fang"}, noEnv, nil, &out, io.Discard))
	lines = strings.Split(strings.TrimSpace(out.String()), "\n")
	assert.NotEqual(t, token, lines[len(lines)-1])
	assert.True(t, strings.HasPrefix(lines[len(lines)-1], "ppr_"))

	out.Reset()
	require.NoError(t, run(ctx, []string{"user", "disable", "--data-dir", dir, "--username", "wang.fang"}, noEnv, nil, &out, io.Discard))
	require.NoError(t, run(ctx, []string{"user", "list", "--data-dir", dir}, noEnv, nil, &out, io.Discard))
	assert.Regexp(t, `wang\.fang\s+mediator\s+disabled`, out.String())

	t.Run("bad input is refused with the reason", func(t *testing.T) {
		err := run(ctx, []string{"user", "add", "--data-dir", dir, "--username", "x", "--role", "emperor"}, noEnv, nil, io.Discard, io.Discard)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "role")
		err = run(ctx, []string{"user", "disable", "--data-dir", dir, "--username", "nobody"}, noEnv, nil, io.Discard, io.Discard)
		assert.ErrorContains(t, err, "没有这个用户")
	})
}

func TestAuditVerify_NamesEditedAndDeletedRecords(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	for _, name := range []string{"a.one", "b.two", "c.three"} {
		require.NoError(t, run(ctx, []string{"user", "add", "--data-dir", dir, "--username", name, "--role", "regulator"},
			noEnv, nil, io.Discard, io.Discard))
	}

	st, err := store.Open(ctx, store.Config{DataDir: dir}, nil)
	require.NoError(t, err)
	records := st.DB.Collection(audit.RecordsCollection)
	_, err = records.UpdateOne(ctx, bson.M{"_id": 1}, bson.M{"$set": bson.M{"actor": "someone-else"}})
	require.NoError(t, err)
	_, err = records.DeleteOne(ctx, bson.M{"_id": 2})
	require.NoError(t, err)
	require.NoError(t, st.Close(ctx))

	var out bytes.Buffer
	err = run(ctx, []string{"audit", "verify", "--data-dir", dir}, noEnv, nil, &out, io.Discard)
	require.ErrorIs(t, err, errAuditBroken)
	assert.Contains(t, out.String(), "PROBLEM record 1 (user/a.one): the record was altered after it was written")
	assert.Contains(t, out.String(), "PROBLEM record 2: records 2 to 2 are missing")
	assert.Contains(t, out.String(), "PROBLEM user/b.two: version 1 has no audit record")
}

package api_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/gofiber/fiber/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// chromiumPath is where the project's install step puts the browser (DESIGN.md: Debian's
// Chromium).
const chromiumPath = "/usr/bin/chromium"

// browserTimeout bounds a whole browser test, so that a stuck page fails it instead of hanging.
const browserTimeout = 60 * time.Second

// serveLoopback serves app on a loopback port until the test ends and returns its base URL.
func serveLoopback(t *testing.T, app *fiber.App) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	done := make(chan error, 1)
	go func() { done <- app.Listener(ln) }()
	t.Cleanup(func() {
		assert.NoError(t, app.ShutdownWithTimeout(5*time.Second))
		if err := <-done; err != nil && !errors.Is(err, net.ErrClosed) {
			t.Errorf("server stopped with %v", err)
		}
	})
	return "http://" + ln.Addr().String()
}

// newBrowser starts a headless Chromium with a profile of its own and returns its tab. The
// browser stops when the test ends or browserTimeout passes, whichever is first.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Fatalf("browser tests need Chromium at %s; the project's install step provides it "+
			"(apt-get install chromium): %v", chromiumPath, err)
	}
	ctx, cancelTimeout := context.WithTimeout(context.Background(), browserTimeout)
	alloc, cancelAlloc := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(chromiumPath),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	tab, cancelTab := chromedp.NewContext(alloc)
	t.Cleanup(func() {
		cancelTab()
		cancelAlloc()
		cancelTimeout()
	})
	require.NoError(t, chromedp.Do(tab), "start Chromium")
	return tab
}

// follow runs steps that lead to a new page, waits for it, and checks its status and path.
func follow(
	t *testing.T,
	tab context.Context,
	wantStatus int64,
	wantPath string,
	steps ...chromedp.Action[chromedp.Void],
) {
	t.Helper()
	resp, err := chromedp.RunResponse(tab, steps...)
	require.NoError(t, err)
	assert.Equal(t, wantStatus, resp.Status, "status of %s", resp.URL)
	loc, err := chromedp.Run(tab, chromedp.Location())
	require.NoError(t, err)
	assert.True(t, strings.Contains(loc, wantPath), "at %s, want %s", loc, wantPath)
}

// screenshot saves the whole page, at desktop and at phone width, when
// PREPAIDREG_SCREENSHOT_DIR names a directory; it is how the pages' look is reviewed.
func screenshot(t *testing.T, tab context.Context, name string) {
	t.Helper()
	dir := os.Getenv("PREPAIDREG_SCREENSHOT_DIR")
	if dir == "" {
		return
	}
	for _, size := range []struct {
		suffix        string
		width, height int64
	}{{"", 1280, 900}, {"-phone", 390, 844}} {
		require.NoError(t, chromedp.Do(tab, chromedp.EmulateViewport(size.width, size.height)))
		png, err := chromedp.Run(tab, chromedp.FullScreenshot(100))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dir, name+size.suffix+".png"), png, 0o644))
	}
	require.NoError(t, chromedp.Do(tab, chromedp.EmulateViewport(1280, 900)))
}

func TestBrowser_RegisterAndFindEnterprise(t *testing.T) {
	env := newTestEnv(t)
	env.createEnterprise("MA01WA5H0", map[string]any{"name": "北京朝阳净衣洗衣店", "industry": "laundry"})
	base := serveLoopback(t, env.app)
	tab := newBrowser(t)
	uscc := validUSCC(t, "MA01BR0W5")
	const name = "北京朝阳悦跑健身有限公司"

	// Sign in; the sign-in page sends the browser on to the register form.
	require.NoError(t, chromedp.Do(tab,
		chromedp.Navigate(base+"/console/enterprises/new"),
		chromedp.WaitVisible(chromedp.ID("username")),
		chromedp.SendKeys(chromedp.ID("username"), "regulator1"),
		chromedp.SendKeys(chromedp.ID("password"), testPassword),
	))
	follow(t, tab, http.StatusOK, "/console/enterprises/new", chromedp.Click(chromedp.ID("login")))

	// Fill in the form with a mistyped check character first.
	require.NoError(t, chromedp.Do(tab,
		chromedp.SendKeys(chromedp.ID("uscc"), wrongCheck(t, uscc)),
		chromedp.SetValue(chromedp.ID("name"), name),
		chromedp.SetValue(chromedp.ID("legal_representative"), "李晓明"),
		chromedp.SetValue(chromedp.ID("registered_address"), "北京市朝阳区望京街道广顺北大街33号"),
		chromedp.SetValue(chromedp.ID("street"), "望京街道"),
		chromedp.SetValue(chromedp.ID("industry"), "fitness"),
		chromedp.SendKeys(chromedp.ID("contact_phone"), "010-64701234"),
		chromedp.SetValue(chromedp.ID("stores"), "望京店|朝阳区广顺北大街33号2层\n朝阳区望京西路48号"),
		chromedp.Click(chromedp.CSS(`input[name="card_types"][value="named"]`)),
		chromedp.SetValue(chromedp.ID("balance"), "86,420.50"),
	))
	follow(t, tab, http.StatusBadRequest, "/console/enterprises", chromedp.Click(chromedp.ID("save")))
	msg, err := chromedp.Run(tab, chromedp.Text(chromedp.CSS("#field-uscc .field-error")))
	require.NoError(t, err)
	assert.Contains(t, msg, "校验位应为")
	screenshot(t, tab, "prepaidreg-form-error")

	// Correct the code; everything else was kept.
	require.NoError(t, chromedp.Do(tab, chromedp.SetValue(chromedp.ID("uscc"), uscc)))
	follow(t, tab, http.StatusOK, "/console/enterprises/"+uscc, chromedp.Click(chromedp.ID("save")))
	facts, err := chromedp.Run(tab, chromedp.Text(chromedp.ID("registration")))
	require.NoError(t, err)
	assert.Contains(t, facts, name)
	assert.Contains(t, facts, "朝阳区 望京街道")
	prepaid, err := chromedp.Run(tab, chromedp.Text(chromedp.ID("prepaid")))
	require.NoError(t, err)
	assert.Contains(t, prepaid, "86,420.50 元")
	assert.Contains(t, prepaid, "记名卡")
	screenshot(t, tab, "prepaidreg-dossier")

	// Find it again from the list by a fragment of its name.
	follow(t, tab, http.StatusOK, "/console/enterprises",
		chromedp.Click(chromedp.CSS(`header a[href="/console/enterprises"]`)))
	require.NoError(t, chromedp.Do(tab, chromedp.SetValue(chromedp.ID("q"), "悦跑")))
	follow(t, tab, http.StatusOK, "q=", chromedp.Click(chromedp.ID("search")))
	results, err := chromedp.Run(tab, chromedp.Text(chromedp.ID("results")))
	require.NoError(t, err)
	assert.Contains(t, results, uscc)
	assert.Contains(t, results, name)
	assert.NotContains(t, results, "净衣洗衣店", "the search filters")
	require.NoError(t, chromedp.Do(tab,
		chromedp.WaitVisible(chromedp.CSS(`#results a[href="/console/enterprises/`+uscc+`"]`))))
	screenshot(t, tab, "prepaidreg-list")
}

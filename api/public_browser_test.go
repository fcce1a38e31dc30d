package api_test

import (
	"context"
	"net/http"
	"strconv"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"prepaidreg/api"
)

// noScripts turns JavaScript off in the tab, as some visitors have it; the steps the test
// takes are the browser's own input events, which need none.
func noScripts() chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetScriptExecutionDisabled,
			emulation.SetScriptExecutionDisabledParams{Value: true})
		return err
	})
}

func TestBrowser_PublicSearchAndEntry(t *testing.T) {
	env := newPublicEnv(t, api.PublicOptions{})
	entries := seedPublicLists(t, env)
	base := serveLoopback(t, env.app)
	tab := newBrowser(t)
	e := entries["le-yuedong"]
	require.NoError(t, chromedp.Do(tab, noScripts()))

	for _, width := range []int64{390, 1280} {
		t.Run(strconv.FormatInt(width, 10)+"px", func(t *testing.T) {
			require.NoError(t, chromedp.Do(tab,
				chromedp.EmulateViewport(width, 844),
				chromedp.Navigate(base+"/"),
				chromedp.WaitVisible(chromedp.ID("q")),
				chromedp.SendKeys(chromedp.ID("q"), "悦动"),
			))
			follow(t, tab, http.StatusOK, "q=", chromedp.Click(chromedp.ID("search")))
			results, err := chromedp.Run(tab, chromedp.Text(chromedp.ID("results")))
			require.NoError(t, err)
			assert.Contains(t, results, e.Name)
			assert.Contains(t, results, string(e.USCC))
			assert.NotContains(t, results, "美丽人生", "the search filters")
			assertFitsWidth(t, tab, width)
			if width == 1280 {
				// screenshot takes both widths and leaves the window at 1280.
				screenshot(t, tab, "prepaidreg-public-search")
			}

			follow(t, tab, http.StatusOK, "/lists/entries/"+e.ID,
				chromedp.Click(chromedp.CSS(`#results a[href="/lists/entries/`+e.ID+`"]`)))
			facts, err := chromedp.Run(tab, chromedp.Text(chromedp.ID("facts")))
			require.NoError(t, err)
			assert.Contains(t, facts, e.Name)
			assert.Contains(t, facts, string(e.USCC))
			assert.Contains(t, facts, e.Address)
			decision, err := chromedp.Run(tab, chromedp.Text(chromedp.ID("decision")))
			require.NoError(t, err)
			assert.Contains(t, decision, e.Reason)
			assert.Contains(t, decision, e.LegalBasis)
			assert.Contains(t, decision, e.Authority)
			assert.Contains(t, decision, e.DecisionNumber)
			assert.Contains(t, decision, "2026-03-02")
			assertFitsWidth(t, tab, width)
			if width == 1280 {
				screenshot(t, tab, "prepaidreg-public-entry")
			}
		})
	}
}

// assertFitsWidth checks the page needs no sideways scrolling at the window's width.
func assertFitsWidth(t *testing.T, tab context.Context, width int64) {
	t.Helper()
	scroll, err := chromedp.Run(tab, chromedp.Evaluate[int64](`document.documentElement.scrollWidth`))
	require.NoError(t, err)
	assert.LessOrEqual(t, scroll, width, "the page is wider than the window")
}

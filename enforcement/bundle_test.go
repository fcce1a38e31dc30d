package enforcement

import (
	"archive/zip"
	"bytes"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/emersion/go-ical"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"prepaidreg/internal/errs"
	"prepaidreg/internal/pdf/pdftest"
)

// zipUTF8 is the general-purpose flag bit that says a name is UTF-8 (APPNOTE 4.4.4, bit 11).
const zipUTF8 = 0x800

// readZip opens an archive and returns its files by name, in archive order.
func readZip(t *testing.T, data []byte) ([]string, map[string][]byte, []*zip.File) {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	require.NoError(t, err)
	var names []string
	files := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		require.NoError(t, err)
		b, err := io.ReadAll(rc)
		require.NoError(t, err)
		require.NoError(t, rc.Close())
		names = append(names, f.Name)
		files[f.Name] = b
	}
	return names, files, zr.File
}

func TestNoticesZip(t *testing.T) {
	cancelled := collectiveInterview()
	cancelled.ID = "iv-0200"
	cancelled.NoticeNumber = "京朝市监约〔2026〕第0200/1号"
	cancelled.Officials = []string{"off-zhao"}
	cancelled.State = StateCancelled
	items := []ZipItem{
		{Notice{Interview: collectiveInterview(), Enterprises: testEnterprises, Officials: testOfficials,
			Bureau: testBureau}},
		{Notice{Interview: singleInterview(), Enterprises: testEnterprises, Officials: testOfficials,
			Bureau: testBureau}},
		{Notice{Interview: cancelled, Enterprises: testEnterprises, Officials: testOfficials, Bureau: testBureau}},
	}

	var buf bytes.Buffer
	require.NoError(t, NoticesZip(&buf, items))
	names, files, entries := readZip(t, buf.Bytes())

	assert.Equal(t, []string{
		"京朝市监约〔2026〕第0153号/京朝市监约〔2026〕第0153号.pdf",
		"京朝市监约〔2026〕第0153号/off-wang_王芳.ics",
		"京朝市监约〔2026〕第0153号/off-li_李明.ics",
		"京朝市监约〔2026〕第0007号/京朝市监约〔2026〕第0007号.pdf",
		"京朝市监约〔2026〕第0200_1号/off-zhao_赵强.ics",
	}, names, "a cancelled interview gives its cancellations and no notice")
	for _, f := range entries {
		assert.NotZero(t, f.Flags&zipUTF8, "%s is not flagged UTF-8", f.Name)
		assert.Equal(t, zip.Deflate, f.Method)
	}
	assert.True(t, entries[0].Modified.Equal(items[0].Interview.UpdatedAt),
		"dated %v, when the interview last changed", entries[0].Modified)

	collective := pdftest.Squash(pdftest.Text(t, files[names[0]]))
	assert.Equal(t, 3, strings.Count(collective, pdftest.Squash("文书编号：京朝市监约〔2026〕第0153号")))
	assert.Contains(t, pdftest.Squash(pdftest.Text(t, files[names[3]])), "文书编号：京朝市监约〔2026〕第0007号")

	for _, name := range []string{names[1], names[2], names[4]} {
		cal := parseICS(t, files[name])
		ev := onlyEvent(t, cal)
		attendees := ev.Props.Values(ical.PropAttendee)
		require.Len(t, attendees, 1, "%s invites its official only", name)
		assert.True(t, strings.HasSuffix(name, "_"+attendees[0].Params.Get(ical.ParamCommonName)+".ics"), name)
	}
	assert.Equal(t, "REQUEST", parseICS(t, files[names[1]]).Props.Get(ical.PropMethod).Value)
	assert.Equal(t, "CANCEL", parseICS(t, files[names[4]]).Props.Get(ical.PropMethod).Value)

	// The PDFs carry the time they were made (fpdf's CreationDate); all else is the same
	// each time the same interviews are bundled.
	var again bytes.Buffer
	require.NoError(t, NoticesZip(&again, items))
	againNames, againFiles, againEntries := readZip(t, again.Bytes())
	assert.Equal(t, names, againNames)
	for i, name := range names {
		assert.Equal(t, entries[i].Modified, againEntries[i].Modified, name)
		if strings.HasSuffix(name, ".ics") {
			assert.Equal(t, files[name], againFiles[name], name)
		}
	}
}

func TestNoticesZip_SharedNumber(t *testing.T) {
	first, second := singleInterview(), singleInterview()
	second.ID = "iv-0007b"
	items := []ZipItem{
		{Notice{Interview: first, Enterprises: testEnterprises, Bureau: testBureau}},
		{Notice{Interview: second, Enterprises: testEnterprises, Bureau: testBureau}},
	}

	var buf bytes.Buffer
	require.NoError(t, NoticesZip(&buf, items))
	names, _, _ := readZip(t, buf.Bytes())
	assert.Equal(t, []string{
		"京朝市监约〔2026〕第0007号/京朝市监约〔2026〕第0007号.pdf",
		"京朝市监约〔2026〕第0007号_iv-0007b/京朝市监约〔2026〕第0007号_iv-0007b.pdf",
	}, names)
}

func TestNoticesZip_Refused(t *testing.T) {
	twice := ZipItem{Notice{Interview: singleInterview(), Enterprises: testEnterprises, Bureau: testBureau}}
	noOfficial := ZipItem{Notice{Interview: collectiveInterview(), Enterprises: testEnterprises, Bureau: testBureau}}
	tests := []struct {
		name  string
		items []ZipItem
		says  string
	}{
		{"nothing to bundle", nil, "no interviews"},
		{"no interview", []ZipItem{{}}, "no interview"},
		{"interview listed twice", []ZipItem{twice, twice}, "listed twice"},
		{"official not given", []ZipItem{noOfficial}, "off-wang"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := NoticesZip(io.Discard, tt.items)
			require.Error(t, err)
			assert.True(t, errs.Is(err, errs.Invalid), "got %v", err)
			assert.Contains(t, err.Error(), tt.says)
		})
	}
}

func TestZipName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"京朝市监约〔2026〕第0153号", "京朝市监约〔2026〕第0153号"},
		{`a/b\c:d*e?f"g<h>i|j`, "a_b_c_d_e_f_g_h_i_j"},
		{"..", "_"},
		{"../etc", "_etc"},
		{" .hidden. ", "hidden"},
		{"tab\there\n", "tab_here_"},
		{"", "_"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, zipName(tt.in), "zipName(%q)", tt.in)
	}
	assert.False(t, slices.Contains([]string{".", ".."}, zipName("...")))
}

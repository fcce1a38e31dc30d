package enforcement

import (
	"archive/zip"
	"fmt"
	"io"
	"runtime"
	"strings"
	"sync"
	"unicode"

	"prepaidreg/internal/errs"
	"prepaidreg/internal/workday"
)

// ZipItem is one interview of a bundle: the facts its notice and its officials' invitations
// are made from.
type ZipItem struct {
	Notice
}

// zipUnsafe are characters that some file systems refuse in a name.
const zipUnsafe = `/\:*?"<>|`

// NoticesZip writes the documents of the interviews, such as a campaign's, to w as a zip
// archive with one folder per interview, named by its notice number (or its id when it has
// none). The folder holds the notice PDF, named like the folder, and one invitation per
// official, <official id>_<name>.ics. A cancelled interview has no notice: its folder holds
// the cancellations of its invitations only. Names are UTF-8, flagged as such in the archive,
// with characters unsafe in file names replaced by "_".
func NoticesZip(w io.Writer, items []ZipItem) error {
	const op = "enforcement.NoticesZip"
	if len(items) == 0 {
		return errs.E(errs.Invalid, op, "没有要打包的约谈 (no interviews to bundle)")
	}

	folders := make([]string, len(items))
	taken := make(map[string]bool, len(items))
	seen := make(map[string]bool, len(items))
	for i, item := range items {
		iv := item.Interview
		if iv == nil {
			return errs.E(errs.Invalid, op, "缺少约谈 (no interview)")
		}
		if seen[iv.ID] {
			return errs.E(errs.Invalid, op, fmt.Sprintf(
				"约谈 %s 重复出现 (interview %s is listed twice)", noticeName(iv), iv.ID))
		}
		seen[iv.ID] = true
		folder, err := zipFolder(op, iv, taken)
		if err != nil {
			return err
		}
		folders[i] = folder
	}

	// Each notice is a PDF of its own, which costs tens of milliseconds (the font is embedded
	// in each): they are rendered a batch at a time on every core, and written in order.
	zw := zip.NewWriter(w)
	batch := 4 * runtime.GOMAXPROCS(0)
	for start := 0; start < len(items); start += batch {
		end := min(start+batch, len(items))
		pdfs, err := renderNotices(items[start:end])
		if err != nil {
			return err
		}
		for i := start; i < end; i++ {
			if err := writeZipItem(zw, op, folders[i], items[i], pdfs[i-start]); err != nil {
				return err
			}
		}
	}
	if err := zw.Close(); err != nil {
		return errs.Wrap(errs.Internal, op, err)
	}
	return nil
}

// zipFolder names the interview's folder, unique among those taken: by notice number, then
// with its id added should two interviews share a number. Only names that differ in
// characters unsafe in file names can still meet, and are refused.
func zipFolder(op string, iv *Interview, taken map[string]bool) (string, error) {
	folder := zipName(noticeName(iv))
	if taken[folder] {
		folder = zipName(noticeName(iv) + "_" + iv.ID)
	}
	if taken[folder] {
		return "", errs.E(errs.Invalid, op, fmt.Sprintf(
			"约谈 %s 的文件夹名 %s 与其他约谈重复 (interview %s: folder name %s already taken)",
			noticeName(iv), folder, iv.ID, folder))
	}
	taken[folder] = true
	return folder, nil
}

// renderNotices renders the notices of items at the same time, one goroutine each; a
// cancelled interview has none (nil). The first error, in the order of items, is returned.
func renderNotices(items []ZipItem) ([][]byte, error) {
	pdfs := make([][]byte, len(items))
	errors := make([]error, len(items))
	var wg sync.WaitGroup
	for i, item := range items {
		if item.Interview.State == StateCancelled {
			continue
		}
		wg.Go(func() { pdfs[i], errors[i] = NoticePDF(item.Notice) })
	}
	wg.Wait()
	for _, err := range errors {
		if err != nil {
			return nil, err
		}
	}
	return pdfs, nil
}

// writeZipItem adds one interview's notice (nil when it is cancelled) and invitations under
// folder.
func writeZipItem(zw *zip.Writer, op, folder string, item ZipItem, pdf []byte) error {
	iv := item.Interview
	if iv.State != StateCancelled {
		if err := writeZipFile(zw, folder+"/"+folder+".pdf", iv, pdf); err != nil {
			return errs.Wrap(errs.Internal, op, err)
		}
	}

	for _, id := range iv.Officials {
		ics, err := InviteICS(iv, item.Officials, item.Enterprises, item.Bureau, id)
		if err != nil {
			return err
		}
		name := id
		for _, o := range item.Officials {
			if o.ID == id {
				name += "_" + o.Name
				break
			}
		}
		if err := writeZipFile(zw, folder+"/"+zipName(name)+".ics", iv, ics); err != nil {
			return errs.Wrap(errs.Internal, op, err)
		}
	}
	return nil
}

// writeZipFile adds one file, dated when the interview last changed rather than when the
// archive was made.
func writeZipFile(zw *zip.Writer, name string, iv *Interview, data []byte) error {
	f, err := zw.CreateHeader(&zip.FileHeader{
		Name:     name,
		Method:   zip.Deflate,
		Modified: icsStamp(iv).In(workday.Zone),
	})
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	return err
}

// zipName makes s safe as one element of a path: unsafe characters and control characters
// become "_", and leading or trailing dots and spaces are dropped so that it can be neither
// "." nor "..", nor hidden.
func zipName(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || strings.ContainsRune(zipUnsafe, r) {
			return '_'
		}
		return r
	}, s)
	s = strings.Trim(s, ". \u3000")
	if s == "" {
		return "_"
	}
	return s
}

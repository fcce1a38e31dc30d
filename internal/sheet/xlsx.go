package sheet

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"
)

// Limits on a workbook. excelize holds the zip itself in memory, so it may not be larger than
// maxZipped; its parts together may not unzip to more than maxUnzipped; a worksheet or
// shared-string table over inMemoryXML is unzipped to a temporary file and read from there,
// so that memory stays bounded whatever the number of rows.
const (
	maxZipped   = 256 << 20
	maxUnzipped = 1 << 30
	inMemoryXML = 4 << 20
)

// xlsxSource reads the first worksheet of a workbook through excelize's streaming row iterator.
type xlsxSource struct {
	file   *excelize.File
	rows   *excelize.Rows
	number int
}

// openXLSX checks that the zip in r is a workbook of a sane size and opens its first sheet.
func openXLSX(r io.Reader) (*Reader, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxZipped+1))
	if err != nil {
		return nil, fmt.Errorf("sheet: reading workbook: %w", err)
	}
	if len(data) > maxZipped {
		return nil, ErrTooLarge
	}
	if err := checkWorkbookZip(data); err != nil {
		return nil, err
	}
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{
		RawCellValue:      true,
		UnzipSizeLimit:    maxUnzipped,
		UnzipXMLSizeLimit: inMemoryXML,
	})
	if err != nil {
		if f != nil {
			_ = f.Close()
		}
		return nil, damaged(err)
	}
	src, date1904, err := openFirstSheet(f)
	if err != nil {
		_ = f.Close()
		return nil, err
	}
	return &Reader{src: src, format: "xlsx", date1904: date1904}, nil
}

// checkWorkbookZip reads the zip's directory: it must hold xl/workbook.xml and may not unzip to
// more than maxUnzipped.
func checkWorkbookZip(data []byte) error {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return ErrNotSpreadsheet
	}
	var total uint64
	workbook := false
	for _, f := range zr.File {
		total += f.UncompressedSize64
		workbook = workbook || strings.EqualFold(f.Name, "xl/workbook.xml")
	}
	if !workbook {
		return ErrNotSpreadsheet
	}
	if total > maxUnzipped {
		return ErrTooLarge
	}
	return nil
}

func openFirstSheet(f *excelize.File) (*xlsxSource, bool, error) {
	names := f.GetSheetList()
	if len(names) == 0 {
		return nil, false, ErrNoSheet
	}
	props, err := f.GetWorkbookProps()
	if err != nil {
		return nil, false, damaged(err)
	}
	rows, err := f.Rows(names[0])
	if err != nil {
		var missing excelize.ErrSheetNotExist
		if errors.As(err, &missing) {
			return nil, false, ErrNoSheet
		}
		return nil, false, damaged(err)
	}
	date1904 := props.Date1904 != nil && *props.Date1904
	return &xlsxSource{file: f, rows: rows}, date1904, nil
}

// next returns the next row of the sheet, its cells as stored (see Reader). excelize's
// streaming reader gives a formula's saved result, never its own text.
func (s *xlsxSource) next() (rawRow, error) {
	if !s.rows.Next() {
		if err := s.rows.Error(); err != nil {
			return rawRow{}, damaged(err)
		}
		return rawRow{}, io.EOF
	}
	s.number++
	cells, err := s.rows.Columns()
	if err != nil {
		return rawRow{}, damaged(err)
	}
	raw := rawRow{number: s.number, cells: cells}
	bound(&raw)
	return raw, nil
}

func (s *xlsxSource) close() error {
	err := s.rows.Close()
	if ferr := s.file.Close(); err == nil {
		err = ferr
	}
	return err
}

// damaged wraps what excelize said about a workbook it could not read.
func damaged(err error) error {
	return fmt.Errorf("sheet: %w: %w", ErrDamaged, err)
}

// Package pdftest helps tests check the text of the PDFs the project makes,
// by extracting it with pdftotext from poppler-utils.
package pdftest

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"unicode"
)

// Text returns the text of a PDF as pdftotext extracts it, pages separated
// by form feeds. Text comes in the order it was written to each page
// (pdftotext -raw), so a table reads row by row and a wrapped cell stays
// together. Text fails the test when pdftotext is not installed (the
// project's install step provides poppler-utils) or cannot read the PDF.
func Text(t testing.TB, pdf []byte) string {
	t.Helper()

	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Fatalf("pdftotext not found (install poppler-utils): %v", err)
	}

	dir := t.TempDir()
	in := filepath.Join(dir, "document.pdf")
	if err := os.WriteFile(in, pdf, 0o600); err != nil {
		t.Fatalf("write PDF for pdftotext: %v", err)
	}

	var stderr bytes.Buffer
	cmd := exec.Command(bin, "-raw", "-enc", "UTF-8", in, "-")
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("pdftotext failed on a %d-byte PDF: %v: %s", len(pdf), err, strings.TrimSpace(stderr.String()))
	}
	return string(out)
}

// Squash returns s with all white space removed, including full-width
// spaces and form feeds, so that text can be compared regardless of where
// lines and pages were broken.
func Squash(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}

package api

import (
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"

	"github.com/gofiber/fiber/v2"

	"prepaidreg/internal/sheet"
)

// importComplaints takes a 12345 export, checks at once that it is a spreadsheet with the
// required columns, and imports its rows in the background. The answer carries the job's id;
// GET /api/v1/complaints/imports/{id} reports its progress.
func (s *server) importComplaints(c *fiber.Ctx) error {
	fh, err := c.FormFile("file")
	if err != nil {
		return newHTTPError(http.StatusBadRequest, "请以 multipart 表单字段 file 上传 xlsx 或 csv 文件 (upload the file as field \"file\")")
	}
	if fh.Size > maxUploadBody {
		return newHTTPError(http.StatusRequestEntityTooLarge, "文件超过20 MiB (file over 20 MiB)")
	}
	tmp, err := saveUpload(fh)
	if err != nil {
		return err
	}
	keep := false
	defer func() {
		if !keep {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()

	rd, err := sheet.Open(tmp, filepath.Base(fh.Filename))
	if err != nil {
		return err
	}
	rows, err := s.Registry.ComplaintRows(c.UserContext(), rd)
	if err != nil {
		rd.Close()
		return err
	}
	who := actor(c)
	report, err := s.Registry.NewImport(c.UserContext(), who, filepath.Base(fh.Filename))
	if err != nil {
		rd.Close()
		return err
	}

	keep = true
	go func() {
		defer os.Remove(tmp.Name())
		defer tmp.Close()
		defer rd.Close()
		err := s.Registry.RunImport(context.Background(), who, report, rows, nil)
		if err != nil {
			s.logger.Error("complaint import failed", "id", report.ID, "err", err)
			return
		}
		s.logger.Info("complaint import finished", "id", report.ID, "rows", report.Rows,
			"imported", report.Imported, "duplicates", report.Duplicates, "rejected", report.Rejections)
	}()
	c.Location("/api/v1/complaints/imports/" + report.ID)
	return c.Status(http.StatusAccepted).JSON(report)
}

// saveUpload copies an upload to a temporary file that outlives the request.
func saveUpload(fh *multipart.FileHeader) (*os.File, error) {
	src, err := fh.Open()
	if err != nil {
		return nil, newHTTPError(http.StatusBadRequest, "上传的文件无法读取 (cannot read the upload)")
	}
	defer src.Close()
	tmp, err := os.CreateTemp("", "prepaidreg-import-*")
	if err != nil {
		return nil, err
	}
	if _, err := io.Copy(tmp, io.LimitReader(src, maxUploadBody+1)); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return nil, err
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return nil, err
	}
	return tmp, nil
}

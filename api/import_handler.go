package api

import (
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"

	"github.com/gofiber/fiber/v2"

	"prepaidreg/internal/audit"
	"prepaidreg/internal/sheet"
	"prepaidreg/registry"
)

// importComplaints takes a 12345 export, checks at once that it is a spreadsheet with the
// required columns, and imports its rows in the background. The answer carries the job's id;
// GET /api/v1/complaints/imports/{id} reports its progress.
func (s *server) importComplaints(c *fiber.Ctx) error {
	report, err := s.startImport(c)
	if err != nil {
		return err
	}
	c.Location("/api/v1/complaints/imports/" + report.ID)
	return c.Status(http.StatusAccepted).JSON(report)
}

// startImport checks at once that the upload in the field "file" is a spreadsheet with the
// required columns, then imports its rows in the background and returns the job's report.
// The API and the console's form both start imports with it.
func (s *server) startImport(c *fiber.Ctx) (*registry.ImportReport, error) {
	fh, err := c.FormFile("file")
	if err != nil {
		return nil, newHTTPError(http.StatusBadRequest, "请选择要上传的 xlsx 或 csv 文件 (choose a file to upload)")
	}
	if fh.Size > maxUploadBody {
		return nil, newHTTPError(http.StatusRequestEntityTooLarge, "文件超过20 MiB (file over 20 MiB)")
	}
	job, err := s.openImport(c.UserContext(), fh)
	if err != nil {
		return nil, err
	}
	who := actor(c)
	report, err := s.Registry.NewImport(c.UserContext(), who, job.name)
	if err != nil {
		job.close()
		return nil, err
	}
	go s.runImport(job, who, report)
	return report, nil
}

// importJob is an upload being imported: its temporary copy, reader and rows.
type importJob struct {
	name string
	tmp  *os.File
	rd   *sheet.Reader
	rows *registry.ComplaintRows
}

// close lets go of the upload and removes its temporary copy.
func (j *importJob) close() {
	if j.rd != nil {
		j.rd.Close()
	}
	j.tmp.Close()
	os.Remove(j.tmp.Name())
}

// openImport copies the upload aside and reads its header; a file that is no 12345 export is
// refused here, before any job is recorded.
func (s *server) openImport(ctx context.Context, fh *multipart.FileHeader) (*importJob, error) {
	tmp, err := saveUpload(fh)
	if err != nil {
		return nil, err
	}
	job := &importJob{name: filepath.Base(fh.Filename), tmp: tmp}
	if job.rd, err = sheet.Open(tmp, job.name); err != nil {
		job.close()
		return nil, err
	}
	if job.rows, err = s.Registry.ComplaintRows(ctx, job.rd); err != nil {
		job.close()
		return nil, err
	}
	return job, nil
}

// runImport runs an import job to its end, outside the request that started it.
func (s *server) runImport(job *importJob, who audit.Actor, report *registry.ImportReport) {
	defer job.close()
	if err := s.Registry.RunImport(context.Background(), who, report, job.rows, nil); err != nil {
		s.logger.Error("complaint import failed", "id", report.ID, "err", err)
		return
	}
	s.logger.Info("complaint import finished", "id", report.ID, "rows", report.Rows,
		"imported", report.Imported, "duplicates", report.Duplicates, "rejected", report.Rejections)
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

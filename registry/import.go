package registry

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"time"

	"prepaidreg/internal/audit"
	"prepaidreg/internal/errs"
)

// ImportBatchSize is how many rows are written to the store at a time.
const ImportBatchSize = 1000

// RowSource gives the rows of a complaint spreadsheet one by one; io.EOF ends it.
type RowSource interface {
	Next() (ParsedRow, error)
}

// RejectedRow is a spreadsheet row that was not imported, with every reason.
type RejectedRow struct {
	Row    int               `json:"row" bson:"row"`
	Errors []errs.FieldError `json:"errors" bson:"errors"`
}

// Import job states.
const (
	ImportRunning = "running"
	ImportDone    = "done"
	ImportFailed  = "failed"
)

// maxRejectedListed bounds the rejected rows a report lists, so that a file of garbage cannot
// make the report itself too large to store; Rejections still counts them all.
const maxRejectedListed = 1000

// ImportReport says what an import did.
type ImportReport struct {
	ID         string `json:"id" bson:"_id"`
	Status     string `json:"status" bson:"status"`
	FileName   string `json:"file_name" bson:"file_name"`
	Rows       int    `json:"rows" bson:"rows"`
	Imported   int    `json:"imported" bson:"imported"`
	Duplicates int    `json:"duplicates" bson:"duplicates"`
	Linked     int    `json:"linked" bson:"linked"`
	Unlinked   int    `json:"unlinked" bson:"unlinked"`
	Rejections int    `json:"rejections" bson:"rejections"`
	// Batches counts the batches written so far.
	Batches    int           `json:"batches" bson:"batches"`
	Rejected   []RejectedRow `json:"rejected" bson:"rejected"`
	Error      string        `json:"error,omitempty" bson:"error,omitempty"`
	By         string        `json:"by" bson:"by"`
	StartedAt  time.Time     `json:"started_at" bson:"started_at"`
	UpdatedAt  time.Time     `json:"updated_at" bson:"updated_at"`
	FinishedAt *time.Time    `json:"finished_at,omitempty" bson:"finished_at,omitempty"`
}

func (r *ImportReport) reject(row int, fe []errs.FieldError) {
	r.Rejections++
	if len(r.Rejected) < maxRejectedListed {
		r.Rejected = append(r.Rejected, RejectedRow{Row: row, Errors: fe})
	}
}

// importStaleAfter is how long a running import may go without reporting progress before it
// is taken to have died with its process.
const importStaleAfter = 5 * time.Minute

// NewImport records the start of an import job and returns its report.
func (s *Service) NewImport(ctx context.Context, actor audit.Actor, fileName string) (*ImportReport, error) {
	now := s.now().UTC().Truncate(time.Millisecond)
	r := &ImportReport{
		ID: newImportID(now), Status: ImportRunning, FileName: fileName, By: actor.Username,
		Rejected: []RejectedRow{}, StartedAt: now, UpdatedAt: now,
	}
	if err := s.complaints.SaveImport(ctx, r); err != nil {
		return nil, err
	}
	return r, nil
}

// RunImport runs an import job to its end, saving its report after every batch and at the
// end with its final status.
func (s *Service) RunImport(ctx context.Context, actor audit.Actor, r *ImportReport, rows RowSource,
	progress func(ImportReport)) error {
	err := s.Import(ctx, actor, r, rows, func(p ImportReport) {
		p.UpdatedAt = s.now().UTC().Truncate(time.Millisecond)
		_ = s.complaints.SaveImport(ctx, &p)
		if progress != nil {
			progress(p)
		}
	})
	now := s.now().UTC().Truncate(time.Millisecond)
	r.Status, r.UpdatedAt, r.FinishedAt = ImportDone, now, &now
	if err != nil {
		r.Status, r.Error = ImportFailed, importFailure(err)
		s.abandonImport(context.WithoutCancel(ctx), r.ID)
	}
	if serr := s.complaints.SaveImport(context.WithoutCancel(ctx), r); serr != nil && err == nil {
		err = serr
	}
	return err
}

// importFailure says why an import stopped, in words fit for the user; internal details stay
// in the log.
func importFailure(err error) string {
	if msg := errs.MessageOf(err); msg != "" && !errs.Is(err, errs.Internal) {
		return msg
	}
	return "导入中断，可重新导入同一文件继续完成 (the import stopped; import the same file again to finish it)"
}

// ImportStatus returns an import's report. A job that stopped reporting progress long ago
// died with its process and is shown as failed.
func (s *Service) ImportStatus(ctx context.Context, id string) (*ImportReport, error) {
	if len(id) > 64 {
		return nil, errs.E(errs.NotFound, "registry.ImportStatus", "没有这次导入 (no such import)")
	}
	r, err := s.complaints.GetImport(ctx, id)
	if err != nil {
		return nil, err
	}
	if r.Status == ImportRunning && s.now().Sub(r.UpdatedAt) > importStaleAfter {
		r.Status = ImportFailed
		r.Error = "导入进程已中断，可重新导入同一文件继续完成 " +
			"(the import died; import the same file again to finish it)"
	}
	return r, nil
}

func newImportID(now time.Time) string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return now.In(shanghai).Format("20060102-150405") + "-" + hex.EncodeToString(b)
}

// Import files every valid row of rows, in batches, and reports progress after each batch;
// the enterprises' counters take the import's counts at its end. Rows already on file are
// counted as duplicates and left as they are; rows with errors are listed with their reasons
// and do not stop the others. Running the same file again after a crash completes what the
// first run left half done, so the result is as if it had never stopped.
func (s *Service) Import(
	ctx context.Context,
	actor audit.Actor,
	report *ImportReport,
	rows RowSource,
	progress func(ImportReport),
) error {
	if _, err := s.RecoverCounts(ctx); err != nil {
		return err
	}
	idx, err := s.complaints.NameIndex(ctx)
	if err != nil {
		return err
	}
	if report.Rejected == nil {
		report.Rejected = []RejectedRow{}
	}
	batch := make([]*Complaint, 0, ImportBatchSize)
	inBatch := map[string]bool{}
	counts := newCounts()
	flush := func() error {
		if err := s.fileBatch(ctx, actor, "complaint.import", batch, report, counts); err != nil {
			return err
		}
		batch, inBatch = batch[:0], map[string]bool{}
		if progress != nil {
			progress(*report)
		}
		return nil
	}

	for {
		row, err := rows.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		report.Rows++
		if len(row.Errors) > 0 {
			report.reject(row.Number, row.Errors)
			continue
		}
		c, fe := s.prepare(row.Input, idx, s.now().UTC().Truncate(time.Millisecond))
		if fe != nil {
			report.reject(row.Number, fe)
			continue
		}
		// The same ticket twice in one file is one complaint; the second is a duplicate.
		if inBatch[c.ID] {
			report.Duplicates++
			continue
		}
		inBatch[c.ID] = true
		batch = append(batch, c)
		if len(batch) == ImportBatchSize {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if len(batch) > 0 {
		if err := flush(); err != nil {
			return err
		}
	}
	if err := s.flushCounts(ctx, report.ID, counts); err != nil {
		return err
	}
	return s.detectWarnings(ctx, counts.enterprises())
}

// ImportMark is the open mark of an import whose complaints are on file but not yet in
// their enterprises' counters. The embedded store has no transactions, so an import adds its
// counts once, at its end, and closes its mark under the enterprises' locks; until then a
// recount leaves its complaints out. A mark that stops being refreshed belongs to an import
// that died: RecoverCounts closes it and recounts its enterprises from the complaints.
type ImportMark struct {
	ID          string    `bson:"_id"`
	Enterprises []USCC    `bson:"enterprises"`
	Done        bool      `bson:"done"`
	Heartbeat   time.Time `bson:"heartbeat"`
}

// counts gathers an import's counter changes until its end.
type counts struct {
	deltas map[USCC]*ComplaintCounters
}

func newCounts() *counts { return &counts{deltas: map[USCC]*ComplaintCounters{}} }

// enterprises returns the enterprises whose counts changed.
func (k *counts) enterprises() []USCC {
	out := make([]USCC, 0, len(k.deltas))
	for u := range k.deltas {
		out = append(out, u)
	}
	return out
}

func (k *counts) add(c *Complaint) {
	if k.deltas[c.USCC] == nil {
		k.deltas[c.USCC] = &ComplaintCounters{}
	}
	k.deltas[c.USCC].add(c)
}

// fileBatch inserts a batch of complaints, gathers the counts of the new linked ones, and
// records the batch in the audit trail. Its store round trips do not depend on the batch's
// size: one refresh of the import's mark, one insert, one audit record.
func (s *Service) fileBatch(
	ctx context.Context,
	actor audit.Actor,
	action string,
	batch []*Complaint,
	report *ImportReport,
	counts *counts,
) error {
	var enterprises []USCC
	seen := map[USCC]bool{}
	for _, c := range batch {
		c.ImportID = report.ID
		if c.USCC != "" && !seen[c.USCC] {
			seen[c.USCC] = true
			enterprises = append(enterprises, c.USCC)
		}
	}
	// The mark names the enterprises before their complaints are inserted, so a crash after
	// the insert always leaves them to be recounted.
	if err := s.complaints.MarkImport(ctx, report.ID, enterprises, s.now().UTC()); err != nil {
		return err
	}
	inserted, duplicates, err := s.complaints.InsertComplaints(ctx, batch)
	if err != nil {
		return err
	}
	report.Batches++
	report.Imported += len(inserted)
	report.Duplicates += len(duplicates)

	isNew := make(map[string]bool, len(inserted))
	for _, id := range inserted {
		isNew[id] = true
	}
	for _, c := range batch {
		switch {
		case !isNew[c.ID]:
		case c.USCC == "":
			report.Unlinked++
		default:
			report.Linked++
			counts.add(c)
		}
	}
	if len(inserted) == 0 {
		return nil
	}
	_, err = s.audit.Append(ctx, audit.Entry{
		Actor: actor, Action: action, Target: "complaints/" + report.ID,
		Change: map[string]any{"created": inserted},
	})
	if err != nil {
		return errs.Wrap(errs.Internal, "registry.fileBatch", err)
	}
	return nil
}

// flushCounts adds an import's gathered counts to its enterprises' counters, with the risk
// assessment made from the new counts, in one bulk write, and closes its mark, all under the
// enterprises' locks, so that a recount sees either neither or both.
func (s *Service) flushCounts(ctx context.Context, importID string, counts *counts) error {
	codes := make([]USCC, 0, len(counts.deltas))
	for u := range counts.deltas {
		codes = append(codes, u)
	}
	unlock := lockEnterprises(codes)
	subjects, risks, err := s.assessWithCounts(ctx, codes, counts.deltas)
	if err != nil {
		unlock()
		return err
	}
	if err := s.complaints.AddCounters(ctx, counts.deltas, risks); err != nil {
		unlock()
		return err
	}
	err = s.complaints.CloseImport(ctx, importID)
	unlock()
	if err != nil {
		return err
	}
	// Warnings are raised outside the locks: raising one takes other documents' locks.
	return s.tellLevelChanges(ctx, subjects, risks)
}

// abandonImport closes the mark of an import that stopped on an error and recounts its
// enterprises, so that what it did file is counted at once. Should the store itself be
// failing, the mark stays open and RecoverCounts finishes the work later.
func (s *Service) abandonImport(ctx context.Context, id string) {
	marks, err := s.complaints.OpenImports(ctx)
	if err != nil {
		return
	}
	for _, m := range marks {
		if m.ID != id || s.complaints.CloseImport(ctx, id) != nil {
			continue
		}
		for _, u := range m.Enterprises {
			_, _, _ = s.complaints.Recount(ctx, u)
		}
	}
}

// importMarkStale is how long an import's mark may go unrefreshed before the import is taken
// to have died.
const importMarkStale = 5 * time.Minute

// RecoverCounts closes the marks of imports that died before adding their counts, recounts
// their enterprises from the complaints, and returns how many enterprises it recounted.
// Imports run it before they start; reconcile does the same for every enterprise.
func (s *Service) RecoverCounts(ctx context.Context) (int, error) {
	marks, err := s.complaints.OpenImports(ctx)
	if err != nil {
		return 0, err
	}
	recounted := map[USCC]bool{}
	for _, m := range marks {
		if s.now().Sub(m.Heartbeat) < importMarkStale {
			continue
		}
		if err := s.complaints.CloseImport(ctx, m.ID); err != nil {
			return len(recounted), err
		}
		for _, u := range m.Enterprises {
			if recounted[u] {
				continue
			}
			if _, _, err := s.complaints.Recount(ctx, u); err != nil && !errs.Is(err, errs.NotFound) {
				return len(recounted), err
			}
			recounted[u] = true
		}
	}
	return len(recounted), nil
}

// Correction is one enterprise whose counters reconcile rebuilt.
type Correction struct {
	USCC   USCC              `json:"uscc"`
	Before ComplaintCounters `json:"before"`
	After  ComplaintCounters `json:"after"`
}

// Reconcile rebuilds every enterprise's complaint counters from the complaints and returns
// the enterprises whose counters were wrong.
func (s *Service) Reconcile(ctx context.Context) (checked int, corrections []Correction, err error) {
	codes, err := s.complaints.EnterpriseCodes(ctx)
	if err != nil {
		return 0, nil, err
	}
	for _, u := range codes {
		before, after, err := s.complaints.Recount(ctx, u)
		if err != nil {
			return checked, corrections, err
		}
		checked++
		if !before.equal(after) {
			corrections = append(corrections, Correction{USCC: u, Before: before, After: after})
		}
	}
	return checked, corrections, nil
}

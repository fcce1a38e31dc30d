package workday

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"prepaidreg/internal/audit"
	"prepaidreg/internal/errs"
	"prepaidreg/internal/store"
)

// settingID is the calendar's document in the settings collection.
const settingID = "workday_calendar"

// Setting is the calendar file an administrator stored, with the version an update must name.
// Version 0 means the file shipped with the program is in force.
type Setting struct {
	Data      Data      `json:"data"`
	Version   int64     `json:"version"`
	UpdatedAt time.Time `json:"updated_at,omitzero"`
	UpdatedBy string    `json:"updated_by,omitempty"`
}

// settingDoc is how a Setting is stored: the file as JSON text, so that it reads back exactly.
type settingDoc struct {
	ID        string    `bson:"_id"`
	File      string    `bson:"file"`
	Version   int64     `bson:"version"`
	UpdatedAt time.Time `bson:"updated_at"`
	UpdatedBy string    `bson:"updated_by"`
}

// Auditor records changes.
type Auditor interface {
	Append(ctx context.Context, e audit.Entry) (audit.Record, error)
}

// Keeper keeps the calendar in force: the shipped file until an administrator stores a newer
// one (each year's State Council notice comes out in November or December). Another instance
// on the same database reads the stored file when it starts.
type Keeper struct {
	cal      *Calendar
	settings *mongo.Collection
	audit    Auditor
	now      func() time.Time
}

// NewKeeper returns a keeper of cal whose stored file lives in db's settings collection.
func NewKeeper(cal *Calendar, db *mongo.Database, auditor Auditor) *Keeper {
	return &Keeper{cal: cal, settings: db.Collection("settings"), audit: auditor, now: time.Now}
}

// Calendar returns the calendar in force.
func (k *Keeper) Calendar() *Calendar { return k.cal }

// Load puts the stored file, if there is one, in force.
func (k *Keeper) Load(ctx context.Context) error {
	doc, found, err := k.stored(ctx)
	if err != nil || !found {
		return err
	}
	if err := k.cal.Replace([]byte(doc.File)); err != nil {
		return errs.Wrap(errs.Internal, "workday.Load", err)
	}
	return nil
}

// Setting returns the file in force and its version.
func (k *Keeper) Setting(ctx context.Context) (*Setting, error) {
	doc, found, err := k.stored(ctx)
	if err != nil {
		return nil, err
	}
	if !found {
		return &Setting{Data: k.cal.Data()}, nil
	}
	return &Setting{Data: k.cal.Data(), Version: doc.Version, UpdatedAt: doc.UpdatedAt, UpdatedBy: doc.UpdatedBy}, nil
}

// Put checks a new calendar file, stores it if the stored version is still ifMatch, records
// the change, and puts it in force.
func (k *Keeper) Put(ctx context.Context, actor audit.Actor, ifMatch int64, file []byte) (*Setting, error) {
	const op = "workday.Put"
	if err := k.cal.Check(file); err != nil {
		return nil, errs.Fields(op, errs.FieldError{Field: "data",
			Message: "日历文件有误，未作修改 (calendar file refused, nothing changed): " + err.Error()})
	}
	next, err := Parse(file)
	if err != nil {
		return nil, errs.Wrap(errs.Internal, op, err)
	}
	canonical, err := json.Marshal(next.Data())
	if err != nil {
		return nil, errs.Wrap(errs.Internal, op, err)
	}

	unlock := store.LockDocument("settings", settingID)
	defer unlock()
	cur, _, err := k.stored(ctx)
	if err != nil {
		return nil, err
	}
	version := cur.Version
	if version != ifMatch {
		return nil, errs.E(errs.Stale, op, "日历已被他人修改，请刷新后重试 (the calendar changed since you read it)")
	}
	doc := settingDoc{ID: settingID, File: string(canonical), Version: version + 1,
		UpdatedAt: k.now().UTC().Truncate(time.Millisecond), UpdatedBy: actor.Username}
	_, err = k.settings.ReplaceOne(ctx, bson.M{"_id": settingID}, doc, options.Replace().SetUpsert(true))
	if err != nil {
		return nil, errs.Wrap(errs.Internal, op, err)
	}
	if _, err := k.audit.Append(ctx, audit.Entry{Actor: actor, Action: "workday.calendar.update",
		Target: "setting/" + settingID, Version: doc.Version, Change: map[string]any{"years": next.Years()}}); err != nil {
		return nil, err
	}
	if err := k.cal.Replace(canonical); err != nil {
		return nil, errs.Wrap(errs.Internal, op, err)
	}
	return &Setting{Data: k.cal.Data(), Version: doc.Version, UpdatedAt: doc.UpdatedAt, UpdatedBy: doc.UpdatedBy}, nil
}

// stored reads the stored file; found is false (and the document zero) while none is stored.
func (k *Keeper) stored(ctx context.Context) (doc settingDoc, found bool, err error) {
	err = k.settings.FindOne(ctx, bson.M{"_id": settingID}).Decode(&doc)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return settingDoc{}, false, nil
	}
	if err != nil {
		return settingDoc{}, false, errs.Wrap(errs.Internal, "workday.stored", err)
	}
	return doc, true, nil
}

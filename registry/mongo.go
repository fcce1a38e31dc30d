package registry

import (
	"context"
	"errors"
	"regexp"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"prepaidreg/internal/errs"
	"prepaidreg/internal/store"
)

// EnterprisesCollection holds one document per enterprise, keyed by USCC.
const EnterprisesCollection = "enterprises"

// MongoStore keeps the registry in MongoDB.
type MongoStore struct {
	enterprises *mongo.Collection
}

var _ Store = (*MongoStore)(nil)

// NewMongoStore returns the registry's store in db.
func NewMongoStore(db *mongo.Database) *MongoStore {
	return &MongoStore{enterprises: db.Collection(EnterprisesCollection)}
}

// EnsureIndexes creates the indexes lists are filtered by.
func (s *MongoStore) EnsureIndexes(ctx context.Context) error {
	err := store.EnsureIndexes(ctx, s.enterprises, []mongo.IndexModel{
		{Keys: bson.D{{Key: "district", Value: 1}, {Key: "_id", Value: 1}}},
		{Keys: bson.D{{Key: "industry", Value: 1}, {Key: "_id", Value: 1}}},
		{Keys: bson.D{{Key: "name", Value: 1}}},
		{Keys: bson.D{{Key: "aliases", Value: 1}}},
		{Keys: bson.D{{Key: "name_keys", Value: 1}}},
	}...)
	if err == nil {
		err = s.ensureComplaintIndexes(ctx)
	}
	if err == nil {
		err = s.ensureRiskIndexes(ctx)
	}
	if err == nil {
		err = s.EnsureWarningIndexes(ctx)
	}
	if err == nil {
		err = s.EnsureListEntryIndexes(ctx)
	}
	if err != nil {
		return errs.Wrap(errs.Internal, "registry: ensure indexes", err)
	}
	return nil
}

// enterpriseDoc is an enterprise as stored: the registration record with the keys it is
// linked by and the summaries its dossier shows.
type enterpriseDoc struct {
	Enterprise `bson:",inline"`
	NameKeys   []string          `bson:"name_keys"`
	Complaints ComplaintCounters `bson:"complaints"`
	Risk       *RiskSummary      `bson:"risk,omitempty"`
}

// InsertEnterprise implements Store.
func (s *MongoStore) InsertEnterprise(ctx context.Context, e *Enterprise) error {
	doc := enterpriseDoc{Enterprise: *e, NameKeys: e.nameKeys(), Complaints: emptyCounters()}
	_, err := s.enterprises.InsertOne(ctx, doc)
	if mongo.IsDuplicateKeyError(err) {
		return errs.E(errs.Conflict, "registry.InsertEnterprise",
			"该统一社会信用代码已登记 (an enterprise with this USCC is already on file)")
	}
	if err != nil {
		return errs.Wrap(errs.Internal, "registry.InsertEnterprise", err)
	}
	return nil
}

var errNoEnterprise = errs.E(errs.NotFound, "registry.GetEnterprise",
	"没有这个统一社会信用代码的企业 (no such enterprise)")

// GetEnterprise implements Store.
func (s *MongoStore) GetEnterprise(ctx context.Context, uscc USCC) (*Enterprise, error) {
	var e Enterprise
	err := s.enterprises.FindOne(ctx, bson.M{"_id": string(uscc)}).Decode(&e)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, errNoEnterprise
	}
	if err != nil {
		return nil, errs.Wrap(errs.Internal, "registry.GetEnterprise", err)
	}
	return &e, nil
}

// GetEnterprises implements Store: one query, whatever the number of codes; codes not on
// file are left out.
func (s *MongoStore) GetEnterprises(ctx context.Context, codes []USCC) ([]Enterprise, error) {
	ids := make([]string, len(codes))
	for i, u := range codes {
		ids[i] = string(u)
	}
	cur, err := s.enterprises.Find(ctx, bson.M{"_id": bson.M{"$in": ids}},
		options.Find().SetProjection(bson.M{"complaints": 0}))
	if err != nil {
		return nil, errs.Wrap(errs.Internal, "registry.GetEnterprises", err)
	}
	var out []Enterprise
	if err := cur.All(ctx, &out); err != nil {
		return nil, errs.Wrap(errs.Internal, "registry.GetEnterprises", err)
	}
	return out, nil
}

// EnterpriseFile is an enterprise with the summaries its document carries.
type EnterpriseFile struct {
	Enterprise *Enterprise
	Complaints ComplaintCounters
	// Risk is the current assessment, or nil before the first.
	Risk *RiskSummary
}

// GetEnterpriseFile implements Store.
func (s *MongoStore) GetEnterpriseFile(ctx context.Context, uscc USCC) (*EnterpriseFile, error) {
	var doc enterpriseDoc
	err := s.enterprises.FindOne(ctx, bson.M{"_id": string(uscc)}).Decode(&doc)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, errNoEnterprise
	}
	if err != nil {
		return nil, errs.Wrap(errs.Internal, "registry.GetEnterpriseFile", err)
	}
	return &EnterpriseFile{Enterprise: &doc.Enterprise, Complaints: doc.Complaints, Risk: doc.Risk}, nil
}

// ReplaceEnterprise implements Store. Only the registration fields are written, so that the
// summaries other writers keep up to date are left alone.
func (s *MongoStore) ReplaceEnterprise(ctx context.Context, e *Enterprise) error {
	defer store.LockDocument(EnterprisesCollection, string(e.USCC))()
	set := bson.M{
		"name": e.Name, "aliases": e.Aliases, "legal_representative": e.LegalRepresentative,
		"registered_address": e.RegisteredAddress, "district": e.District, "street": e.Street,
		"industry": e.Industry, "contact_phone": e.ContactPhone, "status": e.Status, "stores": e.Stores,
		"prepaid": e.Prepaid, "version": e.Version, "updated_at": e.UpdatedAt, "name_keys": e.nameKeys(),
	}
	res, err := s.enterprises.UpdateOne(ctx, bson.M{"_id": string(e.USCC), "version": e.Version - 1},
		bson.M{"$set": set})
	if err != nil {
		return errs.Wrap(errs.Internal, "registry.ReplaceEnterprise", err)
	}
	if res.MatchedCount == 0 {
		return errs.E(errs.Stale, "registry.ReplaceEnterprise",
			"企业档案已被他人修改，请刷新后重试 (the record changed since you read it)")
	}
	return nil
}

// ListEnterprises implements Store. Every value in q is a typed, checked value; text goes into
// the filter only as a quoted regular expression.
func (s *MongoStore) ListEnterprises(ctx context.Context, q EnterpriseQuery) ([]Enterprise, error) {
	filter := bson.M{}
	if q.After != "" {
		filter["_id"] = bson.M{"$gt": string(q.After)}
	}
	if q.USCCPrefix != "" {
		filter["_id"] = mergeCond(filter["_id"], "$regex", "^"+regexp.QuoteMeta(q.USCCPrefix))
	}
	if q.Name != "" {
		re := bson.Regex{Pattern: regexp.QuoteMeta(q.Name)}
		filter["$or"] = bson.A{bson.M{"name": re}, bson.M{"aliases": re}}
	}
	if q.District != "" {
		filter["district"] = q.District
	}
	if q.Industry != "" {
		filter["industry"] = string(q.Industry)
	}
	if q.Status != "" {
		filter["status"] = string(q.Status)
	}

	opts := options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}).SetLimit(int64(q.Limit)).
		SetProjection(bson.M{"complaints": 0, "name_keys": 0})
	cur, err := s.enterprises.Find(ctx, filter, opts)
	if err != nil {
		return nil, errs.Wrap(errs.Internal, "registry.ListEnterprises", err)
	}
	items := []Enterprise{}
	if err := cur.All(ctx, &items); err != nil {
		return nil, errs.Wrap(errs.Internal, "registry.ListEnterprises", err)
	}
	return items, nil
}

func mergeCond(existing any, op string, value any) bson.M {
	m, ok := existing.(bson.M)
	if !ok {
		m = bson.M{}
	}
	m[op] = value
	return m
}

// settingsCollection holds one document per setting.
const settingsCollection = "settings"

const mappingSettingID = "complaint_column_mapping"

// GetMapping implements SettingsStore.
func (s *MongoStore) GetMapping(ctx context.Context) (*MappingSetting, error) {
	var m MappingSetting
	err := s.enterprises.Database().Collection(settingsCollection).FindOne(ctx,
		bson.M{"_id": mappingSettingID}).Decode(&m)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, errs.E(errs.NotFound, "registry.GetMapping", "no mapping stored")
	}
	if err != nil {
		return nil, errs.Wrap(errs.Internal, "registry.GetMapping", err)
	}
	return &m, nil
}

// PutMapping implements SettingsStore.
func (s *MongoStore) PutMapping(ctx context.Context, m *MappingSetting) error {
	defer store.LockDocument(settingsCollection, mappingSettingID)()
	coll := s.enterprises.Database().Collection(settingsCollection)
	doc := bson.M{"_id": mappingSettingID, "mapping": m.Mapping, "version": m.Version, "updated_at": m.UpdatedAt,
		"updated_by": m.UpdatedBy}
	var err error
	if m.Version == 1 {
		_, err = coll.InsertOne(ctx, doc)
	} else {
		var res *mongo.UpdateResult
		res, err = coll.ReplaceOne(ctx, bson.M{"_id": mappingSettingID, "version": m.Version - 1}, doc)
		if err == nil && res.MatchedCount == 0 {
			return errs.E(errs.Stale, "registry.PutMapping",
				"映射已被他人修改，请刷新后重试 (the mapping changed meanwhile)")
		}
	}
	if mongo.IsDuplicateKeyError(err) {
		return errs.E(errs.Stale, "registry.PutMapping",
			"映射已被他人修改，请刷新后重试 (the mapping changed meanwhile)")
	}
	return wrapInternal("registry.PutMapping", err)
}

package enforcement

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"prepaidreg/internal/errs"
	"prepaidreg/internal/store"
	"prepaidreg/registry"
)

// CountersCollection holds the module's counters, one document per series, e.g.
// {_id: "notice-2026", seq: 153} for the interview notice numbers of 2026.
const CountersCollection = "enforcement_counters"

func (s *MongoStore) counters() *mongo.Collection {
	return s.interviews.Database().Collection(CountersCollection)
}

func (s *MongoStore) ensureInterviewIndexes(ctx context.Context) error {
	err := store.EnsureIndexes(ctx, s.interviews,
		// Clash checks and reminders: active interviews overlapping a time range.
		mongo.IndexModel{Keys: bson.D{{Key: "state", Value: 1}, {Key: "starts_at", Value: 1}}},
		// Calendar views.
		mongo.IndexModel{Keys: bson.D{{Key: "starts_at", Value: 1}, {Key: "_id", Value: 1}}},
		mongo.IndexModel{Keys: bson.D{{Key: "room", Value: 1}, {Key: "starts_at", Value: 1}}},
		mongo.IndexModel{Keys: bson.D{{Key: "officials", Value: 1}, {Key: "starts_at", Value: 1}}},
		// An enterprise's interviews, its dossier and its risk signals.
		mongo.IndexModel{Keys: bson.D{{Key: "enterprises", Value: 1}, {Key: "starts_at", Value: -1}}},
		mongo.IndexModel{Keys: bson.D{{Key: "campaign_id", Value: 1}}},
	)
	if err == nil {
		err = store.EnsureIndexes(ctx, s.officials,
			mongo.IndexModel{Keys: bson.D{{Key: "active", Value: 1}, {Key: "name", Value: 1}}})
	}
	if err != nil {
		return errs.Wrap(errs.Internal, "enforcement: ensure interview indexes", err)
	}
	return nil
}

var (
	errNoInterview = errs.E(errs.NotFound, "enforcement.GetInterview", "没有这次约谈 (no such interview)")
	errNoCampaign  = errs.E(errs.NotFound, "enforcement.GetCampaign", "没有这个约谈计划 (no such campaign)")
	errNoOfficial  = errs.E(errs.NotFound, "enforcement.GetOfficial", "没有这位工作人员 (no such official)")
)

// fill gives iv empty lists where the store gave none, so that they read as [].
func (iv *Interview) fill() {
	if iv.Enterprises == nil {
		iv.Enterprises = []registry.USCC{}
	}
	if iv.Departments == nil {
		iv.Departments = []Department{}
	}
	if iv.Officials == nil {
		iv.Officials = []string{}
	}
	if iv.Attendees == nil {
		iv.Attendees = []Attendee{}
	}
	if iv.Materials == nil {
		iv.Materials = []string{}
	}
	if iv.History == nil {
		iv.History = []Step{}
	}
}

// InsertInterview implements InterviewStore.
func (s *MongoStore) InsertInterview(ctx context.Context, iv *Interview) error {
	_, err := s.interviews.InsertOne(ctx, iv)
	if mongo.IsDuplicateKeyError(err) {
		return errs.E(errs.Conflict, "enforcement.InsertInterview", "约谈编号已被占用 (interview id taken)")
	}
	return ivInternal("enforcement.InsertInterview", err)
}

// InsertInterviews implements InterviewStore with one ordered InsertMany. When it fails, it
// reads which of the interviews did land, since the driver's report of a partial write
// depends on where the command broke off.
func (s *MongoStore) InsertInterviews(ctx context.Context, ivs []Interview) ([]string, error) {
	const op = "enforcement.InsertInterviews"
	docs := make([]any, len(ivs))
	ids := make([]string, len(ivs))
	for i := range ivs {
		docs[i], ids[i] = ivs[i], ivs[i].ID
	}
	_, err := s.interviews.InsertMany(ctx, docs, options.InsertMany().SetOrdered(true))
	if err == nil {
		return ids, nil
	}
	var written []string
	cur, ferr := s.interviews.Find(context.WithoutCancel(ctx), bson.M{"_id": bson.M{"$in": ids}},
		options.Find().SetProjection(bson.M{"_id": 1}))
	if ferr == nil {
		var got []struct {
			ID string `bson:"_id"`
		}
		ferr = cur.All(ctx, &got)
		for _, g := range got {
			written = append(written, g.ID)
		}
	}
	if ferr != nil {
		err = errors.Join(err, ferr)
	}
	return written, errs.Wrap(errs.Internal, op, err)
}

// GetInterview implements InterviewStore.
func (s *MongoStore) GetInterview(ctx context.Context, id string) (*Interview, error) {
	var iv Interview
	err := s.interviews.FindOne(ctx, bson.M{"_id": id}).Decode(&iv)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, errNoInterview
	}
	if err != nil {
		return nil, errs.Wrap(errs.Internal, "enforcement.GetInterview", err)
	}
	iv.fill()
	return &iv, nil
}

// InterviewsByID implements InterviewStore.
func (s *MongoStore) InterviewsByID(ctx context.Context, ids []string) ([]Interview, error) {
	return s.findInterviews(ctx, "enforcement.InterviewsByID", bson.M{"_id": bson.M{"$in": ids}},
		options.Find().SetSort(bson.D{{Key: "starts_at", Value: 1}, {Key: "_id", Value: 1}}))
}

// ReplaceInterview implements InterviewStore.
func (s *MongoStore) ReplaceInterview(ctx context.Context, iv *Interview) error {
	const op = "enforcement.ReplaceInterview"
	res, err := s.interviews.ReplaceOne(ctx, bson.M{"_id": iv.ID, "version": iv.Version - 1}, iv)
	if err != nil {
		return errs.Wrap(errs.Internal, op, err)
	}
	if res.MatchedCount == 0 {
		return errStaleInterview
	}
	return nil
}

var errStaleInterview = errs.E(errs.Stale, "enforcement.ReplaceInterview",
	"约谈已被他人修改，请刷新后重试 (the interview changed since you read it)")

// CancelUnwritten implements InterviewStore with bulk updates guarded by version 1.
func (s *MongoStore) CancelUnwritten(ctx context.Context, ids []string, reason, by string, at time.Time) error {
	models := make([]mongo.WriteModel, len(ids))
	for i, id := range ids {
		models[i] = mongo.NewUpdateOneModel().
			SetFilter(bson.M{"_id": id, "version": int64(1)}).
			SetUpdate(bson.M{
				"$set":  bson.M{"state": StateCancelled, "outcome": reason, "version": int64(2), "updated_at": at},
				"$inc":  bson.M{"sequence": 1},
				"$push": bson.M{"history": Step{State: StateCancelled, At: at, By: by, Note: reason}},
			})
	}
	return ivInternal("enforcement.CancelUnwritten", store.BulkWrite(ctx, s.interviews, models))
}

// ActiveInterviews implements InterviewStore. An interview overlaps [from, to) when it starts
// before to and ends after from; it lasts at most a day, so its start is after from - 1 day,
// which lets the query use the state and start index.
func (s *MongoStore) ActiveInterviews(ctx context.Context, from, to time.Time) ([]Interview, error) {
	filter := bson.M{
		"state":     bson.M{"$in": bson.A{StateScheduled, StateNotified}},
		"starts_at": bson.M{"$lt": to, "$gt": from.Add(-24 * time.Hour)},
		"ends_at":   bson.M{"$gt": from},
	}
	return s.findInterviews(ctx, "enforcement.ActiveInterviews", filter,
		options.Find().SetSort(bson.D{{Key: "starts_at", Value: 1}, {Key: "_id", Value: 1}}))
}

// ListInterviews implements InterviewStore. Every value in q is a typed, checked value.
func (s *MongoStore) ListInterviews(ctx context.Context, q InterviewQuery) ([]Interview, error) {
	filter := bson.M{}
	starts := bson.M{}
	if !q.From.IsZero() {
		starts["$gte"] = q.From
	}
	if !q.To.IsZero() {
		starts["$lt"] = q.To
	}
	if len(starts) > 0 {
		filter["starts_at"] = starts
	}
	if q.Room != "" {
		filter["room"] = q.Room
	}
	if q.Official != "" {
		filter["officials"] = q.Official
	}
	if q.USCC != "" {
		filter["enterprises"] = string(q.USCC)
	}
	if q.State != "" {
		filter["state"] = string(q.State)
	}
	opts := options.Find().SetSort(bson.D{{Key: "starts_at", Value: 1}, {Key: "_id", Value: 1}}).
		SetLimit(int64(q.Limit))
	return s.findInterviews(ctx, "enforcement.ListInterviews", filter, opts)
}

// InterviewsOf implements InterviewStore.
func (s *MongoStore) InterviewsOf(ctx context.Context, uscc registry.USCC, limit int) ([]Interview, error) {
	opts := options.Find().SetSort(bson.D{{Key: "starts_at", Value: -1}, {Key: "_id", Value: -1}}).
		SetLimit(int64(limit))
	return s.findInterviews(ctx, "enforcement.InterviewsOf", bson.M{"enterprises": string(uscc)}, opts)
}

// OverdueRectifications implements InterviewStore.
func (s *MongoStore) OverdueRectifications(ctx context.Context, now time.Time) ([]Interview, error) {
	filter := bson.M{"state": string(StateRectificationDue), "rectification.deadline": bson.M{"$lt": now}}
	return s.findInterviews(ctx, "enforcement.OverdueRectifications", filter,
		options.Find().SetProjection(bson.M{"enterprises": 1, "rectification": 1, "state": 1}))
}

// InterviewsInStates implements InterviewStore.
func (s *MongoStore) InterviewsInStates(ctx context.Context, uscc registry.USCC, states []State) ([]Interview, error) {
	in := make(bson.A, len(states))
	for i, st := range states {
		in[i] = string(st)
	}
	filter := bson.M{"enterprises": string(uscc), "state": bson.M{"$in": in}}
	return s.findInterviews(ctx, "enforcement.InterviewsInStates", filter,
		options.Find().SetProjection(bson.M{"history": 0}))
}

func (s *MongoStore) findInterviews(
	ctx context.Context,
	op string,
	filter bson.M,
	opts *options.FindOptionsBuilder,
) ([]Interview, error) {
	out, err := store.FindAll[Interview](ctx, s.interviews, op, filter, opts)
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].fill()
	}
	return out, nil
}

// ReserveNoticeNumbers implements InterviewStore with one upserting $inc.
func (s *MongoStore) ReserveNoticeNumbers(ctx context.Context, year, n int) (int, error) {
	var doc struct {
		Seq int `bson:"seq"`
	}
	err := s.counters().FindOneAndUpdate(ctx,
		bson.M{"_id": "notice-" + strconv.Itoa(year)},
		bson.M{"$inc": bson.M{"seq": n}},
		options.FindOneAndUpdate().SetUpsert(true).SetReturnDocument(options.After),
	).Decode(&doc)
	if err != nil {
		return 0, errs.Wrap(errs.Internal, "enforcement.ReserveNoticeNumbers", err)
	}
	return doc.Seq - n + 1, nil
}

// campaignDoc is a campaign as stored: the officials of each room as a list, since a room's
// name may hold characters a field name may not (a dot, a leading $).
type campaignDoc struct {
	Campaign      `bson:",inline"`
	RoomOfficials []roomOfficials `bson:"room_officials"`
}

type roomOfficials struct {
	Room      string   `bson:"room"`
	Officials []string `bson:"officials"`
}

func newCampaignDoc(c *Campaign) campaignDoc {
	doc := campaignDoc{Campaign: *c}
	for room, ids := range c.Request.Officials {
		doc.RoomOfficials = append(doc.RoomOfficials, roomOfficials{Room: room, Officials: ids})
	}
	slices.SortFunc(doc.RoomOfficials, func(a, b roomOfficials) int { return strings.Compare(a.Room, b.Room) })
	return doc
}

// InsertCampaign implements InterviewStore.
func (s *MongoStore) InsertCampaign(ctx context.Context, c *Campaign) error {
	_, err := s.campaigns.InsertOne(ctx, newCampaignDoc(c))
	if mongo.IsDuplicateKeyError(err) {
		return errs.E(errs.Conflict, "enforcement.InsertCampaign", "计划编号已被占用 (campaign id taken)")
	}
	return ivInternal("enforcement.InsertCampaign", err)
}

// GetCampaign implements InterviewStore.
func (s *MongoStore) GetCampaign(ctx context.Context, id string) (*Campaign, error) {
	var doc campaignDoc
	err := s.campaigns.FindOne(ctx, bson.M{"_id": id}).Decode(&doc)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, errNoCampaign
	}
	if err != nil {
		return nil, errs.Wrap(errs.Internal, "enforcement.GetCampaign", err)
	}
	c := doc.Campaign
	c.Request.Officials = make(map[string][]string, len(doc.RoomOfficials))
	for _, r := range doc.RoomOfficials {
		c.Request.Officials[r.Room] = r.Officials
	}
	return &c, nil
}

// InsertOfficial implements OfficialStore.
func (s *MongoStore) InsertOfficial(ctx context.Context, o *Official) error {
	_, err := s.officials.InsertOne(ctx, o)
	if mongo.IsDuplicateKeyError(err) {
		return errs.E(errs.Conflict, "enforcement.InsertOfficial", "工作人员编号已被占用 (official id taken)")
	}
	return ivInternal("enforcement.InsertOfficial", err)
}

// GetOfficial implements OfficialStore.
func (s *MongoStore) GetOfficial(ctx context.Context, id string) (*Official, error) {
	var o Official
	err := s.officials.FindOne(ctx, bson.M{"_id": id}).Decode(&o)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, errNoOfficial
	}
	if err != nil {
		return nil, errs.Wrap(errs.Internal, "enforcement.GetOfficial", err)
	}
	return &o, nil
}

// OfficialsByID implements OfficialStore.
func (s *MongoStore) OfficialsByID(ctx context.Context, ids []string) ([]Official, error) {
	return s.findOfficials(ctx, "enforcement.OfficialsByID", bson.M{"_id": bson.M{"$in": ids}})
}

// ListOfficials implements OfficialStore.
func (s *MongoStore) ListOfficials(ctx context.Context, includeInactive bool) ([]Official, error) {
	filter := bson.M{}
	if !includeInactive {
		filter["active"] = true
	}
	return s.findOfficials(ctx, "enforcement.ListOfficials", filter)
}

func (s *MongoStore) findOfficials(ctx context.Context, op string, filter bson.M) ([]Official, error) {
	opts := options.Find().SetSort(bson.D{{Key: "name", Value: 1}, {Key: "_id", Value: 1}})
	return store.FindAll[Official](ctx, s.officials, op, filter, opts)
}

// ReplaceOfficial implements OfficialStore. The embedded store does not apply a guarded
// update atomically, so the write holds the official's lock (store.Locks).
func (s *MongoStore) ReplaceOfficial(ctx context.Context, o *Official) error {
	const op = "enforcement.ReplaceOfficial"
	defer store.LockDocument(OfficialsCollection, o.ID)()
	res, err := s.officials.ReplaceOne(ctx, bson.M{"_id": o.ID, "version": o.Version - 1}, o)
	if err != nil {
		return errs.Wrap(errs.Internal, op, err)
	}
	if res.MatchedCount == 0 {
		return errs.E(errs.Stale, op, "工作人员信息已被他人修改，请刷新后重试 (the official changed since you read it)")
	}
	return nil
}

func ivInternal(op string, err error) error {
	if err == nil {
		return nil
	}
	return errs.Wrap(errs.Internal, op, err)
}

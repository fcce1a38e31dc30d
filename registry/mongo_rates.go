package registry

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"prepaidreg/internal/errs"
)

// EachRateRow implements RatesStore: one query over the complaints, filtered as a complaint
// list is, decoding only the fields the rates count by.
func (s *MongoStore) EachRateRow(ctx context.Context, q RatesQuery, fn func(RateRow) error) error {
	const op = "registry.EachRateRow"
	filter := complaintFilter(ComplaintQuery{District: q.District, From: q.From, To: q.To})
	projection := bson.M{"_id": 0, "received_at": 1, "handling": 1, "satisfaction": 1,
		"district": 1, "street": 1, "uscc": 1}
	cur, err := s.complaints().Find(ctx, filter, options.Find().SetProjection(projection))
	if err != nil {
		return errs.Wrap(errs.Internal, op, err)
	}
	defer cur.Close(ctx)
	for cur.Next(ctx) {
		var r RateRow
		if err := cur.Decode(&r); err != nil {
			return errs.Wrap(errs.Internal, op, err)
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	return wrapInternal(op, cur.Err())
}

// EnterpriseIndustries implements RatesStore: the industry of every enterprise, in one query.
func (s *MongoStore) EnterpriseIndustries(ctx context.Context) (map[USCC]Industry, error) {
	const op = "registry.EnterpriseIndustries"
	opts := options.Find().SetProjection(bson.M{"_id": 1, "industry": 1})
	cur, err := s.enterprises.Find(ctx, bson.M{}, opts)
	if err != nil {
		return nil, errs.Wrap(errs.Internal, op, err)
	}
	defer cur.Close(ctx)
	out := map[USCC]Industry{}
	for cur.Next(ctx) {
		var doc struct {
			ID       USCC     `bson:"_id"`
			Industry Industry `bson:"industry"`
		}
		if err := cur.Decode(&doc); err != nil {
			return nil, errs.Wrap(errs.Internal, op, err)
		}
		out[doc.ID] = doc.Industry
	}
	return out, wrapInternal(op, cur.Err())
}

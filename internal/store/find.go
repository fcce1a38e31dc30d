package store

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"prepaidreg/internal/errs"
)

// FindAll runs a query and decodes every document it returns, as an empty list when there are
// none. Errors are the store's own, wrapped as Internal under op.
func FindAll[T any](
	ctx context.Context,
	c *mongo.Collection,
	op string,
	filter any,
	opts ...options.Lister[options.FindOptions],
) ([]T, error) {
	cur, err := c.Find(ctx, filter, opts...)
	if err != nil {
		return nil, errs.Wrap(errs.Internal, op, err)
	}
	out := []T{}
	if err := cur.All(ctx, &out); err != nil {
		return nil, errs.Wrap(errs.Internal, op, err)
	}
	return out, nil
}

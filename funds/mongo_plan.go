package funds

import "context"

func (s *MongoStore) ensurePlanIndexes(ctx context.Context) error { return nil }

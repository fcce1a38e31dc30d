package mediation

import "context"

func (s *MongoStore) ensureMediatorIndexes(ctx context.Context) error { return nil }

package mediation

import "context"

func (s *MongoStore) ensureCaseIndexes(ctx context.Context) error { return nil }

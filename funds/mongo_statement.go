package funds

import "context"

func (s *MongoStore) ensureStatementIndexes(ctx context.Context) error { return nil }

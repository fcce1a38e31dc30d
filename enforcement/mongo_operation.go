package enforcement

import "context"

func (s *MongoStore) ensureOperationIndexes(ctx context.Context) error { return nil }

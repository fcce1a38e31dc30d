package funds

import "context"

func (s *MongoStore) ensureAlertIndexes(ctx context.Context) error { return nil }

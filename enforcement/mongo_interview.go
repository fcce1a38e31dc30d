package enforcement

import "context"

func (s *MongoStore) ensureInterviewIndexes(ctx context.Context) error { return nil }

package user_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"
	"golang.org/x/crypto/bcrypt"

	"prepaidreg/internal/audit"
	"prepaidreg/internal/errs"
	"prepaidreg/internal/store/storetest"
	"prepaidreg/internal/user"
)

func TestService_Sessions(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t)
	svc := user.NewService(user.NewMongoStore(db), audit.NewLog(db))
	svc.SetBcryptCost(bcrypt.MinCost)
	now := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	svc.SetClock(func() time.Time { return now })

	_, err := svc.Add(ctx, audit.System, "li.hong", user.Regulator, "a-long-password")
	require.NoError(t, err)

	t.Run("password is stored as a slow hash", func(t *testing.T) {
		var doc bson.M
		require.NoError(t, db.Collection(user.UsersCollection).FindOne(ctx, bson.M{"_id": "li.hong"}).Decode(&doc))
		hash := doc["password_hash"].(string)
		assert.True(t, strings.HasPrefix(hash, "$2a$"), "bcrypt hash, got %q", hash)
		assert.NotContains(t, hash, "a-long-password")
	})

	t.Run("wrong password", func(t *testing.T) {
		_, _, err := svc.SignIn(ctx, "li.hong", "not-the-password")
		assert.True(t, errs.Is(err, errs.Unauthenticated))
	})

	sess, cookie, err := svc.SignIn(ctx, "li.hong", "a-long-password")
	require.NoError(t, err)
	assert.NotEqual(t, cookie, sess.ID, "only the cookie's hash is stored")

	_, u, err := svc.BySession(ctx, cookie)
	require.NoError(t, err)
	assert.Equal(t, "li.hong", u.Username)

	t.Run("session expires by the clock", func(t *testing.T) {
		now = now.Add(8*time.Hour + time.Second)
		_, _, err := svc.BySession(ctx, cookie)
		assert.True(t, errs.Is(err, errs.Unauthenticated))
		now = now.Add(-8*time.Hour - time.Second)
	})

	t.Run("disabled account cannot sign in or use its session", func(t *testing.T) {
		_, err := svc.Disable(ctx, audit.System, "li.hong")
		require.NoError(t, err)
		_, _, err = svc.BySession(ctx, cookie)
		assert.True(t, errs.Is(err, errs.Unauthenticated))
		_, _, err = svc.SignIn(ctx, "li.hong", "a-long-password")
		assert.True(t, errs.Is(err, errs.Unauthenticated))
	})
}

package main

import (
	"context"
	"fmt"
	"log/slog"

	"prepaidreg/enforcement"
	"prepaidreg/funds"
	"prepaidreg/internal/audit"
	"prepaidreg/internal/store"
	"prepaidreg/internal/user"
	"prepaidreg/internal/workday"
	"prepaidreg/mediation"
	"prepaidreg/registry"
)

// system is the opened store with every module's service on it.
type system struct {
	store       *store.Store
	audit       *audit.Log
	users       *user.Service
	registry    *registry.Service
	calendar    *workday.Keeper
	enforcement *enforcement.Service
	mediation   *mediation.Service
	funds       *funds.Service
}

// open opens the store cfg names, ensures every index, and builds the services.
func open(ctx context.Context, cfg Config, logger *slog.Logger) (*system, error) {
	st, err := store.Open(ctx, store.Config{
		URI: cfg.MongoURI, DataDir: cfg.DataDir, Database: cfg.Database, Debug: cfg.LogLevel == "debug",
	}, logger)
	if err != nil {
		return nil, err
	}
	sys := wire(st)
	sys.enforcement.SetBureau(enforcement.Bureau{Name: cfg.BureauName, Address: cfg.BureauAddress,
		Contact: cfg.BureauContact, Phone: cfg.BureauPhone})
	if err := sys.ensureIndexes(ctx); err != nil {
		_ = st.Close(context.Background())
		return nil, err
	}
	if err := sys.calendar.Load(ctx); err != nil {
		_ = st.Close(context.Background())
		return nil, fmt.Errorf("load the working-day calendar: %w", err)
	}
	return sys, nil
}

func wire(st *store.Store) *system {
	log := audit.NewLog(st.DB)
	reg := registry.NewService(registry.NewMongoStore(st.DB), log, registry.BeijingAreas())
	calendar := workday.NewKeeper(workday.Default(), st.DB, log)
	enf := enforcement.NewService(enforcement.NewMongoStore(st.DB), log, reg, calendar.Calendar())
	med := mediation.NewService(mediation.NewMongoStore(st.DB), log, reg, calendar.Calendar())
	fnd := funds.NewService(funds.NewMongoStore(st.DB), log, reg, nil)
	reg.SetSignals(enf, med, fnd)
	reg.SetRecords(enf, med, fnd)
	reg.SetListedHook(fnd.FreezeOnBlackList)
	// A fund alert re-scores the enterprise: its coverage is an input of the score.
	fnd.SetAlertHook(func(ctx context.Context, a funds.Alert) error {
		_, err := reg.Rescore(ctx, []registry.USCC{a.USCC})
		return err
	})
	return &system{
		store:       st,
		audit:       log,
		users:       user.NewService(user.NewMongoStore(st.DB), log),
		registry:    reg,
		calendar:    calendar,
		enforcement: enf,
		mediation:   med,
		funds:       fnd,
	}
}

func (s *system) ensureIndexes(ctx context.Context) error {
	for _, ensure := range []func(context.Context) error{
		s.audit.EnsureIndexes,
		user.NewMongoStore(s.store.DB).EnsureIndexes,
		registry.NewMongoStore(s.store.DB).EnsureIndexes,
		enforcement.NewMongoStore(s.store.DB).EnsureIndexes,
		mediation.NewMongoStore(s.store.DB).EnsureIndexes,
		funds.NewMongoStore(s.store.DB).EnsureIndexes,
	} {
		if err := ensure(ctx); err != nil {
			return fmt.Errorf("ensure indexes: %w", err)
		}
	}
	return nil
}

func (s *system) close() error { return s.store.Close(context.Background()) }

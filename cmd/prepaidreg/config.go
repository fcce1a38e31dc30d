package main

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"prepaidreg/enforcement"
)

// Config is every setting of the program, from flags with environment variables as defaults.
type Config struct {
	Addr            string
	DataDir         string
	MongoURI        string
	Database        string
	LogLevel        string
	ShutdownTimeout time.Duration
	SecureCookies   bool
	Demo            bool
	// Bureau is the authority named on notices and records, and how to reach it.
	BureauName    string
	BureauAddress string
	BureauContact string
	BureauPhone   string
}

// defaultConfig holds the visible defaults.
func defaultConfig() Config {
	return Config{
		Addr:            "127.0.0.1:8080",
		DataDir:         "./data",
		Database:        "prepaidreg",
		LogLevel:        "info",
		ShutdownTimeout: 15 * time.Second,
		BureauName:      enforcement.DefaultBureau.Name,
		BureauAddress:   enforcement.DefaultBureau.Address,
		BureauContact:   enforcement.DefaultBureau.Contact,
		BureauPhone:     enforcement.DefaultBureau.Phone,
	}
}

// storeFlags registers the flags that say which store to open; every command has them.
func (c *Config) storeFlags(fs *flag.FlagSet, getenv func(string) string) {
	fs.StringVar(&c.DataDir, "data-dir", envOr(getenv, "PREPAIDREG_DATA_DIR", c.DataDir),
		"directory of the embedded store (env PREPAIDREG_DATA_DIR)")
	fs.StringVar(&c.MongoURI, "mongodb-uri", envOr(getenv, "PREPAIDREG_MONGODB_URI", c.MongoURI),
		"MongoDB URI; empty runs the embedded store (env PREPAIDREG_MONGODB_URI)")
	fs.StringVar(&c.Database, "database", envOr(getenv, "PREPAIDREG_DATABASE", c.Database),
		"database name (env PREPAIDREG_DATABASE)")
	fs.StringVar(&c.BureauName, "bureau-name", envOr(getenv, "PREPAIDREG_BUREAU_NAME", c.BureauName),
		"the bureau's name on documents (env PREPAIDREG_BUREAU_NAME)")
	fs.StringVar(&c.BureauAddress, "bureau-address", envOr(getenv, "PREPAIDREG_BUREAU_ADDRESS", c.BureauAddress),
		"the bureau's address on documents (env PREPAIDREG_BUREAU_ADDRESS)")
	fs.StringVar(&c.BureauContact, "bureau-contact", envOr(getenv, "PREPAIDREG_BUREAU_CONTACT", c.BureauContact),
		"the office enterprises contact (env PREPAIDREG_BUREAU_CONTACT)")
	fs.StringVar(&c.BureauPhone, "bureau-phone", envOr(getenv, "PREPAIDREG_BUREAU_PHONE", c.BureauPhone),
		"the bureau's phone on documents (env PREPAIDREG_BUREAU_PHONE)")
	fs.StringVar(&c.LogLevel, "log-level", envOr(getenv, "PREPAIDREG_LOG_LEVEL", c.LogLevel),
		"debug, info, warn or error (env PREPAIDREG_LOG_LEVEL)")
}

func envOr(getenv func(string) string, key, def string) string {
	if v := getenv(key); v != "" {
		return v
	}
	return def
}

// String prints the configuration with the URI's password masked.
func (c Config) String() string {
	uri := c.MongoURI
	if u, err := url.Parse(uri); err == nil && u.User != nil {
		if _, has := u.User.Password(); has {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
			uri = u.String()
		}
	}
	return fmt.Sprintf("addr=%s data-dir=%s mongodb-uri=%q database=%s log-level=%s shutdown-timeout=%s",
		c.Addr, c.DataDir, uri, c.Database, c.LogLevel, c.ShutdownTimeout)
}

func newLogger(w io.Writer, level string) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(strings.ToUpper(level))); err != nil {
		return nil, fmt.Errorf("log level %q: use debug, info, warn or error", level)
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l})), nil
}

package access_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"iter"
	"strings"

	"github.com/doorkit/doorkit/access"
)

// sqlKeyStore is an access.KeyStore and access.KeyLister on the
// integrator's own database, in a table
//
//	CREATE TABLE grant_keys (
//		key      TEXT COLLATE "C" PRIMARY KEY, -- byte order, for ListKeys
//		grant_id TEXT NOT NULL                 -- '' while a create is under way
//	);
//
// A database outlives every process and records every key, so a key it
// does not hold is access.ErrNotFound (not access.ErrKeyUnknown). Its
// errors match access.ErrUnavailable, so that EnsureGrant stops before it
// creates anything. (To fence writes as redisstore does, keep the lease's
// Fence in a column and refuse a smaller one; only a Locker whose fences
// outlive the process makes that meaningful.)
type sqlKeyStore struct{ db *sql.DB }

func (s sqlKeyStore) Get(ctx context.Context, key string) (string, error) {
	var id string
	err := s.db.QueryRowContext(ctx, `SELECT grant_id FROM grant_keys WHERE key = $1`, key).Scan(&id)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return "", fmt.Errorf("grant key %q: %w", key, access.ErrNotFound)
	case err != nil:
		return "", unavailable(err)
	}
	return id, nil
}

func (s sqlKeyStore) Put(ctx context.Context, key, grantID string) error {
	if key == "" {
		return access.Invalid("Key", "is required")
	}
	if err := access.ValidateKey(key); err != nil {
		return err
	}
	_, err := s.db.ExecContext(ctx, `INSERT INTO grant_keys (key, grant_id) VALUES ($1, $2)
		ON CONFLICT (key) DO UPDATE SET grant_id = excluded.grant_id`, key, grantID)
	return unavailable(err)
}

func (s sqlKeyStore) Delete(ctx context.Context, key string) error {
	_, err := s.db.ExecContext(ctx, `DELETE FROM grant_keys WHERE key = $1`, key)
	return unavailable(err)
}

func (s sqlKeyStore) ListKeys(ctx context.Context, prefix string) iter.Seq2[access.KeyEntry, error] {
	return func(yield func(access.KeyEntry, error) bool) {
		rows, err := s.db.QueryContext(ctx, `SELECT key, grant_id FROM grant_keys WHERE key >= $1 ORDER BY key`, prefix)
		if err != nil {
			yield(access.KeyEntry{}, unavailable(err))
			return
		}
		defer rows.Close()
		for rows.Next() {
			var e access.KeyEntry
			if err := rows.Scan(&e.Key, &e.GrantID); err != nil {
				yield(access.KeyEntry{}, unavailable(err))
				return
			}
			if !strings.HasPrefix(e.Key, prefix) {
				return // past the prefix in byte order
			}
			if !yield(e, nil) {
				return
			}
		}
		if err := rows.Err(); err != nil {
			yield(access.KeyEntry{}, unavailable(err))
		}
	}
}

func unavailable(err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("grant_keys: %w: %w", access.ErrUnavailable, err)
}

// A KeyStore on database/sql in about a hundred lines. The example runs on
// a stand-in driver that keeps the table in memory; open your database with
// its own driver instead (sql.Open("pgx", dsn)).
func ExampleKeyStore_sql() {
	db, err := sql.Open("grantkeys-memory", "")
	if err != nil {
		panic(err)
	}
	defer db.Close()
	var store interface {
		access.KeyStore
		access.KeyLister
	} = sqlKeyStore{db}
	ctx := context.Background()

	// What a vendor does around a create (resivo, whose API keeps no key).
	for i, key := range []string{"BK-2", "BK-1", "XY-9"} {
		_, _ = access.CreateWithKeyStore(ctx, store, key, func() (*access.Grant, error) {
			return &access.Grant{ID: fmt.Sprint("grant-", i+1)}, nil
		})
	}
	id, err := access.LookupKey(ctx, store, "BK-1")
	fmt.Printf("BK-1: %q %v\n", id, err)
	id, err = access.LookupKey(ctx, store, "BK-3")
	fmt.Printf("BK-3: %q %v (no grant)\n", id, err)
	for e, err := range store.ListKeys(ctx, "BK-") {
		fmt.Println(e.Key, e.GrantID, err)
	}
	// Output:
	// BK-1: "grant-2" <nil>
	// BK-3: "" <nil> (no grant)
	// BK-1 grant-2 <nil>
	// BK-2 grant-1 <nil>
}

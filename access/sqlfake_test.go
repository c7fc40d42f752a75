package access_test

import (
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
)

// grantKeysDriver is a database/sql driver that understands exactly the
// statements of ExampleKeyStore_sql, on one in-memory grant_keys table per
// connection string, so the example runs without a database.
type grantKeysDriver struct {
	mu     sync.Mutex
	tables map[string]map[string]string
}

func init() {
	sql.Register("grantkeys-memory", &grantKeysDriver{tables: map[string]map[string]string{}})
}

func (d *grantKeysDriver) Open(name string) (driver.Conn, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.tables[name] == nil {
		d.tables[name] = map[string]string{}
	}
	return &grantKeysConn{d: d, table: d.tables[name]}, nil
}

type grantKeysConn struct {
	d     *grantKeysDriver
	table map[string]string
}

func (c *grantKeysConn) Prepare(query string) (driver.Stmt, error) {
	return &grantKeysStmt{c: c, query: strings.Join(strings.Fields(query), " ")}, nil
}
func (c *grantKeysConn) Close() error              { return nil }
func (c *grantKeysConn) Begin() (driver.Tx, error) { return nil, errors.New("no transactions") }

type grantKeysStmt struct {
	c     *grantKeysConn
	query string
}

func (s *grantKeysStmt) Close() error  { return nil }
func (s *grantKeysStmt) NumInput() int { return -1 }

func (s *grantKeysStmt) Exec(args []driver.Value) (driver.Result, error) {
	s.c.d.mu.Lock()
	defer s.c.d.mu.Unlock()
	switch {
	case strings.HasPrefix(s.query, "INSERT INTO grant_keys"):
		s.c.table[args[0].(string)] = args[1].(string)
	case strings.HasPrefix(s.query, "DELETE FROM grant_keys"):
		delete(s.c.table, args[0].(string))
	default:
		return nil, fmt.Errorf("grantkeys-memory: unknown statement %q", s.query)
	}
	return driver.RowsAffected(1), nil
}

func (s *grantKeysStmt) Query(args []driver.Value) (driver.Rows, error) {
	s.c.d.mu.Lock()
	defer s.c.d.mu.Unlock()
	rows := &grantKeysRows{}
	switch {
	case strings.HasPrefix(s.query, "SELECT grant_id FROM grant_keys WHERE key = "):
		rows.cols = []string{"grant_id"}
		if id, ok := s.c.table[args[0].(string)]; ok {
			rows.rows = [][]driver.Value{{id}}
		}
	case strings.HasPrefix(s.query, "SELECT key, grant_id FROM grant_keys WHERE key >= "):
		rows.cols = []string{"key", "grant_id"}
		for k, id := range s.c.table {
			if k >= args[0].(string) {
				rows.rows = append(rows.rows, []driver.Value{k, id})
			}
		}
		slices.SortFunc(rows.rows, func(a, b []driver.Value) int { return strings.Compare(a[0].(string), b[0].(string)) })
	default:
		return nil, fmt.Errorf("grantkeys-memory: unknown query %q", s.query)
	}
	return rows, nil
}

type grantKeysRows struct {
	cols []string
	rows [][]driver.Value
}

func (r *grantKeysRows) Columns() []string { return r.cols }
func (r *grantKeysRows) Close() error      { return nil }
func (r *grantKeysRows) Next(dest []driver.Value) error {
	if len(r.rows) == 0 {
		return io.EOF
	}
	copy(dest, r.rows[0])
	r.rows = r.rows[1:]
	return nil
}

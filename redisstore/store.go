package redisstore

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/doorkit/doorkit/access"
	"github.com/redis/go-redis/v9"
)

// Account names the vendor account a Store keeps state for. Every key the
// Store writes carries Vendor and Name, and a hash of all four fields, so
// two accounts cannot share tokens or grant keys through a naming mistake
// (the same Name given to a staging and a production account, say).
type Account struct {
	// Vendor is the vendor package's name: "havr", "august", "primis",
	// "resivo". Required.
	Vendor string
	// Name is the integrator's name for the account ("acme-prod").
	// Required; at most 100 bytes, no braces or control characters.
	Name string
	// BaseURL is the API address the account's clients use (for August and
	// resivo their DefaultBaseURL unless set). Required. Scheme and host
	// are compared without case and a trailing slash is ignored.
	BaseURL string
	// ClientID is the OAuth client id, API key id or login the account
	// authenticates as, or "" when there is none. It is not a secret, and
	// only its hash is stored.
	ClientID string
}

// maxNameLength bounds Account.Vendor and Account.Name, which appear in
// every key.
const maxNameLength = 100

func (a Account) validate() error {
	for _, f := range []struct{ field, value string }{{"Account.Vendor", a.Vendor}, {"Account.Name", a.Name}} {
		switch {
		case strings.TrimSpace(f.value) == "":
			return access.Invalid(f.field, "is required")
		case len(f.value) > maxNameLength:
			return access.Invalid(f.field, fmt.Sprintf("is %d bytes; at most %d", len(f.value), maxNameLength))
		case !utf8.ValidString(f.value):
			return access.Invalid(f.field, "is not valid UTF-8")
		case strings.ContainsAny(f.value, "{}"):
			// A brace would move the hash tag that keeps the account on one
			// Cluster slot.
			return access.Invalid(f.field, "holds a brace")
		case strings.ContainsFunc(f.value, unicode.IsControl):
			return access.Invalid(f.field, "holds a control character")
		}
	}
	_, err := normalURL(a.BaseURL)
	return err
}

func normalURL(raw string) (string, error) {
	if raw == "" {
		return "", access.Invalid("Account.BaseURL", "is required")
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return "", access.Invalid("Account.BaseURL", "is not an http or https URL")
	}
	u.Scheme = strings.ToLower(u.Scheme)
	u.Host = strings.ToLower(u.Host)
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	return u.String(), nil
}

// prefix is the hash-tagged prefix of every key of the account:
// {doorkit:<vendor>:<name>:<hash>}. The hash covers the four fields, each
// length-prefixed, so no two accounts share it by a coincidence of
// separators.
func (a Account) prefix() string {
	base, _ := normalURL(a.BaseURL)
	h := sha256.New()
	for _, f := range []string{a.Vendor, a.Name, base, a.ClientID} {
		_ = binary.Write(h, binary.BigEndian, uint32(len(f)))
		h.Write([]byte(f))
	}
	return "{doorkit:" + a.Vendor + ":" + a.Name + ":" + hex.EncodeToString(h.Sum(nil)[:6]) + "}"
}

// Store keeps the shared state of one vendor account in Redis. It is an
// access.Locker, access.KeyStore and access.KeyLister, access.AppliedStore,
// access.TokenStore and access.ResultStore, and makes the account's access.RateBudget
// (Budget). Make one per account with New and share it among the account's
// clients in a process; every replica makes its own on the same Redis. It
// is safe for concurrent use.
type Store struct {
	rdb     redis.UniversalClient
	account Account
	prefix  string
	scripts *scripts
	cfg     config

	epochMu sync.Mutex
	epoch   string // the epoch last seen; "" before the first

	waker waker
}

var (
	_ access.Locker      = (*Store)(nil)
	_ access.KeyStore    = (*Store)(nil)
	_ access.KeyLister   = (*Store)(nil)
	_ access.TokenStore  = (*Store)(nil)
	_ access.ResultStore = (*Store)(nil)
	_ access.RateBudget  = (*Budget)(nil)
)

// New returns the Store of account on rdb: a *redis.Client (one node, or
// Sentinel through redis.NewFailoverClient), a *redis.ClusterClient, or
// another redis.UniversalClient that sends an account's commands to one
// primary. A *redis.Ring, and a *redis.ClusterClient that reads from
// replicas, are refused (ErrInvalid): see the package documentation. New
// makes no request. The Store does not close rdb.
func New(rdb redis.UniversalClient, account Account, opts ...Option) (*Store, error) {
	if rdb == nil {
		return nil, access.Invalid("rdb", "is nil")
	}
	if _, ok := rdb.(*redis.Ring); ok {
		// A Ring moves a shard's keys to the others while it deems the
		// shard down, each client by its own view: two replicas would hold
		// one lease, and a grant key would read as absent.
		return nil, access.Invalid("rdb", "is a *redis.Ring, which keeps no account on one server: use a Cluster or one primary (with Sentinel)")
	}
	if c, ok := rdb.(*redis.ClusterClient); ok {
		if o := c.Options(); o.ReadOnly || o.RouteByLatency || o.RouteRandomly {
			// A replica's read can miss what the primary has: a token a
			// peer just replaced, whose spent refresh token would be sent
			// again.
			return nil, access.Invalid("rdb", "sends reads to replicas (ReadOnly, RouteByLatency or RouteRandomly): the Store must read from the primary")
		}
	}
	if err := account.validate(); err != nil {
		return nil, err
	}
	cfg := config{leaseTTL: DefaultLeaseTTL, resultPoll: defaultResultPoll}
	for _, o := range opts {
		if err := o(&cfg); err != nil {
			return nil, err
		}
	}
	if cfg.replicas > 0 {
		switch rdb.(type) {
		case *redis.Client, *redis.ClusterClient:
		default:
			return nil, access.Invalid("WithReplicaWait", fmt.Sprintf("needs a *redis.Client or *redis.ClusterClient, not %T", rdb))
		}
	}
	s := &Store{rdb: rdb, account: account, prefix: account.prefix(), scripts: newScripts(), cfg: cfg}
	s.waker.s = s
	return s, nil
}

// Account returns the account the Store was made for.
func (s *Store) Account() Account { return s.account }

// Prefix returns the hash-tagged prefix of every key and channel the Store
// uses, "{doorkit:<vendor>:<name>:<hash>}", for operators who inspect or
// remove an account's state.
func (s *Store) Prefix() string { return s.prefix }

// key returns the Redis key of one kind of state, under the prefix.
func (s *Store) key(parts ...string) string {
	return s.prefix + ":" + strings.Join(parts, ":")
}

// DefaultLeaseTTL is how long a lease lasts without renewal. The holder
// renews it every third of it while it holds the lease.
const DefaultLeaseTTL = 30 * time.Second

// defaultResultPoll is how often WaitResult reads the stored result even
// without a wake-up: pub/sub can lose a message without a reconnect the
// client notices.
const defaultResultPoll = 5 * time.Second

// A Codec seals the tokens a Store keeps, for example with an AEAD under a
// key the caller holds, so that a copy of the Redis data (a backup, an AOF
// file, a replica) does not reveal them. Seal may be randomised: the Store
// compares tokens after Open, never the sealed bytes with a caller's value.
type Codec interface {
	Seal(plaintext []byte) ([]byte, error)
	Open(sealed []byte) ([]byte, error)
}

// Option configures a Store.
type Option func(*config) error

type config struct {
	leaseTTL       time.Duration
	codec          Codec
	replicas       int
	replicaTimeout time.Duration
	explicitInit   bool
	logger         *slog.Logger
	resultPoll     time.Duration
}

// WithLeaseTTL sets how long a lease lasts without renewal (default
// DefaultLeaseTTL); the holder renews it every third of it. A holder that
// cannot renew (Redis unreachable) gives the lease up after two thirds of
// it, a third before it ends in Redis (see Lock); its end is also how long
// the next holder waits after a holder dies. At least 30 ms.
func WithLeaseTTL(d time.Duration) Option {
	return func(c *config) error {
		if d < 30*time.Millisecond {
			return access.Invalid("WithLeaseTTL", "is under 30ms")
		}
		c.leaseTTL = d
		return nil
	}
}

// WithCodec seals the tokens the Store keeps with c (see Codec). Without it
// tokens are stored as the vendor package encodes them, in clear.
func WithCodec(c Codec) Option {
	return func(cfg *config) error {
		if c == nil {
			return access.Invalid("WithCodec", "is nil")
		}
		cfg.codec = c
		return nil
	}
}

// WithReplicaWait makes every token save and every grant-key write wait
// (Redis WAIT) until replicas replicas acknowledged it, for at most
// timeout. A write that fewer replicas acknowledged in time is still
// reported done (it happened on the primary, and a token obtained by
// spending a single-use refresh token must be used either way) and is
// logged at warning level. Without it, writes return once the primary has
// them, and a failover to a replica that had not received them loses them
// (see the package documentation). It needs a *redis.Client or a
// *redis.ClusterClient; keep timeout under the client's ReadTimeout.
func WithReplicaWait(replicas int, timeout time.Duration) Option {
	return func(c *config) error {
		if replicas < 1 || timeout <= 0 {
			return access.Invalid("WithReplicaWait", "needs at least one replica and a positive timeout")
		}
		c.replicas, c.replicaTimeout = replicas, timeout
		return nil
	}
}

// WithExplicitInit makes the Store never start the key store's epoch
// itself: until Reinitialize has run once for the account, Get and
// ListKeys fail with ErrNotInitialized. By default the first use of an
// empty store starts its epoch, which cannot tell a new store from one
// whose data was lost before any running replica saw it (see the package
// documentation).
func WithExplicitInit() Option {
	return func(c *config) error { c.explicitInit = true; return nil }
}

// WithLogger logs what a caller cannot see in a return value: a lease lost
// in the background, a write that fewer replicas acknowledged than
// WithReplicaWait asked for, a wake-up that could not be published. Tokens
// and stored values are never logged.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) error { c.logger = l; return nil }
}

func (s *Store) warn(msg string, args ...any) {
	if s.cfg.logger != nil {
		s.cfg.logger.Warn(msg, append([]any{slog.String("prefix", s.prefix)}, args...)...)
	}
}

// Error is a Redis command that failed: Redis was unreachable or timed
// out, the caller's context ended, or the server answered with an error.
// It matches access.ErrUnavailable (never access.ErrOutcomeUnknown: a
// caller decides what a failed write means for the vendor call around it),
// and errors.Is and errors.As reach go-redis's error through it.
type Error struct {
	Op  string // the Store method: "Get", "Lock", ...
	Err error
}

func (e *Error) Error() string        { return "redisstore: " + e.Op + ": " + e.Err.Error() }
func (e *Error) Unwrap() error        { return e.Err }
func (e *Error) Is(target error) bool { return target == access.ErrUnavailable }

func fail(op string, err error) error {
	if err == nil {
		return nil
	}
	return &Error{Op: op, Err: err}
}

// ErrDataLost reports that the key store's data is gone or was replaced
// (Redis restarted without persistence, was flushed, or was restored from
// an older snapshot) while this Store was using it: a key it does not find
// may still carry a grant. It matches access.ErrUnavailable. Get and
// ListKeys return it until Reinitialize.
var ErrDataLost error = &sentinel{"redisstore: the key store lost its data (its epoch is gone or older): a key it misses may still carry a grant; reconcile the account, then call Reinitialize"}

// ErrNotInitialized reports a key store made WithExplicitInit whose
// account has no epoch yet: call Reinitialize once. It matches
// access.ErrUnavailable.
var ErrNotInitialized error = &sentinel{"redisstore: the key store has no epoch: call Reinitialize once for the account (WithExplicitInit)"}

// ErrLeaseLost is the cause (context.Cause) of a lease's context that
// ended because the lease was lost: renewal found another token holding
// it or none, or could not reach Redis before the lease ran out.
var ErrLeaseLost = errors.New("redisstore: lease lost")

type sentinel struct{ msg string }

func (e *sentinel) Error() string        { return e.msg }
func (e *sentinel) Is(target error) bool { return target == access.ErrUnavailable }

// randomID returns an unguessable id for lease tokens, epochs and puts.
func randomID() string { return rand.Text() }

// waitReplicas runs write on a connection of the primary that holds the
// account and then WAITs on that connection, when WithReplicaWait asked for
// it; otherwise it runs write on the client. WAIT counts only the writes of
// its own connection, hence one connection for both.
func (s *Store) waitReplicas(ctx context.Context, op string, write func(redis.Scripter) error) error {
	if s.cfg.replicas == 0 {
		return write(s.rdb)
	}
	var primary *redis.Client
	switch c := s.rdb.(type) {
	case *redis.Client:
		primary = c
	case *redis.ClusterClient:
		var err error
		if primary, err = c.MasterForKey(ctx, s.prefix); err != nil {
			return fail(op, err)
		}
	}
	conn := primary.Conn()
	defer conn.Close()
	if err := write(conn); err != nil {
		return err
	}
	n, err := conn.Wait(ctx, s.cfg.replicas, s.cfg.replicaTimeout).Result()
	if err != nil || int(n) < s.cfg.replicas {
		s.warn("redisstore: a write was not acknowledged by the replicas asked for; a failover now may lose it",
			slog.String("op", op), slog.Int("want", s.cfg.replicas), slog.Int64("acknowledged", n), slog.Any("error", err))
	}
	return nil
}

// Package redisstore keeps doorkit's shared state in Redis, so that several
// replicas of an integration, restarted on every deploy, act as one: it
// implements the access package's state interfaces for one vendor account.
//
//	rdb := redis.NewClient(&redis.Options{Addr: "redis:6379"}) // or NewFailoverClient, NewClusterClient
//	store, err := redisstore.New(rdb, redisstore.Account{
//		Vendor:   "havr",
//		Name:     "acme-prod",
//		BaseURL:  apiURL,
//		ClientID: clientID,
//	})
//	budget, err := store.Budget(200, 1) // the account's rate; a burst of 1 leaves the vendor's own as slack
//
// A *Store is an access.Locker (per-key turns, with leases that renew
// themselves and fence numbers), an access.KeyStore and access.KeyLister
// (grant keys, listable by prefix), an access.AppliedStore (the windows
// doorkit applied, so that any replica's plan tells a window changed in
// the vendor's portal from a moved booking), an access.TokenStore (the
// account's tokens, compare-and-swap) and an access.ResultStore (webhook
// results and de-duplication); Budget returns its access.RateBudget. A
// vendor client given the Store as its KeyStore (resivo) records applied
// windows in it by itself; for the others pass access.WithAppliedStore. Give the same Store
// to every client of the account in a process; every replica makes its own
// Store for the account on the same Redis. Nothing is kept in package state.
//
// # Keys
//
// Every key and channel of an account starts with
// {doorkit:<vendor>:<name>:<hash>}, where the hash covers the vendor, the
// name, the base URL and the client id: two accounts never share tokens or
// grant keys through a naming mistake, and the braces (a Cluster hash tag)
// keep an account on one slot, so every script runs on one node. Under it:
//
//	:keys, :keyindex        grant keys: a hash key -> grant id, and a sorted set listing the keys (no TTL)
//	:applied                applied windows: a hash key -> "<start>/<end>" (no TTL)
//	:epoch                  the key store's epoch (no TTL)
//	:keyfence:<key>         the last fence a key was written under (1 day)
//	:token                  the account's token (no TTL)
//	:token:lock, :lock:<name>          leases (their TTL, renewed while held)
//	:token:lockfence, :lockfence:<name> fence counters (1 day)
//	:pending:<key>          a grant key's turn left pending (until it lapses)
//	:budget                 the rate budget's state (until it holds nothing back)
//	:result:<name>, :resultid:<name>   results and de-duplication (the TTL of their put)
//	:results                the pub/sub channel that wakes result waiters
//
// Listing goes through the index (ZRANGEBYLEX), never SCAN. Atomic steps
// are Lua scripts run with EVALSHA (EVAL when the server lacks them); they
// need Redis 7.0 or later and use nothing newer (no HEXPIRE, no WAITAOF, no
// functions). On a *redis.ClusterClient waiters are woken with sharded
// pub/sub (SSUBSCRIBE, SPUBLISH).
//
// # Deployments
//
// The Store runs on one Redis primary, reached through a *redis.Client
// (redis.NewClient; redis.NewFailoverClient for a primary under
// Sentinel, whose client finds the new primary after a failover) or a
// *redis.ClusterClient, whose hash tag keeps an account on one slot. Its
// tests run on a single node, on a one-node Cluster and on a primary with
// a replica under Sentinel, also while replicas keep working through a
// planned failover (writers paused until the replica caught up, then
// SENTINEL FAILOVER: nothing lost) and through the primary's crash (calls
// fail with access.ErrUnavailable until the replica is promoted, then
// work resumes; see Replication and failover for what a crash, or a
// SENTINEL FAILOVER without the pause, can lose).
//
// A *redis.Ring is refused (New answers ErrInvalid): a Ring deems a shard
// down by its own health checks and then sends that shard's keys to
// another, with no coordination between clients, so a replica that loses
// sight of a shard would take leases others hold there and read their
// grant keys as absent (go-redis meant Ring for caches). For several
// servers use a Cluster. Every read must go to the primary: a
// *redis.ClusterClient that sends reads to replicas (ReadOnly,
// RouteByLatency or RouteRandomly; redis.NewFailoverClusterClient sets
// them from ReplicaOnly and its route options) is refused too, since a
// lagging replica would show a token a peer already replaced, and its
// spent refresh token would be sent again.
//
// # A key's turn reads the key
//
// The lease of a grant key's turn (access.KeyTurnName, which EnsureGrant
// and EnsureRevokedByKey lock) is taken in the same script that reads the
// key's grant id and applied window. Under that lease the Store answers
// Get and LoadApplied of the key without a round trip, from what the turn
// read or its holder wrote since, and does not send a SaveApplied of the
// window it holds or a DeleteApplied of one that is gone. doorkit writes a
// key only under its turn, which is the holder's alone, so a second read
// could find nothing else; a write made without the turn (a Put of the
// caller's own, resivo's RevokeGrant by id) reaches the holder on its next
// turn, as it would had it landed a moment before the turn was taken.
// The Store is also an access.TurnRecorder: what EnsureGrant leaves for a
// key under its turn (a new grant's id, the applied window) is written by
// the script that releases the turn, fenced like Put. EnsureGrant on resivo
// with the Store as its Locker and KeyStore so costs 2 round trips for a
// grant found unchanged (the turn and its release), 3 for a revoke by key
// and 3 for a create (the turn, the pending mark before the create is sent,
// the release that records the grant id and window); the in-memory
// defaults cost none.
//
// # A turn left with a call on its way stays pending
//
// Vendors ignore fence numbers: a create sent by a holder that then lost
// its lease may land after the next holder looked for the key's grant and
// found none. A grant key's turn therefore keeps a pending mark
// (access.PendingLease) in :pending:<key>, written by the scripts that take,
// renew and release the lease, at no round trip of its own: while a holder
// holds the turn the mark runs to twice the lease TTL past its last
// renewal, so a holder that dies or is cut off from Redis leaves it a TTL
// past its lease's end; a clean release takes it back, unless the holder's
// work sent a vendor call and ended with access.ErrOutcomeUnknown, which
// leaves it a TTL past the release. EnsureGrant, EnsureRevokedByKey and
// Apply refuse a turn whose mark has not lapsed with an
// *access.PendingKeyError naming when it does (Until), before anything is
// sent. A holder gives its lease up a third of the TTL before the lease
// can run out in Redis, so a call it sent has four thirds of the TTL (40 s
// by default) to land before the next holder looks: keep the TTL above the
// time a vendor may take to act on a request it received. A mark is lost
// with Redis's data like a lease (it is a cache with a TTL).
//
// # What Redis must keep
//
// Grant keys and applied windows (with the epoch) and tokens must survive
// a Redis restart: run Redis with persistence, appendonly yes. With
// appendfsync always no acknowledged write is lost; with everysec (Redis's
// default for AOF) a crash of the Redis process loses nothing, a crash of
// the machine up to about a second of writes. RDB snapshots alone lose every write since the
// last snapshot. Everything else is a cache that expires: leases, fence
// counters, the rate budget, results and de-duplication entries. Losing
// them costs a wait (a lease that vanished lets the next holder in; its
// fence is still larger), a burst (the budget starts again), or a result a
// waiter does not hear of (it waits until its context ends).
//
// A store that lost everything (Redis restarted without persistence, or was
// flushed) is detected: the key store keeps an epoch, and a Store that has
// seen one and finds it gone, or older (a stale snapshot restored), answers
// Get and ListKeys with ErrDataLost, which matches access.ErrUnavailable and
// never access.ErrNotFound, so no grant is taken as gone; writes still go
// through. Reinitialize, after the account's grants are reconciled, makes
// the store complete again for every replica. An epoch is started at first
// use, which a replica that starts after a loss, when no running replica saw
// the old epoch, cannot tell from a new store; WithExplicitInit closes that
// gap (the epoch is then started only by Reinitialize). The loss of the last
// writes alone (a machine crash with appendfsync everysec, a failover) is
// not detected: a grant key lost that way reads as absent.
//
// # Replication and failover
//
// Redis replicates asynchronously. A failover (Sentinel, Cluster) to a
// replica that had not received the latest writes loses them: a lease (a
// second holder may start while the first still works; its fence is still
// larger, from the server's clock, so the key store refuses the first
// holder's late write), a just-saved token (the new primary holds the pair
// whose single-use refresh token was spent: the next refresh is refused and
// the client must log in again; a vendor with reuse detection may revoke
// the token family), a just-written grant key. Writes do not wait for a
// replica unless WithReplicaWait asks them to (WAIT; a token save or a
// grant-key write then returns once the replicas acknowledged it or the
// timeout passed). WAIT narrows the window; it does not make a failover
// lossless. In the tests, a primary killed while four replicas wrote
// lost 0 or 1 of about 2,500 grant keys written before it.
//
// # Tokens are secrets at rest
//
// The token store holds the account's access and refresh tokens as the
// vendor package encodes them, in clear, in Redis's memory, its AOF and RDB
// files and its replicas. Restrict who can reach Redis (ACLs, TLS, a private
// network) and give the Store a Codec (WithCodec) that seals them with a key
// Redis does not hold. Tokens never appear in errors or logs.
//
// # Faults
//
// With Redis unreachable or failing, every method fails with an *Error,
// which matches access.ErrUnavailable and never access.ErrOutcomeUnknown:
// nothing falls back to in-process state, so a caller that decides whether
// to create, revoke or refresh fails before it sends anything to the
// vendor. How soon a call fails is go-redis's to decide: with its defaults
// (MaxRetries 3, DialerRetries 5 every 100 ms) a call with Redis down fails
// after about 1.7 s; set them lower on the client for a faster answer.
// go-redis resends a command whose reply was lost (MaxRetries); the
// scripts where it matters are safe to resend: a lease taken, a token
// swapped and a result put recognise their own earlier write, and a resent
// Backoff cuts the rate once (one cut a second).
//
// After an outage, calls keep failing for up to about a second once Redis
// is back. go-redis (v9.22, internal/pool) counts a client's failed dials;
// once they reach its PoolSize (over the pool's life: only this recovery
// resets the count) the pool stops dialing and answers the last dial error
// at once, while a background probe dials once a second (a fixed period,
// no option sets it) and reopens the pool on its first success. The Store
// does not own the client and cannot shorten that. A caller that would
// rather wait it out than fail can make a command's own retries outlast it
// (MaxRetries 5 and MinRetryBackoff 250 ms, say): a call made during the
// second then succeeds late, but a call with Redis down also takes that
// much longer to fail. A larger PoolSize only delays the state. Otherwise
// a trigger that failed in that second with access.ErrUnavailable is
// redelivered like any other.
package redisstore

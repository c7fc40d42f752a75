package primistest

import "time"

// The fault injection and request log every doorkit fake shares, declared
// here so that they are part of the fake's documented surface.

// Inject queues a fault: the next fault.Count requests matching its Method
// and Path fail as it says (see Fault).
func (s *Server) Inject(fault Fault) { s.front.Inject(fault) }

// FailNext makes the next n requests answer status, in Primis's error
// format, with Retry-After when retryAfter is positive.
func (s *Server) FailNext(n, status int, retryAfter time.Duration) {
	s.front.FailNext(n, status, retryAfter)
}

// SetLatency delays every answer by d.
func (s *Server) SetLatency(d time.Duration) { s.front.SetLatency(d) }

// SetRateLimit answers 429 Too Many Requests, with Retry-After in whole
// seconds, to requests beyond a token bucket refilled at perSecond with
// room for burst. A perSecond of zero or less removes the limit. A
// throttled request is logged and counted but takes no injected fault.
func (s *Server) SetRateLimit(perSecond float64, burst int) { s.front.SetRateLimit(perSecond, burst) }

// Throttled returns how many requests the rate limit answered 429.
func (s *Server) Throttled() int { return s.front.Throttled() }

// SetLogLimit sets how many of the latest requests Requests returns (at
// least one; 10,000 unless set), forgetting older ones beyond it.
func (s *Server) SetLogLimit(n int) { s.front.SetLogLimit(n) }

// Requests returns the latest requests received, oldest first.
func (s *Server) Requests() []Request { return s.front.Requests() }

// Count returns how many requests had method and path since the last
// ResetLog, including those the bounded log no longer holds.
func (s *Server) Count(method, path string) int { return s.front.Count(method, path) }

// ResetLog forgets the requests received so far, their counts and the
// number throttled.
func (s *Server) ResetLog() { s.front.ResetLog() }

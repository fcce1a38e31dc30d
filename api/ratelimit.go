package api

import (
	"math"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
)

// Defaults of the public routes' rate limit, per client address.
const (
	defaultPublicRate  = 20.0
	defaultPublicBurst = 40
	// maxRateClients bounds the limiter's memory: about 100 bytes per address.
	maxRateClients = 100_000
	// rateSweepEvery is how often idle addresses are forgotten.
	rateSweepEvery = time.Minute
)

// rateLimiter is a token bucket per client address, kept in memory: each address may send
// burst requests at once and rate requests per second after that. An address whose bucket has
// filled up again is forgotten, since a new bucket would be the same.
type rateLimiter struct {
	rate  float64
	burst float64
	now   func() time.Time

	mu        sync.Mutex
	buckets   map[string]*tokenBucket
	lastSweep time.Time
}

// tokenBucket is one address's tokens as of a moment.
type tokenBucket struct {
	tokens float64
	at     time.Time
}

// newRateLimiter returns a limiter of rate requests per second with bursts of burst.
func newRateLimiter(rate float64, burst int) *rateLimiter {
	if rate <= 0 {
		rate = defaultPublicRate
	}
	if burst <= 0 {
		burst = defaultPublicBurst
	}
	return &rateLimiter{
		rate: rate, burst: float64(burst), now: time.Now,
		buckets: map[string]*tokenBucket{}, lastSweep: time.Now(),
	}
}

// take spends one token of key's bucket. When none is left it reports false and how long
// until the next token.
func (l *rateLimiter) take(key string) (bool, time.Duration) {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()

	b, ok := l.buckets[key]
	if !ok {
		l.makeRoom(now)
		b = &tokenBucket{tokens: l.burst, at: now}
		l.buckets[key] = b
	}
	b.tokens = min(l.burst, b.tokens+now.Sub(b.at).Seconds()*l.rate)
	b.at = now
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	wait := time.Duration((1 - b.tokens) / l.rate * float64(time.Second))
	return false, wait
}

// makeRoom forgets the addresses whose buckets are full again, once a minute or when the table
// is full. If it is still full after that (requests from very many addresses at once), it is
// emptied: every address starts again with a full bucket rather than the table growing
// without bound.
func (l *rateLimiter) makeRoom(now time.Time) {
	if now.Sub(l.lastSweep) < rateSweepEvery && len(l.buckets) < maxRateClients {
		return
	}
	l.lastSweep = now
	refill := time.Duration(l.burst / l.rate * float64(time.Second))
	for k, b := range l.buckets {
		if now.Sub(b.at) >= refill {
			delete(l.buckets, k)
		}
	}
	if len(l.buckets) >= maxRateClients {
		clear(l.buckets)
	}
}

// clientKey is the address a client is limited by: its IP as the connection shows it (Fiber's
// c.IP(); no proxy header is trusted), and for IPv6 its /64 network, which one subscriber
// usually holds whole.
func clientKey(c *fiber.Ctx) string {
	ip := net.ParseIP(c.IP())
	if ip == nil {
		return c.IP()
	}
	if ip.To4() == nil {
		return ip.Mask(net.CIDRMask(64, 128)).String()
	}
	return ip.String()
}

// limit answers 429 with Retry-After when the client has used up its requests.
func (l *rateLimiter) limit(c *fiber.Ctx) error {
	ok, wait := l.take(clientKey(c))
	if ok {
		return nil
	}
	secs := max(1, int(math.Ceil(wait.Seconds())))
	c.Set(fiber.HeaderRetryAfter, strconv.Itoa(secs))
	return newHTTPError(http.StatusTooManyRequests,
		"请求过于频繁，请"+strconv.Itoa(secs)+"秒后再试 (too many requests; retry after "+strconv.Itoa(secs)+" s)")
}

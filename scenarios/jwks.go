package scenarios

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/onsi/ginkgo/v2"

	"github.com/serverless-auth/serverless-auth/fakeauth0"
)

// A bounded JWKS client may fetch in a burst and then at a steady rate:
// jwks-rsa's rate limiter allows 10 a minute, keyfunc/v3 one refresh for
// unknown kids every 5 minutes, this project's authorizer one a second under
// JWKS_MIN_REFRESH_INTERVAL=1s. The suite allows a burst of limiterBurst
// and then one fetch a second, the most any of those make, and sends far
// more requests than that, fast, so that fetching per request or per kid
// shows as a count close to the number of requests.
const limiterBurst = 10

// fetchBound is the most JWKS requests a bounded client makes in elapsed.
func fetchBound(elapsed time.Duration) int64 {
	return limiterBurst + int64(elapsed/time.Second)
}

// fetchMeasure is a count of JWKS requests over some invocations.
type fetchMeasure struct {
	fetches     int64
	invocations int
	elapsed     time.Duration
}

// String gives the measured rate, for failure messages.
func (m fetchMeasure) String() string {
	rate := float64(m.fetches) / max(m.elapsed.Seconds(), 0.001)
	return fmt.Sprintf("%d JWKS requests for %d invocations in %s (%.1f a second)", m.fetches, m.invocations, m.elapsed.Round(time.Millisecond), rate)
}

// bounded reports whether the count is what a rate-limited client makes.
func (m fetchMeasure) bounded() bool { return m.fetches <= fetchBound(m.elapsed) }

// boundMessage explains a count over the bound.
func (m fetchMeasure) boundMessage(what string) string {
	return fmt.Sprintf("%s: expected at most %d JWKS requests (a burst of %d, then one a second), measured %s: the tenant is fetched per request or per kid, not at a bounded rate",
		what, fetchBound(m.elapsed), limiterBurst, m)
}

// fetchCounts registers AUTH-13 on one fresh function: 40 valid tokens,
// then a flood of 200 tokens with unknown kids; the measurements run once,
// before the specs that judge them.
func (s *suite) fetchCounts() {
	ginkgo.Describe("JWKS fetches on a warm function", ginkgo.Ordered, ginkgo.ContinueOnFailure, func() {
		const valid, flood = 40, 200
		var validFetches, floodFetches fetchMeasure
		var refused []decision
		var floodAllowed []decision
		var failures []decision
		ginkgo.BeforeAll(func() {
			if !s.applicable("AUTH-13") {
				return
			}
			t := s.newTenant()
			fn := s.newFunction(s.cfg.Authorizer, s.environment(t, nil))
			began := time.Now()
			for i := range valid {
				claims := t.Claims(fakeauth0.DefaultReaderID)
				claims["jti"] = fmt.Sprintf("token-%d", i)
				if d := s.authorize(fn, bearer(t.Mint(claims)), methodARN); d.status != http.StatusOK {
					refused = append(refused, d)
					if d.late || d.initErr != nil {
						failures = append(failures, d)
					}
				}
			}
			validFetches = fetchMeasure{t.JWKSRequests(), valid, time.Since(began)}

			// Sequential, so that it is one warm instance's behaviour that is
			// counted: concurrent invocations would start more instances, each
			// with its own initial fetch, as Lambda does.
			before := t.JWKSRequests()
			began = time.Now()
			for i := range flood {
				token := t.Mint(t.Claims(fakeauth0.DefaultReaderID), fakeauth0.WithHeader("kid", fmt.Sprintf("unknown-%d", i)))
				d := s.authorize(fn, bearer(token), methodARN)
				if d.status == http.StatusOK {
					floodAllowed = append(floodAllowed, d)
				}
				if d.late || d.initErr != nil {
					failures = append(failures, d)
				}
			}
			floodFetches = fetchMeasure{t.JWKSRequests() - before, flood, time.Since(began)}
		})
		measured := func() {
			ginkgo.GinkgoHelper()
			if len(failures) > 0 {
				failures[0].raiseIfLate()
				ginkgo.Fail(fmt.Sprintf("the fetches could not be counted: %d invocations got no answer in time, the first: %s", len(failures), failures[0]))
			}
		}

		ginkgo.It("AUTH-13: 40 valid tokens fetch the JWKS at a bounded rate", specLabels("AUTH-13", Required), func() {
			s.require("AUTH-13")
			measured()
			expectf(validFetches.bounded(), "%s", validFetches.boundMessage("40 valid tokens"))
		})
		ginkgo.It("AUTH-13: 40 valid tokens fetch the JWKS once", specLabels("AUTH-13", Recommended), func() {
			s.require("AUTH-13")
			measured()
			expectf(validFetches.fetches == 1, "40 valid tokens: expected 1 JWKS request (the keys cached), measured %s", validFetches)
		})
		ginkgo.It("AUTH-13: 40 valid tokens are all allowed (the key cache never refuses a known kid)", specLabels("AUTH-13", Recommended), func() {
			s.require("AUTH-13")
			measured()
			if len(refused) > 0 {
				ginkgo.Fail(fmt.Sprintf("expected 40 Allows, got %d refusals, the first: %s", len(refused), refused[0]))
			}
		})
		ginkgo.It("AUTH-13: a flood of 200 unknown kids fetches the JWKS at a bounded rate", specLabels("AUTH-13", Required), func() {
			s.require("AUTH-13")
			measured()
			expectf(floodFetches.bounded(), "%s", floodFetches.boundMessage("200 tokens with unknown kids"))
		})
		ginkgo.It("AUTH-13: a flood of unknown kids is refused", specLabels("AUTH-13", Required), func() {
			s.require("AUTH-13")
			if len(floodAllowed) > 0 {
				ginkgo.Fail(fmt.Sprintf("expected no Allow for a token with an unknown kid, got %d, the first: %s", len(floodAllowed), floodAllowed[0]))
			}
		})
	})
}

// outage describes one way the JWKS endpoint fails.
type outage struct {
	what  string
	fault fakeauth0.Fault
	// quick faults answer at once, so the suite can send enough requests
	// during them to count fetches.
	quick bool
}

var outages = []outage{
	{"answering 503", fakeauth0.Fault{Status: 503}, true},
	{"answering 404", fakeauth0.Fault{Status: 404}, true},
	{"slower than the deadline", fakeauth0.Fault{Delay: time.Minute}, false},
	{"answering garbage", fakeauth0.Fault{Body: []byte("<html>upstream error</html>")}, true},
	{"answering an empty key set", fakeauth0.Fault{EmptySet: true}, true},
	{"dropping the connection", fakeauth0.Fault{Drop: true}, true},
}

// outageInvocations is how many invocations a cold function gets during a
// quick outage: twice the limiter burst, so a limiter and fetching per
// invocation differ; a slow outage gets three, each up to the deadline.
const outageInvocations = 2 * limiterBurst

// outages registers AUTH-14: a JWKS outage at start and one on a warm
// function, each fault in its own container whose specs judge one property
// each of the same run.
func (s *suite) outages() {
	for _, o := range outages {
		s.coldOutage(o)
	}
	for _, o := range outages {
		s.warmOutage(o)
	}
}

// coldOutage: a function started while the JWKS fails refuses within its
// deadline, at a bounded fetch rate, and allows again once the tenant is
// back (a fresh init after a failed one counts, as Lambda does it).
func (s *suite) coldOutage(o outage) {
	ginkgo.Describe("cold start with the JWKS "+o.what, ginkgo.Ordered, ginkgo.ContinueOnFailure, func() {
		var during []decision
		var fetches fetchMeasure
		var recovered decision
		var waited time.Duration
		ginkgo.BeforeAll(func() {
			if !s.applicable("AUTH-14") {
				return
			}
			t := s.newTenant()
			t.SetJWKSFault(o.fault)
			fn := s.newFunction(s.cfg.Authorizer, s.environment(t, nil))
			n := outageInvocations
			if !o.quick {
				n = 3
			}
			token := validBearer(t)
			began := time.Now()
			for range n {
				d := s.authorize(fn, token, methodARN)
				during = append(during, d)
				if errors.Is(d.initErr, errGaveUp) {
					break
				}
			}
			fetches = fetchMeasure{t.JWKSRequests(), len(during), time.Since(began)}
			t.ClearJWKSFault()
			fn.forgive()
			recovered, waited = s.pollAllow(fn, validBearer(t))
		})
		ginkgo.It("AUTH-14: JWKS "+o.what+" at start: no Allow, and an answer within the deadline", specLabels("AUTH-14", Required), func() {
			s.require("AUTH-14")
			for i, d := range during {
				expectNoAllowInTime(d, fmt.Sprintf("a valid token during the outage (invocation %d of %d)", i+1, len(during)))
			}
		})
		ginkgo.It("AUTH-14: JWKS "+o.what+" at start: the refusal is Unauthorized (401), not an error (500)", specLabels("AUTH-14", Recommended), func() {
			s.require("AUTH-14")
			for i, d := range during {
				expectRefused(d, fmt.Sprintf("a valid token during the outage (invocation %d of %d)", i+1, len(during)))
			}
		})
		if o.quick {
			ginkgo.It("AUTH-14: JWKS "+o.what+" at start: fetches at a bounded rate", specLabels("AUTH-14", Recommended), func() {
				s.require("AUTH-14")
				expectf(fetches.bounded(), "%s", fetches.boundMessage(fmt.Sprintf("%d invocations during the outage", len(during))))
			})
		}
		ginkgo.It("AUTH-14: JWKS "+o.what+" at start: allows again once the tenant is back", specLabels("AUTH-14", Recommended), func() {
			s.require("AUTH-14")
			expectAllowed(recovered, fmt.Sprintf("a valid token once the JWKS recovered, retried for %s (at most %s)", waited.Round(time.Millisecond), recoveryTimeout))
		})
	})
}

// warmOutage: a warm function whose JWKS fails refuses an unknown kid
// within its deadline (trying to refresh into the outage) and keeps
// verifying with the keys it has.
func (s *suite) warmOutage(o outage) {
	ginkgo.Describe("warm function with the JWKS "+o.what, ginkgo.Ordered, ginkgo.ContinueOnFailure, func() {
		var unknown, known []decision
		ginkgo.BeforeAll(func() {
			if !s.applicable("AUTH-14") {
				return
			}
			t := s.newTenant()
			fn := s.newFunction(s.cfg.Authorizer, s.environment(t, nil))
			token := validBearer(t)
			s.authorize(fn, token, methodARN)
			t.SetJWKSFault(o.fault)
			// An unknown kid makes the function try to refresh into the outage,
			// now and again once a one-second limit lets it.
			for i := range 3 {
				if i > 0 && !unknown[i-1].timedOut() {
					time.Sleep(600 * time.Millisecond)
				}
				stranger := t.Mint(t.Claims(fakeauth0.DefaultReaderID), fakeauth0.WithHeader("kid", "rotated-away"))
				unknown = append(unknown, s.authorize(fn, bearer(stranger), methodARN))
				known = append(known, s.authorize(fn, token, methodARN))
			}
		})
		ginkgo.It("AUTH-14: JWKS "+o.what+" on a warm function: an unknown kid is refused within the deadline", specLabels("AUTH-14", Required), func() {
			s.require("AUTH-14")
			for i, d := range unknown {
				expectNoAllowInTime(d, fmt.Sprintf("a token with an unknown kid during the outage (attempt %d of %d)", i+1, len(unknown)))
			}
		})
		ginkgo.It("AUTH-14: JWKS "+o.what+" on a warm function: the last good keys still verify", specLabels("AUTH-14", Recommended), func() {
			s.require("AUTH-14")
			for i, d := range known {
				expectAllowed(d, fmt.Sprintf("a valid token during the outage, after an unknown kid (attempt %d of %d)", i+1, len(known)))
			}
		})
	})
}

package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"time"
)

// load is one load-generation run: conns concurrent keep-alive
// connections sending GET requests to a 127.0.0.1 URL until maxRequests
// have been sent or maxDuration has passed, whichever comes first.
type load struct {
	url           string
	authorization string // Authorization header; "" for none
	conns         int
	maxRequests   int
	maxDuration   time.Duration
	wantStatus    int
}

// loadResult is what a run measured.
type loadResult struct {
	Requests  int           // completed with the wanted status
	Elapsed   time.Duration // from the first request to the last answer
	Latencies []time.Duration
}

// RPS is completed requests per second.
func (r loadResult) RPS() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Requests) / r.Elapsed.Seconds()
}

// errNotLoopback refuses any target that is not on 127.0.0.1.
var errNotLoopback = errors.New("load generator: target must be http://127.0.0.1")

// checkLoopback returns an error unless raw is an http URL on 127.0.0.1.
func checkLoopback(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "http" || u.Hostname() != "127.0.0.1" {
		return errNotLoopback
	}
	return nil
}

// run generates the load. Any unexpected status or transport error ends
// the run with an error.
func (l load) run(ctx context.Context) (loadResult, error) {
	if err := checkLoopback(l.url); err != nil {
		return loadResult{}, err
	}
	if l.conns <= 0 || l.maxRequests <= 0 || l.maxDuration <= 0 {
		return loadResult{}, fmt.Errorf("load generator: conns, maxRequests and maxDuration must be positive")
	}
	dialer := &net.Dialer{Timeout: 5 * time.Second}
	transport := &http.Transport{
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			host, _, err := net.SplitHostPort(addr)
			if err != nil || host != "127.0.0.1" {
				return nil, errNotLoopback
			}
			return dialer.DialContext(ctx, network, addr)
		},
		MaxIdleConns:        l.conns,
		MaxIdleConnsPerHost: l.conns,
		MaxConnsPerHost:     l.conns,
		DisableCompression:  true,
	}
	defer transport.CloseIdleConnections()
	client := &http.Client{Transport: transport, Timeout: 30 * time.Second}

	ctx, cancel := context.WithTimeout(ctx, l.maxDuration)
	defer cancel()
	var (
		issued   atomic.Int64
		mu       sync.Mutex
		lat      = make([]time.Duration, 0, l.maxRequests)
		firstErr error
		wg       sync.WaitGroup
	)
	start := time.Now()
	for range l.conns {
		wg.Go(func() {
			mine := make([]time.Duration, 0, l.maxRequests/l.conns+1)
			defer func() {
				mu.Lock()
				lat = append(lat, mine...)
				mu.Unlock()
			}()
			for ctx.Err() == nil && issued.Add(1) <= int64(l.maxRequests) {
				d, err := l.once(ctx, client)
				if err != nil {
					if ctx.Err() == nil {
						mu.Lock()
						if firstErr == nil {
							firstErr = err
						}
						mu.Unlock()
						cancel()
					}
					return
				}
				mine = append(mine, d)
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	if firstErr != nil {
		return loadResult{}, firstErr
	}
	return loadResult{Requests: len(lat), Elapsed: elapsed, Latencies: lat}, nil
}

// once sends one request and reads the whole answer.
func (l load) once(ctx context.Context, client *http.Client) (time.Duration, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, l.url, nil)
	if err != nil {
		return 0, err
	}
	if l.authorization != "" {
		req.Header.Set("Authorization", l.authorization)
	}
	start := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	d := time.Since(start)
	if err != nil {
		return 0, err
	}
	if resp.StatusCode != l.wantStatus {
		return 0, fmt.Errorf("load generator: status %d, want %d", resp.StatusCode, l.wantStatus)
	}
	return d, nil
}

package fakegateway

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"
)

// Server is a Gateway listening on a loopback port, in the manner of httptest.Server.
type Server struct {
	// URL is the base URL, http://127.0.0.1:PORT, without the stage.
	URL string
	// Gateway is the handler being served.
	Gateway *Gateway

	loop *loopback
}

// NewServer builds a Gateway (see New) and serves it on 127.0.0.1 on a free port.
func NewServer(cfg Config, functions map[string]Function, opts ...Option) (*Server, error) {
	gw, err := New(cfg, functions, opts...)
	if err != nil {
		return nil, err
	}
	loop, url, err := serveLoopback(gw, gw.logger)
	if err != nil {
		return nil, err
	}
	return &Server{URL: url, Gateway: gw, loop: loop}, nil
}

// StageURL is URL + "/" + stage: the API's invoke URL.
func (s *Server) StageURL() string { return s.URL + "/" + s.Gateway.Stage() }

// Close stops the listener and closes every connection; it is safe to call more than once.
func (s *Server) Close() { s.loop.close(nil) }

// loopback serves a handler on 127.0.0.1 until closed; Server and HTTPServer run on it.
type loopback struct {
	server *http.Server
	done   chan struct{}
	once   sync.Once
}

// serveLoopback listens on a free 127.0.0.1 port and serves h there, logging a failure to serve
// to logger; it returns the base URL, http://127.0.0.1:PORT.
func serveLoopback(h http.Handler, logger *slog.Logger) (*loopback, string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, "", fmt.Errorf("fakegateway: listen: %w", err)
	}
	l := &loopback{
		server: &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second},
		done:   make(chan struct{}),
	}
	go func() {
		defer close(l.done)
		if err := l.server.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			logger.Error("serve", "error", err.Error())
		}
	}()
	return l, "http://" + ln.Addr().String(), nil
}

// close stops the listener, closes every connection, waits for the server to stop, then runs
// then (when not nil); only the first call does anything.
func (l *loopback) close(then func()) {
	l.once.Do(func() {
		_ = l.server.Close()
		<-l.done
		if then != nil {
			then()
		}
	})
}

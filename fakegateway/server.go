package fakegateway

import (
	"errors"
	"fmt"
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

	server *http.Server
	done   chan struct{}
	once   sync.Once
}

// NewServer builds a Gateway (see New) and serves it on 127.0.0.1 on a free port.
func NewServer(cfg Config, functions map[string]Function, opts ...Option) (*Server, error) {
	gw, err := New(cfg, functions, opts...)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("fakegateway: listen: %w", err)
	}
	s := &Server{
		URL:     "http://" + ln.Addr().String(),
		Gateway: gw,
		server:  &http.Server{Handler: gw, ReadHeaderTimeout: 10 * time.Second},
		done:    make(chan struct{}),
	}
	go func() {
		defer close(s.done)
		if err := s.server.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			gw.logger.Error("serve", "error", err.Error())
		}
	}()
	return s, nil
}

// StageURL is URL + "/" + stage: the API's invoke URL.
func (s *Server) StageURL() string { return s.URL + "/" + s.Gateway.Stage() }

// Close stops the listener and closes every connection; it is safe to call more than once.
func (s *Server) Close() {
	s.once.Do(func() {
		_ = s.server.Close()
		<-s.done
	})
}

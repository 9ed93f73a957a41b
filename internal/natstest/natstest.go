// Package natstest starts embedded NATS servers with JetStream for tests:
// one call gives a running server on a random port of 127.0.0.1 with its
// store in a test's temporary directory, shut down when the test ends.
//
//	func TestSomething(t *testing.T) {
//		s := natstest.Start(t)
//		nc, js := s.Connect(t)
//		...
//	}
//
// Restart and Stop let fault-tolerance tests take the server away and bring
// it back with the same port and store.
package natstest

import (
	"net"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// readyTimeout bounds how long Start waits for the server to accept clients.
const readyTimeout = 10 * time.Second

// Server is an embedded NATS server with JetStream, started by Start.
// Its methods are not safe for concurrent use.
type Server struct {
	// Server is the running server. Restart replaces it.
	*server.Server
	opts server.Options
}

// Start starts a NATS server with JetStream enabled, listening on a random
// port of 127.0.0.1, with its JetStream store in tb.TempDir() and logging
// off. Each configure function may change the options before the server
// starts (say, to set MaxPayload or a cluster). The server shuts down when
// tb ends; Start fails tb if the server does not start.
func Start(tb testing.TB, configure ...func(*server.Options)) *Server {
	tb.Helper()
	opts := server.Options{
		Host:      "127.0.0.1",
		Port:      server.RANDOM_PORT,
		JetStream: true,
		StoreDir:  tb.TempDir(),
		NoLog:     true,
		NoSigs:    true,
	}
	for _, c := range configure {
		c(&opts)
	}
	s := &Server{opts: opts}
	s.start(tb)
	// Later restarts reuse the port first given, so clients reconnect.
	if a, ok := s.Addr().(*net.TCPAddr); ok {
		s.opts.Port = a.Port
	}
	tb.Cleanup(s.Stop)
	return s
}

// start starts a server with s.opts.
func (s *Server) start(tb testing.TB) {
	tb.Helper()
	opts := s.opts // the server keeps and changes its copy
	ns, err := server.NewServer(&opts)
	if err != nil {
		tb.Fatalf("natstest: new server: %v", err)
	}
	ns.Start()
	if !ns.ReadyForConnections(readyTimeout) {
		ns.Shutdown()
		tb.Fatalf("natstest: server not ready for connections after %v", readyTimeout)
	}
	s.Server = ns
}

// URL returns the URL that clients connect to, such as
// "nats://127.0.0.1:39211".
func (s *Server) URL() string { return s.ClientURL() }

// Stop shuts the server down and waits until it is down. Stopping a stopped
// server does nothing.
func (s *Server) Stop() {
	if s.Server == nil {
		return
	}
	s.Shutdown()
	s.WaitForShutdown()
}

// Restart stops the server if it runs and starts a new one with the same
// port and JetStream store, so streams, buckets and their data survive and
// clients that reconnect find them again.
func (s *Server) Restart(tb testing.TB) {
	tb.Helper()
	s.Stop()
	s.start(tb)
}

// Connect connects to the server, and closes the connection when tb ends.
// The client reconnects without limit, so it survives Restart.
func (s *Server) Connect(tb testing.TB) (*nats.Conn, jetstream.JetStream) {
	tb.Helper()
	nc, err := nats.Connect(s.URL(),
		nats.Name("natstest"),
		nats.MaxReconnects(-1),
		nats.ReconnectWait(50*time.Millisecond),
	)
	if err != nil {
		tb.Fatalf("natstest: connect to %s: %v", s.URL(), err)
	}
	tb.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		tb.Fatalf("natstest: jetstream: %v", err)
	}
	return nc, js
}

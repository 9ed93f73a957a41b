package cluster

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strconv"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// ServerConfig configures a NATS server with JetStream run inside this
// process: what cluster.New starts for local workers, and what `cairn
// server` runs for many machines. The zero value listens on 127.0.0.1, a
// free port, with its storage in a new temporary directory.
type ServerConfig struct {
	// Host and Port to listen on for clients. Default 127.0.0.1, a free
	// port (0); use 0.0.0.0 (or an interface's address) for other hosts.
	Host string
	Port int
	// StoreDir holds JetStream's data. Default: a new temporary directory,
	// removed by Shutdown.
	StoreDir string
	// Name names this server in a cluster (default: generated).
	Name string
	// ClusterName, ClusterListen ("host:port") and Routes ("nats://h:p" of
	// the other servers' cluster listeners) join this server to a JetStream
	// cluster: run three, each with the others as routes.
	ClusterName   string
	ClusterListen string
	Routes        []string
	// MaxPayload is the largest message, in bytes (default 8 MiB).
	MaxPayload int32
	// Log makes the server log to standard error.
	Log bool
}

// Server is a running NATS server with JetStream.
type Server struct {
	s       *server.Server
	tempDir string
}

// StartServer starts a NATS server with JetStream and waits until it
// accepts clients.
func StartServer(ctx context.Context, cfg ServerConfig) (*Server, error) {
	if cfg.Host == "" {
		cfg.Host = "127.0.0.1"
	}
	if cfg.Port == 0 {
		cfg.Port = server.RANDOM_PORT
	}
	if cfg.MaxPayload == 0 {
		cfg.MaxPayload = 8 << 20
	}
	srv := &Server{}
	if cfg.StoreDir == "" {
		dir, err := os.MkdirTemp("", "cairn-nats-")
		if err != nil {
			return nil, fmt.Errorf("cluster: server: %w", err)
		}
		cfg.StoreDir, srv.tempDir = dir, dir
	}
	opts := &server.Options{
		ServerName: cfg.Name,
		Host:       cfg.Host,
		Port:       cfg.Port,
		JetStream:  true,
		StoreDir:   cfg.StoreDir,
		MaxPayload: cfg.MaxPayload,
		NoLog:      !cfg.Log,
		NoSigs:     true,
	}
	if cfg.ClusterListen != "" || len(cfg.Routes) > 0 {
		if cfg.ClusterName == "" {
			cfg.ClusterName = "cairn"
		}
		host, port, err := net.SplitHostPort(cfg.ClusterListen)
		if err != nil {
			srv.cleanup()
			return nil, fmt.Errorf("cluster: server: cluster listen address %q: want host:port: %w", cfg.ClusterListen, err)
		}
		p, err := strconv.Atoi(port)
		if err != nil {
			srv.cleanup()
			return nil, fmt.Errorf("cluster: server: cluster listen port %q: %w", port, err)
		}
		opts.Cluster = server.ClusterOpts{Name: cfg.ClusterName, Host: host, Port: p}
		for _, r := range cfg.Routes {
			u, err := url.Parse(r)
			if err != nil || u.Host == "" {
				srv.cleanup()
				return nil, fmt.Errorf("cluster: server: route %q: want nats://host:port", r)
			}
			opts.Routes = append(opts.Routes, u)
		}
		if opts.ServerName == "" {
			h, _ := os.Hostname()
			opts.ServerName = fmt.Sprintf("%s-%s", h, port)
		}
	}
	ns, err := server.NewServer(opts)
	if err != nil {
		srv.cleanup()
		return nil, fmt.Errorf("cluster: server: %w", err)
	}
	if cfg.Log {
		ns.ConfigureLogger()
	}
	ns.Start()
	deadline := 10 * time.Second
	if d, ok := ctx.Deadline(); ok {
		deadline = time.Until(d)
	}
	if !ns.ReadyForConnections(deadline) {
		ns.Shutdown()
		srv.cleanup()
		return nil, errors.New("cluster: server: not ready for connections (port in use?)")
	}
	srv.s = ns
	return srv, nil
}

// URL is the URL clients connect to, such as nats://127.0.0.1:4222.
func (s *Server) URL() string { return s.s.ClientURL() }

// JetStreamReady reports whether JetStream answers (in a cluster: once a
// meta leader is elected).
func (s *Server) JetStreamReady() bool { return s.s.JetStreamIsCurrent() }

// Shutdown stops the server and removes its temporary storage.
func (s *Server) Shutdown() {
	s.s.Shutdown()
	s.s.WaitForShutdown()
	s.cleanup()
}

func (s *Server) cleanup() {
	if s.tempDir != "" {
		_ = os.RemoveAll(s.tempDir)
	}
}

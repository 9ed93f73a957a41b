package dash

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"
)

// Serve serves d on addr until ctx is done, and returns the dashboard's URL
// as soon as it listens. An empty addr means "127.0.0.1:0": the loopback
// interface, on a free port. A host of its own ("0.0.0.0:8080") makes the
// dashboard reachable from other machines; it has no authentication.
//
//	d := dash.New(nil)
//	url, err := dash.Serve(ctx, "", d)
//	s := cairn.New(&cairn.Config{Listeners: []cairn.Listener{d}})
//
// When ctx is done the server stops: open pages lose their connection.
func Serve(ctx context.Context, addr string, d *Dashboard) (string, error) {
	if d == nil {
		return "", errors.New("dash: Serve needs a *Dashboard: make one with dash.New")
	}
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return "", fmt.Errorf("dash: listen on %s: %w (is the port taken? use :0 for a free one)", addr, err)
	}
	srv := &http.Server{
		Handler:           d,
		ReadHeaderTimeout: 10 * time.Second,
		BaseContext:       func(net.Listener) context.Context { return ctx },
	}
	go srv.Serve(ln)
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
		defer cancel()
		if srv.Shutdown(sctx) != nil {
			srv.Close()
		}
	}()
	return "http://" + urlHost(ln.Addr()) + "/", nil
}

// urlHost is the host:port to put in a URL for a listener's address: an
// unspecified IP (":8080") becomes the loopback address.
func urlHost(a net.Addr) string {
	ta, ok := a.(*net.TCPAddr)
	if !ok {
		return a.String()
	}
	ip := ta.IP
	if ip == nil || ip.IsUnspecified() {
		ip = net.IPv4(127, 0, 0, 1)
	}
	return net.JoinHostPort(ip.String(), fmt.Sprint(ta.Port))
}

package cluster

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/cairnlabs/cairn/codec"
)

// The data plane: each worker (and the driver, for values it holds)
// serves its values over HTTP at GET /chunk/<number>, to requests that
// carry the session's secret; others fetch a task's inputs from there.

const (
	secretHeader = "X-Cairn-Secret"
	codecHeader  = "X-Cairn-Codec"
)

// dataServer serves a chunk store.
type dataServer struct {
	store  *chunkStore
	secret func() string // the current session's secret
	srv    *http.Server
	ln     net.Listener
	sent   atomic.Int64 // bytes served
}

// serveData listens on host (an address other processes can reach; port
// 0 picks one) and serves store.
func serveData(host string, store *chunkStore, secret func() string) (*dataServer, error) {
	ln, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		return nil, fmt.Errorf("cluster: data plane: listen on %s: %w (set %s to an address of this host)", host, err, EnvAdvertise)
	}
	d := &dataServer{store: store, secret: secret, ln: ln}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /chunk/{n}", d.chunk)
	d.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = d.srv.Serve(ln) }()
	return d, nil
}

// addr is host:port to fetch from.
func (d *dataServer) addr() string { return d.ln.Addr().String() }

func (d *dataServer) close() { _ = d.srv.Close() }

func (d *dataServer) chunk(w http.ResponseWriter, r *http.Request) {
	want := d.secret()
	if want == "" || subtle.ConstantTimeCompare([]byte(r.Header.Get(secretHeader)), []byte(want)) != 1 {
		http.Error(w, "cairn: wrong or missing session secret", http.StatusUnauthorized)
		return
	}
	n, err := strconv.ParseUint(r.PathValue("n"), 10, 64)
	if err != nil {
		http.Error(w, "cairn: bad chunk number", http.StatusBadRequest)
		return
	}
	id, data, f, size, err := d.store.open(n)
	if errors.Is(err, errNoChunk) {
		http.Error(w, "cairn: no such chunk", http.StatusNotFound)
		return
	} else if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set(codecHeader, strconv.Itoa(int(id)))
	w.Header().Set("Content-Length", strconv.FormatInt(size, 10))
	w.Header().Set("Content-Type", "application/octet-stream")
	if f != nil {
		defer f.Close()
		n, _ := io.Copy(w, f)
		d.sent.Add(n)
		return
	}
	m, _ := w.Write(data)
	d.sent.Add(int64(m))
}

// errGone marks a fetch whose value is gone: its holder does not answer,
// or no longer has it. The task that needed it is lost, not failed.
var errGone = errors.New("value gone")

// fetcher fetches values from other processes' data planes.
type fetcher struct {
	client *http.Client
	recv   atomic.Int64 // bytes received
}

func newFetcher() *fetcher {
	tr := &http.Transport{
		Proxy:               nil,
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConnsPerHost: 32,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
		ReadBufferSize:      256 << 10,
		WriteBufferSize:     64 << 10,
	}
	return &fetcher{client: &http.Client{Transport: tr}}
}

// fetch returns value n from the data plane at addr. An error matching
// errGone means the value is not there any more.
func (f *fetcher) fetch(ctx context.Context, addr string, n uint64, secret string) (any, int64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/chunk/"+strconv.FormatUint(n, 10), nil)
	if err != nil {
		return nil, 0, err
	}
	req.Header.Set(secretHeader, secret)
	resp, err := f.client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, 0, ctx.Err()
		}
		return nil, 0, fmt.Errorf("%w: %s does not answer: %v", errGone, addr, err)
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusOK:
	case http.StatusNotFound:
		return nil, 0, fmt.Errorf("%w: %s no longer holds chunk %d", errGone, addr, n)
	default:
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return nil, 0, fmt.Errorf("cluster: fetching chunk %d from %s: %s: %s", n, addr, resp.Status, msg)
	}
	id, err := strconv.Atoi(resp.Header.Get(codecHeader))
	if err != nil || id < 0 || id > 255 {
		return nil, 0, fmt.Errorf("cluster: fetching chunk %d from %s: bad codec header %q", n, addr, resp.Header.Get(codecHeader))
	}
	if resp.ContentLength < 0 {
		return nil, 0, fmt.Errorf("cluster: fetching chunk %d from %s: no length", n, addr)
	}
	buf := make([]byte, resp.ContentLength)
	if _, err := io.ReadFull(resp.Body, buf); err != nil {
		if ctx.Err() != nil {
			return nil, 0, ctx.Err()
		}
		return nil, 0, fmt.Errorf("%w: reading chunk %d from %s: %v", errGone, n, addr, err)
	}
	f.recv.Add(int64(len(buf)))
	v, err := codec.Unmarshal(codec.ID(id), buf, nil)
	if err != nil {
		return nil, 0, fmt.Errorf("cluster: chunk %d from %s: %w", n, addr, err)
	}
	return v, int64(len(buf)), nil
}

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
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/cairnlabs/cairn/codec"
)

// The data plane: each worker (and the driver, for values it holds)
// serves its values over HTTP at GET /chunk/<number>, to requests that
// carry the session's secret; others fetch a task's inputs from there.

const (
	secretHeader = "X-Cairn-Secret"
	codecHeader  = "X-Cairn-Codec"
	sizeHeader   = "X-Cairn-Size"
)

// Values of at least splitAt bytes are fetched in parallel ranges over
// several connections: the copies in and out of the kernel then use every
// core.
const (
	splitAt = 8 << 20
	ranges  = 4
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
	lc := net.ListenConfig{Control: bigBuffers}
	ln, err := lc.Listen(context.Background(), "tcp", net.JoinHostPort(host, "0"))
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
	if f != nil {
		defer f.Close()
	}
	off, length := int64(0), size
	status := http.StatusOK
	if rg := r.Header.Get("Range"); rg != "" {
		if off, length, err = parseRange(rg, size); err != nil {
			http.Error(w, "cairn: "+err.Error(), http.StatusRequestedRangeNotSatisfiable)
			return
		}
		status = http.StatusPartialContent
	}
	w.Header().Set(codecHeader, strconv.Itoa(int(id)))
	w.Header().Set(sizeHeader, strconv.FormatInt(size, 10))
	w.Header().Set("Content-Length", strconv.FormatInt(length, 10))
	w.Header().Set("Content-Type", "application/octet-stream")
	w.WriteHeader(status)
	if f != nil {
		n, _ := io.Copy(w, io.NewSectionReader(f, off, length))
		d.sent.Add(n)
		return
	}
	m, _ := w.Write(data[off : off+length])
	d.sent.Add(int64(m))
}

// parseRange reads "bytes=a-b" (b inclusive) against a value of size bytes.
func parseRange(h string, size int64) (off, length int64, err error) {
	a, b, ok := strings.Cut(strings.TrimPrefix(h, "bytes="), "-")
	first, err1 := strconv.ParseInt(a, 10, 64)
	last, err2 := strconv.ParseInt(b, 10, 64)
	if !ok || err1 != nil || err2 != nil || first < 0 || last < first || last >= size {
		return 0, 0, fmt.Errorf("bad range %q for %d bytes", h, size)
	}
	return first, last - first + 1, nil
}

// errGone marks a fetch whose value is gone: its holder does not answer,
// or no longer has it. The task that needed it is lost, not failed.
var errGone = errors.New("value gone")

// bigBuffers asks for large socket buffers: values are megabytes, and
// small buffers cost a wake-up per few hundred kilobytes.
func bigBuffers(network, address string, c syscall.RawConn) error {
	return c.Control(func(fd uintptr) {
		_ = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 8<<20)
		_ = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_SNDBUF, 8<<20)
	})
}

// fetcher fetches values from other processes' data planes.
type fetcher struct {
	client *http.Client
	recv   atomic.Int64 // bytes received
	nanos  atomic.Int64 // time spent fetching, request to decoded value
}

func newFetcher() *fetcher {
	tr := &http.Transport{
		Proxy:               nil,
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second, Control: bigBuffers}).DialContext,
		MaxIdleConnsPerHost: 32,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
		ReadBufferSize:      256 << 10,
		WriteBufferSize:     64 << 10,
	}
	return &fetcher{client: &http.Client{Transport: tr}}
}

// fetch returns value n, of size bytes (0 if unknown), from the data
// plane at addr. An error matching errGone means the value is not there
// any more.
func (f *fetcher) fetch(ctx context.Context, addr string, n uint64, size int64, secret string) (any, int64, error) {
	start := time.Now()
	defer func() { f.nanos.Add(int64(time.Since(start))) }()
	var (
		id  int
		buf []byte
		err error
	)
	if size >= splitAt {
		id, buf, err = f.getRanges(ctx, addr, n, size, secret)
	} else {
		id, buf, err = f.get(ctx, addr, n, secret, 0, nil)
	}
	if err != nil {
		return nil, 0, err
	}
	f.recv.Add(int64(len(buf)))
	v, err := codec.Unmarshal(codec.ID(id), buf, nil)
	if err != nil {
		return nil, 0, fmt.Errorf("cluster: chunk %d from %s: %w", n, addr, err)
	}
	return v, int64(len(buf)), nil
}

// getRanges fetches a value in parallel ranges into one buffer.
func (f *fetcher) getRanges(ctx context.Context, addr string, n uint64, size int64, secret string) (int, []byte, error) {
	buf := make([]byte, size)
	part := (size + ranges - 1) / ranges
	ids := make([]int, ranges)
	errs := make([]error, ranges)
	var wg sync.WaitGroup
	for i := int64(0); i < ranges; i++ {
		lo, hi := i*part, min((i+1)*part, size)
		if lo >= hi {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			ids[i], _, errs[i] = f.get(ctx, addr, n, secret, lo, buf[lo:hi:hi])
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return 0, nil, err
		}
	}
	return ids[0], buf, nil
}

// get fetches value n whole, into a new buffer (dst nil), or its bytes
// from off into dst.
func (f *fetcher) get(ctx context.Context, addr string, n uint64, secret string, off int64, dst []byte) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/chunk/"+strconv.FormatUint(n, 10), nil)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set(secretHeader, secret)
	if dst != nil {
		req.Header.Set("Range", fmt.Sprintf("bytes=%d-%d", off, off+int64(len(dst))-1))
	}
	resp, err := f.client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return 0, nil, ctx.Err()
		}
		return 0, nil, fmt.Errorf("%w: %s does not answer: %v", errGone, addr, err)
	}
	defer resp.Body.Close()
	return f.read(ctx, resp, addr, n, dst)
}

// read checks a response and reads its body.
func (f *fetcher) read(ctx context.Context, resp *http.Response, addr string, n uint64, dst []byte) (int, []byte, error) {
	switch resp.StatusCode {
	case http.StatusOK, http.StatusPartialContent:
	case http.StatusNotFound:
		return 0, nil, fmt.Errorf("%w: %s no longer holds chunk %d", errGone, addr, n)
	default:
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return 0, nil, fmt.Errorf("cluster: fetching chunk %d from %s: %s: %s", n, addr, resp.Status, msg)
	}
	id, err := strconv.Atoi(resp.Header.Get(codecHeader))
	if err != nil || id < 0 || id > 255 {
		return 0, nil, fmt.Errorf("cluster: fetching chunk %d from %s: bad codec header %q", n, addr, resp.Header.Get(codecHeader))
	}
	if resp.ContentLength < 0 || dst != nil && resp.ContentLength != int64(len(dst)) {
		return 0, nil, fmt.Errorf("cluster: fetching chunk %d from %s: length %d, want %d", n, addr, resp.ContentLength, len(dst))
	}
	buf := dst
	if buf == nil {
		buf = make([]byte, resp.ContentLength)
	}
	if _, err := io.ReadFull(resp.Body, buf); err != nil {
		if ctx.Err() != nil {
			return 0, nil, ctx.Err()
		}
		return 0, nil, fmt.Errorf("%w: reading chunk %d from %s: %v", errGone, n, addr, err)
	}
	return id, buf, nil
}

package filestore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/cairnlabs/cairn/checkpoint"
	"github.com/cairnlabs/cairn/checkpoint/driver"
)

func init() { checkpoint.Register("file", openURL) }

const (
	entrySuffix = "~ck"  // an entry's file is its key's last segment + entrySuffix
	tempInfix   = "~tmp" // a temporary file is that segment + tempInfix + random digits
)

var errClosed = errors.New("filestore: store is closed")

// Options configure a Driver. The zero value (and a nil *Options) gives the
// defaults documented on each field.
type Options struct {
	// FS is the file system. Default: OS().
	FS FS
	// NoSync skips the fsync of each written file and of its directory.
	// Puts are then much faster but a crash (of the machine, not only of
	// the process) may leave an entry torn, which Get reports as corrupt.
	// Default: false (sync).
	NoSync bool
	// FileMode is the permission of entry files. Default: 0600.
	FileMode os.FileMode
	// DirMode is the permission of directories it creates. Default: 0700.
	DirMode os.FileMode
	// PackMax is the size of the largest entry appended to a shared pack
	// file instead of getting a file of its own: creating a file costs the
	// file system far more than appending a small record (50-500 µs against
	// about 1 µs on ext4), and a run writes many small checkpoints. 0 means
	// DefaultPackMax (64 KiB); a negative value puts every entry in a file of
	// its own. Entries already packed stay readable either way.
	PackMax int64
	// NoCreate makes Open fail with a *checkpoint.NoStoreError, creating
	// nothing, when the directory does not exist. Default: false (Open
	// creates it and its parents).
	NoCreate bool
	// Logger receives a warning for each damaged pack record, once, when
	// the Driver first reads it (Damage lists them all). Default:
	// slog.Default(), as for the Store.
	Logger *slog.Logger
}

// Driver is a driver.Driver over a directory. It is safe for concurrent use,
// also by several processes sharing the directory.
type Driver struct {
	dir    string
	opts   Options
	closed atomic.Bool
	packs  *packSet
}

// Open returns a Driver over dir, creating it (and its parents) if needed,
// unless opts.NoCreate is set. nil opts means the defaults.
func Open(dir string, opts *Options) (*Driver, error) {
	d := &Driver{}
	if opts != nil {
		d.opts = *opts
	}
	if d.opts.FS == nil {
		d.opts.FS = OS()
	}
	if d.opts.FileMode == 0 {
		d.opts.FileMode = 0o600
	}
	if d.opts.DirMode == 0 {
		d.opts.DirMode = 0o700
	}
	if d.opts.PackMax == 0 {
		d.opts.PackMax = DefaultPackMax
	}
	if d.opts.Logger == nil {
		d.opts.Logger = slog.Default()
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("filestore: directory %q: %w", dir, err)
	}
	d.dir = abs
	if d.opts.NoCreate {
		if err := d.mustExist(abs); err != nil {
			return nil, err
		}
	} else if err := d.ensureDir(abs); err != nil {
		return nil, fmt.Errorf("filestore: create directory %s: %w", abs, err)
	}
	d.packs = newPackSet(d)
	return d, nil
}

// openURL opens a Driver for a file:///abs/dir URL.
func openURL(_ context.Context, u *url.URL) (driver.Driver, error) {
	if u.Opaque != "" || (u.Host != "" && u.Host != "localhost") || !filepath.IsAbs(u.Path) {
		return nil, fmt.Errorf("filestore: URL %q does not name an absolute directory; write file:///abs/dir (three slashes)", u.Redacted())
	}
	var opts Options
	for k, vs := range u.Query() {
		v := vs[len(vs)-1]
		switch k {
		case "fsync":
			b, err := strconv.ParseBool(v)
			if err != nil {
				return nil, fmt.Errorf("filestore: fsync=%q: use fsync=true or fsync=false", v)
			}
			opts.NoSync = !b
		case "pack":
			b, err := strconv.ParseBool(v)
			if err != nil {
				return nil, fmt.Errorf("filestore: pack=%q: use pack=true or pack=false", v)
			}
			if !b {
				opts.PackMax = -1
			}
		case "create":
			b, err := strconv.ParseBool(v)
			if err != nil {
				return nil, fmt.Errorf("filestore: create=%q: use create=true or create=false", v)
			}
			opts.NoCreate = !b
		case "packmax":
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 1 || n > 1<<30 {
				return nil, fmt.Errorf("filestore: packmax=%q: give the largest packed entry in bytes, 1 to 1073741824 (pack=false packs nothing)", v)
			}
			opts.PackMax = n
		default:
			return nil, fmt.Errorf("filestore: unknown URL parameter %q; known: create, fsync, pack, packmax", k)
		}
	}
	d, err := Open(u.Path, &opts)
	if err != nil {
		return nil, err
	}
	// A store opened by URL is most often a run's, about to restore: its
	// first read lists and scans every pack, which is done meanwhile, as
	// the program builds its graph and keys.
	go d.packs.warm()
	return d, nil
}

// Dir returns the directory the Driver stores entries in.
func (d *Driver) Dir() string { return d.dir }

// path returns the file of key's entry.
func (d *Driver) path(key string) string {
	return filepath.Join(d.dir, filepath.FromSlash(key)) + entrySuffix
}

// check reports a done context or a closed driver.
func (d *Driver) check(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if d.closed.Load() {
		return errClosed
	}
	return nil
}

// notExist reports whether err means the file is absent. ENOTDIR counts:
// a key below a path component that is a file is absent too.
func notExist(err error) bool {
	return errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR)
}

// wrap wraps err once, making an absent file match fs.ErrNotExist.
func wrap(op, key string, err error) error {
	if notExist(err) && !errors.Is(err, fs.ErrNotExist) {
		err = fmt.Errorf("%w (%v)", fs.ErrNotExist, err)
	}
	return fmt.Errorf("filestore: %s %q: %w", op, key, err)
}

// Put implements driver.Driver. An entry of at most PackMax bytes is
// appended to this Driver's pack file (and synced), and then a file of the
// key's own, if an older Put left one, is removed. A larger entry is written
// to a temporary file, synced, renamed over the entry's file, and the
// directory synced.
func (d *Driver) Put(ctx context.Context, key string, r io.Reader, size int64) (err error) {
	if err := d.check(ctx); err != nil {
		return err
	}
	if size < 0 {
		return fmt.Errorf("filestore: put %q: negative size %d; give the number of bytes the reader holds", key, size)
	}
	if size <= d.opts.PackMax && !checkpoint.Standalone(ctx) {
		return d.putPacked(ctx, key, r, size)
	}
	final := d.path(key)
	f, err := d.createTemp(final)
	if err != nil {
		return wrap("put", key, err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			d.opts.FS.Remove(tmp)
		}
	}()
	n, err := io.Copy(&sizedWriter{w: f, left: size}, r)
	switch {
	case err != nil:
		return wrap("put", key, err)
	case n != size:
		return fmt.Errorf("filestore: put %q: the reader held %d bytes, %d announced", key, n, size)
	}
	if err = ctx.Err(); err != nil {
		return err
	}
	if !d.opts.NoSync {
		if err = f.Sync(); err != nil {
			return wrap("put", key, err)
		}
	}
	if err = f.Close(); err != nil {
		return wrap("put", key, err)
	}
	if err = d.opts.FS.Rename(tmp, final); err != nil {
		return wrap("put", key, err)
	}
	if !d.opts.NoSync {
		// The entry is in place; a failed directory sync leaves it
		// readable but perhaps not durable, which the error reports.
		if err := d.syncDir(filepath.Dir(final)); err != nil {
			return wrap("put", key, err)
		}
	}
	return nil
}

// createTemp creates a new temporary file beside final, creating its
// directory if needed.
func (d *Driver) createTemp(final string) (File, error) {
	for try := 0; ; try++ {
		name := final[:len(final)-len(entrySuffix)] + tempInfix + strconv.FormatUint(rand.Uint64(), 10)
		f, err := d.opts.FS.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, d.opts.FileMode)
		switch {
		case err == nil:
			return f, nil
		case errors.Is(err, fs.ErrExist) && try < 100:
			continue
		case errors.Is(err, fs.ErrNotExist) && try < 100:
			if err := d.ensureDir(filepath.Dir(final)); err != nil {
				return nil, err
			}
		default:
			return nil, err
		}
	}
}

// ensureDir creates dir and its missing parents, syncing each parent that
// gains an entry.
// mustExist reports a *checkpoint.NoStoreError unless dir is a directory.
func (d *Driver) mustExist(dir string) error {
	st, err := d.opts.FS.Stat(dir)
	switch {
	case notExist(err):
		return &checkpoint.NoStoreError{Reason: fmt.Sprintf("directory %s does not exist", dir)}
	case err != nil:
		return fmt.Errorf("filestore: directory %s: %w", dir, err)
	case !st.IsDir():
		return &checkpoint.NoStoreError{Reason: fmt.Sprintf("%s is a file, not a store's directory", dir)}
	}
	return nil
}

func (d *Driver) ensureDir(dir string) error {
	st, err := d.opts.FS.Stat(dir)
	if err == nil {
		if !st.IsDir() {
			return fmt.Errorf("%s is not a directory", dir)
		}
		return nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	parent := filepath.Dir(dir)
	if parent != dir {
		if err := d.ensureDir(parent); err != nil {
			return err
		}
	}
	if err := d.opts.FS.Mkdir(dir, d.opts.DirMode); err != nil && !errors.Is(err, fs.ErrExist) {
		return err
	}
	if d.opts.NoSync {
		return nil
	}
	return d.syncDir(parent)
}

// syncDir syncs a directory's entries.
func (d *Driver) syncDir(dir string) error {
	f, err := d.opts.FS.OpenFile(dir, os.O_RDONLY, 0)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// sizedWriter fails a write past its size, so that Put never writes more
// than it announced.
type sizedWriter struct {
	w    io.Writer
	left int64
}

func (s *sizedWriter) Write(p []byte) (int, error) {
	if int64(len(p)) > s.left {
		return 0, errors.New("the reader holds more bytes than announced")
	}
	n, err := s.w.Write(p)
	s.left -= int64(n)
	return n, err
}

// Get implements driver.Driver. A key's own file, where there is one, holds
// its entry; otherwise the newest packed record does.
func (d *Driver) Get(ctx context.Context, key string) ([]byte, error) {
	if err := d.check(ctx); err != nil {
		return nil, err
	}
	f, err := d.opts.FS.OpenFile(d.path(key), os.O_RDONLY, 0)
	if notExist(err) {
		return d.getPacked(key, 0, -1)
	}
	if err != nil {
		return nil, wrap("get", key, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, wrap("get", key, err)
	}
	// Entries are replaced by rename, never changed in place: the size is
	// the size of what this open file holds.
	b := make([]byte, st.Size())
	if _, err := io.ReadFull(f, b); err != nil {
		return nil, wrap("get", key, err)
	}
	return b, nil
}

// GetRange implements driver.RangeGetter.
func (d *Driver) GetRange(ctx context.Context, key string, offset, length int64) ([]byte, error) {
	if err := d.check(ctx); err != nil {
		return nil, err
	}
	f, err := d.opts.FS.OpenFile(d.path(key), os.O_RDONLY, 0)
	if notExist(err) {
		return d.getPacked(key, offset, max(length, 0)) // a negative length reads nothing, as below
	}
	if err != nil {
		return nil, wrap("get", key, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, wrap("get", key, err)
	}
	lo := min(max(offset, 0), st.Size())
	b := make([]byte, min(max(length, 0), st.Size()-lo))
	if _, err := f.ReadAt(b, lo); err != nil && !(errors.Is(err, io.EOF) && len(b) == 0) {
		return nil, wrap("get", key, err)
	}
	return b, nil
}

// Stat implements driver.Driver.
func (d *Driver) Stat(ctx context.Context, key string) (driver.Attrs, error) {
	if err := d.check(ctx); err != nil {
		return driver.Attrs{}, err
	}
	st, err := d.opts.FS.Stat(d.path(key))
	if notExist(err) {
		return d.statPacked(key)
	}
	if err == nil && !st.Mode().IsRegular() {
		err = fmt.Errorf("%w: %s is not a regular file", fs.ErrNotExist, d.path(key))
	}
	if err != nil {
		return driver.Attrs{}, wrap("stat", key, err)
	}
	return driver.Attrs{Key: key, Size: st.Size(), ModTime: st.ModTime()}, nil
}

// Touch implements driver.Toucher: it sets the entry file's times to t, or
// appends a touch record for a packed entry.
func (d *Driver) Touch(ctx context.Context, key string, t time.Time) error {
	if err := d.check(ctx); err != nil {
		return err
	}
	err := d.opts.FS.Chtimes(d.path(key), t, t)
	if notExist(err) {
		var ok bool
		if ok, err = d.packs.touch(key, t); err == nil && !ok {
			err = fs.ErrNotExist
		}
	}
	if err != nil {
		return wrap("touch", key, err)
	}
	return nil
}

// Delete implements driver.Driver: it appends a delete record if the key
// has a packed entry, and then removes the key's own file. (In the other
// order, a packed entry older than the file would show between the two, or
// for good after a crash there.) Directories are left in place.
func (d *Driver) Delete(ctx context.Context, key string) error {
	if err := d.check(ctx); err != nil {
		return err
	}
	if err := d.packs.delete(key); err != nil {
		return wrap("delete", key, err)
	}
	if err := d.opts.FS.Remove(d.path(key)); err != nil && !notExist(err) {
		return wrap("delete", key, err)
	}
	return nil
}

// Close marks the driver closed, seals the pack it appended to and closes
// the pack files it read. If it has read the store and found more than 8
// small sealed packs, it first merges them into its own (see Sweep), so that
// a store that is never garbage-collected keeps few packs.
func (d *Driver) Close() error {
	if d.closed.Swap(true) {
		return nil
	}
	d.packs.mergeOnClose()
	if err := d.packs.close(); err != nil {
		return fmt.Errorf("filestore: close: %w", err)
	}
	return nil
}

package filestore

import (
	"context"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/cairnlabs/cairn/checkpoint/driver"
)

// List implements driver.Driver. It walks only the directories that can hold
// keys with the prefix, and skips temporary and foreign files; then it
// lists the packed entries that have no file of their own.
func (d *Driver) List(ctx context.Context, prefix string, fn func(driver.Attrs) error) error {
	if err := d.check(ctx); err != nil {
		return err
	}
	keys, ents, err := d.packs.list(prefix)
	if err != nil {
		return wrap("list", prefix, err)
	}
	own := map[string]bool{}       // packed keys that have a file of their own
	start, _ := path.Split(prefix) // the directory every match is under
	err = d.walk(ctx, strings.TrimSuffix(start, "/"), prefix, func(rel, name string, a driver.Attrs) error {
		key, ok := strings.CutSuffix(name, entrySuffix)
		if !ok {
			return nil
		}
		if rel != "" {
			key = rel + "/" + key
		}
		if !strings.HasPrefix(key, prefix) {
			return nil
		}
		a.Key = key
		own[key] = true
		return fn(a)
	})
	if err != nil {
		return err
	}
	for i, key := range keys {
		if own[key] {
			continue
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := fn(driver.Attrs{Key: key, Size: ents[i].size, ModTime: unixNano(ents[i].mod)}); err != nil {
			return err
		}
	}
	return nil
}

// walk calls fn for each regular file under the directory rel (a key prefix
// without its final '/', "" for the root), descending only into directories
// whose keys can start with prefix. Files that vanish meanwhile are skipped.
func (d *Driver) walk(ctx context.Context, rel, prefix string, fn func(rel, name string, a driver.Attrs) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	ents, err := d.opts.FS.ReadDir(filepath.Join(d.dir, filepath.FromSlash(rel)))
	if notExist(err) {
		return nil
	}
	if err != nil {
		return wrap("list", prefix, err)
	}
	for _, e := range ents {
		name := e.Name()
		if e.IsDir() {
			if strings.Contains(name, "~") {
				continue // the packs, not a key's directory
			}
			sub := name
			if rel != "" {
				sub = rel + "/" + name
			}
			if strings.HasPrefix(sub+"/", prefix) || strings.HasPrefix(prefix, sub+"/") {
				if err := d.walk(ctx, sub, prefix, fn); err != nil {
					return err
				}
			}
			continue
		}
		if !e.Type().IsRegular() {
			continue
		}
		info, err := e.Info()
		if notExist(err) {
			continue
		}
		if err != nil {
			return wrap("list", prefix, err)
		}
		if err := fn(rel, name, driver.Attrs{Size: info.Size(), ModTime: info.ModTime()}); err != nil {
			return err
		}
	}
	return nil
}

// Sweep implements driver.Sweeper: it removes the temporary files of Puts
// that started before the given time and never finished (their writer
// crashed or lost power), and the pack files none of whose records matter
// any more (see Delete).
func (d *Driver) Sweep(ctx context.Context, before time.Time) (n int, size int64, err error) {
	if err := d.check(ctx); err != nil {
		return 0, 0, err
	}
	if n, size, err = d.packs.sweep(before); err != nil {
		return n, size, wrap("sweep", packDirName, err)
	}
	err = d.walk(ctx, "", "", func(rel, name string, a driver.Attrs) error {
		if !strings.Contains(name, tempInfix) || !a.ModTime.Before(before) {
			return nil
		}
		p := filepath.Join(d.dir, filepath.FromSlash(rel), name)
		if err := d.opts.FS.Remove(p); err != nil && !notExist(err) {
			return wrap("sweep", rel, err)
		}
		n++
		size += a.Size
		return nil
	})
	return n, size, err
}

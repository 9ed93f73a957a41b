package srcver

import (
	"fmt"
	"os"
	"time"
)

// checkFresh returns ErrStale if a file that one of decls comes from was
// modified after the executable was written. The line table cannot show an
// edit that keeps every declaration on its lines; the modification times
// can. A file touched without being changed after the build is reported
// too: the binary cannot tell, and a false alarm costs a warning, while a
// missed edit would key old results as new.
func (c *Cache) checkFresh(s site, p *pkgIndex, decls []int) error {
	built, err := c.executableTime()
	if err != nil {
		return &Error{Func: s.sym.full, Kind: ErrStale, Detail: "cannot tell when the binary was built", Err: err}
	}
	for _, i := range decls {
		f := p.files[p.decls[i].file]
		if f.mod.After(built) {
			return &Error{Func: s.sym.full, Kind: ErrStale,
				Detail: fmt.Sprintf("%s was modified at %s, after the executable was written at %s",
					f.name, f.mod.UTC().Format(time.RFC3339Nano), built.UTC().Format(time.RFC3339Nano))}
		}
	}
	return nil
}

// executableTime returns the modification time of the running executable,
// once per Cache.
func (c *Cache) executableTime() (time.Time, error) {
	c.exe.once.Do(func() {
		path, err := os.Executable()
		if err != nil {
			c.exe.err = err
			return
		}
		info, err := os.Stat(path)
		if err != nil {
			c.exe.err = err
			return
		}
		c.exe.mod = info.ModTime()
	})
	return c.exe.mod, c.exe.err
}

package filestore

import (
	"io"
	"os"
	"time"
)

// FS is the file system a Driver uses. Paths are in the host's syntax.
// OS returns the host's.
type FS interface {
	// OpenFile opens a file as os.OpenFile does.
	OpenFile(name string, flag int, perm os.FileMode) (File, error)
	// Mkdir creates a directory as os.Mkdir does.
	Mkdir(name string, perm os.FileMode) error
	// Rename renames a file as os.Rename does, atomically replacing newname.
	Rename(oldname, newname string) error
	// Remove removes a file or empty directory as os.Remove does.
	Remove(name string) error
	// Stat returns a file's information as os.Stat does.
	Stat(name string) (os.FileInfo, error)
	// ReadDir lists a directory as os.ReadDir does.
	ReadDir(name string) ([]os.DirEntry, error)
	// Chtimes changes a file's access and modification times.
	Chtimes(name string, atime, mtime time.Time) error
}

// File is an open file of an FS.
type File interface {
	io.Reader
	io.ReaderAt
	io.Writer
	io.Closer
	// Sync commits the file's contents (or, for a directory, its entries)
	// to stable storage.
	Sync() error
	// Stat returns the file's information.
	Stat() (os.FileInfo, error)
	// Name returns the name the file was opened with.
	Name() string
}

// OS returns the host's file system.
func OS() FS { return osFS{} }

type osFS struct{}

func (osFS) OpenFile(name string, flag int, perm os.FileMode) (File, error) {
	f, err := os.OpenFile(name, flag, perm)
	if err != nil {
		return nil, err // not a typed nil
	}
	return f, nil
}
func (osFS) Mkdir(name string, perm os.FileMode) error         { return os.Mkdir(name, perm) }
func (osFS) Rename(oldname, newname string) error              { return os.Rename(oldname, newname) }
func (osFS) Remove(name string) error                          { return os.Remove(name) }
func (osFS) Stat(name string) (os.FileInfo, error)             { return os.Stat(name) }
func (osFS) ReadDir(name string) ([]os.DirEntry, error)        { return os.ReadDir(name) }
func (osFS) Chtimes(name string, atime, mtime time.Time) error { return os.Chtimes(name, atime, mtime) }

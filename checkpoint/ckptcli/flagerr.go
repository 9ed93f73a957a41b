package ckptcli

import (
	"errors"
	"fmt"

	"github.com/cairnlabs/cairn/checkpoint"
)

// flagError is an error said in terms of a command's flags instead of the
// Go API that returned it. It wraps that error, so errors.Is and errors.As
// still find what it wraps.
type flagError struct {
	msg string
	err error
}

func (e *flagError) Error() string { return e.msg }
func (e *flagError) Unwrap() error { return e.err }

// gcFlagError says the errors of Store.GC that cite GCPolicy fields and
// checkpoint.WithRun in terms of the flags of `cairn ckpt gc`; other errors
// are returned as they are.
func gcFlagError(err error, run string) error {
	var rne *checkpoint.RunNotEndedError
	switch {
	case errors.Is(err, checkpoint.ErrNoRunRecorded):
		return &flagError{err: err, msg: "ckpt gc --not-last-run: no run is recorded in this store, so the last run is unknown " +
			"(cairn records its runs in the stores it checkpoints to; this store was written some other way); " +
			"name the run whose checkpoints to keep with --run, or collect with --older-than or --max-size"}
	case errors.Is(err, checkpoint.ErrUnknownRun):
		return &flagError{err: err, msg: fmt.Sprintf("ckpt gc --not-last-run --run %s: this store has no record of that run, "+
			"and none of its checkpoints was written or read by it, so keeping that run's checkpoints would delete them all; "+
			"nothing was deleted. Check the run id: `cairn ckpt ls` shows the run that wrote each checkpoint", run)}
	case errors.As(err, &rne):
		return &flagError{err: err, msg: fmt.Sprintf("ckpt gc --not-last-run: the last run, %s, has not ended "+
			"(it is still going, or it was killed), so what it read may not all be recorded and nothing was deleted; "+
			"collect once it has ended, or name the run whose checkpoints to keep with --run", rne.Run)}
	}
	return err
}

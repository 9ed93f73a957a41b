package ckptcli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/cairnlabs/cairn/checkpoint"
)

// entry is the JSON form of a checkpoint.Info.
type entry struct {
	Key        string    `json:"key"`
	Size       int64     `json:"size"`
	Codec      string    `json:"codec,omitempty"`
	Compressed bool      `json:"compressed"`
	Thunk      string    `json:"thunk,omitempty"`
	Func       string    `json:"func,omitempty"`
	Version    string    `json:"version,omitempty"`
	Run        string    `json:"run,omitempty"`
	Created    time.Time `json:"created,omitzero"`
	Modified   time.Time `json:"modified,omitzero"`
	Error      string    `json:"error,omitempty"`
}

func toEntry(i checkpoint.Info) entry {
	e := entry{Key: i.Key, Size: i.Size, Compressed: i.Compressed, Thunk: i.Thunk, Func: i.Func,
		Version: i.Version, Run: i.Run, Created: i.Created, Modified: i.ModTime}
	if i.Err != nil {
		e.Error = i.Err.Error()
	} else {
		e.Codec = i.Codec.String()
	}
	return e
}

// sorted lists the store's checkpoints under prefix, sorted by key.
func sorted(ctx context.Context, s *checkpoint.Store, prefix string) ([]checkpoint.Info, error) {
	var infos []checkpoint.Info
	err := s.List(ctx, prefix, func(i checkpoint.Info) error {
		infos = append(infos, i)
		return nil
	})
	slices.SortFunc(infos, func(a, b checkpoint.Info) int { return strings.Compare(a.Key, b.Key) })
	return infos, err
}

// Ls writes the checkpoints under prefix, sorted by key: a table, or one
// JSON object a line with asJSON.
func Ls(ctx context.Context, w io.Writer, s *checkpoint.Store, prefix string, asJSON bool) error {
	infos, err := sorted(ctx, s, prefix)
	if err != nil {
		return err
	}
	if asJSON {
		enc := json.NewEncoder(w)
		for _, i := range infos {
			if err := enc.Encode(toEntry(i)); err != nil {
				return err
			}
		}
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "KEY\tSIZE\tCODEC\tLAST USED\tFUNC\tRUN")
	var total int64
	for _, i := range infos {
		total += i.Size
		codec := i.Codec.String()
		if i.Err != nil {
			codec = "CORRUPT"
		} else if i.Compressed {
			codec += "+zstd"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", i.Key, checkpoint.FormatSize(i.Size), codec,
			i.ModTime.Local().Format(time.DateTime), dash(i.Func), dash(i.Run))
	}
	fmt.Fprintf(tw, "%s, %s\n", count(len(infos)), checkpoint.FormatSize(total))
	return tw.Flush()
}

// count says "1 checkpoint" or "n checkpoints".
func count(n int) string {
	if n == 1 {
		return "1 checkpoint"
	}
	return fmt.Sprintf("%d checkpoints", n)
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// Inspect writes everything the store knows about key, and whether its
// checksums verify. A corrupt checkpoint is written up and returned as the
// error.
func Inspect(ctx context.Context, w io.Writer, s *checkpoint.Store, key string) error {
	info, err := s.Stat(ctx, key)
	if err != nil {
		return err
	}
	verr := s.Verify(ctx, key)
	codec := info.Codec.String()
	if info.Compressed {
		codec += " (zstd-compressed)"
	}
	tw := tabwriter.NewWriter(w, 0, 8, 1, ' ', 0)
	for _, row := range [][2]string{
		{"key", info.Key},
		{"size", fmt.Sprintf("%s (%d bytes)", checkpoint.FormatSize(info.Size), info.Size)},
		{"codec", codec},
		{"thunk", dash(info.Thunk)},
		{"func", dash(info.Func)},
		{"version", dash(info.Version)},
		{"run", dash(info.Run)},
		{"created", stamp(info.Created)},
		{"last used", stamp(info.ModTime)},
		{"checksums", verdict(verr)},
	} {
		fmt.Fprintf(tw, "%s:\t%s\n", row[0], row[1])
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	return verr
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.Local().Format(time.RFC3339)
}

func verdict(err error) string {
	if err == nil {
		return "ok"
	}
	return "FAILED: " + err.Error()
}

// ErrCorruptFound is matched (with errors.Is) by the error of Verify when a
// checkpoint fails its checks, or the store holds other damage.
var ErrCorruptFound = errors.New("ckpt: corrupt checkpoints found")

// Verify reads every checkpoint under prefix in full and checks its
// checksums, writing one line per corrupt checkpoint; then one line per
// other damaged record the store reports (checkpoint.Store.Damage: records
// whose key cannot be read, with their file and offset, and damaged older
// versions); and a summary. It returns an error matching ErrCorruptFound,
// listing the bad keys, if any checkpoint fails or any damage is found.
func Verify(ctx context.Context, w io.Writer, s *checkpoint.Store, prefix string) error {
	infos, err := sorted(ctx, s, prefix)
	if err != nil {
		return err
	}
	var bad []string
	var total int64
	for _, i := range infos {
		err := s.Verify(ctx, i.Key)
		switch {
		case errors.Is(err, checkpoint.ErrNotFound):
			continue // deleted since listed
		case errors.Is(err, checkpoint.ErrCorrupt):
			bad = append(bad, i.Key)
			fmt.Fprintf(w, "CORRUPT %s: %v\n", i.Key, err)
		case err != nil:
			return err
		}
		total += i.Size
	}
	damaged, err := verifyDamage(ctx, w, s, prefix, bad)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "verified %s, %s: %d corrupt", count(len(infos)), checkpoint.FormatSize(total), len(bad))
	if damaged > 0 {
		fmt.Fprintf(w, ", %s besides", records(damaged))
	}
	fmt.Fprintln(w)
	switch {
	case len(bad) > 0 && damaged > 0:
		return fmt.Errorf("%w: %s, and %s (remove the corrupt ones with `cairn ckpt rm`; the next run recomputes them)", ErrCorruptFound, strings.Join(bad, " "), records(damaged))
	case len(bad) > 0:
		return fmt.Errorf("%w: %s (remove them with `cairn ckpt rm`; the next run recomputes them)", ErrCorruptFound, strings.Join(bad, " "))
	case damaged > 0:
		return fmt.Errorf("%w: %s (see above for what each cost; the next run recomputes what was lost)", ErrCorruptFound, records(damaged))
	}
	return nil
}

// ErrNoCriterion is matched (with errors.Is) by the error of GC and
// CheckGCPolicy for a policy that selects nothing to delete.
var ErrNoCriterion = errors.New("ckpt gc: no criterion given, so nothing would be deleted; say what to delete with at least one of --older-than DURATION (7d), --max-size SIZE (10GiB) or --not-last-run")

// CheckGCPolicy reports a policy that the flags of `cairn ckpt gc` should
// not give: no criterion (ErrNoCriterion), or --run without --not-last-run.
func CheckGCPolicy(p checkpoint.GCPolicy) error {
	if p.Run != "" && !p.NotLastRun {
		return fmt.Errorf("ckpt gc: --run %s names the run whose checkpoints --not-last-run keeps; add --not-last-run", p.Run)
	}
	if p.OlderThan <= 0 && p.MaxBytes <= 0 && !p.NotLastRun {
		return ErrNoCriterion
	}
	return nil
}

// GC runs garbage collection with policy p and writes what it deleted (or,
// for a dry run, would delete) and a summary. A policy that CheckGCPolicy
// rejects deletes nothing and returns its error. Errors of the store's GC
// that cite its Go API are said again in terms of the command's flags, and
// still match the store's errors with errors.Is and errors.As.
func GC(ctx context.Context, w io.Writer, s *checkpoint.Store, p checkpoint.GCPolicy) error {
	if err := CheckGCPolicy(p); err != nil {
		return err
	}
	rep, err := s.GC(ctx, p)
	err = gcFlagError(err, p.Run)
	if err != nil && len(rep.Deleted) == 0 && rep.Swept == 0 && rep.Records == 0 {
		return err // nothing done: the error says it all
	}
	verb := "deleted"
	if p.DryRun {
		verb = "would delete"
	}
	for _, k := range rep.Deleted {
		fmt.Fprintf(w, "%s %s\n", verb, k)
	}
	if rep.Run != "" {
		fmt.Fprintf(w, "kept the checkpoints of run %s\n", rep.Run)
	}
	fmt.Fprintf(w, "%s %d of %d checkpoints (%s of %s); kept %d (%s)",
		verb, len(rep.Deleted), rep.Scanned, checkpoint.FormatSize(rep.DeletedBytes),
		checkpoint.FormatSize(rep.ScannedBytes), rep.Kept, checkpoint.FormatSize(rep.KeptBytes))
	if rep.Swept > 0 {
		fmt.Fprintf(w, "; removed %d leftover files (%s: temporary files of interrupted writes, packs of deleted entries)", rep.Swept, checkpoint.FormatSize(rep.SweptBytes))
	}
	fmt.Fprintln(w)
	return err
}

// Rm deletes the checkpoints with the given keys, writing one line for
// each it removed. Keys with no checkpoint do not stop the others; they are
// named once, in the returned error.
func Rm(ctx context.Context, w io.Writer, s *checkpoint.Store, keys []string) error {
	var missing []string
	for _, k := range keys {
		if _, err := s.Stat(ctx, k); errors.Is(err, checkpoint.ErrNotFound) {
			missing = append(missing, k)
			continue
		} else if err != nil && !errors.Is(err, checkpoint.ErrCorrupt) {
			return err
		}
		if err := s.Delete(ctx, k); err != nil {
			return err
		}
		fmt.Fprintf(w, "removed %s\n", k)
	}
	if len(missing) > 0 {
		return fmt.Errorf("%w: %s", ErrNoCheckpoint, strings.Join(missing, " "))
	}
	return nil
}

// ErrNoCheckpoint is matched (with errors.Is) by the error of Rm when a key
// has no checkpoint.
var ErrNoCheckpoint = errors.New("ckpt rm: no checkpoint under")

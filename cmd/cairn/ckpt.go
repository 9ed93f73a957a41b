package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/cairnlabs/cairn/checkpoint"
	_ "github.com/cairnlabs/cairn/checkpoint/all" // every store scheme
	"github.com/cairnlabs/cairn/checkpoint/ckptcli"
)

func init() { rootCmd.AddCommand(ckptCmd()) }

// ckptCmd returns `cairn ckpt`: tools for checkpoint stores. The work is done
// by package checkpoint/ckptcli.
func ckptCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "ckpt",
		Short: "List, inspect, verify, garbage-collect and remove checkpoints",
		Long: `Tools for a checkpoint store, named by URL: file:///abs/dir, sqlite:///abs/file.db,
s3://bucket?region=..., nats://host:4222/bucket, and the other registered schemes.`,
	}
	var prefix string
	var asJSON bool
	ls := &cobra.Command{
		Use:   "ls URL",
		Short: "List the checkpoints in a store",
		Args:  cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			return withStore(c, args[0], func(s *checkpoint.Store) error {
				return ckptcli.Ls(c.Context(), c.OutOrStdout(), s, prefix, asJSON)
			})
		},
	}
	ls.Flags().StringVar(&prefix, "prefix", "", "list only keys with this prefix")
	ls.Flags().BoolVar(&asJSON, "json", false, "one JSON object a line")

	inspect := &cobra.Command{
		Use:   "inspect URL KEY",
		Short: "Show a checkpoint's metadata and check its checksums",
		Args:  cobra.ExactArgs(2),
		RunE: func(c *cobra.Command, args []string) error {
			return withStore(c, args[0], func(s *checkpoint.Store) error {
				return ckptcli.Inspect(c.Context(), c.OutOrStdout(), s, args[1])
			})
		},
	}

	var vprefix string
	verify := &cobra.Command{
		Use:   "verify URL",
		Short: "Check every checkpoint's checksums; exit non-zero listing the corrupt ones",
		Args:  cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			return withStore(c, args[0], func(s *checkpoint.Store) error {
				return ckptcli.Verify(c.Context(), c.OutOrStdout(), s, vprefix)
			})
		},
	}
	verify.Flags().StringVar(&vprefix, "prefix", "", "verify only keys with this prefix")

	var (
		p       checkpoint.GCPolicy
		maxSize string
	)
	gc := &cobra.Command{
		Use:   "gc URL",
		Short: "Delete old, least recently used, or unused checkpoints",
		Long: `Delete the checkpoints that any given criterion selects (at least one is needed):
  --older-than 7d     neither written nor read for 7 days (72h, 1d12h, 90m...)
  --max-size 10GiB    then the least recently used, until the rest fit in 10 GiB
  --not-last-run      neither written nor read by the most recent run (or by --run)
and the temporary files of writes that crashed over an hour ago.`,
		Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			if c.Flags().Changed("older-than") && p.OlderThan <= 0 {
				return fmt.Errorf("--older-than %v: give a positive duration, such as 7d", p.OlderThan)
			}
			if maxSize != "" {
				n, err := checkpoint.ParseSize(maxSize)
				if err != nil || n <= 0 {
					return fmt.Errorf("--max-size %q: give a positive size with a unit, such as 512MiB or 10GiB", maxSize)
				}
				p.MaxBytes = n
			}
			if err := ckptcli.CheckGCPolicy(p); err != nil {
				return err
			}
			return withStore(c, args[0], func(s *checkpoint.Store) error {
				return ckptcli.GC(c.Context(), c.OutOrStdout(), s, p)
			})
		},
	}
	gc.Flags().Var(durationValue{&p.OlderThan}, "older-than", "delete checkpoints unused for this long (e.g. 7d, 1d12h, 72h)")
	gc.Flags().StringVar(&maxSize, "max-size", "", "keep at most this many bytes (e.g. 10GiB), least recently used deleted first")
	gc.Flags().BoolVar(&p.NotLastRun, "not-last-run", false, "delete checkpoints the most recent run neither wrote nor read")
	gc.Flags().StringVar(&p.Run, "run", "", "with --not-last-run, keep this run's checkpoints instead of the most recent run's")
	gc.Flags().StringVar(&p.Prefix, "prefix", "", "collect only keys with this prefix")
	gc.Flags().BoolVar(&p.DryRun, "dry-run", false, "say what would be deleted, delete nothing")

	rm := &cobra.Command{
		Use:   "rm URL KEY...",
		Short: "Remove checkpoints",
		Args:  cobra.MinimumNArgs(2),
		RunE: func(c *cobra.Command, args []string) error {
			return withStore(c, args[0], func(s *checkpoint.Store) error {
				return ckptcli.Rm(c.Context(), c.OutOrStdout(), s, args[1:])
			})
		},
	}
	cmd.AddCommand(ls, inspect, verify, gc, rm)
	return cmd
}

// withStore opens the existing store at url, runs fn and closes the store.
// No ckpt command creates a store: a URL that names none is an error.
func withStore(c *cobra.Command, url string, fn func(*checkpoint.Store) error) error {
	ctx := c.Context()
	s, err := checkpoint.OpenExisting(ctx, url)
	if errors.Is(err, checkpoint.ErrNoStore) {
		return fmt.Errorf("%w (cairn ckpt %s opens only an existing store and never creates one: check the URL)", err, c.Name())
	}
	if err != nil {
		return err
	}
	defer s.Close()
	return fn(s)
}

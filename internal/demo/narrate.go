package demo

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// Intro says what a phase's script does, before it runs: the code, not
// the outcome, which Narrate tells from the run's stats.
func Intro(cfg Config, phase int) string {
	where := fmt.Sprintf("under its own key (%s … %s, the seed's file names)", BlockKey(0), BlockKey(cfg.blocks()-1))
	final := "; the final result is to be checkpointed under " + FinalKey
	if cfg.AutoKeys {
		where = "under an automatic key (a hash of its function, version and inputs)"
		final = ""
	}
	switch phase {
	case 1:
		return wrap("", fmt.Sprintf("Run 1: compute X (randn, %[1]d×%[1]d in %[2]d×%[2]d blocks, seed %[3]d) and one sum per block, "+
			"each checkpointed %[4]s; then the seed's inner(Y...) = sqrt(sum(Y)).", cfg.Size, cfg.Block, cfg.Seed, where))
	case 2:
		return wrap("", "Run 2: inner is fixed to sqrt(abs(sum(Y))) and the script is run again"+final+".")
	default:
		return "Run 3: the fixed script, as in run 2, once more."
	}
}

// wrap fills prefix+s to lines of at most 80 columns, the later ones
// indented under the text after "Run n: ".
func wrap(prefix, s string) string {
	const width, indent = 80, "       "
	var b strings.Builder
	b.WriteString(prefix)
	line := utf8.RuneCountInString(prefix)
	for i, w := range strings.Fields(s) {
		n := utf8.RuneCountInString(w)
		switch {
		case i == 0:
		case line+1+n > width:
			b.WriteString("\n" + indent)
			line = len(indent)
		default:
			b.WriteByte(' ')
			line++
		}
		b.WriteString(w)
		line += n
	}
	return b.String()
}

// blocks is the number of blocks of X.
func (cfg Config) blocks() int {
	n := (cfg.Size + cfg.Block - 1) / max(cfg.Block, 1)
	return n * n
}

// Narrate writes what happened in a run, every sentence from its Result.
func Narrate(w io.Writer, r Result) {
	const indent = "       "
	if r.FinalRestored {
		fmt.Fprintf(w, "%s%d thunks, none looked at: the final result was restored from its checkpoint — %.3f s\n", indent, r.Thunks, r.Seconds)
	} else {
		parts := []string{
			fmt.Sprintf("%d computed", r.Computed),
			fmt.Sprintf("%d restored", r.Restored),
			fmt.Sprintf("%d pruned", r.Pruned),
			fmt.Sprintf("%d skipped", r.Skipped),
			fmt.Sprintf("%d failed", r.Failed),
			fmt.Sprintf("%d checkpointed", r.Checkpointed),
		}
		if r.RestoreFailed > 0 {
			parts = append(parts, count(r.RestoreFailed, "restore failed", "restores failed"))
		}
		if r.CheckpointFailed > 0 {
			parts = append(parts, count(r.CheckpointFailed, "checkpoint failed", "checkpoints failed"))
		}
		fmt.Fprintf(w, "%s%d thunks: %s — %.3f s\n", indent, r.Thunks, strings.Join(parts, ", "), r.Seconds)
	}
	for _, s := range story(r) {
		if strings.HasPrefix(s, "failed") {
			fmt.Fprintf(w, "%s%s\n", indent, s) // an error stays on one line, for grep
			continue
		}
		fmt.Fprintln(w, wrap(indent, s))
	}
}

// story is what the counts of r mean, one sentence each.
func story(r Result) []string {
	var out []string
	say := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	blocks := (r.Thunks - 1) / 2
	switch {
	case r.FinalRestored:
		say("Nothing ran: the checkpoint of the final result made the whole graph unnecessary.")
	case r.Restored == 0 && r.RestoreFailed == 0:
		say("Nothing was restored: no checkpoint was there for this graph, so every thunk it needed ran.")
	case r.Restored > 0:
		s := fmt.Sprintf("%s restored from %s", count(r.Restored, "result was", "results were"), plural(r.Restored, "its checkpoint", "their checkpoints"))
		switch {
		case r.Pruned == blocks && blocks > 0:
			s += fmt.Sprintf(", so the %d blocks of X they came from were pruned: X was not even generated", r.Pruned)
		case r.Pruned > 0:
			s += fmt.Sprintf(", so %s that only fed %s %s pruned: neither run nor restored", count(r.Pruned, "thunk", "thunks"), plural(r.Restored, "it", "them"), plural(r.Pruned, "was", "were"))
		}
		say("%s.", s)
	}
	if r.RestoreFailed > 0 {
		say("%s could not be restored (corrupt or unreadable) and %s recomputed instead.",
			count(r.RestoreFailed, "checkpoint", "checkpoints"), plural(r.RestoreFailed, "its thunk was", "their thunks were"))
	}
	if r.Skipped > 0 {
		say("%s not run because a thunk %s depended on failed.", count(r.Skipped, "thunk was", "thunks were"), plural(r.Skipped, "it", "they"))
	}
	if r.CheckpointFailed > 0 {
		say("%s could not be written; the run went on, and a later run recomputes %s.",
			count(r.CheckpointFailed, "checkpoint", "checkpoints"), plural(r.CheckpointFailed, "it", "them"))
	}
	if r.FinalCheckpointed {
		say("The final result was checkpointed under %s.", FinalKey)
	}
	switch {
	case r.Error != "" && r.Total != nil:
		say("failed, as in the seed: %s", r.Error)
	case r.Error != "":
		say("failed: %s", r.Error)
	case r.Phase == 1 && r.Total != nil:
		say("inner did not fail: with this seed the total, %.4g, is positive, so the seed's bug does not show (--seed %d makes it negative).", *r.Total, DefaultSeed)
	}
	if r.Result != nil {
		say("result z = %.6f", *r.Result)
	}
	return out
}

// count says "1 thunk" or "n thunks".
func count(n int, one, many string) string {
	return fmt.Sprintf("%d %s", n, plural(n, one, many))
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

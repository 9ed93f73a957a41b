package benchcmp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"
)

// Config configures Run. The zero value gives the defaults documented on
// each field, except Peers, which must be set.
type Config struct {
	// Python is the interpreter that runs the peer scripts. Default:
	// /usr/bin/python3 (Debian's, which sees Debian's python3-dask).
	Python string
	// Peers is the directory of the peer scripts (see FindPeers).
	Peers string
	// Runs is the number of timed repetitions of each side of each
	// workload. Default: 5.
	Runs int
	// PeerLimit is the longest one peer call may take, start-up and
	// warm-up included; a call past it is stopped and its rows marked as
	// not finished. Default: 2 minutes.
	PeerLimit time.Duration
	// Progress, if not nil, gets a line as each workload starts and ends.
	Progress io.Writer
}

// DefaultPython is the interpreter Run uses when Config.Python is empty.
const DefaultPython = "/usr/bin/python3"

func (c *Config) defaults() {
	if c.Python == "" {
		c.Python = DefaultPython
	}
	if c.Runs == 0 {
		c.Runs = 5
	}
	if c.PeerLimit == 0 {
		c.PeerLimit = 2 * time.Minute
	}
}

// Run measures each workload, cairn and peer interleaved: one untimed
// cairn warm-up, then Runs repetitions of a cairn call followed by a peer
// call. It first checks that the peer scripts and the interpreter are
// there (errors matching ErrNoPeers, ErrNoPython, ErrNoDask). A cairn or
// peer failure ends the run with its error; a peer call past the limit
// marks its rows instead (Row.PeerDNF) and that workload's later peer
// calls are skipped. It returns ctx.Err() when ctx ends.
func Run(ctx context.Context, cfg Config, ws []Workload) (*Report, error) {
	cfg.defaults()
	if cfg.Runs < 1 || cfg.PeerLimit < 0 {
		return nil, fmt.Errorf("bench compare: runs %d and peer limit %s must be positive", cfg.Runs, cfg.PeerLimit)
	}
	if err := CheckPeers(cfg.Peers, ws); err != nil {
		return nil, err
	}
	env, err := ProbePython(ctx, cfg.Python)
	if err != nil {
		return nil, err
	}
	rep := &Report{Machine: thisMachine(), Peer: env, Runs: cfg.Runs, PeerLimit: cfg.PeerLimit}
	for i, w := range ws {
		if w.Unavailable != "" {
			rep.Skipped = append(rep.Skipped, Skipped{Workload: w.Name, Why: w.Unavailable})
			continue
		}
		progress(cfg.Progress, "[%d/%d] %s: %d runs of each side", i+1, len(ws), w.Name, cfg.Runs)
		start := time.Now()
		rows, err := runWorkload(ctx, cfg, w)
		if err != nil {
			return nil, err
		}
		rep.Rows = append(rep.Rows, rows...)
		for _, r := range rows {
			peer := r.Note()
			if p, ok := r.PeerMedian(); ok {
				peer = fmtDur(p)
			}
			progress(cfg.Progress, "    %s: cairn %s, Dask %s", r.Name, fmtDur(r.CairnMedian()), peer)
		}
		progress(cfg.Progress, "    (%s)", time.Since(start).Round(time.Second/10))
	}
	rep.Machine.LoadEnd = loadAvg()
	return rep, nil
}

// runWorkload runs one workload's warm-up and repetitions.
func runWorkload(ctx context.Context, cfg Config, w Workload) ([]Row, error) {
	rows := make([]Row, len(w.Rows))
	for i, spec := range w.Rows {
		rows[i] = Row{RowSpec: spec, Workload: w.Name}
	}
	if _, err := w.Cairn(ctx); err != nil { // warm-up, untimed
		return nil, cairnErr(ctx, w, err)
	}
	peerOff := false
	for range cfg.Runs {
		cs, err := w.Cairn(ctx)
		if err != nil {
			return nil, cairnErr(ctx, w, err)
		}
		if err := record(rows, cs, func(r *Row) *[]float64 { return &r.Cairn }); err != nil {
			return nil, fmt.Errorf("bench compare: %s, cairn: %w", w.Name, err)
		}
		if peerOff {
			continue
		}
		ps, timedOut, err := runPeer(ctx, cfg.Python, cfg.Peers, w.Peer, cfg.PeerLimit)
		if err != nil {
			return nil, err
		}
		err = record(rows, ps, func(r *Row) *[]float64 { return &r.Peer })
		if timedOut {
			peerOff = true
			for i := range rows {
				if !slices.ContainsFunc(ps, func(s Sample) bool { return s.Row == rows[i].Name }) {
					rows[i].PeerDNF, rows[i].PeerLimit = true, cfg.PeerLimit
				}
			}
			continue
		}
		if err != nil {
			return nil, &PeerError{Script: w.Peer.Script, Args: w.Peer.Args, Err: err}
		}
	}
	return rows, nil
}

// cairnErr wraps the error of a workload's cairn side, or returns
// ctx.Err() where ctx has ended.
func cairnErr(ctx context.Context, w Workload, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return fmt.Errorf("bench compare: %s, cairn: %w", w.Name, err)
}

// errMissingRow is matched by the error for a repetition that gave no
// sample for one of its workload's rows.
var errMissingRow = errors.New("no sample for row")

// record appends each sample to its row's list (which side picks), and
// checks that every row got exactly one.
func record(rows []Row, samples []Sample, side func(*Row) *[]float64) error {
	got := make([]int, len(rows))
	for _, s := range samples {
		i := slices.IndexFunc(rows, func(r Row) bool { return r.Name == s.Row })
		if i < 0 {
			return fmt.Errorf("a sample for %q, which is not one of its rows", s.Row)
		}
		got[i]++
		list := side(&rows[i])
		*list = append(*list, s.Seconds)
	}
	for i, n := range got {
		if n != 1 {
			return fmt.Errorf("%w %q (%d samples)", errMissingRow, rows[i].Name, n)
		}
	}
	return nil
}

func progress(w io.Writer, format string, args ...any) {
	if w != nil {
		fmt.Fprintf(w, "bench compare: "+format+"\n", args...)
	}
}

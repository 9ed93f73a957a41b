package benchcmp

import "context"

// A Workload is one piece of work measured on both sides. Rows lists what
// one repetition measures; Cairn and Peer each time one repetition of every
// row. A workload with Unavailable set is listed but not run.
type Workload struct {
	// Name names the workload, for --only and progress lines.
	Name string
	// Rows are the figures one repetition yields, in the order reported.
	Rows []RowSpec
	// Quick includes the workload in a --quick run.
	Quick bool
	// Cairn runs one repetition of cairn's side and returns a sample for
	// each row. It must do its own set-up outside the timed part: the
	// seconds it reports are the samples.
	Cairn func(ctx context.Context) ([]Sample, error)
	// Peer is the peer script that times the same work.
	Peer PeerCall
	// Unavailable, when set, says why the workload cannot run in this
	// build (for example, "needs the cluster executor"); Run lists it as
	// such instead of running it.
	Unavailable string
}

// RowSpec describes one row of a workload: its name and what the charts
// need to place it.
type RowSpec struct {
	// Name is the row's name in the table and the JSON ("workload").
	Name string
	// Tasks is the number of tasks in the graph, for the time-per-task
	// chart; 0 where the row is not a per-task overhead measurement.
	Tasks int
	// Shape is the graph shape of an overhead row ("fan-in" or "chain"):
	// rows with a Shape and Tasks are the points of the scaling chart.
	Shape string
	// Phase names a checkpoint phase of the seed workload (one of the
	// Phase constants): rows with a Phase are the bars of the phases chart.
	Phase string
}

// The checkpoint phases of the seed workload, as the phases chart groups
// them.
const (
	PhaseNone        = "no checkpoints"
	PhaseFirst       = "first run"
	PhaseFirstFsync  = "first run, fsync"
	PhaseRestore     = "restore run"
	PhaseRestoreLast = "final-result restore"
)

// A Sample is one repetition's time for one row.
type Sample struct {
	Row     string  // the RowSpec's Name
	Seconds float64 // the timed part only
}

// PeerCall says how to run the peer's side of a workload: the interpreter
// (Config.Python) runs Script, from the peers directory, with Args. Each
// line the script prints is given to Parse.
type PeerCall struct {
	// Script is the script's file name in the peers directory.
	Script string
	// Args are its arguments.
	Args []string
	// TempDirEnv, when set, names an environment variable set to a fresh
	// temporary directory for each call (removed afterwards).
	TempDirEnv string
	// Parse reads one line of the script's output and returns the samples
	// it holds, if any; done reports that the call has yielded all it is
	// needed for, and the script is stopped (scripts often go on to
	// variants the comparison does not use). Lines that are not JSON
	// objects, and JSON objects with an "env" field, never reach Parse.
	Parse func(line []byte) (samples []Sample, done bool, err error)
}

package dash

import "errors"

// ErrNoRun is matched (with errors.Is) by the error for a run the
// dashboard has not seen, or has forgotten (see Options.MaxRuns). The
// error says which runs it keeps; a dashboard that has seen no run at all
// may be missing from cairn.Config.Listeners.
var ErrNoRun = errors.New("dash: no such run")

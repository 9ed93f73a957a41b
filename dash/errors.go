package dash

import "errors"

// ErrNoRun is returned for a run the dashboard has not seen, or has
// forgotten (see Options.MaxRuns). Was the Dashboard added to
// cairn.Config.Listeners?
var ErrNoRun = errors.New("dash: no such run (is the Dashboard in cairn.Config.Listeners?)")

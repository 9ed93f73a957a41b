package benchcmp

import (
	"encoding/json"
	"fmt"
	"time"
)

// A Row is one line of the comparison: a RowSpec and the samples of each
// side, in the order they were taken.
type Row struct {
	RowSpec
	// Workload is the name of the workload the row belongs to.
	Workload string
	// Cairn and Peer are the samples, in seconds.
	Cairn, Peer []float64
	// PeerDNF reports that a peer call for this row did not finish within
	// PeerLimit; Peer then holds the samples of the calls that did, and the
	// row has no peer median or ratio.
	PeerDNF   bool
	PeerLimit time.Duration
}

// CairnMedian returns the median of cairn's samples, in seconds.
func (r Row) CairnMedian() float64 { return median(r.Cairn) }

// PeerMedian returns the median of the peer's samples, in seconds, and
// false where there is none to report (no sample, or a call did not
// finish).
func (r Row) PeerMedian() (float64, bool) {
	if r.PeerDNF || len(r.Peer) == 0 {
		return 0, false
	}
	return median(r.Peer), true
}

// Ratio returns cairn's median over the peer's (below 1: cairn is faster),
// and false where the peer has no median.
func (r Row) Ratio() (float64, bool) {
	p, ok := r.PeerMedian()
	if !ok || p <= 0 {
		return 0, false
	}
	return r.CairnMedian() / p, true
}

// Note says why a row has no peer figure, or is empty.
func (r Row) Note() string {
	switch {
	case r.PeerDNF:
		return fmt.Sprintf("did not finish within %s", fmtLimit(r.PeerLimit))
	case len(r.Peer) == 0:
		return "no peer figure"
	}
	return ""
}

// RowJSON is a Row as `cairn bench compare --json` prints it: one object a
// line. The peer's figures and the ratio are null where the peer did not
// finish (Note then says why).
type RowJSON struct {
	Workload      string    `json:"workload"`
	Group         string    `json:"group"`
	Tasks         int       `json:"tasks,omitempty"`
	Shape         string    `json:"shape,omitempty"`
	Phase         string    `json:"phase,omitempty"`
	CairnMedianS  float64   `json:"cairn_median_s"`
	PeerMedianS   *float64  `json:"peer_median_s"`
	Ratio         *float64  `json:"ratio"`
	CairnMinS     float64   `json:"cairn_min_s"`
	CairnMaxS     float64   `json:"cairn_max_s"`
	PeerMinS      *float64  `json:"peer_min_s"`
	PeerMaxS      *float64  `json:"peer_max_s"`
	PeerDNF       bool      `json:"peer_dnf,omitempty"`
	PeerLimitS    float64   `json:"peer_limit_s,omitempty"`
	Note          string    `json:"note,omitempty"`
	CairnSamplesS []float64 `json:"cairn_samples_s"`
	PeerSamplesS  []float64 `json:"peer_samples_s"`
}

// JSON returns the row in its JSON form.
func (r Row) JSON() RowJSON {
	j := RowJSON{
		Workload: r.Name, Group: r.Workload, Tasks: r.Tasks, Shape: r.Shape, Phase: r.Phase,
		CairnMedianS: r.CairnMedian(), PeerDNF: r.PeerDNF, Note: r.Note(),
		CairnSamplesS: nonNil(r.Cairn), PeerSamplesS: nonNil(r.Peer),
	}
	j.CairnMinS, j.CairnMaxS = span(r.Cairn)
	if r.PeerDNF {
		j.PeerLimitS = r.PeerLimit.Seconds()
	}
	if p, ok := r.PeerMedian(); ok {
		lo, hi := span(r.Peer)
		ratio, _ := r.Ratio()
		j.PeerMedianS, j.PeerMinS, j.PeerMaxS, j.Ratio = &p, &lo, &hi, &ratio
	}
	return j
}

// MarshalJSON encodes the row as RowJSON.
func (r Row) MarshalJSON() ([]byte, error) { return json.Marshal(r.JSON()) }

func nonNil(xs []float64) []float64 {
	if xs == nil {
		return []float64{}
	}
	return xs
}

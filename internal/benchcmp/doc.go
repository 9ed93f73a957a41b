// Package benchcmp measures cairn and a peer system (Dask) on the same
// workloads in one run and reports ratios: the machinery behind
// `cairn bench compare`.
//
// A Workload pairs a cairn function with a peer script that time the same
// work, one repetition per call. Run interleaves them — for each workload,
// one untimed cairn warm-up, then cairn, peer, cairn, peer, ... — so that
// drift on a shared machine hits both sides alike, and summarises each row
// as a median and a min–max of each side and the ratio of the medians
// (cairn over peer: below 1, cairn is faster). Ratios taken in one run hold
// across machines; absolute times do not.
//
// Each peer call is a fresh interpreter running a script of
// ../shared/peers/dask with one timed repetition: the script does its own
// untimed warm-up inside that interpreter and times only the work, so
// interpreter start-up is paid on every call but never measured. A call
// that runs past the peer time limit is stopped and its rows are marked as
// not finished within it; that workload's later peer calls are skipped.
//
// The Report prints as a text table, as JSON lines, and as charts (PNG and
// SVG, drawn with gonum.org/v1/plot).
package benchcmp

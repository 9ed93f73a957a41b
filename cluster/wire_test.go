package cluster

import (
	"reflect"
	"testing"
	"time"

	"github.com/cairnlabs/cairn/checkpoint"
	"github.com/cairnlabs/cairn/codec"
)

func sampleTasks() []*wireTask {
	return []*wireTask{
		{Seq: 1, Kind: kindRun, Name: "sum[3]", Func: "demo.sum", Version: "2", Key: "demo.sum/abc",
			Args: []wireArg{
				{Tag: argInline, Codec: codec.Float64, Data: []byte{0, 0, 0, 0, 0, 0, 240, 63}, Key: "k"},
				{Tag: argRef, Worker: "w1", Addr: "10.0.0.2:4000", Chunk: 42, Size: 1 << 23},
				{Tag: argList, Elems: []wireArg{{Tag: argRef, Worker: "w2", Addr: "a:1", Chunk: 7, Size: 8}, {Tag: argInline, Codec: codec.Int, Data: []byte{1, 0, 0, 0, 0, 0, 0, 0}}},
					Keys: []wireArg{{Tag: argInline, Codec: codec.String, Data: []byte("a")}, {Tag: argInline, Codec: codec.String, Data: []byte("b")}}},
			},
			Ckpt: &wireCkpt{Store: "file:///x", Key: "demo.sum/abc", Meta: checkpoint.Meta{Key: "demo.sum/abc", Thunk: "sum[3]", Func: "demo.sum", Version: "2", Run: "r1"},
				MinDuration: time.Second, Required: true, Standalone: true}},
		{Seq: 2, Kind: kindRestore, Name: "inner", Func: "demo.inner", Store: "nats://h:4222/b", RKey: "demo.inner/x", Run: "r1", Alone: true, Args: []wireArg{}},
	}
}

func sampleResults() []*wireResult {
	return []*wireResult{
		{Seq: 1, Kind: resOK, Duration: 5 * time.Millisecond, Bytes: 8, Inline: true, Codec: codec.Float64, Data: []byte{1, 2, 3, 4, 5, 6, 7, 8}, CkptPending: true},
		{Seq: 2, Kind: resOK, Bytes: 1 << 23, Chunk: 99},
		{Seq: 3, Kind: resFailed, Err: "boom", Panic: true, Stack: "goroutine 1", Retryable: true, Duration: time.Millisecond},
		{Seq: 4, Kind: resLost, Err: "gone", Holder: "w2", Lost: []int{0, 3}},
		{Seq: 1, Kind: resCheckpoint, Bytes: 120, Duration: time.Millisecond, Skipped: true, Err: "disk full"},
		{Seq: 5, Kind: resMissing, Err: "not found", Corrupt: false},
	}
}

func TestWireRoundTrip(t *testing.T) {
	ts := sampleTasks()
	driver, got, err := decodeTasks(encodeTasks("d1", ts))
	if err != nil || driver != "d1" || !reflect.DeepEqual(got, ts) {
		t.Fatalf("tasks: %v, %q\ngot  %#v\nwant %#v", err, driver, got, ts)
	}
	rs := sampleResults()
	worker, gotR, err := decodeResults(encodeResults("w9", rs))
	if err != nil || worker != "w9" || !reflect.DeepEqual(gotR, rs) {
		t.Fatalf("results: %v, %q\ngot  %#v\nwant %#v", err, worker, gotR, rs)
	}
	op, ids, err := decodeControl(encodeControl(opRelease, []uint64{1, 2, 1 << 40}))
	if err != nil || op != opRelease || !reflect.DeepEqual(ids, []uint64{1, 2, 1 << 40}) {
		t.Fatalf("control: %v %v %v", op, ids, err)
	}
}

// Every truncation of a message is an error, never a panic or a short
// read taken for a whole one.
func TestWireTruncated(t *testing.T) {
	for name, msg := range map[string][]byte{
		"tasks": encodeTasks("d1", sampleTasks()), "results": encodeResults("w", sampleResults()),
		"control": encodeControl(opRelease, []uint64{5, 6}),
	} {
		for n := 0; n < len(msg); n++ {
			var err error
			switch name {
			case "tasks":
				_, _, err = decodeTasks(msg[:n])
			case "results":
				_, _, err = decodeResults(msg[:n])
			case "control":
				_, _, err = decodeControl(msg[:n])
			}
			if err == nil {
				t.Fatalf("%s cut to %d of %d bytes decoded without error", name, n, len(msg))
			}
		}
	}
}

func FuzzDecodeTasks(f *testing.F) {
	f.Add(encodeTasks("d1", sampleTasks()))
	f.Add([]byte(magicTasks))
	f.Fuzz(func(t *testing.T, b []byte) {
		driver, ts, err := decodeTasks(b)
		if err != nil {
			return
		}
		// What decodes survives a round trip (the bytes may differ:
		// varints and booleans have more than one spelling).
		d2, ts2, err := decodeTasks(encodeTasks(driver, ts))
		if err != nil || d2 != driver || !reflect.DeepEqual(ts2, ts) {
			t.Fatalf("round trip: %v", err)
		}
	})
}

func FuzzDecodeResults(f *testing.F) {
	f.Add(encodeResults("w", sampleResults()))
	f.Add([]byte(magicResults))
	f.Fuzz(func(t *testing.T, b []byte) {
		worker, rs, err := decodeResults(b)
		if err != nil {
			return
		}
		w2, rs2, err := decodeResults(encodeResults(worker, rs))
		if err != nil || w2 != worker || !reflect.DeepEqual(rs2, rs) {
			t.Fatalf("round trip: %v", err)
		}
	})
}

func FuzzDecodeControl(f *testing.F) {
	f.Add(encodeControl(opRelease, []uint64{1, 2, 3}))
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _, _ = decodeControl(b)
	})
}

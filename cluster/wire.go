package cluster

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/cairnlabs/cairn/checkpoint"
	"github.com/cairnlabs/cairn/codec"
)

// The messages between the driver and its workers, in a compact binary
// form: a four-byte magic naming the kind and version, then fields as
// unsigned varints, strings and byte strings as a varint length and their
// bytes. Decoders check every length against what is left: a message from
// the network never makes them panic or allocate more than it holds.
//
//	task batch  (driver → worker, JetStream)  "CTB2" driver count task...
//	result batch (worker → driver, NATS)       "CRB1" worker count result...
//	control     (driver → worker, NATS)        "CCB1" op ids...
const (
	magicTasks   = "CTB2" // 2: a checkpoint request says Standalone
	magicResults = "CRB1"
	magicControl = "CCB1"
)

// errShort is what decoders say of a message that ends too soon.
var errShort = errors.New("message ends too soon")

// taskKind says what a task asks of a worker.
type taskKind byte

const (
	kindRun     taskKind = iota // call the function
	kindRestore                 // read a checkpoint into the worker's store
)

// wireTask is one task as it travels.
type wireTask struct {
	Seq     uint64 // the driver's number for this request
	Kind    taskKind
	Name    string // the thunk's, for people
	Func    string
	Version string
	Key     string // the thunk's lineage key, carried by its result
	Ckpt    *wireCkpt
	// Restore: the store and key to read (kindRestore).
	Store, RKey, Run string
	Args             []wireArg
	// Alone asks the worker to run this task before taking others from the
	// same batch (it was lost before: it may be what kills workers).
	Alone bool
}

// wireCkpt is a checkpoint request.
type wireCkpt struct {
	Store, Key  string
	Meta        checkpoint.Meta
	MinDuration time.Duration
	Required    bool
	Standalone  bool
}

// argTag says how an argument travels.
type argTag byte

const (
	argInline argTag = 'V' // the value's bytes
	argRef    argTag = 'R' // where the value lives
	argList   argTag = 'L' // several arguments (a slice or map of thunks)
)

// wireArg is one argument.
type wireArg struct {
	Tag argTag
	// Inline: the codec's ID and bytes.
	Codec codec.ID
	Data  []byte
	// Ref: the worker holding the value, its data-plane address, the
	// value's number there, its size.
	Worker, Addr string
	Chunk        uint64
	Size         int64
	Key          string
	// List: elements, and for a map their keys (inline values).
	Elems []wireArg
	Keys  []wireArg
}

// resultKind says what a result reports.
type resultKind byte

const (
	resOK         resultKind = iota // the task succeeded (or a restore hit)
	resFailed                       // the function failed; the run decides
	resLost                         // inputs were gone: the task did not run
	resCheckpoint                   // a checkpoint's outcome, after resOK
	resMissing                      // a restore found nothing
	resDeclined                     // the worker is leaving: it did not run the task
)

// wireResult is one result as it travels.
type wireResult struct {
	Seq  uint64
	Kind resultKind
	// OK: how long the function ran, the result's encoded size, and
	// either the value (inline) or its number in the worker's store.
	Duration time.Duration
	Bytes    int64
	Inline   bool
	Codec    codec.ID
	Data     []byte
	Chunk    uint64
	// CkptPending: a resCheckpoint message for Seq follows.
	CkptPending bool
	// Failed, lost, missing, checkpoint, declined: what went wrong.
	Err       string
	Panic     bool
	Stack     string
	Retryable bool
	Corrupt   bool
	// Lost: the indexes of the arguments that were gone, and the worker
	// that held (the first of) them.
	Lost   []int
	Holder string
	// Checkpoint outcome.
	Skipped bool
}

// enc appends fields to a message.
type enc struct{ b []byte }

func (e *enc) uint(v uint64)  { e.b = binary.AppendUvarint(e.b, v) }
func (e *enc) int(v int64)    { e.b = binary.AppendVarint(e.b, v) }
func (e *enc) byte(v byte)    { e.b = append(e.b, v) }
func (e *enc) bytes(v []byte) { e.uint(uint64(len(v))); e.b = append(e.b, v...) }
func (e *enc) str(v string)   { e.uint(uint64(len(v))); e.b = append(e.b, v...) }
func (e *enc) bool(v bool) {
	if v {
		e.byte(1)
	} else {
		e.byte(0)
	}
}

// dec reads fields from a message; the first error sticks.
type dec struct {
	b   []byte
	err error
}

func (d *dec) fail(err error) {
	if d.err == nil {
		d.err = err
	}
}

func (d *dec) uint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.fail(errShort)
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *dec) int() int64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.fail(errShort)
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *dec) byte() byte {
	if d.err != nil || len(d.b) == 0 {
		d.fail(errShort)
		return 0
	}
	v := d.b[0]
	d.b = d.b[1:]
	return v
}

func (d *dec) bool() bool { return d.byte() != 0 }

// count reads a number of items, each at least min bytes long: no count
// promises more items than the message can hold.
func (d *dec) count(min int) int {
	n := d.uint()
	if n > uint64(len(d.b)/max(min, 1)) {
		d.fail(fmt.Errorf("count %d is more than the message holds", n))
		return 0
	}
	return int(n)
}

// bytes returns a slice of the message (not a copy).
func (d *dec) bytes() []byte {
	n := d.uint()
	if d.err != nil {
		return nil
	}
	if n > uint64(len(d.b)) {
		d.fail(errShort)
		return nil
	}
	v := d.b[:n:n]
	d.b = d.b[n:]
	return v
}

func (d *dec) str() string { return string(d.bytes()) }

func (d *dec) magic(m string) {
	if len(d.b) < len(m) || string(d.b[:len(m)]) != m {
		d.fail(fmt.Errorf("not a %q message", m))
		return
	}
	d.b = d.b[len(m):]
}

// maxDepth bounds nested argument lists.
const maxDepth = 8

func (e *enc) arg(a *wireArg) {
	e.byte(byte(a.Tag))
	switch a.Tag {
	case argInline:
		e.byte(byte(a.Codec))
		e.bytes(a.Data)
	case argRef:
		e.str(a.Worker)
		e.str(a.Addr)
		e.uint(a.Chunk)
		e.int(a.Size)
	case argList:
		e.uint(uint64(len(a.Elems)))
		e.bool(a.Keys != nil)
		for i := range a.Elems {
			if a.Keys != nil {
				e.arg(&a.Keys[i])
			}
			e.arg(&a.Elems[i])
		}
	}
	e.str(a.Key)
}

func (d *dec) arg(depth int) wireArg {
	var a wireArg
	if depth > maxDepth {
		d.fail(errors.New("argument lists nested too deep"))
		return a
	}
	a.Tag = argTag(d.byte())
	switch a.Tag {
	case argInline:
		a.Codec = codec.ID(d.byte())
		a.Data = d.bytes()
	case argRef:
		a.Worker = d.str()
		a.Addr = d.str()
		a.Chunk = d.uint()
		a.Size = d.int()
	case argList:
		n := d.count(2)
		keyed := d.bool()
		a.Elems = make([]wireArg, n)
		if keyed {
			a.Keys = make([]wireArg, n)
		}
		for i := 0; i < n && d.err == nil; i++ {
			if keyed {
				a.Keys[i] = d.arg(depth + 1)
			}
			a.Elems[i] = d.arg(depth + 1)
		}
	default:
		d.fail(fmt.Errorf("unknown argument tag %q", a.Tag))
	}
	a.Key = d.str()
	return a
}

// encodeTasks makes a task batch message.
func encodeTasks(driver string, ts []*wireTask) []byte {
	e := enc{b: make([]byte, 0, 256)}
	e.b = append(e.b, magicTasks...)
	e.str(driver)
	e.uint(uint64(len(ts)))
	for _, t := range ts {
		e.uint(t.Seq)
		e.byte(byte(t.Kind))
		e.str(t.Name)
		e.str(t.Func)
		e.str(t.Version)
		e.str(t.Key)
		e.bool(t.Alone)
		e.bool(t.Ckpt != nil)
		if c := t.Ckpt; c != nil {
			e.str(c.Store)
			e.str(c.Key)
			e.str(c.Meta.Thunk)
			e.str(c.Meta.Func)
			e.str(c.Meta.Version)
			e.str(c.Meta.Run)
			e.int(int64(c.MinDuration))
			e.bool(c.Required)
			e.bool(c.Standalone)
		}
		e.str(t.Store)
		e.str(t.RKey)
		e.str(t.Run)
		e.uint(uint64(len(t.Args)))
		for i := range t.Args {
			e.arg(&t.Args[i])
		}
	}
	return e.b
}

// decodeTasks reads a task batch message. Byte fields alias b.
func decodeTasks(b []byte) (driver string, ts []*wireTask, err error) {
	d := dec{b: b}
	d.magic(magicTasks)
	driver = d.str()
	n := d.count(8)
	for i := 0; i < n && d.err == nil; i++ {
		t := &wireTask{Seq: d.uint(), Kind: taskKind(d.byte())}
		t.Name, t.Func, t.Version, t.Key = d.str(), d.str(), d.str(), d.str()
		t.Alone = d.bool()
		if d.bool() {
			c := &wireCkpt{Store: d.str(), Key: d.str()}
			c.Meta = checkpoint.Meta{Key: c.Key, Thunk: d.str(), Func: d.str(), Version: d.str(), Run: d.str()}
			c.MinDuration = time.Duration(d.int())
			c.Required = d.bool()
			c.Standalone = d.bool()
			t.Ckpt = c
		}
		t.Store, t.RKey, t.Run = d.str(), d.str(), d.str()
		if t.Kind > kindRestore {
			d.fail(fmt.Errorf("unknown task kind %d", t.Kind))
		}
		na := d.count(2)
		t.Args = make([]wireArg, 0, na)
		for j := 0; j < na && d.err == nil; j++ {
			t.Args = append(t.Args, d.arg(0))
		}
		ts = append(ts, t)
	}
	if d.err == nil && len(d.b) != 0 {
		d.fail(fmt.Errorf("%d bytes after the last task", len(d.b)))
	}
	if d.err != nil {
		return "", nil, fmt.Errorf("cluster: bad task message: %w", d.err)
	}
	return driver, ts, nil
}

// encodeResults makes a result batch message.
func encodeResults(worker string, rs []*wireResult) []byte {
	e := enc{b: make([]byte, 0, 64+32*len(rs))}
	e.b = append(e.b, magicResults...)
	e.str(worker)
	e.uint(uint64(len(rs)))
	for _, r := range rs {
		e.uint(r.Seq)
		e.byte(byte(r.Kind))
		switch r.Kind {
		case resOK:
			e.int(int64(r.Duration))
			e.int(r.Bytes)
			e.bool(r.Inline)
			if r.Inline {
				e.byte(byte(r.Codec))
				e.bytes(r.Data)
			} else {
				e.uint(r.Chunk)
			}
			e.bool(r.CkptPending)
		case resFailed, resMissing:
			e.str(r.Err)
			e.bool(r.Panic)
			e.str(r.Stack)
			e.bool(r.Retryable)
			e.bool(r.Corrupt)
			e.int(int64(r.Duration))
		case resLost:
			e.str(r.Err)
			e.str(r.Holder)
			e.uint(uint64(len(r.Lost)))
			for _, i := range r.Lost {
				e.uint(uint64(i))
			}
		case resCheckpoint:
			e.int(r.Bytes)
			e.int(int64(r.Duration))
			e.bool(r.Skipped)
			e.str(r.Err)
		case resDeclined:
			e.str(r.Err)
		}
	}
	return e.b
}

// decodeResults reads a result batch message. Byte fields alias b.
func decodeResults(b []byte) (worker string, rs []*wireResult, err error) {
	d := dec{b: b}
	d.magic(magicResults)
	worker = d.str()
	n := d.count(2)
	for i := 0; i < n && d.err == nil; i++ {
		r := &wireResult{Seq: d.uint(), Kind: resultKind(d.byte())}
		switch r.Kind {
		case resOK:
			r.Duration = time.Duration(d.int())
			r.Bytes = d.int()
			r.Inline = d.bool()
			if r.Inline {
				r.Codec = codec.ID(d.byte())
				r.Data = d.bytes()
			} else {
				r.Chunk = d.uint()
			}
			r.CkptPending = d.bool()
		case resFailed, resMissing:
			r.Err, r.Panic, r.Stack = d.str(), d.bool(), d.str()
			r.Retryable, r.Corrupt = d.bool(), d.bool()
			r.Duration = time.Duration(d.int())
		case resLost:
			r.Err = d.str()
			r.Holder = d.str()
			k := d.count(1)
			for j := 0; j < k && d.err == nil; j++ {
				v := d.uint()
				if v > math.MaxInt32 {
					d.fail(fmt.Errorf("argument index %d", v))
				}
				r.Lost = append(r.Lost, int(v))
			}
		case resCheckpoint:
			r.Bytes = d.int()
			r.Duration = time.Duration(d.int())
			r.Skipped = d.bool()
			r.Err = d.str()
		case resDeclined:
			r.Err = d.str()
		default:
			d.fail(fmt.Errorf("unknown result kind %d", r.Kind))
		}
		rs = append(rs, r)
	}
	if d.err == nil && len(d.b) != 0 {
		d.fail(fmt.Errorf("%d bytes after the last result", len(d.b)))
	}
	if d.err != nil {
		return "", nil, fmt.Errorf("cluster: bad result message: %w", d.err)
	}
	return worker, rs, nil
}

// Control operations.
const (
	opRelease byte = 1 + iota // free the chunks whose numbers follow
	opDrain                   // stop taking tasks, finish, leave
)

// encodeControl makes a control message.
func encodeControl(op byte, ids []uint64) []byte {
	e := enc{b: make([]byte, 0, 8+4*len(ids))}
	e.b = append(e.b, magicControl...)
	e.byte(op)
	e.uint(uint64(len(ids)))
	for _, id := range ids {
		e.uint(id)
	}
	return e.b
}

// decodeControl reads a control message.
func decodeControl(b []byte) (op byte, ids []uint64, err error) {
	d := dec{b: b}
	d.magic(magicControl)
	op = d.byte()
	n := d.count(1)
	for i := 0; i < n && d.err == nil; i++ {
		ids = append(ids, d.uint())
	}
	if d.err != nil {
		return 0, nil, fmt.Errorf("cluster: bad control message: %w", d.err)
	}
	return op, ids, nil
}

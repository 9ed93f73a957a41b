package filestore

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cairnlabs/cairn/checkpoint/driver"
)

// The multi-process tests re-execute the test binary: with
// CAIRN_PACK_WORKER set, TestPackProcesses and TestPackProcessKilled run
// one worker (packWorker) instead of the test, and exit.
const (
	envWorker   = "CAIRN_PACK_WORKER"   // the worker's number
	envDir      = "CAIRN_PACK_DIR"      // the store's directory
	envSig      = "CAIRN_PACK_SIG"      // the directory of signal files and the side log
	envDeadline = "CAIRN_PACK_DEADLINE" // Unix nanoseconds when the worker stops
	envMode     = "CAIRN_PACK_MODE"     // "stress", or "kill": also write once/ keys and log them
	envWorkers  = "CAIRN_PACK_WORKERS"  // how many workers share the directory
)

const (
	procGoroutines = 2  // writers per worker process
	procKeys       = 24 // shared keys k/00..k/23
)

// TestPackProcesses runs three processes against one directory at once:
// each puts (small values to packs, some large ones to files of their own),
// gets, deletes, touches, lists and sweeps a small shared key set. Every
// value read must be whole and written for that key, and each goroutine's
// reads of a key must be linearizable: once it saw a value replaced (by
// another value or a deletion), that value or an older one of the same
// writer never comes back. A key that a worker put and then announced in a
// signal file must read as that value or a newer one in every process.
// Afterwards a fresh Driver reads everything, sweeps, and must read the
// same. CAIRN_CHAOS=1 runs longer.
func TestPackProcesses(t *testing.T) {
	if os.Getenv(envWorker) != "" {
		packWorkerMain()
		return
	}
	if testing.Short() {
		t.Skip("starts processes")
	}
	dur := 2 * time.Second
	if os.Getenv("CAIRN_CHAOS") != "" {
		dur = 30 * time.Second
	}
	dir, sig := t.TempDir(), t.TempDir()
	const workers = 3
	deadline := time.Now().Add(dur)
	var cmds []*exec.Cmd
	var outs []*bytes.Buffer
	for i := range workers {
		cmd, out := startPackWorker(t, "TestPackProcesses", i, workers, "stress", dir, sig, deadline)
		cmds, outs = append(cmds, cmd), append(outs, out)
	}
	for i, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Errorf("worker %d: %v\n%s", i, err, outs[i])
		} else {
			t.Logf("worker %d: %s", i, strings.TrimSpace(outs[i].String()))
		}
	}
	if t.Failed() {
		return
	}
	checkPackDir(t, dir, sig, workers, nil)
}

// TestPackProcessKilled kills a worker with SIGKILL while it and another
// worker use the directory; the killed worker puts keys once/NNNN, each
// written once, and logs each completed Put in a side log it syncs. Then a
// fresh Driver lists and gets every key, every logged key among them.
func TestPackProcessKilled(t *testing.T) {
	if os.Getenv(envWorker) != "" {
		packWorkerMain()
		return
	}
	if testing.Short() {
		t.Skip("starts processes")
	}
	if runtime.GOOS == "windows" || runtime.GOOS == "plan9" || runtime.GOOS == "js" || runtime.GOOS == "wasip1" {
		t.Skip("needs SIGKILL")
	}
	rounds, killAfter := 1, 600*time.Millisecond
	if os.Getenv("CAIRN_CHAOS") != "" {
		rounds = 8
	}
	dir, sig := t.TempDir(), t.TempDir()
	const workers = 2
	for round := range rounds {
		// Round r kills worker 0 again in a directory that earlier
		// rounds (and their killed workers) left.
		logPath := filepath.Join(sig, "once.log")
		os.Remove(logPath)
		victim, vout := startPackWorker(t, "TestPackProcessKilled", 0, workers, "kill", dir, sig, time.Now().Add(time.Minute))
		other, oout := startPackWorker(t, "TestPackProcessKilled", 1, workers, "stress", dir, sig, time.Now().Add(killAfter+300*time.Millisecond))
		start := time.Now()
		for {
			time.Sleep(10 * time.Millisecond)
			b, _ := os.ReadFile(logPath)
			if n := bytes.Count(b, []byte("\n")); n >= 20 && time.Since(start) > killAfter || time.Since(start) > 20*time.Second {
				break
			}
		}
		if err := victim.Process.Signal(os.Kill); err != nil {
			t.Fatal(err)
		}
		werr := victim.Wait()
		if ee, ok := werr.(*exec.ExitError); !ok || ee.Exited() {
			t.Fatalf("round %d: the killed worker ended with %v, not by the signal\n%s", round, werr, vout)
		}
		if err := other.Wait(); err != nil {
			t.Fatalf("round %d: worker 1: %v\n%s", round, err, oout)
		}
		logged := readOnceLog(t, logPath)
		if len(logged) == 0 {
			t.Fatalf("round %d: the killed worker logged no Put\n%s", round, vout)
		}
		t.Logf("round %d: killed after %d logged puts; worker 1: %s", round, len(logged), strings.TrimSpace(oout.String()))
		checkPackDir(t, dir, sig, workers, logged)
		if t.Failed() {
			return
		}
	}
}

// startPackWorker starts worker i of the test named test.
func startPackWorker(t *testing.T, test string, i, workers int, mode, dir, sig string, deadline time.Time) (*exec.Cmd, *bytes.Buffer) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^"+test+"$", "-test.count=1")
	cmd.Env = append(os.Environ(),
		envWorker+"="+strconv.Itoa(i), envWorkers+"="+strconv.Itoa(workers), envMode+"="+mode,
		envDir+"="+dir, envSig+"="+sig, envDeadline+"="+strconv.FormatInt(deadline.UnixNano(), 10))
	out := &bytes.Buffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	return cmd, out
}

// readOnceLog returns the once/ keys the killed worker logged, by number.
func readOnceLog(t *testing.T, path string) []int {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var ns []int
	for line := range strings.Lines(string(b)) {
		if !strings.HasSuffix(line, "\n") {
			break // cut short by the kill
		}
		n, err := strconv.Atoi(strings.TrimSpace(line))
		if err != nil {
			t.Fatalf("side log line %q", line)
		}
		ns = append(ns, n)
	}
	return ns
}

// checkPackDir opens a fresh Driver over dir: every listed key must read
// as a whole value of its own, every announced raw/ key as the announced
// value or a newer one, every logged once/ key as what was logged. Then it
// sweeps (with every pack a candidate) and a second fresh Driver must read
// exactly the same.
func checkPackDir(t *testing.T, dir, sig string, workers int, once []int) {
	t.Helper()
	before := packDirState(t, dir, sig, workers, once, false)
	d := openT(t, dir, nil)
	n, size, err := d.Sweep(context.Background(), time.Now().Add(time.Hour))
	if err != nil {
		t.Fatalf("sweep: %v", err)
	}
	packs, _ := os.ReadDir(filepath.Join(dir, packDirName))
	t.Logf("%d keys; the sweep removed %d files (%d bytes); %d packs left", len(before), n, size, len(packs))
	after := packDirState(t, dir, sig, workers, once, true)
	for k, v := range before {
		if w, ok := after[k]; !ok {
			t.Errorf("key %s (%s) is gone after a sweep", k, v)
		} else if w != v {
			t.Errorf("key %s read %s before a sweep, %s after", k, v, w)
		}
	}
	for k, v := range after {
		if _, ok := before[k]; !ok {
			t.Errorf("key %s (%s) appeared with a sweep", k, v)
		}
	}
}

// packDirState returns what a fresh Driver reads for every listed key:
// "writer#seq".
func packDirState(t *testing.T, dir, sig string, workers int, once []int, swept bool) map[string]string {
	t.Helper()
	ctx := context.Background()
	d, err := Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	state := map[string]string{}
	var keys []string
	if err := d.List(ctx, "", func(a driver.Attrs) error {
		keys = append(keys, a.Key)
		return nil
	}); err != nil {
		t.Fatalf("list (swept %v): %v", swept, err)
	}
	for _, k := range keys {
		b, err := d.Get(ctx, k)
		if err != nil {
			t.Errorf("get %s, listed (swept %v): %v", k, swept, err)
			continue
		}
		w, seq, err := parseProcVal(k, b)
		if err != nil {
			t.Errorf("get %s (swept %v): %v", k, swept, err)
			continue
		}
		if _, dup := state[k]; dup {
			t.Errorf("key %s listed twice (swept %v)", k, swept)
		}
		state[k] = fmt.Sprintf("%s#%d", w, seq)
	}
	for i := range workers {
		for g := range procGoroutines {
			w := procWriter(i, g)
			n, ok := readSignal(sig, w)
			if !ok {
				continue
			}
			if got, want := state["raw/"+w], fmt.Sprintf("%s#", w); !strings.HasPrefix(got, want) {
				t.Errorf("raw/%s reads %q after %s announced #%d (swept %v)", w, got, w, n, swept)
			} else if seq, _ := strconv.ParseUint(strings.TrimPrefix(got, want), 10, 64); seq < n {
				t.Errorf("raw/%s reads #%d after %s announced #%d (swept %v)", w, seq, w, n, swept)
			}
		}
	}
	for _, n := range once {
		k := fmt.Sprintf("once/%04d", n)
		if got, want := state[k], fmt.Sprintf("w0.once#%d", n); got != want {
			t.Errorf("%s reads %q, want %q: its Put completed before the kill (swept %v)", k, got, want, swept)
		}
	}
	return state
}

// procWriter names goroutine g of worker i.
func procWriter(i, g int) string { return fmt.Sprintf("w%d.%d", i, g) }

// procVal returns a value of size bytes (at least the header) for key,
// written by writer as its seq'th value, ending in a checksum of the rest.
func procVal(key, writer string, seq uint64, size int) []byte {
	b := []byte("CKV1")
	b = binary.LittleEndian.AppendUint16(b, uint16(len(key)))
	b = append(b, key...)
	b = append(b, byte(len(writer)))
	b = append(b, writer...)
	b = binary.LittleEndian.AppendUint64(b, seq)
	size = max(size, len(b)+8)
	b = binary.LittleEndian.AppendUint32(b, uint32(size))
	x := crc32.ChecksumIEEE(b) | 1
	for len(b) < size-4 {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		b = append(b, byte(x))
	}
	return binary.LittleEndian.AppendUint32(b, crc32.ChecksumIEEE(b))
}

// parseProcVal checks that b is a whole value written for key and returns
// its writer and sequence number.
func parseProcVal(key string, b []byte) (string, uint64, error) {
	bad := func(why string) (string, uint64, error) {
		return "", 0, fmt.Errorf("value of %d bytes is %s: % x...", len(b), why, b[:min(len(b), 48)])
	}
	if len(b) < 4+2+1+8+4+4 || string(b[:4]) != "CKV1" {
		return bad("not a value (torn or foreign)")
	}
	if crc32.ChecksumIEEE(b[:len(b)-4]) != binary.LittleEndian.Uint32(b[len(b)-4:]) {
		return bad("torn (checksum)")
	}
	kl := int(binary.LittleEndian.Uint16(b[4:]))
	r := b[6:]
	if len(r) < kl+1 || string(r[:kl]) != key {
		return bad(fmt.Sprintf("written for another key, not %q", key))
	}
	r = r[kl:]
	wl := int(r[0])
	if len(r) < 1+wl+12 {
		return bad("short")
	}
	w := string(r[1 : 1+wl])
	r = r[1+wl:]
	if int(binary.LittleEndian.Uint32(r[8:])) != len(b) {
		return bad("of the wrong size")
	}
	return w, binary.LittleEndian.Uint64(r), nil
}

// readSignal returns the sequence number writer last announced for its
// raw/ key.
func readSignal(sig, writer string) (uint64, bool) {
	b, err := os.ReadFile(filepath.Join(sig, writer))
	if err != nil {
		return 0, false
	}
	n, err := strconv.ParseUint(string(b), 10, 64)
	return n, err == nil
}

// writeSignal announces that writer's raw/ key holds its seq'th value.
func writeSignal(sig, writer string, seq uint64) error {
	tmp := filepath.Join(sig, writer+".tmp")
	if err := os.WriteFile(tmp, []byte(strconv.FormatUint(seq, 10)), 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(sig, writer))
}

// packWorkerMain runs one worker process and exits: 0 when every check
// held, 3 with the reasons on stderr otherwise.
func packWorkerMain() {
	i, _ := strconv.Atoi(os.Getenv(envWorker))
	workers, _ := strconv.Atoi(os.Getenv(envWorkers))
	ns, _ := strconv.ParseInt(os.Getenv(envDeadline), 10, 64)
	w := &procWorker{id: i, workers: workers, dir: os.Getenv(envDir), sig: os.Getenv(envSig), deadline: time.Unix(0, ns)}
	if err := w.run(os.Getenv(envMode)); err != nil {
		fmt.Fprintf(os.Stderr, "worker %d: %v\n", i, err)
		os.Exit(3)
	}
	fmt.Printf("%d ops, %d sweeps removed %d packs, %d large puts lost their temporary file to a sweep\n",
		w.ops.Load(), w.sweeps.Load(), w.swept.Load(), w.lostTemps.Load())
	os.Exit(0)
}

type procWorker struct {
	id, workers int
	dir, sig    string
	deadline    time.Time
	d           *Driver

	ops, sweeps, swept, lostTemps atomic.Int64
}

func (w *procWorker) run(mode string) error {
	// Worker 0 syncs, the others do not: both paths run.
	d, err := Open(w.dir, &Options{NoSync: w.id != 0})
	if err != nil {
		return err
	}
	w.d = d
	var wg sync.WaitGroup
	errs := make([]error, procGoroutines+1)
	for g := range procGoroutines {
		wg.Go(func() { errs[g] = w.loop(g) })
	}
	if mode == "kill" {
		wg.Go(func() { errs[procGoroutines] = w.once() })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	if w.id == w.workers-1 {
		return nil // leave the pack unsealed, as a crash would
	}
	return d.Close()
}

// once puts once/0000, once/0001, ... and logs each completed Put.
func (w *procWorker) once() error {
	ctx := context.Background()
	f, err := os.OpenFile(filepath.Join(w.sig, "once.log"), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	defer f.Close()
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
	for n := 0; time.Now().Before(w.deadline); n++ {
		size := 40 + rng.IntN(3000)
		if rng.IntN(8) == 0 {
			size = DefaultPackMax + 1 + rng.IntN(16<<10)
		}
		k := fmt.Sprintf("once/%04d", n)
		b := procVal(k, "w0.once", uint64(n), size)
		if err := w.d.Put(ctx, k, bytes.NewReader(b), int64(len(b))); err != nil {
			if size > DefaultPackMax && errors.Is(err, fs.ErrNotExist) {
				w.lostTemps.Add(1)
				n--
				continue
			}
			return fmt.Errorf("put %s: %w", k, err)
		}
		if _, err := fmt.Fprintf(f, "%d\n", n); err != nil {
			return err
		}
		if err := f.Sync(); err != nil {
			return err
		}
	}
	return nil
}

// obs is what one goroutine last saw of a key, and the versions it knows
// are replaced: dead[writer] is the newest seq of writer it saw replaced.
type obs struct {
	known, present bool
	writer         string
	seq            uint64
	size           int
	dead           map[string]uint64
	hist           []string // the last observations, for the report
}

// see records that the goroutine saw key as absent (writer == "") or as
// writer's seq'th value, and returns an error if that goes back in time.
func (o *obs) see(key, writer string, seq uint64, size int, how string) error {
	present := writer != ""
	o.hist = append(o.hist, fmt.Sprintf("%s:%s#%d(%dB)", how, writer, seq, size))
	if len(o.hist) > 8 {
		o.hist = o.hist[1:]
	}
	if o.known && (present != o.present || writer != o.writer || seq != o.seq) && o.present {
		o.dead[o.writer] = max(o.dead[o.writer], o.seq)
	}
	if d, ok := o.dead[writer]; present && ok && seq <= d {
		return fmt.Errorf("%s %s: %s#%d (%d bytes), but %s#%d was seen replaced before; seen: %v",
			how, key, writer, seq, size, writer, d, o.hist)
	}
	o.known, o.present, o.writer, o.seq = true, present, writer, seq
	return nil
}

// loop is one writer's mix of operations until the deadline.
func (w *procWorker) loop(g int) error {
	ctx := context.Background()
	me := procWriter(w.id, g)
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), uint64(w.id*16+g)))
	seen := map[string]*obs{}
	view := func(k string) *obs {
		o := seen[k]
		if o == nil {
			o = &obs{dead: map[string]uint64{}}
			seen[k] = o
		}
		return o
	}
	// Sequence numbers go on from earlier processes of the same writer
	// (rounds of TestPackProcessKilled): they start at the clock.
	seq := uint64(time.Now().UnixNano())
	size := func() int {
		switch r := rng.IntN(20); {
		case r == 0:
			return DefaultPackMax + 1 + rng.IntN(16<<10) // a file of its own
		case r == 1:
			return DefaultPackMax // the largest packed entry
		default:
			return 30 + rng.IntN(2000)
		}
	}
	put := func(k string) (bool, error) {
		seq++
		n := size()
		b := procVal(k, me, seq, n)
		if err := w.d.Put(ctx, k, bytes.NewReader(b), int64(len(b))); err != nil {
			if n > DefaultPackMax && errors.Is(err, fs.ErrNotExist) {
				// Another process's sweep (before: in an hour)
				// removed the temporary file: nothing was written.
				w.lostTemps.Add(1)
				return false, nil
			}
			return false, fmt.Errorf("put %s #%d (%d bytes): %w", k, seq, n, err)
		}
		return true, view(k).see(k, me, seq, len(b), "put")
	}
	get := func(k string) error {
		b, err := w.d.Get(ctx, k)
		if errors.Is(err, fs.ErrNotExist) {
			return view(k).see(k, "", 0, 0, "get")
		}
		if err != nil {
			return fmt.Errorf("get %s: %w", k, err)
		}
		wr, s, err := parseProcVal(k, b)
		if err != nil {
			return fmt.Errorf("get %s: %w", k, err)
		}
		return view(k).see(k, wr, s, len(b), "get")
	}
	raw := "raw/" + me
	for time.Now().Before(w.deadline) {
		w.ops.Add(1)
		k := fmt.Sprintf("k/%02d", rng.IntN(procKeys))
		var err error
		switch r := rng.IntN(100); {
		case r < 35:
			_, err = put(k)
		case r < 65:
			err = get(k)
		case r < 73:
			if err = w.d.Delete(ctx, k); err != nil {
				err = fmt.Errorf("delete %s: %w", k, err)
			} else {
				err = view(k).see(k, "", 0, 0, "delete")
			}
		case r < 78:
			if err = w.d.Touch(ctx, k, time.Now()); errors.Is(err, fs.ErrNotExist) {
				err = nil
			}
		case r < 81:
			b, gerr := w.d.GetRange(ctx, k, 0, int64(6+len(k)))
			switch {
			case errors.Is(gerr, fs.ErrNotExist):
			case gerr != nil:
				err = fmt.Errorf("get range %s: %w", k, gerr)
			case len(b) != 6+len(k) || string(b[:4]) != "CKV1" || string(b[6:]) != k:
				err = fmt.Errorf("get range %s: % x is not the start of its value", k, b)
			}
		case r < 85:
			var listed []string
			err = w.d.List(ctx, "k/", func(a driver.Attrs) error {
				if !strings.HasPrefix(a.Key, "k/") || a.Size <= 0 {
					return fmt.Errorf("listed %+v", a)
				}
				listed = append(listed, a.Key)
				return nil
			})
			if err != nil {
				err = fmt.Errorf("list: %w", err)
			} else if len(listed) > 0 {
				err = get(listed[rng.IntN(len(listed))])
			}
		case r < 87:
			n, _, serr := w.d.Sweep(ctx, time.Now().Add(time.Hour))
			if serr != nil {
				err = fmt.Errorf("sweep: %w", serr)
			}
			w.sweeps.Add(1)
			w.swept.Add(int64(n))
		case r < 93:
			// Announce a new value of our raw/ key.
			var ok bool
			if ok, err = put(raw); ok && err == nil {
				err = writeSignal(w.sig, me, seq)
			}
		default:
			// Read another writer's raw/ key after its announcement.
			other := procWriter(rng.IntN(w.workers), rng.IntN(procGoroutines))
			n, ok := readSignal(w.sig, other)
			if !ok || other == me {
				continue
			}
			k := "raw/" + other
			b, gerr := w.d.Get(ctx, k)
			if gerr != nil {
				err = fmt.Errorf("get %s after %s announced #%d: %w", k, other, n, gerr)
				break
			}
			wr, s, perr := parseProcVal(k, b)
			switch {
			case perr != nil:
				err = fmt.Errorf("get %s: %w", k, perr)
			case wr != other || s < n:
				err = fmt.Errorf("get %s reads %s#%d after %s announced #%d", k, wr, s, other, n)
			default:
				err = view(k).see(k, wr, s, len(b), "get")
			}
		}
		if err != nil {
			return fmt.Errorf("%s: %w", me, err)
		}
	}
	return nil
}

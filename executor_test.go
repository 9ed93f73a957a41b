package cairn_test

import (
	"context"
	"fmt"
	"math"
	"reflect"
	"testing"

	"github.com/cairnlabs/cairn"
	"github.com/cairnlabs/cairn/codec"
	"github.com/cairnlabs/cairn/exec"
)

// wireExecutor runs tasks as a remote executor would: the function is looked
// up by its registered name and version, and every argument and result
// crosses a codec boundary, so nothing is shared with the scheduler's
// memory. It shows the scheduler needs nothing more from an executor.
type wireExecutor struct{ slots int }

type wireChunk struct {
	id   codec.ID
	data []byte
	key  string
}

func (c *wireChunk) Value(context.Context) (any, error) {
	return codec.Unmarshal(c.id, append([]byte(nil), c.data...), nil)
}

func (c *wireChunk) Key() string { return c.key }

func (e wireExecutor) Slots() int { return e.slots }

func (e wireExecutor) Execute(ctx context.Context, t *exec.Task) (exec.Result, error) {
	fn, ok := cairn.Lookup(t.Func.Name())
	if !ok || fn.Version() != t.Func.Version() {
		return exec.Result{}, fmt.Errorf("wire: function %s@%s is not registered in the worker", t.Func.Name(), t.Func.Version())
	}
	// Ship the arguments: encode here, decode "there".
	args := make([]any, len(t.Args))
	for i, a := range t.Args {
		v, err := a.Value(ctx)
		if err != nil {
			return exec.Result{}, err
		}
		id, b, err := codec.Marshal(v)
		if err != nil {
			return exec.Result{}, fmt.Errorf("wire: argument %d: %w", i+1, err)
		}
		if args[i], err = codec.Unmarshal(id, append([]byte(nil), b...), nil); err != nil {
			return exec.Result{}, err
		}
	}
	v, err := fn.Call(ctx, args)
	if err != nil {
		return exec.Result{}, err
	}
	id, b, err := codec.Marshal(v)
	if err != nil {
		return exec.Result{}, fmt.Errorf("wire: result: %w", err)
	}
	return exec.Result{Chunk: &wireChunk{id: id, data: append([]byte(nil), b...), key: t.Key}, Worker: "wire"}, nil
}

var (
	wireSum   = cairn.Register("wire.sum", sum)
	wireInner = cairn.Register("wire.inner", innerFixed)
	wireFail  = cairn.Register("wire.fail", func(x float64) (float64, error) {
		if x < 0 {
			return 0, fmt.Errorf("negative %g", x)
		}
		return x, nil
	})
)

// TestExecutors runs the same graphs on the local executor and on one that
// shares no memory with the scheduler.
func TestExecutors(t *testing.T) {
	for name, ex := range map[string]exec.Executor{"local": cairn.Local(2), "wire": wireExecutor{slots: 3}} {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			s := newSched(t, &cairn.Config{Executor: ex, Logger: discard()})
			X := blocks(7)
			ys := make([]*cairn.Thunk, len(X))
			want := 0.0
			for i, b := range X {
				ys[i] = cairn.Delayed(wireSum)(b)
				want += sum(b)
			}
			got, err := cairn.Collect[float64](ctx, s, cairn.Delayed(wireInner)(cairn.Args(ys)...))
			if err != nil {
				t.Fatal(err)
			}
			if got != math.Sqrt(math.Abs(want)) {
				t.Fatalf("got %v, want %v", got, math.Sqrt(math.Abs(want)))
			}
			if s.Parallelism() != ex.Slots() {
				t.Fatalf("parallelism %d, executor slots %d", s.Parallelism(), ex.Slots())
			}
			_, err = cairn.Compute(ctx, s, cairn.Delayed(wireFail)(-1.0))
			var fe *cairn.ThunkFailedError
			if err == nil || !reflect.TypeOf(err).AssignableTo(reflect.TypeOf(fe)) {
				t.Fatalf("err %v (%T)", err, err)
			}
		})
	}
}

package cairn_test

import (
	"context"
	"fmt"
	"math"
	"reflect"
	"testing"

	"github.com/cairnlabs/cairn"
	"github.com/cairnlabs/cairn/codec"
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

func (e wireExecutor) Slots() int { return e.slots }

func (e wireExecutor) Execute(ctx context.Context, t *cairn.Task) (cairn.Chunk, error) {
	fn, ok := cairn.Lookup(t.Func.Name())
	if !ok || fn.Version() != t.Func.Version() {
		return nil, fmt.Errorf("wire: function %s@%s is not registered in the worker", t.Func.Name(), t.Func.Version())
	}
	// Ship the arguments: encode here, decode "there".
	args := make([]cairn.Chunk, len(t.Args))
	for i, a := range t.Args {
		v, err := a.Value(ctx)
		if err != nil {
			return nil, err
		}
		id, b, err := codec.Marshal(v)
		if err != nil {
			return nil, fmt.Errorf("wire: argument %d: %w", i+1, err)
		}
		args[i] = &wireChunk{id: id, data: append([]byte(nil), b...)}
	}
	remote := &cairn.Task{ID: t.ID, Name: t.Name, Func: fn, Args: args, Key: t.Key, Attempt: t.Attempt}
	v, err := remote.Call(ctx)
	if err != nil {
		return nil, err
	}
	id, b, err := codec.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("wire: result: %w", err)
	}
	return &wireChunk{id: id, data: append([]byte(nil), b...), key: t.Key}, nil
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
	for name, ex := range map[string]cairn.Executor{"local": cairn.Local(2), "wire": wireExecutor{slots: 3}} {
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

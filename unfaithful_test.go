package cairn_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/cairnlabs/cairn"
	"github.com/cairnlabs/cairn/codec"
)

// item has an unexported field: encoding/gob would drop it.
type item struct {
	ID   string
	name string
}

func (it item) String() string { return fmt.Sprintf("%s(%s)", it.ID, it.name) }

func loadItem(i int) item {
	return item{ID: fmt.Sprintf("ITEM%02d", i), name: fmt.Sprintf("loaded item%02d", i)}
}

func describe(its ...item) string {
	var b strings.Builder
	for _, it := range its {
		b.WriteString(it.String())
	}
	return b.String()
}

// A value the codec cannot carry faithfully is never stored: a resumed run
// gives what a fresh run gives, and one warning per type says why.
func TestUnfaithfulResultsAreNotCheckpointed(t *testing.T) {
	ctx := context.Background()
	store := openStore(t, "file://"+t.TempDir())
	var logs bytes.Buffer
	graph := func() *cairn.Thunk {
		return cairn.Delayed(describe)(cairn.Delayed(loadItem)(0), cairn.Delayed(loadItem)(1))
	}
	var mu sync.Mutex
	var failed []error
	listener := cairn.ListenerFunc(func(e cairn.Event) {
		if e.Kind == cairn.CheckpointFailed {
			mu.Lock()
			failed = append(failed, e.Err)
			mu.Unlock()
		}
	})
	s := newSched(t, &cairn.Config{Checkpoints: store, Listeners: []cairn.Listener{listener},
		Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	fresh, err := cairn.Collect[string](ctx, s, graph())
	if err != nil || fresh != "ITEM00(loaded item00)ITEM01(loaded item01)" {
		t.Fatalf("fresh run: %q, %v", fresh, err)
	}
	if len(failed) != 2 {
		t.Fatalf("%d checkpoint-failed events, want one per item thunk: %v", len(failed), failed)
	}
	var ue *codec.UnfaithfulError
	if !errors.As(failed[0], &ue) || !strings.Contains(failed[0].Error(), "name") || !strings.Contains(failed[0].Error(), "export the field") {
		t.Fatalf("event error %v: want the type, the field and the fix", failed[0])
	}
	if n := strings.Count(logs.String(), "would not come back"); n != 1 {
		t.Fatalf("%d warnings, want one for the type:\n%s", n, logs.String())
	}
	var st cairn.RunStats
	resumed, err := cairn.Collect[string](ctx, s, graph(), cairn.RunOptions{Stats: &st})
	if err != nil || resumed != fresh {
		t.Fatalf("resumed run: %q, %v; the fresh run gave %q", resumed, err, fresh)
	}
	// The item itself was not stored: asked for alone, it is computed.
	it, err := cairn.Collect[item](ctx, s, cairn.Delayed(loadItem)(0), cairn.RunOptions{Stats: &st})
	if err != nil || it.name != "loaded item00" || st.Restored != 0 || st.Computed != 1 {
		t.Fatalf("item: %v, %v, stats %+v", it, err, st)
	}
}

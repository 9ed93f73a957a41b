package cluster_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/cairnlabs/cairn"
	"github.com/cairnlabs/cairn/cluster"
)

func sq(x float64) float64 { return x * x }

func total(xs ...float64) float64 {
	t := 0.0
	for _, x := range xs {
		t += x
	}
	return t
}

func big(n int) []float64 {
	s := make([]float64, n)
	for i := range s {
		s[i] = float64(i)
	}
	return s
}

func sumSlice(s []float64) float64 { return total(s...) }

var (
	sqFn       = cairn.Register("ct.sq", sq)
	totalFn    = cairn.Register("ct.total", total)
	bigFn      = cairn.Register("ct.big", big)
	sumSliceFn = cairn.Register("ct.sumSlice", sumSlice)
)

func newCluster(t *testing.T, cfg cluster.Config) *cluster.Executor {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	ex, err := cluster.New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ex.Close() })
	return ex
}

func TestTwoWorkers(t *testing.T) {
	ex := newCluster(t, cluster.Config{Workers: 2})
	if n := len(ex.Workers()); n != 2 {
		t.Fatalf("%d workers", n)
	}
	s := cairn.New(&cairn.Config{Executor: ex})
	defer s.Close()
	ys := make([]*cairn.Thunk, 20)
	for i := range ys {
		ys[i] = cairn.Delayed(sqFn)(float64(i))
	}
	got, err := cairn.Collect[float64](context.Background(), s, cairn.Delayed(totalFn)(cairn.Args(ys)...))
	if err != nil {
		t.Fatal(err)
	}
	if got != 2470 {
		t.Fatalf("got %v", got)
	}
	// Large values stay on their worker; their consumer runs there.
	bs := make([]*cairn.Thunk, 4)
	for i := range bs {
		bs[i] = cairn.Delayed(sumSliceFn)(cairn.Delayed(bigFn)(100000 + i))
	}
	got, err = cairn.Collect[float64](context.Background(), s, cairn.Delayed(totalFn)(cairn.Args(bs)...))
	if err != nil {
		t.Fatal(err)
	}
	want := 0.0
	for i := 0; i < 4; i++ {
		n := float64(100000 + i)
		want += n * (n - 1) / 2
	}
	if got != want {
		t.Fatalf("got %v, want %v", got, want)
	}
	st := ex.Stats()
	fmt.Println("stats", st)
	if st.DriverBytesIn > 1<<12 {
		t.Fatalf("the driver received %d bytes: the big blocks should have stayed on the workers", st.DriverBytesIn)
	}
}

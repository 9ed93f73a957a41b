package progress_test

import (
	"context"
	"fmt"
	"os"

	"github.com/cairnlabs/cairn"
	"github.com/cairnlabs/cairn/progress"
)

// Auto draws bars only on a terminal: under `go test` stdout is not one, so
// this example prints only its result.
func ExampleAuto() {
	bar := progress.Auto(os.Stdout) // nil unless stdout is a terminal
	s := cairn.New(&cairn.Config{Listeners: []cairn.Listener{bar}})
	defer s.Close()

	z, err := cairn.Collect[float64](context.Background(), s, seed(8, false, total))
	bar.Wait() // draw the final state before printing more
	fmt.Println(z, err)
	// Output: 52 <nil>
}

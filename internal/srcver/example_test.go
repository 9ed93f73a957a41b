package srcver_test

import (
	"errors"
	"fmt"
	"reflect"

	"github.com/cairnlabs/cairn/internal/srcver"
)

func double(x int) int { return 2 * x }

func triple(x int) int { return 3 * x }

func ExampleDigest() {
	d, err := srcver.Digest(reflect.ValueOf(double).Pointer())
	if err != nil {
		fmt.Println(err) // cairn warns once and keys double by its name
		return
	}
	again, _ := srcver.Digest(reflect.ValueOf(double).Pointer())
	other, _ := srcver.Digest(reflect.ValueOf(triple).Pointer())
	fmt.Println(len(d), d == again, d == other)

	// A function literal has no declaration of its own.
	_, err = srcver.Digest(reflect.ValueOf(func() {}).Pointer())
	fmt.Println(errors.Is(err, srcver.ErrUnsupported))
	// Output:
	// 64 true false
	// true
}

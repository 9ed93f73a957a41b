// Package drivertest provides the conformance suite that every checkpoint
// store driver passes, in the way gocloud.dev/blob/drivertest does for blob
// drivers.
//
// A driver's test calls RunConformance with a function that opens a fresh,
// empty driver:
//
//	func TestConformance(t *testing.T) {
//		drivertest.RunConformance(t, func(t *testing.T) driver.Driver {
//			d, err := mystore.Open(t.TempDir())
//			if err != nil {
//				t.Fatal(err)
//			}
//			return d
//		})
//	}
//
// The suite covers Put, Get, Stat, Delete and List, prefixes, overwrites,
// absent keys (fs.ErrNotExist), empty and multi-MiB values, failed Puts that
// must leave the old entry intact, concurrent Puts of one key that must
// never give a torn read, context cancellation, Close, and the optional
// interfaces of package driver where the driver implements them.
package drivertest

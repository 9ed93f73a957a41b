// Package driver defines the interface a checkpoint store backend implements.
//
// It is the driver-author half of the checkpoint API, in the way
// database/sql/driver is to database/sql: users hold a *checkpoint.Store and
// never call a Driver directly; the Store validates keys, frames values,
// checksums and compresses them, and hands a Driver nothing but opaque bytes
// under already validated keys.
//
// A driver registers a URL scheme with checkpoint.Register in an init
// function, and proves itself against the conformance suite in package
// drivertest:
//
//	func TestConformance(t *testing.T) {
//		drivertest.RunConformance(t, func(t *testing.T) driver.Driver { ... })
//	}
//
// New capabilities arrive as optional interfaces (such as Toucher) that the
// Store discovers by type assertion, never as new methods on Driver, so that
// existing drivers keep compiling.
package driver

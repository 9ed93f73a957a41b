// Package bench holds the workloads behind `cairn bench`, shared with the Go
// benchmarks so that both measure the same code.
package bench

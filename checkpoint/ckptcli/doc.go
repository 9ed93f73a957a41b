// Package ckptcli implements the `cairn ckpt` subcommands (ls, inspect,
// verify, gc, rm) over a *checkpoint.Store, writing human-readable (or JSON)
// output to an io.Writer. The cobra command in cmd/cairn only parses flags
// and calls these functions, so that they are tested here.
package ckptcli

// Package srcver computes a source digest for a Go function: a hash of the
// code that its declaration and the same-package declarations it refers to
// consist of, read from the source files the binary was built from. cairn
// hashes it into the checkpoint key of a function that has no explicit
// cairn.Version, so that editing the function, or a helper it calls, gives
// its thunks new keys instead of old checkpointed results. An explicit
// version always wins over the digest.
//
// # What a digest covers
//
// The function is found from its program counter: runtime.FuncForPC gives
// its symbol, and its line table gives the file and a line. The package
// directory of that file is parsed (once per process), and the top-level
// function or method declaration with that name and receiver that spans
// that line is the root. Generic functions and methods of generic types are
// digested as declared, once for all instantiations.
//
// The digest hashes the root and, transitively, every top-level declaration
// of the same package (the files of its directory with the same package
// clause, test files and files for other platforms and build tags included)
// that a declaration in the set mentions by name. References are found by
// name, without type checking, so the set can only err on the large side:
//
//   - an identifier brings in the package-level functions, types, variables
//     and constants of that name;
//   - an identifier also brings in every method of that name, on any type:
//     x.M() includes each method M of the package, which covers calls
//     through interfaces and method values;
//   - a type brings in all its methods (and so does a method, through its
//     receiver type): code elsewhere may call them (fmt calls String,
//     sort.Sort calls Less);
//   - a variable is its declaration (names, type and initialiser); a
//     constant is its whole const block (iota ties the specs together).
//
// Each declaration is fingerprinted by its tokens: it is printed as gofmt
// would print it and scanned without comments, a line end and an explicit
// ";" are the same token, and a "," or ";" just before a closing bracket
// is dropped. The imports of its file (names and paths, sorted) are part of
// its fingerprint. The digest hashes the root's fingerprint and the sorted
// set of all fingerprints: no paths, file names, line numbers or order of
// declarations.
//
// So the digest changes when the tokens of any declaration in the set
// change, including renaming a local variable or a parameter, and when an
// import is added to or removed from one of their files (or a declaration
// moves to a file with other imports). It does not change for comments,
// blank lines, gofmt (gofmt -s may change tokens), joining or splitting
// lines, reordering imports or declarations, moving a declaration to a file
// with the same imports, or moving the source tree.
//
// # What a digest does not cover
//
// Code in other packages is not followed: a call into another package,
// standard library or module, is only its tokens at the call site; that
// code's versions are its business (go.mod). Also outside the digest:
// values that variables get at run time (flags, init functions, assignments
// in other functions: they are inputs, pass them as arguments), files
// embedded with //go:embed, cgo preambles, and assembly.
//
// # When there is no digest
//
// A function gets an [*Error] instead, which matches one of:
//
//   - [ErrUnsupported]: a function literal (its captured variables are not
//     in its source), a method value, a compiler-generated wrapper, code
//     whose source is not Go (assembly, reflect.MakeFunc), or a function
//     whose set holds a declaration without a Go body;
//   - [ErrNoSource]: the binary records no absolute path (go build
//     -trimpath), or the file or its directory cannot be read or parsed
//     (a binary run on another machine, a moved source tree);
//   - [ErrStale]: the source on disk is not what the binary was built from:
//     the declaration is not at the line the binary records, or a file of
//     the set was modified after the executable was written. The binary
//     holds no hash of its source, so the times are the only sign of an
//     edit that moved no line. A file touched but not changed since the
//     build raises a false alarm, and so does a binary that go run found
//     in its cache after the source went back to an earlier state.
//
// The caller warns once per function and falls back to its name; the error
// message names the function and says how to pin a version by hand.
//
// # Cost
//
// One digest per function per [Cache], and one parse of each package
// directory; both are kept for the Cache's lifetime, as are the errors.
// Digest and DigestFunc use one Cache for the whole process. The first
// digest of a small package (five files, 120 lines) takes about 2 ms, most
// of it parsing and printing every declaration once; another function of
// the same package about 6 µs; a cached digest about 25 ns.
package srcver

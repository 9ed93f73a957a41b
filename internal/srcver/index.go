package srcver

import (
	"crypto/sha256"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// declKind is the kind of a top-level declaration; it is hashed into the
// declaration's fingerprint.
type declKind byte

const (
	kindFunc   declKind = 'f'
	kindMethod declKind = 'm'
	kindType   declKind = 't' // one type spec
	kindVar    declKind = 'v' // one var spec
	kindConst  declKind = 'c' // a whole const declaration: iota and implicit repetition tie its specs together
)

// A decl is what srcver keeps of one top-level declaration.
type decl struct {
	kind        declKind
	name        string // function, method or type name; the first name for vars and consts
	recv        string // a method's receiver base type name
	ptr         bool   // a method's receiver is a pointer
	file        int    // index in pkgIndex.files
	first, last int    // lines
	sum         [sha256.Size]byte
	refs        []string // every identifier it mentions, sorted, without duplicates
	noBody      bool     // a function declared without a body (assembly, go:linkname)
}

type srcFile struct {
	name string // base name
	mod  time.Time
}

// A pkgIndex is one package's top-level declarations (from the files of one
// directory with one package clause) and who declares each name.
type pkgIndex struct {
	files     []srcFile
	decls     []decl
	byName    map[string][]int // package-level functions, types, vars and consts
	methods   map[string][]int // methods by method name
	methodsOf map[string][]int // methods by receiver base type name
	err       error            // a file of the package that could not be read or parsed
}

// A dirIndex is one directory's packages by package clause ("p" and, for
// external tests, "p_test").
type dirIndex struct {
	pkgs  map[string]*pkgIndex
	pkgOf map[string]string // file base name -> package name
	err   error             // the directory, or a file without a package clause
}

// indexDir reads and parses every .go file of dir (test files and files for
// other platforms and build tags included: a declaration in any of them may
// be a callee, and including them keeps digests alike on every platform).
func indexDir(dir string) *dirIndex {
	d := &dirIndex{pkgs: map[string]*pkgIndex{}, pkgOf: map[string]string{}}
	ents, err := os.ReadDir(dir)
	if err != nil {
		d.err = err
		return d
	}
	fset := token.NewFileSet()
	for _, e := range ents {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".go") || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") {
			continue
		}
		path := filepath.Join(dir, name)
		src, err := os.ReadFile(path)
		if err != nil {
			d.err = err
			return d
		}
		// After reading: a write in between shows as a later time, which
		// can only make the freshness check stricter.
		info, err := os.Stat(path)
		if err != nil {
			d.err = err
			return d
		}
		f, err := parser.ParseFile(fset, path, src, parser.SkipObjectResolution)
		if f == nil || f.Name == nil || f.Name.Name == "" {
			d.err = fmt.Errorf("%s: no package clause: %v", name, err)
			return d
		}
		p := d.pkgs[f.Name.Name]
		if p == nil {
			p = &pkgIndex{byName: map[string][]int{}, methods: map[string][]int{}, methodsOf: map[string][]int{}}
			d.pkgs[f.Name.Name] = p
		}
		d.pkgOf[name] = f.Name.Name
		if err != nil {
			if p.err == nil {
				p.err = err
			}
			continue
		}
		p.files = append(p.files, srcFile{name: name, mod: info.ModTime()})
		if err := p.addFile(fset, f, len(p.files)-1); err != nil && p.err == nil {
			p.err = fmt.Errorf("%s: %w", name, err)
		}
	}
	return d
}

// addFile indexes the top-level declarations of f.
func (p *pkgIndex) addFile(fset *token.FileSet, f *ast.File, file int) error {
	imports := fileImports(f)
	add := func(kind declKind, node ast.Node, names []*ast.Ident) error {
		d := decl{kind: kind, file: file}
		for _, n := range names {
			if n.Name != "_" {
				d.name = n.Name
				break
			}
		}
		if d.name == "" {
			return nil // nothing can refer to it
		}
		switch node := node.(type) {
		case *ast.FuncDecl:
			d.noBody = node.Body == nil
			if node.Recv != nil && len(node.Recv.List) == 1 {
				d.recv, d.ptr = recvType(node.Recv.List[0].Type)
			}
		}
		d.first = fset.Position(node.Pos()).Line
		d.last = fset.Position(node.End()).Line
		d.refs = idents(node)
		var err error
		if d.sum, err = fingerprint(fset, kind, node, imports); err != nil {
			return err
		}
		i := len(p.decls)
		p.decls = append(p.decls, d)
		switch kind {
		case kindMethod:
			p.methods[d.name] = append(p.methods[d.name], i)
			p.methodsOf[d.recv] = append(p.methodsOf[d.recv], i)
		default:
			for _, n := range names {
				if n.Name != "_" {
					p.byName[n.Name] = append(p.byName[n.Name], i)
				}
			}
		}
		return nil
	}
	for _, dl := range f.Decls {
		switch dl := dl.(type) {
		case *ast.FuncDecl:
			kind := kindFunc
			if dl.Recv != nil {
				kind = kindMethod
			} else if dl.Name.Name == "init" {
				continue // cannot be referred to
			}
			if err := add(kind, dl, []*ast.Ident{dl.Name}); err != nil {
				return err
			}
		case *ast.GenDecl:
			switch dl.Tok {
			case token.CONST:
				var names []*ast.Ident
				for _, s := range dl.Specs {
					names = append(names, s.(*ast.ValueSpec).Names...)
				}
				if err := add(kindConst, dl, names); err != nil {
					return err
				}
			case token.VAR:
				for _, s := range dl.Specs {
					if err := add(kindVar, s, s.(*ast.ValueSpec).Names); err != nil {
						return err
					}
				}
			case token.TYPE:
				for _, s := range dl.Specs {
					if err := add(kindType, s, []*ast.Ident{s.(*ast.TypeSpec).Name}); err != nil {
						return err
					}
				}
			}
		}
	}
	return nil
}

// recvType returns the base type name of a receiver type expression and
// whether it is a pointer: "*T[E]" gives "T", true.
func recvType(x ast.Expr) (string, bool) {
	ptr := false
	for {
		switch t := x.(type) {
		case *ast.ParenExpr:
			x = t.X
		case *ast.StarExpr:
			x, ptr = t.X, true
		case *ast.IndexExpr:
			x = t.X
		case *ast.IndexListExpr:
			x = t.X
		case *ast.Ident:
			return t.Name, ptr
		default:
			return "", ptr
		}
	}
}

// idents returns every identifier node mentions, sorted, without
// duplicates and without "_".
func idents(node ast.Node) []string {
	var names []string
	ast.Inspect(node, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok && id.Name != "_" {
			names = append(names, id.Name)
		}
		return true
	})
	slices.Sort(names)
	return slices.Compact(names)
}

// fileImports returns f's imports as sorted "name path" lines (name is ""
// for an import without one).
func fileImports(f *ast.File) []string {
	var imps []string
	for _, s := range f.Imports {
		path, err := strconv.Unquote(s.Path.Value)
		if err != nil {
			path = s.Path.Value
		}
		name := ""
		if s.Name != nil {
			name = s.Name.Name
		}
		imps = append(imps, name+" "+path)
	}
	slices.Sort(imps)
	return slices.Compact(imps)
}

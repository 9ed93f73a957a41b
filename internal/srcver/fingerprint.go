package srcver

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"go/ast"
	"go/printer"
	"go/scanner"
	"go/token"
	"hash"
)

// gofmt prints a node as gofmt would.
var gofmt = printer.Config{Mode: printer.UseSpaces | printer.TabIndent, Tabwidth: 8}

// fingerprint hashes one top-level declaration: its kind, its tokens as
// gofmt prints it, and the imports of its file.
//
// Printing first makes the tokens those of gofmt's output (gofmt drops
// parentheses around if, for and switch headers, for one). The tokens are
// then scanned without comments and normalised so that the layout choices
// gofmt leaves to the author do not count: an explicit ";" and a line end
// are one token, and a ";" or "," just before a closing bracket (a block or
// a list split over lines) is dropped.
func fingerprint(fset *token.FileSet, kind declKind, node ast.Node, imports []string) ([sha256.Size]byte, error) {
	var sum [sha256.Size]byte
	var buf bytes.Buffer
	if err := gofmt.Fprint(&buf, fset, node); err != nil {
		return sum, fmt.Errorf("printing line %d: %w", fset.Position(node.Pos()).Line, err)
	}
	h := sha256.New()
	h.Write([]byte{byte(kind)})
	if err := writeTokens(h, buf.Bytes()); err != nil {
		return sum, fmt.Errorf("scanning line %d: %w", fset.Position(node.Pos()).Line, err)
	}
	h.Write([]byte{0})
	for _, imp := range imports {
		writeString(h, imp)
	}
	h.Sum(sum[:0])
	return sum, nil
}

// writeTokens writes the normalised tokens of Go source src to h.
func writeTokens(h hash.Hash, src []byte) error {
	fset := token.NewFileSet()
	var errs scanner.ErrorList
	var s scanner.Scanner
	s.Init(fset.AddFile("", fset.Base(), len(src)), src, errs.Add, 0)
	held := token.ILLEGAL // a ";" or "," not yet written
	for {
		_, tok, lit := s.Scan()
		if held != token.ILLEGAL {
			closing := tok == token.RPAREN || tok == token.RBRACE || tok == token.RBRACK || tok == token.EOF
			if !closing {
				writeString(h, held.String())
			}
			held = token.ILLEGAL
		}
		switch tok {
		case token.EOF:
			return errs.Err()
		case token.SEMICOLON, token.COMMA:
			held = tok
		case token.IDENT, token.INT, token.FLOAT, token.IMAG, token.CHAR, token.STRING:
			// Token names, not numbers: the numbers may change between
			// Go releases.
			writeString(h, tok.String())
			writeString(h, lit)
		default:
			writeString(h, tok.String())
		}
	}
}

// writeString writes s to h, prefixed by its length.
func writeString(h hash.Hash, s string) {
	var n [binary.MaxVarintLen64]byte
	h.Write(n[:binary.PutUvarint(n[:], uint64(len(s)))])
	h.Write([]byte(s))
}

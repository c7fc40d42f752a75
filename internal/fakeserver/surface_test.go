package fakeserver

import (
	"go/ast"
	"go/doc"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// fakes are the vendor fakes built on Front, relative to this package.
var fakes = []string{"../../havr/havrtest", "../../primis/primistest", "../../august/augusttest", "../../resivo/resivotest"}

// Integrators test their code against the fakes, and read them with go doc,
// which lists neither the methods a type promotes from an embedded field
// nor the fields of an alias of an internal type. So each fake declares
// every exported method of Front on its own Server (forwarding to it), and
// its Fault and Request aliases show their fields in their doc comment.
func TestFakesDeclareTheFrontsSurface(t *testing.T) {
	var methods []string
	for _, m := range docOf(t, ".").Types {
		if m.Name != "Front" {
			continue
		}
		for _, f := range m.Methods {
			if f.Name != "Wrap" { // the fake's own plumbing
				methods = append(methods, f.Name)
			}
		}
	}
	if len(methods) < 9 {
		t.Fatalf("Front's methods: %v", methods)
	}
	for _, dir := range fakes {
		pkg := docOf(t, dir)
		declared := map[string]bool{}
		var aliasDoc string
		for _, typ := range pkg.Types {
			switch typ.Name {
			case "Server":
				for _, f := range typ.Methods {
					declared[f.Name] = true
				}
				for _, field := range typ.Decl.Specs[0].(*ast.TypeSpec).Type.(*ast.StructType).Fields.List {
					if len(field.Names) == 0 && strings.Contains(types(field.Type), "fakeserver") {
						t.Errorf("%s: Server embeds %s: go doc does not list what it promotes", dir, types(field.Type))
					}
				}
			case "Fault":
				aliasDoc = typ.Doc
			}
		}
		for _, m := range methods {
			if !declared[m] {
				t.Errorf("%s: Server does not declare %s", dir, m)
			}
		}
		for _, typ := range []any{Fault{}, Request{}} {
			rt := reflect.TypeOf(typ)
			for i := range rt.NumField() {
				if !strings.Contains(aliasDoc, "\t"+rt.Field(i).Name+" ") {
					t.Errorf("%s: the doc of Fault and Request does not show %s.%s", dir, rt.Name(), rt.Field(i).Name)
				}
			}
		}
	}
}

func docOf(t *testing.T, dir string) *doc.Package {
	t.Helper()
	fset := token.NewFileSet()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var files []*ast.File
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, e.Name()), nil, parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	pkg, err := doc.NewFromFiles(fset, files, "example.com/"+filepath.Base(dir))
	if err != nil {
		t.Fatal(err)
	}
	return pkg
}

func types(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.SelectorExpr:
		return types(e.X) + "." + e.Sel.Name
	case *ast.StarExpr:
		return "*" + types(e.X)
	case *ast.Ident:
		return e.Name
	}
	return ""
}

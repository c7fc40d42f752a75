package readmetest

import (
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"strings"
	"testing"
)

// The check that README's blocks look at every error finds each way of
// dropping one, and nothing in code that checks them.
func TestDroppedErrors(t *testing.T) {
	fset := token.NewFileSet()
	std := importer.ForCompiler(fset, "source", nil) // shared: it keeps what it imported
	for _, tt := range []struct {
		name, body string
		want       []string // one substring per problem, in order
	}{
		{"checked", `
			f, err := os.Open("x")
			if err != nil {
				return err
			}
			defer f.Close()
			if _, err := f.Stat(); err != nil {
				return err
			}
			fmt.Println(f.Name()) // fmt's printing is exempt
			err = os.Remove("x")
			switch {
			case err != nil:
				return err
			}
			return nil`, nil},
		{"call dropped", `
			os.Remove("x")
			return nil`, []string{"the error of os.Remove is dropped"}},
		{"blank", `
			_, _ = os.Open("x")
			return nil`, []string{"an error is assigned to _"}},
		{"not checked next", `
			f, err := os.Open("x")
			fmt.Println(f)
			return err`, []string{"err is not checked by the next statement"}},
		{"overwritten", `
			_, err := os.Open("x")
			_, err = os.Open("y")
			return err`, []string{"err is not checked by the next statement"}},
		{"last statement", `
			var err error
			func() { err = os.Remove("x") }()
			return err`, []string{"err is not checked by the next statement"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			src := "package p\n\nimport (\n\t\"fmt\"\n\t\"os\"\n)\n\nvar _ = fmt.Sprint\n\nfunc f() error {" + tt.body + "\n}\n"
			f, err := parser.ParseFile(fset, "p.go", src, 0)
			if err != nil {
				t.Fatal(err)
			}
			info := &types.Info{Types: map[ast.Expr]types.TypeAndValue{}, Defs: map[*ast.Ident]types.Object{},
				Uses: map[*ast.Ident]types.Object{}}
			conf := types.Config{Importer: std}
			if _, err := conf.Check("p", fset, []*ast.File{f}, info); err != nil {
				t.Fatal(err)
			}
			got := droppedErrors(fset, f, info)
			if len(got) != len(tt.want) {
				t.Fatalf("problems %q, want %d", got, len(tt.want))
			}
			for i, w := range tt.want {
				if !strings.Contains(got[i], w) {
					t.Errorf("problem %q, want %q", got[i], w)
				}
			}
		})
	}
}

package readmetest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/printer"
	"go/token"
	"go/types"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// imports are the packages a block may name without importing them.
var imports = map[string]string{
	"access":     "github.com/doorkit/doorkit/access",
	"accesstest": "github.com/doorkit/doorkit/access/accesstest",
	"august":     "github.com/doorkit/doorkit/august",
	"augusttest": "github.com/doorkit/doorkit/august/augusttest",
	"havr":       "github.com/doorkit/doorkit/havr",
	"havrtest":   "github.com/doorkit/doorkit/havr/havrtest",
	"phone":      "github.com/doorkit/doorkit/phone",
	"primis":     "github.com/doorkit/doorkit/primis",
	"primistest": "github.com/doorkit/doorkit/primis/primistest",
	"resivo":     "github.com/doorkit/doorkit/resivo",
	"resivotest": "github.com/doorkit/doorkit/resivo/resivotest",
	"httpmock":   "github.com/jarcoal/httpmock",
	"context":    "context",
	"errors":     "errors",
	"fmt":        "fmt",
	"http":       "net/http",
	"httptest":   "net/http/httptest",
	"iter":       "iter",
	"json":       "encoding/json",
	"log":        "log",
	"os":         "os",
	"slog":       "log/slog",
	"strings":    "strings",
	"sync":       "sync",
	"testing":    "testing",
	"time":       "time",
}

// pkgPath is where the blocks are built, in a directory that exists only in
// the go command's overlay.
const pkgPath = "github.com/doorkit/doorkit/internal/readmetest/readme"

// block is one ```go block of README.md.
type block struct {
	line int // README line of the block's first line of code
	code string
}

func TestREADMEGoBlocks(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	blocks := readBlocks(t, filepath.Join(root, "README.md"))
	if len(blocks) < 4 {
		t.Fatalf("README.md has %d Go blocks; want its four examples at least", len(blocks))
	}
	tmp := t.TempDir()
	files := map[string]string{} // name in the package -> generated source
	for i, b := range blocks {
		src, test, err := generate(b)
		if err != nil {
			t.Fatalf("README.md:%d: %v", b.line, err)
		}
		name := fmt.Sprintf("block%d.go", i+1)
		if test {
			name = fmt.Sprintf("block%d_test.go", i+1)
		}
		files[name] = src
	}
	overlay := writeOverlay(t, root, tmp, files)

	fset := token.NewFileSet()
	var parsed []*ast.File
	for _, name := range slices.Sorted(maps.Keys(files)) {
		f, err := parser.ParseFile(fset, name, files[name], parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		parsed = append(parsed, f)
	}
	info := &types.Info{Types: map[ast.Expr]types.TypeAndValue{}, Defs: map[*ast.Ident]types.Object{},
		Uses: map[*ast.Ident]types.Object{}}
	var typeErrs []string
	conf := types.Config{Importer: exportImporter(t, root, fset, overlay), Error: func(err error) { typeErrs = append(typeErrs, err.Error()) }}
	_, _ = conf.Check(pkgPath, fset, parsed, info) // its errors are collected above
	for _, e := range typeErrs {
		t.Errorf("does not compile: %s", e)
	}
	if len(typeErrs) > 0 {
		return
	}
	for _, f := range parsed {
		for _, problem := range droppedErrors(fset, f, info) {
			t.Errorf("%s", problem)
		}
	}
	runTests(t, root, tmp, overlay, files)
}

// readBlocks returns README's ```go blocks.
func readBlocks(t *testing.T, path string) []block {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []block
	var cur *block
	var code strings.Builder
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		switch {
		case cur == nil && strings.TrimSpace(line) == "```go":
			cur = &block{line: n + 1}
			code.Reset()
		case cur != nil && strings.TrimSpace(line) == "```":
			cur.code = code.String()
			out = append(out, *cur)
			cur = nil
		case cur != nil:
			code.WriteString(line + "\n")
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if cur != nil {
		t.Fatalf("README.md:%d: a Go block is not closed", cur.line-1)
	}
	return out
}

// generate makes a block a file of package readme: the package clause, the
// imports it names but does not give, and a line directive so that
// positions are README's. It reports whether the block is a test file.
func generate(b block) (src string, test bool, err error) {
	body := "package readme\n//line README.md:" + fmt.Sprint(b.line) + "\n" + b.code
	f, err := parser.ParseFile(token.NewFileSet(), "block.go", body, parser.SkipObjectResolution)
	if err != nil {
		return "", false, fmt.Errorf("a Go block is a Go file without its package clause: %w", err)
	}
	given := map[string]bool{}
	for _, imp := range f.Imports {
		path := strings.Trim(imp.Path.Value, `"`)
		given[path[strings.LastIndex(path, "/")+1:]] = true
		if imp.Name != nil {
			given[imp.Name.Name] = true
		}
	}
	declared := map[string]bool{}
	for _, d := range f.Decls {
		if fn, ok := d.(*ast.FuncDecl); ok {
			declared[fn.Name.Name] = true
			test = test || strings.HasPrefix(fn.Name.Name, "Test")
		}
	}
	need := map[string]bool{}
	ast.Inspect(f, func(n ast.Node) bool {
		if sel, ok := n.(*ast.SelectorExpr); ok {
			if id, ok := sel.X.(*ast.Ident); ok && imports[id.Name] != "" && !given[id.Name] && !declared[id.Name] {
				need[imports[id.Name]] = true
			}
		}
		return true
	})
	var head strings.Builder
	head.WriteString("package readme\n\n")
	for _, path := range slices.Sorted(maps.Keys(need)) {
		fmt.Fprintf(&head, "import %q\n", path)
	}
	return head.String() + "\n//line README.md:" + fmt.Sprint(b.line) + "\n" + b.code, test, nil
}

// writeOverlay writes the files to tmp and returns the go command overlay
// that places them in the package's directory.
func writeOverlay(t *testing.T, root, tmp string, files map[string]string) string {
	replace := map[string]string{}
	for name, src := range files {
		path := filepath.Join(tmp, name)
		if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		replace[filepath.Join(root, "internal", "readmetest", "readme", name)] = path
	}
	data, err := json.Marshal(map[string]any{"Replace": replace})
	if err != nil {
		t.Fatal(err)
	}
	overlay := filepath.Join(tmp, "overlay.json")
	if err := os.WriteFile(overlay, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return overlay
}

// goCommand runs the go command in the module root, without network: what
// the README uses is in the module's own requirements.
func goCommand(t *testing.T, root string, args ...string) []byte {
	t.Helper()
	cmd := exec.Command("go", args...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "GOPROXY=off", "GOFLAGS="+strings.TrimSpace(os.Getenv("GOFLAGS")+" -mod=readonly"))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, stderr.Bytes())
	}
	return out
}

// exportImporter imports packages from the export data the go command
// builds for the blocks' dependencies.
func exportImporter(t *testing.T, root string, fset *token.FileSet, overlay string) types.Importer {
	out := goCommand(t, root, "list", "-e", "-overlay", overlay, "-test", "-export", "-deps", "-f", "{{.ImportPath}}\t{{.Export}}", "./internal/readmetest/readme")
	exports := map[string]string{}
	for line := range strings.SplitSeq(strings.TrimSpace(string(out)), "\n") {
		path, file, _ := strings.Cut(line, "\t")
		if file != "" {
			exports[path] = file
		}
	}
	return importer.ForCompiler(fset, "gc", func(path string) (io.ReadCloser, error) {
		file, ok := exports[path]
		if !ok {
			return nil, fmt.Errorf("no export data for %q", path)
		}
		return os.Open(file)
	})
}

// runTests builds the blocks' tests and runs them (in tmp: the package's
// directory exists only in the overlay).
func runTests(t *testing.T, root, tmp, overlay string, files map[string]string) {
	hasTests := false
	for name := range files {
		hasTests = hasTests || strings.HasSuffix(name, "_test.go")
	}
	if !hasTests {
		t.Fatal("README.md shows no test of an integrator's code")
	}
	bin := filepath.Join(tmp, "readme.test")
	goCommand(t, root, "test", "-c", "-vet=off", "-overlay", overlay, "-o", bin, "./internal/readmetest/readme")
	cmd := exec.Command(bin, "-test.v")
	cmd.Dir = tmp
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("README's tests fail: %v\n%s", err, out)
	}
	t.Logf("README's tests:\n%s", out)
}

// droppedErrors reports error values f drops: a call whose error result is
// ignored (fmt's printing aside), an error assigned to _, and an error
// variable the statement after its assignment does not look at.
func droppedErrors(fset *token.FileSet, f *ast.File, info *types.Info) []string {
	var out []string
	report := func(n ast.Node, format string, a ...any) {
		out = append(out, fmt.Sprintf("%s: %s", fset.Position(n.Pos()), fmt.Sprintf(format, a...)))
	}
	ast.Inspect(f, func(n ast.Node) bool {
		var list []ast.Stmt
		switch n := n.(type) {
		case *ast.BlockStmt:
			list = n.List
		case *ast.CaseClause:
			list = n.Body
		case *ast.CommClause:
			list = n.Body
		default:
			return true
		}
		for i, st := range list {
			switch st := st.(type) {
			case *ast.ExprStmt:
				if call, ok := st.X.(*ast.CallExpr); ok && returnsError(info, call) && !isFmtPrint(info, call) {
					report(st, "the error of %s is dropped", exprString(fset, call.Fun))
				}
			case *ast.AssignStmt:
				for j, lhs := range st.Lhs {
					id, ok := lhs.(*ast.Ident)
					if !ok || !isError(rhsType(info, st, j)) {
						continue
					}
					if id.Name == "_" {
						report(st, "an error is assigned to _")
						continue
					}
					obj := info.Defs[id]
					if obj == nil {
						obj = info.Uses[id]
					}
					if i+1 == len(list) || !mentions(info, list[i+1], obj) {
						report(st, "%s is not checked by the next statement", id.Name)
					}
				}
			}
		}
		return true
	})
	return out
}

var errorType = types.Universe.Lookup("error").Type()

func isError(t types.Type) bool { return t != nil && types.Identical(t, errorType) }

func returnsError(info *types.Info, call *ast.CallExpr) bool {
	switch t := info.Types[call].Type.(type) {
	case *types.Tuple:
		for v := range t.Variables() {
			if isError(v.Type()) {
				return true
			}
		}
		return false
	default:
		return isError(t)
	}
}

func isFmtPrint(info *types.Info, call *ast.CallExpr) bool {
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok {
		return false
	}
	fn, ok := info.Uses[sel.Sel].(*types.Func)
	return ok && fn.Pkg() != nil && fn.Pkg().Path() == "fmt" && strings.Contains(fn.Name(), "rint")
}

// rhsType is the type of the value assigned to st.Lhs[j].
func rhsType(info *types.Info, st *ast.AssignStmt, j int) types.Type {
	if len(st.Rhs) == len(st.Lhs) {
		return info.Types[st.Rhs[j]].Type
	}
	if tuple, ok := info.Types[st.Rhs[0]].Type.(*types.Tuple); ok && j < tuple.Len() {
		return tuple.At(j).Type()
	}
	return nil
}

// mentions reports whether n reads obj: an assignment to it is no look.
func mentions(info *types.Info, n ast.Node, obj types.Object) bool {
	found := false
	var look func(n ast.Node) bool
	look = func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.Ident:
			found = found || info.Uses[n] == obj
		case *ast.AssignStmt:
			for _, lhs := range n.Lhs {
				if _, ok := lhs.(*ast.Ident); !ok {
					ast.Inspect(lhs, look)
				}
			}
			for _, rhs := range n.Rhs {
				ast.Inspect(rhs, look)
			}
			return false
		}
		return !found
	}
	ast.Inspect(n, look)
	return found
}

func exprString(fset *token.FileSet, e ast.Expr) string {
	var b bytes.Buffer
	_ = printer.Fprint(&b, fset, e)
	return b.String()
}

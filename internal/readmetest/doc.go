// Package readmetest keeps README.md's Go blocks compiling, checking their
// errors and passing, so that the code a newcomer copies cannot rot. It has
// no API: its test reads README.md.
//
// Each ```go block is a Go file of one package shared by all the blocks,
// written without its package clause; a block may give its imports, and
// otherwise the test adds those of the doorkit, standard and test packages
// it names (access, havr, havrtest, context, errors, testing, httpmock, ...;
// see imports in the test). A block that declares a Test function is a
// test file. The test type-checks the blocks with the compiler's export
// data, fails on an error value dropped (a call whose error is ignored, an
// error assigned to _, an err not checked by the statement after it), and
// runs the blocks' tests, all without network. Errors point at README.md's
// lines.
package readmetest

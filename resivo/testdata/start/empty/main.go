// Command empty does nothing: the start every other program here is
// compared with.
package main

func main() {}

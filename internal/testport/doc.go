// Package testport gives tests an address on 127.0.0.1 that refuses TCP
// connections, for the test KMS and WinRM hosts' "nothing listens" mode.
package testport

// Command kmsctl checks KMS hosts and drives KMS activation from any
// terminal: slmgr for Linux, macOS and Windows.
package main

import (
	"os"

	"github.com/kmsctl/kmsctl/commands"
)

func main() {
	env := commands.SystemEnv()
	os.Exit(env.Exit(commands.Run(env, os.Args)))
}

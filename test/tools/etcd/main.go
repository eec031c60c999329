// etcd for the local control plane. `go install go.etcd.io/etcd/server/v3` does not work
// (the module has replace directives), so this main calls etcdmain directly.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }

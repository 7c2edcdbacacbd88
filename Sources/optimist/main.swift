// The `optimist` executable: everything it does lives in OptimistCLI.
import OptimistCLI

Optimist.main()

#ifndef OPTIMIST_CONCURRENCY_HOOK_H
#define OPTIMIST_CONCURRENCY_HOOK_H

/// The address of Swift concurrency's global enqueue hook (`swift_task_enqueueGlobal_hook`,
/// a function pointer in the Swift runtime), resolved when the binary is linked: SwiftNIO
/// looks it up with dlsym, which finds nothing where the runtime is linked statically and its
/// symbols are not exported (optimist-serve's release build). See OptimistServer's
/// ConcurrencyHook.swift.
void **optimist_swift_task_enqueue_global_hook(void);

#endif

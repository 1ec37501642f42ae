// SIGINT / SIGTERM: long work polls Interrupted() and stops; the staging
// folder then removes itself, so the previous results stay intact.
#pragma once

namespace repsim::io {

// Installs handlers that only set a flag (async-signal-safe).
void InstallInterruptHandlers();
bool Interrupted();
// The signal number received, 0 if none.
int InterruptSignal();

}  // namespace repsim::io

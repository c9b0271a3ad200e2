#pragma once

#include "config/config.hpp"

namespace wharf::server {

// The composition root: opens the storage drivers named by the configuration, builds the
// registry services and the protocol adapters, and serves until SIGTERM/SIGINT.
// Returns the process exit code (0 after a clean shutdown).
int serve(const config::Config& config);

}  // namespace wharf::server

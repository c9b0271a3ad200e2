#pragma once

#include <string>

namespace wharf {

// Random RFC 4122 version-4 UUID in lower-case canonical form, from the OS's CSPRNG.
std::string random_uuid();
// n random bytes as lower-case hex, from the OS's CSPRNG.
std::string random_hex(std::size_t n_bytes);

}  // namespace wharf

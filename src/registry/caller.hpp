#pragma once

#include <string>

namespace wharf::registry {

// Who is asking. Authentication fills it in (issue #3); until then every caller is anonymous and
// every action is allowed. Services take it so the authorization check has one place to live.
struct Caller {
    std::string principal = "anonymous";
};

}  // namespace wharf::registry

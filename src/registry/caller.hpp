#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "auth/identity.hpp"

namespace wharf::registry {

// Who is asking, and from where: what authentication established plus the request facts that
// policy conditions read (aws:SourceIp, aws:SecureTransport, aws:UserAgent).
struct Caller {
    std::shared_ptr<const auth::Identity> identity;  // null: anonymous
    std::string access_key_id;
    std::string source_ip;
    std::string user_agent;
    std::string request_id;
    bool secure_transport = false;

    bool anonymous() const noexcept { return identity == nullptr; }
    std::string_view arn() const noexcept {
        return identity ? std::string_view(identity->arn) : std::string_view("anonymous");
    }
};

}  // namespace wharf::registry

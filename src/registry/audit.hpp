#pragma once

#include <atomic>
#include <string>
#include <string_view>

#include "events/audit.hpp"
#include "registry/caller.hpp"
#include "registry/context.hpp"

namespace wharf::registry {

// What the protocol adapters report after each call, in one shape for both protocols. Without
// a sink (unit tests, tools) records go nowhere.
class AuditTrail {
public:
    explicit AuditTrail(ServiceContext& ctx) : ctx_(ctx) {}
    void attach(events::AuditSink* sink) noexcept { sink_.store(sink); }

    // `error_code`: the wire error ("" on success); `http_status` as answered.
    void record(const Caller& caller, std::string_view action, std::string resource,
                int http_status, std::string_view error_code);

    // Work the registry does on its own (lifecycle actions): `actor` names the component
    // ("wharf:lifecycle"), `detail` says why.
    void record_system(std::string_view actor, std::string_view action, std::string resource,
                       std::string detail);

private:
    ServiceContext& ctx_;
    std::atomic<events::AuditSink*> sink_{nullptr};
};

}  // namespace wharf::registry

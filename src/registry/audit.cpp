#include "registry/audit.hpp"

namespace wharf::registry {

void AuditTrail::record(const Caller& caller, std::string_view action, std::string resource,
                        int http_status, std::string_view error_code) {
    auto* sink = sink_.load();
    if (sink == nullptr) {
        return;
    }
    sink->append(events::AuditRecord{
        .time = ctx_.clock.now(),
        .request_id = caller.request_id,
        .principal = std::string(caller.arn()),
        .access_key_id = caller.access_key_id,
        .source_ip = caller.source_ip,
        .user_agent = caller.user_agent,
        .action = std::string(action),
        .resource = std::move(resource),
        .outcome = http_status < 400 ? "success" : "failure",
        .error_code = std::string(error_code),
        .http_status = http_status,
    });
}

void AuditTrail::record_system(std::string_view actor, std::string_view action,
                               std::string resource, std::string detail) {
    auto* sink = sink_.load();
    if (sink == nullptr) {
        return;
    }
    sink->append(events::AuditRecord{
        .time = ctx_.clock.now(),
        .request_id = "",
        .principal = std::string(actor),
        .access_key_id = "",
        .source_ip = "",
        .user_agent = "",
        .action = std::string(action),
        .resource = std::move(resource),
        .outcome = "success",
        .error_code = "",
        .http_status = 0,
        .detail = std::move(detail),
    });
}

}  // namespace wharf::registry

#include "events/audit.hpp"

#include "common/json_text.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace wharf::events {
namespace {

constexpr std::string_view kFileName = "audit.log";

}  // namespace

Result<std::unique_ptr<AuditLog>> AuditLog::open(const std::filesystem::path& dir, Options o) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) {
        return Error{Errc::internal, fmt::format("cannot create audit directory {}: {}",
                                                 dir.string(), ec.message())};
    }
    const auto file = dir / kFileName;
    const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0) {
        return Error{Errc::internal, fmt::format("cannot open audit log {}: {}", file.string(),
                                                 std::strerror(errno))};
    }
    return std::unique_ptr<AuditLog>(new AuditLog(fd, o));
}

AuditLog::AuditLog(int fd, Options options)
    : fd_(fd), options_(options), writer_([this] { run(); }) {}

AuditLog::~AuditLog() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    writer_.join();
    ::close(fd_);
}

void AuditLog::append(AuditRecord record) {
    std::unique_lock lock(mutex_);
    drained_.wait(lock, [&] { return queue_.size() < options_.max_queued || stopping_; });
    queue_.push_back(std::move(record));
    ++appended_;
}

void AuditLog::flush() {
    std::unique_lock lock(mutex_);
    const auto target = appended_;
    wake_.notify_all();
    drained_.wait(lock, [&] { return written_ >= target; });
}

namespace {

// One JSON object per record, built by hand: the writer thread formats every pull.
void append_line(std::string& out, const AuditRecord& r) {
    auto field = [&](std::string_view name, std::string_view value) {
        out += out.back() == '{' ? "\"" : ",\"";
        out += name;
        out += "\":";
        append_json_string(out, value);
    };
    out += '{';
    field("time", to_rfc3339(r.time));
    field("requestId", r.request_id);
    field("principal", r.principal);
    field("sourceIp", r.source_ip);
    field("userAgent", r.user_agent);
    field("action", r.action);
    field("resource", r.resource);
    field("outcome", r.outcome);
    out += ",\"httpStatus\":";
    out += std::to_string(r.http_status);
    if (!r.access_key_id.empty()) {
        field("accessKeyId", r.access_key_id);
    }
    if (!r.error_code.empty()) {
        field("errorCode", r.error_code);
    }
    if (!r.detail.empty()) {
        field("detail", r.detail);
    }
    out += "}\n";
}

}  // namespace

void AuditLog::write_batch(std::deque<AuditRecord>& batch) {
    std::string text;
    text.reserve(batch.size() * 320);
    for (const auto& r : batch) {
        append_line(text, r);
    }
    std::size_t done = 0;
    while (done < text.size()) {
        const auto n = ::write(fd_, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            spdlog::error("audit log: write failed: {}; {} records lost", std::strerror(errno),
                          batch.size());
            return;
        }
        done += static_cast<std::size_t>(n);
    }
    if (::fdatasync(fd_) != 0) {
        spdlog::error("audit log: fdatasync failed: {}", std::strerror(errno));
    }
}

void AuditLog::run() {
    std::unique_lock lock(mutex_);
    for (;;) {
        wake_.wait_for(lock, options_.interval, [&] { return stopping_; });
        if (queue_.empty()) {
            if (stopping_) {
                return;
            }
            continue;
        }
        std::deque<AuditRecord> batch;
        batch.swap(queue_);
        const auto count = batch.size();
        lock.unlock();
        write_batch(batch);
        lock.lock();
        written_ += count;
        drained_.notify_all();
    }
}

Result<std::vector<nlohmann::json>> read_audit(const std::filesystem::path& dir,
                                               const AuditQuery& query) {
    std::vector<nlohmann::json> out;
    std::ifstream in(dir / kFileName);
    if (!in) {
        return out;  // nothing audited yet
    }
    const std::string since = query.since ? to_rfc3339(*query.since) : std::string();
    std::string line;
    while (std::getline(in, line)) {
        auto j = nlohmann::json::parse(line, nullptr, false);
        if (!j.is_object()) {
            continue;
        }
        // RFC 3339 UTC with fixed precision sorts as text.
        if (!since.empty() && j.value("time", "") < since) {
            continue;
        }
        if (!query.principal.empty() &&
            j.value("principal", "").find(query.principal) == std::string::npos) {
            continue;
        }
        if (!query.action.empty() && j.value("action", "") != query.action) {
            continue;
        }
        out.push_back(std::move(j));
    }
    return out;
}

}  // namespace wharf::events

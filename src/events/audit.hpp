#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/clock.hpp"
#include "common/result.hpp"

namespace wharf::events {

// One line of the audit log: who did what to which resource, and how it ended. Never a secret:
// the access key id names the key, the secret never reaches this type.
struct AuditRecord {
    TimePoint time;
    std::string request_id;
    std::string principal;      // ARN, or "anonymous"
    std::string access_key_id;  // "" when none
    std::string source_ip;
    std::string user_agent;
    std::string action;      // the IAM action, e.g. "ecr:PutImage"
    std::string resource;    // ARN or "*"
    std::string outcome;     // "success" | "failure"
    std::string error_code;  // the wire error (RepositoryNotFoundException, NAME_UNKNOWN, ...)
    int http_status = 0;
    std::string detail{};  // work done without a request (lifecycle, GC): why, in words
};

// Where audit records go. Thread-safe.
class AuditSink {
public:
    virtual ~AuditSink() = default;
    virtual void append(AuditRecord record) = 0;
};

// An append-only JSON-lines file. append() only queues; a writer thread writes what has
// queued in one write(2) and fsyncs it, at least every `interval`, so a burst of requests costs
// one fsync, and a clean stop (destructor) loses nothing. The queue is bounded: past
// `max_queued` records append() waits for the writer (audit is never silently dropped).
class AuditLog final : public AuditSink {
public:
    struct Options {
        std::chrono::milliseconds interval{100};
        std::size_t max_queued = 100000;
    };
    // Opens (creating) <dir>/audit.log for appending. Errc::internal on I/O failure.
    static Result<std::unique_ptr<AuditLog>> open(const std::filesystem::path& dir, Options o);
    ~AuditLog() override;
    void append(AuditRecord record) override;
    // Blocks until everything appended so far is on disk.
    void flush();

private:
    AuditLog(int fd, Options options);
    void run();
    void write_batch(std::deque<AuditRecord>& batch);

    int fd_;
    Options options_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::condition_variable drained_;
    std::deque<AuditRecord> queue_;
    std::uint64_t appended_ = 0;
    std::uint64_t written_ = 0;
    bool stopping_ = false;
    std::thread writer_;
};

struct AuditQuery {
    std::optional<TimePoint> since;
    std::string principal;  // exact ARN or a substring of it ("" = any)
    std::string action;     // exact IAM action ("" = any)
};

// Records of <dir>/audit.log matching the query, oldest first. A torn last line (a crash in
// the middle of a write) is skipped.
Result<std::vector<nlohmann::json>> read_audit(const std::filesystem::path& dir,
                                               const AuditQuery& query);

}  // namespace wharf::events

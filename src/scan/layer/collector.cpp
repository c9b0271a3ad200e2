// The caps that apply across the entries of one layer: bytes kept and notes recorded.
#include <fmt/format.h>

#include "scan/layer/detail.hpp"

namespace wharf::scan::layer::detail {

namespace {

// Enough to tell an operator what was skipped and why without letting a hostile layer grow the
// per-layer result.
constexpr std::size_t kMaxNotes = 100;

}  // namespace

void Collector::note(std::string_view path, std::string_view reason) {
    if (out_.notes.size() < kMaxNotes) {
        out_.notes.push_back(fmt::format("{}: {}", path, reason));
    }
}

bool Collector::fits(std::string_view path, std::uint64_t bytes) {
    if (bytes > limits_.max_kept_bytes || kept_bytes_ > limits_.max_kept_bytes - bytes) {
        note(path, fmt::format("skipped: the layer's kept files would exceed {} bytes",
                               limits_.max_kept_bytes));
        return false;
    }
    return true;
}

void Collector::keep(std::string path, FileKind kind, std::string bytes) {
    kept_bytes_ += bytes.size();
    out_.files.push_back(KeptFile{std::move(path), kind, std::move(bytes)});
}

}  // namespace wharf::scan::layer::detail

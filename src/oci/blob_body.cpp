#include "oci/blob_body.hpp"

namespace wharf::oci {
namespace {

class BlobBody final : public http::BodySource {
public:
    explicit BlobBody(std::unique_ptr<registry::BlobReader> reader) : reader_(std::move(reader)) {}
    std::uint64_t length() const noexcept override { return reader_->length(); }
    Result<std::size_t> read(std::span<std::byte> out) override { return reader_->read(out); }
    std::optional<http::FileRegion> file_region() const override {
        auto region = reader_->native_region();
        if (!region) {
            return std::nullopt;
        }
        return http::FileRegion{region->fd, region->offset, region->length};
    }

private:
    std::unique_ptr<registry::BlobReader> reader_;
};

}  // namespace

std::unique_ptr<http::BodySource> make_blob_body(std::unique_ptr<registry::BlobReader> reader) {
    return std::make_unique<BlobBody>(std::move(reader));
}

}  // namespace wharf::oci

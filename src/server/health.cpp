#include "server/health.hpp"

namespace wharf::server {

void add_health_routes(http::Router& router, storage::MetadataStore& meta) {
    router.add(http::Route{
        http::Method::get, "/healthz", "healthz",
        [](http::RequestContext&) -> http::net::awaitable<http::Response> {
            co_return http::make_text(http::status::ok, "ok\n");
        }});
    router.add(http::Route{
        http::Method::get, "/readyz", "readyz",
        [&meta](http::RequestContext& ctx) -> http::net::awaitable<http::Response> {
            auto ready = co_await ctx.offload([&] {
                return meta.read([](storage::MetadataTx& tx) -> Result<void> {
                    auto probe = tx.repositories().list(std::nullopt, 1);
                    if (!probe) {
                        return probe.error();
                    }
                    return ok();
                });
            });
            if (!ready) {
                co_return http::make_text(http::status::service_unavailable,
                                          "metadata store: " + ready.error().message + "\n");
            }
            co_return http::make_text(http::status::ok, "ready\n");
        }});
}

}  // namespace wharf::server

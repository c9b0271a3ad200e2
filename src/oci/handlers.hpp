#pragma once

#include <boost/asio/awaitable.hpp>

#include "auth/authenticator.hpp"
#include "http/request_context.hpp"
#include "http/response.hpp"
#include "registry/registry.hpp"

namespace wharf::oci {

namespace net = boost::asio;
using http::RequestContext;
using http::Response;

// Everything a handler may use; one per server.
struct OciServices {
    registry::Registry& registry;
    auth::Authenticator& authenticator;
    // Set by the composition root when the storage drivers' reads never wait on a network or a
    // slow device (SQLite and local files, served from the page cache in microseconds): such
    // reads then run on the connection's thread, because the hop to the blocking pool and back
    // costs more than the read. Writes always go to the pool.
    bool inline_reads = false;
};

// A read-only service call: inline or on the blocking pool, as OciServices says.
template <typename F>
net::awaitable<std::invoke_result_t<F&>> read_call(RequestContext& ctx, const OciServices& svc,
                                                   F fn) {
    if (svc.inline_reads) {
        co_return fn();
    }
    co_return co_await ctx.offload(std::move(fn));
}

using HandlerFn = net::awaitable<Response> (*)(RequestContext&, OciServices&);

// base.cpp
net::awaitable<Response> get_base(RequestContext&, OciServices&);
// manifests.cpp
net::awaitable<Response> get_manifest(RequestContext&, OciServices&);  // GET and HEAD
net::awaitable<Response> put_manifest(RequestContext&, OciServices&);
net::awaitable<Response> delete_manifest(RequestContext&, OciServices&);
// blobs.cpp
net::awaitable<Response> get_blob(RequestContext&, OciServices&);  // GET and HEAD
net::awaitable<Response> delete_blob(RequestContext&, OciServices&);
// uploads.cpp
net::awaitable<Response> start_upload(RequestContext&, OciServices&);
net::awaitable<Response> get_upload(RequestContext&, OciServices&);
net::awaitable<Response> patch_upload(RequestContext&, OciServices&);
net::awaitable<Response> put_upload(RequestContext&, OciServices&);
net::awaitable<Response> delete_upload(RequestContext&, OciServices&);
// listing.cpp
net::awaitable<Response> list_tags(RequestContext&, OciServices&);
net::awaitable<Response> catalog(RequestContext&, OciServices&);
net::awaitable<Response> list_referrers(RequestContext&, OciServices&);

}  // namespace wharf::oci

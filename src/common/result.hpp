#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <type_traits>
#include <utility>
#include <variant>

#include "common/errc.hpp"

namespace wharf {

// An expected failure: the message says what the caller should fix; detail is protocol-neutral
// structured context (e.g. {"digest": "..."}) that adapters may put on the wire.
struct Error {
    Errc code = Errc::internal;
    std::string message;
    nlohmann::json detail = nullptr;
};

// Value-or-Error. Converting constructors from T and Error keep call sites short:
//   if (!x) { return x.error(); }   return value;
template <typename T>
class [[nodiscard]] Result {
public:
    Result(const T& value) : v_(value) {}  // NOLINT(google-explicit-constructor)
    Result(T&& value) : v_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
    Result(Error error) : v_(std::move(error)) {}  // NOLINT(google-explicit-constructor)
    template <typename U,
              typename = std::enable_if_t<std::is_constructible_v<T, U&&> &&
                                          !std::is_same_v<std::decay_t<U>, Error> &&
                                          !std::is_same_v<std::decay_t<U>, Result>>>
    Result(U&& value) : v_(std::in_place_index<0>, std::forward<U>(value)) {}  // NOLINT

    bool has_value() const noexcept { return v_.index() == 0; }
    explicit operator bool() const noexcept { return has_value(); }

    T& value() & { return std::get<0>(v_); }
    const T& value() const& { return std::get<0>(v_); }
    T&& value() && { return std::get<0>(std::move(v_)); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T&& operator*() && { return std::move(*this).value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }

    const Error& error() const& { return std::get<1>(v_); }
    Error&& error() && { return std::get<1>(std::move(v_)); }

private:
    std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
public:
    Result() = default;
    Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT

    bool has_value() const noexcept { return ok_; }
    explicit operator bool() const noexcept { return ok_; }
    void value() const {}
    const Error& error() const& { return error_; }
    Error&& error() && { return std::move(error_); }

private:
    Error error_;
    bool ok_ = true;
};

inline Result<void> ok() { return {}; }

}  // namespace wharf
